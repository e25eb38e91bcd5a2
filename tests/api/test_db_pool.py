"""Pooled PostgreSQL connections closed by the server are replaced, not handed out.

A restarted server or a firewall's idle timeout closes connections the pool still holds.
One idle longer than ``api.db.PING_IDLE_S`` is pinged at checkout; one used within that
time is not (a ping on every checkout was a fifth of a small request's round trips).
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from api import db
from api.settings import Settings
from tests.api.service_fixtures import PG_URL

pytestmark = pytest.mark.skipif(PG_URL is None, reason="BEATGRID_TEST_POSTGRES_URL is not set")


def _pid(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = create_engine(str(PG_URL))
    with admin.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    admin.dispose()


def test_an_idle_connection_closed_by_the_server_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = db.make_engine(Settings(database_url=str(PG_URL)))
    try:
        first = _pid(engine)
        _terminate(first)
        monkeypatch.setattr(db, "PING_IDLE_S", 0.0)  # as if it had been idle for long
        second = _pid(engine)  # the ping fails, the pool connects again: no error
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_use_just_now_is_not_pinged() -> None:
    engine = db.make_engine(Settings(database_url=str(PG_URL)))
    try:
        first = _pid(engine)
        _terminate(first)
        with pytest.raises(OperationalError):
            _pid(engine)  # the pool trusted it: this request fails ...
        assert _pid(engine) != first  # ... and the pool let it go, the next one works
    finally:
        engine.dispose()
