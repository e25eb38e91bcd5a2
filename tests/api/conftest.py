"""Fixtures of the service tests: one suite, two backends (SQLite file and PostGIS).

The ``settings`` fixture is parametrized over ``sqlite`` and ``postgis``; the PostGIS half
uses a fresh schema per test session and xdist worker (dropped afterwards) on the server
named by ``BEATGRID_TEST_POSTGRES_URL``, and skips with a reason when that is unset.
The hand-drawn district and the users are in ``service_fixtures``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from api import db
from api.app import create_app
from api.auth import create_user
from api.demo import seed_demo
from api.settings import Settings
from tests.api.service_fixtures import (
    BACKENDS,
    JURISDICTIONS,
    PASSWORD,
    PG_URL,
    ROLES,
    database_of_its_own,
    four_grids,
    upload,
)

LENIENT = {
    "rate_limit_per_minute": 100_000,
    "login_max_failures_per_address": 100_000,
    "warm_every_s": 0,
}
"""Every test client shares one address; the throttles have tests of their own.  The
dashboard's warm-up runs once at start, not on every change (``Warmer.tick`` is tested)."""


@pytest.fixture(scope="session", params=BACKENDS)
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "beatgrid.db"
        yield Settings(database_url=f"sqlite:///{path}", **LENIENT)
        return
    assert PG_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"bgtest_{worker}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Settings(database_url=PG_URL, db_schema=schema, **LENIENT)
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


@pytest.fixture
def grids(client: TestClient, headers: dict[str, dict[str, str]], uid: str) -> str:
    """The four-grid layer, uploaded by the admin as version 1; returns its id."""
    r = upload(client, headers["admin"], four_grids(), layer_id=uid)
    assert r.status_code == 201, r.text
    return uid


@pytest.fixture(scope="module")
def demo_session(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """A session on the demo district seeded into its own SQLite file, one per test module
    (a module may add versions; the next one starts from the seed again)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('db')}/demo.db")
    seed_demo(settings, demo_dir / "manifest.json")
    engine = db.make_engine(settings)
    try:
        with db.session_factory(engine)() as s:
            yield s
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def own_grids(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client and the admin's headers on a database of the module's own holding the four
    grids as layer ``grids`` (nothing a test adds there reaches the shared database)."""
    folder = tmp_path_factory.mktemp("own")
    with database_of_its_own(request.param, folder, "bgown") as (url, schema):
        app = create_app(Settings(database_url=url, db_schema=schema, warm_every_s=0))
        try:
            with app.state.sessions() as session:
                create_user(session, username="admin", password=PASSWORD, role="admin")
                session.commit()
            with TestClient(app) as client:
                r = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
                headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
                assert upload(client, headers, four_grids(), layer_id="grids").status_code == 201
                yield client, headers
        finally:
            app.state.jobs.shutdown()
            app.state.engine.dispose()
