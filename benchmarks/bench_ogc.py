"""OGC API - Features throughput: every feature of the demo's large collections, page by page
through the ``next`` links as QGIS reads them (as the commander: the whole district), against
a plain ``SELECT`` of the same rows on the same database.

Printed per collection and page size: features per second over HTTP (wall clock, and per
second of uvicorn's CPU from ``/proc``), the plain ``SELECT`` (id, properties, geometry of
the layer's newest version; for incidents the map columns) in features per second, and the
ratio.  SQLite and PostGIS (when ``BEATGRID_TEST_POSTGRES_URL`` is set); the demo is loaded
by ``bench_service`` into ``--cache`` and kept between runs.

Run: ``python benchmarks/bench_ogc.py [--limits 1000,10000] [--backends sqlite,postgis]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_service import SCHEMA, Backend, _cpu, _seed, _serve, _settings  # noqa: E402

COLLECTIONS = ("addresses", "incidents", "buildings")


def _walk(base: str, token: str, collection: str, limit: int) -> tuple[int, int]:
    """All features by ``next`` links: (features, pages)."""
    url: str | None = f"{base}/ogc/collections/{collection}/items?limit={limit}"
    n = pages = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=300) as c:
        while url:
            page = c.get(url).raise_for_status().json()
            n += len(page["features"])
            pages += 1
            url = next((x["href"] for x in page["links"] if x["rel"] == "next"), None)
    return n, pages


def _plain(backend: Backend, collection: str) -> int:
    import sqlalchemy as sa

    from api import db

    engine = db.make_engine(_settings(backend))
    geom = "ST_AsBinary(geom)" if backend.schema else "geom"
    if collection == "incidents":
        sql = "SELECT id, time, category, status, grid_id, lon, lat FROM incidents"
        params: dict[str, Any] = {}
    else:
        sql = (
            f"SELECT fid, properties, {geom} FROM features "
            "WHERE layer_id = :layer AND version_to IS NULL ORDER BY fid"
        )
        params = {"layer": collection}
    with engine.connect() as conn:
        rows = conn.execute(sa.text(sql), params).all()
    engine.dispose()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limits", default="1000,10000")
    parser.add_argument("--backends", default="sqlite,postgis")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/beatgrid-bench-service"))
    args = parser.parse_args()
    manifest = args.cache / "demo" / "manifest.json"
    if not manifest.exists():
        from data.generate import generate_demo

        args.cache.mkdir(parents=True, exist_ok=True)
        manifest = generate_demo(args.cache / "demo", seed=20161013)
    backends = []
    if "sqlite" in args.backends:
        backends.append(Backend("SQLite", f"sqlite:///{args.cache / 'demo.sqlite'}", None))
    pg = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if "postgis" in args.backends and pg:
        backends.append(Backend("PostGIS", pg, SCHEMA))
    for backend in backends:
        token = _seed(backend, manifest, args.cache / f"{backend.name}.seeded")
        proc, base = _serve(backend)
        try:
            print(f"\n== {backend.name} ==", flush=True)
            for collection in COLLECTIONS:
                t = time.perf_counter()
                rows = _plain(backend, collection)
                plain = rows / (time.perf_counter() - t)
                for limit in (int(v) for v in args.limits.split(",")):
                    cpu0, t = _cpu(proc.pid), time.perf_counter()
                    n, pages = _walk(base, token, collection, limit)
                    wall, cpu = time.perf_counter() - t, _cpu(proc.pid) - cpu0
                    per_cpu = n / max(cpu, 1e-3)
                    print(f"{collection:10} limit {limit:6d}: {n:6d} features in {pages:3d} pages, "
                          f"{wall:6.2f} s -> {n / wall:8.0f} features/s ({per_cpu:8.0f} per "
                          f"CPU-second of the server); plain SELECT of {rows} rows "
                          f"{plain:9.0f} rows/s -> {plain * wall / n:5.1f}x")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
