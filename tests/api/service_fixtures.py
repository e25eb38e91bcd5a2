"""Shared data and helpers of the service tests (a uniquely named module, so that test
modules can import it whichever other ``conftest`` is loaded).

The tiny hand-drawn district every access test uses (WGS84, cells 0.01° ≈ 1 km)::

    32.02 +------+------+
          |  G3  |  G4  |        street office "west":  G1 ∪ G3 (left column)
    32.01 +------+------+        station "south":       G1 ∪ G2 (bottom row)
          |  G1  |  G2  |        commander:             all four
    32.00 +------+------+        outsider:              a square in Beijing
        118.70 118.71 118.72
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
PASSWORD = "correct horse battery"
X0, Y0, D = 118.70, 32.00, 0.01
CELLS = {
    "G1": box(X0, Y0, X0 + D, Y0 + D),
    "G2": box(X0 + D, Y0, X0 + 2 * D, Y0 + D),
    "G3": box(X0, Y0 + D, X0 + D, Y0 + 2 * D),
    "G4": box(X0 + D, Y0 + D, X0 + 2 * D, Y0 + 2 * D),
}
JURISDICTIONS = {
    "admin": None,
    "commander": box(X0, Y0, X0 + 2 * D, Y0 + 2 * D),
    "west": CELLS["G1"].union(CELLS["G3"]),
    "south": CELLS["G1"].union(CELLS["G2"]),
    "outsider": box(116.30, 39.90, 116.31, 39.91),
}
ROLES = {
    "admin": "admin",
    "commander": "commander",
    "west": "street_office",
    "south": "station",
    "outsider": "station",
}
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgis",
        marks=[
            pytest.mark.postgis,
            pytest.mark.skipif(PG_URL is None, reason="BEATGRID_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


def four_grids(**extra: list[Any]) -> gpd.GeoDataFrame:
    """The four grid squares as a canonical grid layer (with a personal ``phone`` column)."""
    ids = list(CELLS)
    data: dict[str, Any] = {
        "id": ids,
        "name": [f"网格{i}" for i in ids],
        "parent_id": ["C1"] * 4,
        "phone": ["13800000000"] * 4,
    }
    return gpd.GeoDataFrame({**data, **extra}, geometry=list(CELLS.values()), crs=4326)


def upload(
    client: TestClient,
    headers: dict[str, str],
    gdf: gpd.GeoDataFrame,
    *,
    layer_id: str,
    kind: str = "grid",
    reason: str = "first import",
) -> Any:
    """POST a frame as a GeoJSON upload; returns the response."""
    return client.post(
        "/layers",
        headers=headers,
        data={"layer_id": layer_id, "kind": kind, "reason": reason},
        files={"file": ("layer.geojson", gdf.to_json().encode(), "application/geo+json")},
    )


@contextmanager
def database_of_its_own(
    backend: str, folder: Path, prefix: str
) -> Iterator[tuple[str, str | None]]:
    """A database URL and schema no other test uses: a SQLite file in ``folder``, or a
    fresh PostGIS schema named from ``prefix`` (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'db.sqlite'}", None
        return
    assert PG_URL is not None
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _as_admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield PG_URL, schema
    finally:
        _as_admin(f'DROP SCHEMA "{schema}" CASCADE')


def _as_admin(sql: str) -> None:
    engine = create_engine(PG_URL or "")
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def finished_job(client: TestClient, headers: dict, job: dict, *, timeout: float = 600) -> dict:
    """Poll the job until it is done or failed; its last state.  ``timeout`` only guards
    against a hang (a timed test is never the check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/jobs/{job['id']}", headers=headers).json()
        assert 0.0 <= state["progress"] <= 1.0
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    pytest.fail(f"job {job['id']} did not finish")
