"""Cost of one vector tile of a 1,000,000-vertex polygon, through the live app (SQLite, and
PostGIS when ``BEATGRID_TEST_POSTGRES_URL`` is set: a fresh schema, dropped afterwards).

The plain way (what the service did before): every request re-reads the feature, clips
the full-resolution polygon and encodes it.  Ours: simplified to one pixel of the zoom,
then cached per layer version, tile and jurisdiction.  Both measured in the same run on
the same stored layer (the vertex limit is raised for the benchmark; by default such a
polygon is refused with 413).

Run: ``.venv/bin/python benchmarks/bench_tiles.py [--vertices 1000000]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import shapely
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api import tiles
from api.app import create_app
from api.auth import create_user
from api.settings import Settings


def _polygon(vertices: int) -> dict:
    angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = np.c_[118.705 + 0.05 * np.cos(angle), 32.005 + 0.05 * np.sin(angle)]
    return shapely.geometry.mapping(shapely.Polygon(ring))


def _plain_tile(frame_3857: object, bounds: tuple[float, float, float, float]) -> bytes:
    clip = shapely.box(*bounds)
    geoms = shapely.intersection(np.asarray(frame_3857), clip)
    features = [{"geometry": g, "properties": {}} for g in geoms if not g.is_empty]
    options = {"quantize_bounds": bounds, "extents": 4096, "y_coord_down": False}
    return bytes(
        mapbox_vector_tile.encode([{"name": "x", "features": features}], default_options=options)
    )


SCHEMA = "bench_tiles"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vertices", type=int, default=1_000_000)
    args = parser.parse_args()
    limits = {
        "max_feature_vertices": args.vertices + 10,
        "max_layer_vertices": args.vertices + 10,
        "max_body_mb": 200,
    }
    with tempfile.TemporaryDirectory() as tmp:
        print("== SQLite ==", flush=True)
        _run(Settings(database_url=f"sqlite:///{Path(tmp)}/b.db", **limits), args.vertices)
    pg = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if not pg:
        print("PostGIS skipped: BEATGRID_TEST_POSTGRES_URL is not set")
        return
    admin = sa.create_engine(pg)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
    try:
        print("== PostGIS ==", flush=True)
        _run(Settings(database_url=pg, db_schema=SCHEMA, **limits), args.vertices)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
        admin.dispose()


def _run(settings: Settings, vertices: int) -> None:
    app = create_app(settings)
    with app.state.sessions() as s:
        create_user(s, username="root", password="password123", role="admin")
        s.commit()
    with TestClient(app) as client:
        token = client.post("/auth/token", data={"username": "root", "password": "password123"})
        h = {"Authorization": f"Bearer {token.json()['access_token']}"}
        fc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "big"},
                    "geometry": _polygon(vertices),
                }
            ],
        }
        import json

        r = client.post(
            "/layers",
            headers=h,
            data={"layer_id": "big", "kind": "street", "reason": "b"},
            files={"file": ("big.geojson", json.dumps(fc).encode())},
        )
        assert r.status_code == 201, r.text
        from api.store.query import FeatureQuery, read_features

        with app.state.sessions() as s:
            frame = read_features(s, "big", FeatureQuery()).frame.to_crs(3857)
        for z in (0, 6, 10):
            n = 2**z
            x = int((118.705 + 180) / 360 * n)
            y = int((1 - np.arcsinh(np.tan(np.radians(32.005))) / np.pi) / 2 * n)
            t = time.perf_counter()
            _plain_tile(frame.geometry.to_numpy(), tiles.tile_bounds_3857(z, x, y))
            plain = time.perf_counter() - t
            t = time.perf_counter()
            first = client.get(f"/tiles/big/{z}/{x}/{y}.pbf", headers=h)
            ours_cold = time.perf_counter() - t
            t = time.perf_counter()
            client.get(f"/tiles/big/{z}/{x}/{y}.pbf", headers=h)
            ours_warm = time.perf_counter() - t
            print(
                f"z={z:2d}  plain clip+encode {plain:6.2f} s   ours: first request "
                f"{ours_cold:6.2f} s ({len(first.content)} B), "
                f"cached {ours_warm * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main()
