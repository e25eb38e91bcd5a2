"""Fixtures of the service tests: one suite, two backends (SQLite file and PostGIS).

The ``settings`` fixture is parametrized over ``sqlite`` and ``postgis``; the PostGIS half
uses a fresh schema per test session and xdist worker (dropped afterwards) on the server
named by ``BEATGRID_TEST_POSTGRES_URL``, and skips with a reason when that is unset.

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
import uuid
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import create_engine, text

from api.app import create_app
from api.auth import create_user
from api.settings import Settings

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


@pytest.fixture(scope="session", params=BACKENDS)
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "beatgrid.db"
        yield Settings(database_url=f"sqlite:///{path}", rate_limit_per_minute=100_000)
        return
    assert PG_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"bgtest_{worker}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Settings(database_url=PG_URL, db_schema=schema, rate_limit_per_minute=100_000)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    with application.state.sessions() as session:
        for name, role in ROLES.items():
            create_user(
                session,
                username=name,
                password=PASSWORD,
                role=role,  # type: ignore[arg-type]
                jurisdiction=JURISDICTIONS[name],
            )
        session.commit()
    yield application
    application.state.jobs.shutdown()
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def headers(client: TestClient) -> dict[str, dict[str, str]]:
    """Bearer headers per test user."""
    out = {}
    for name in ROLES:
        r = client.post("/auth/token", data={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        out[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out


@pytest.fixture
def uid() -> str:
    """A layer id no other test uses (the database is shared by the session)."""
    return f"t{uuid.uuid4().hex[:12]}"


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


@pytest.fixture
def grids(client: TestClient, headers: dict[str, dict[str, str]], uid: str) -> str:
    """The four-grid layer, uploaded by the admin as version 1; returns its id."""
    r = upload(client, headers["admin"], four_grids(), layer_id=uid)
    assert r.status_code == 201, r.text
    return uid
