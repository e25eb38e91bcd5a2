"""Storage faults answer truthfully: a full disk is 507, a read-only database 503, neither
with Retry-After (waiting does not fix them), and nothing is half-written.

SQLite's disk is filled for real with ``PRAGMA max_page_count`` (the database file may not
grow); a read-only database is ``PRAGMA query_only`` on SQLite and
``default_transaction_read_only`` on PostgreSQL, set on every connection of a second app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from api.app import create_app
from api.models import Feature, Layer, LayerVersion
from api.settings import Settings
from tests.api.hardening_inputs import nanjing_streets
from tests.api.service_fixtures import upload


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
        pytest.skip("a full disk is simulated with SQLite's max_page_count only")
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
