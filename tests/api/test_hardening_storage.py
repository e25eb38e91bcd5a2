"""Storage faults answer truthfully: a full disk is 507, a read-only database 503, neither
with Retry-After (waiting does not fix them), and nothing is half-written.

SQLite's disk is filled for real with ``PRAGMA max_page_count`` (the database file may not
grow); PostgreSQL's for real too, by a second app whose schema lives in the tablespace
``bg_full`` on a 4 MB tmpfs that ``.ci/postgis.sh`` mounts (skipped where it could not);
a read-only database is ``PRAGMA query_only`` on SQLite and
``default_transaction_read_only`` on PostgreSQL, set on every connection of a second app.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, func, select, text

from api import db
from api.app import create_app
from api.auth import create_user
from api.models import Feature, Layer, LayerVersion
from api.settings import Settings
from tests.api.hardening_inputs import nanjing_streets
from tests.api.service_fixtures import PASSWORD, PG_URL, upload

FULL_TABLESPACE = "bg_full"
"""A tablespace on a tiny file system (``.ci/postgis.sh`` makes it when run as root)."""


def _faulty(settings: Settings, on_connect: Callable[[Any, Settings], None]) -> TestClient:
    application = create_app(settings.model_copy(update={"recover_jobs": False}))
    engine = application.state.engine
    event.listen(engine, "connect", lambda conn, _rec: on_connect(conn, settings))
    engine.dispose()
    return TestClient(application)


def _read_only(conn: Any, settings: Settings) -> None:
    cur = conn.cursor()
    if settings.is_sqlite:
        cur.execute("PRAGMA query_only = ON")
    else:
        cur.execute("SET default_transaction_read_only = on")
        conn.commit()  # else the pool's rollback undoes the SET
    cur.close()


def _full(conn: Any, settings: Settings) -> None:
    cur = conn.cursor()
    pages = cur.execute("PRAGMA page_count").fetchone()[0]
    cur.execute(f"PRAGMA max_page_count = {pages + 2}")
    cur.close()


@pytest.fixture
def counts(app: FastAPI) -> Iterator[Callable[[], tuple[int, int, int]]]:
    def count() -> tuple[int, int, int]:
        with app.state.sessions() as s:
            return tuple(  # type: ignore[return-value]
                s.scalar(select(func.count()).select_from(t))
                for t in (Layer, LayerVersion, Feature)
            )

    yield count


def test_read_only_database_is_503_without_retry_after(
    settings: Settings, client: TestClient, headers: dict, uid: str, counts: Any
):
    before = counts()
    with _faulty(settings, _read_only) as faulty:
        r = upload(faulty, headers["admin"], nanjing_streets(), layer_id=uid, kind="street")
        assert r.status_code == 503, r.text
        assert "Retry-After" not in r.headers
        assert "read-only" in r.json()["detail"] and "nothing was saved" in r.json()["detail"]
        assert faulty.get("/layers", headers=headers["admin"]).status_code == 200  # reads work
    assert counts() == before


def test_full_disk_is_507_and_nothing_half_written(
    settings: Settings, client: TestClient, headers: dict, uid: str, counts: Any
):
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL fills its disk in the test below")
    before = counts()
    with _faulty(settings, _full) as faulty:
        r = upload(faulty, headers["admin"], nanjing_streets(), layer_id=uid, kind="street")
        assert r.status_code == 507, r.text
        assert "Retry-After" not in r.headers
        assert "storage is full" in r.json()["detail"]
    assert counts() == before
    assert client.get(f"/layers/{uid}", headers=headers["admin"]).status_code == 404
    again = upload(client, headers["admin"], nanjing_streets(), layer_id=uid, kind="street")
    assert again.status_code == 201, again.text


@pytest.fixture
def full_postgis() -> Iterator[tuple[TestClient, dict[str, str], Callable[[], tuple[int, ...]]]]:
    """An app whose every table lives on the tiny tablespace, with one admin logged in."""
    if PG_URL is None:
        pytest.skip("BEATGRID_TEST_POSTGRES_URL is not set")
    admin = create_engine(PG_URL)
    with admin.connect() as conn:
        there = conn.scalar(
            text("SELECT 1 FROM pg_tablespace WHERE spcname = :n"), {"n": FULL_TABLESPACE}
        )
    if not there:
        admin.dispose()
        pytest.skip(f"no tablespace {FULL_TABLESPACE} on a small disk (.ci/postgis.sh as root)")
    schema = f"bgfull_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    settings = Settings(database_url=PG_URL, db_schema=schema, recover_jobs=False)

    def on_tiny_disk(conn: Any, _rec: Any) -> None:
        cur = conn.cursor()
        cur.execute(f"SET default_tablespace = {FULL_TABLESPACE}")
        conn.commit()  # else the pool's rollback undoes the SET
        cur.close()

    original = db.make_engine

    def make_engine(s: Settings) -> Any:
        engine = original(s)
        event.listen(engine, "connect", on_tiny_disk)
        return engine

    try:
        db.make_engine = make_engine  # type: ignore[assignment]
        application = create_app(settings)  # the migrations create every table there
    finally:
        db.make_engine = original
    with application.state.sessions() as session:
        create_user(
            session, username="full-admin", password=PASSWORD, role="admin", jurisdiction=None
        )
        session.commit()

    def count() -> tuple[int, ...]:
        with application.state.sessions() as s:
            return tuple(
                s.scalar(select(func.count()).select_from(t))
                for t in (Layer, LayerVersion, Feature)
            )

    try:
        with TestClient(application) as client:
            r = client.post("/auth/token", data={"username": "full-admin", "password": PASSWORD})
            assert r.status_code == 200, r.text
            yield client, {"Authorization": f"Bearer {r.json()['access_token']}"}, count
    finally:
        application.state.jobs.shutdown()
        application.state.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_full_disk_on_postgresql_is_507_and_nothing_half_written(
    full_postgis: tuple[TestClient, dict[str, str], Callable[[], tuple[int, ...]]],
) -> None:
    """PostgreSQL's own "could not extend file … No space left on device" (SQLSTATE 53100)."""
    client, auth, count = full_postgis
    small = nanjing_streets()
    first = upload(client, auth, small, layer_id="streets", kind="street")
    assert first.status_code == 201, first.text
    before = count()
    # the real districts, many times over (ids made unique): more than the disk holds
    copies = [small.assign(id=small["id"] + f"-{i:03d}") for i in range(60)]
    big = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=small.crs)
    r = upload(client, auth, big, layer_id="streets-big", kind="street")
    assert r.status_code == 507, r.text
    assert "Retry-After" not in r.headers
    assert "storage is full" in r.json()["detail"]
    assert count() == before  # the stored layer is whole, the refused one absent
    assert client.get("/layers/streets-big", headers=auth).status_code == 404
    kept = client.get("/layers/streets", headers=auth)
    assert kept.status_code == 200, kept.text
