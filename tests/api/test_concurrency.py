"""The service under concurrent writes and across restarts, on a SQLite file of its own.

Many threads post incidents at once: SQLite allows one writer at a time, so the others
must wait for the lock (WAL + busy timeout) and never see a 500.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.app import create_app
from api.auth import create_user
from api.models import Incident, Job
from api.settings import Settings
from tests.api.service_fixtures import PASSWORD

THREADS = 8
BATCHES = 6
PER_BATCH = 20


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", rate_limit_per_minute=100_000)


@pytest.fixture
def lone_app(sqlite_settings: Settings) -> Iterator[FastAPI]:
    app = create_app(sqlite_settings)
    with app.state.sessions() as session:
        create_user(session, username="boss", password=PASSWORD, role="admin")
        session.commit()
    yield app
    app.state.jobs.shutdown()
    app.state.engine.dispose()


def _batch(thread: int, batch: int) -> dict[str, object]:
    return {
        "incidents": [
            {
                "id": f"c{thread}-{batch}-{i}",
                "time": "2024-05-01T08:00:00",
                "category": "theft",
                "lon": 118.705 + 0.0001 * i,
                "lat": 32.005,
            }
            for i in range(PER_BATCH)
        ]
    }


def test_sqlite_connections_use_wal_and_wait_for_the_lock(lone_app: FastAPI) -> None:
    with lone_app.state.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_concurrent_incident_writes_never_answer_500(lone_app: FastAPI) -> None:
    with TestClient(lone_app) as client:
        r = client.post("/auth/token", data={"username": "boss", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}

        def post(thread: int) -> list[int]:
            return [
                client.post("/incidents", json=_batch(thread, b), headers=auth).status_code
                for b in range(BATCHES)
            ]

        with ThreadPoolExecutor(THREADS) as pool:
            codes = [c for codes in pool.map(post, range(THREADS)) for c in codes]
    assert len(codes) == THREADS * BATCHES
    assert set(codes) <= {201, 503}, codes
    assert codes.count(201) >= len(codes) // 2
    with lone_app.state.sessions() as session:
        stored = len(session.scalars(select(Incident.id)).all())
        audited = session.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'incident.create'")
        ).scalar()
    # every 201 is stored with its audit entry, every 503 left nothing behind
    assert stored == codes.count(201) * PER_BATCH
    assert audited == codes.count(201)


def test_a_lock_held_too_long_answers_503_with_retry_after(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock longer than the busy timeout."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'l.db'}",
        rate_limit_per_minute=100_000,
        sqlite_busy_timeout_s=0.2,
    )
    app = create_app(settings)
    with app.state.sessions() as session:
        create_user(session, username="boss", password=PASSWORD, role="admin")
        session.commit()
    blocker = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
    try:
        with TestClient(app) as client:
            r = client.post("/auth/token", data={"username": "boss", "password": PASSWORD})
            auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
            blocker.execute("BEGIN IMMEDIATE")
            busy = client.post("/incidents", json=_batch(0, 0), headers=auth)
            blocker.execute("ROLLBACK")
            after = client.post("/incidents", json=_batch(0, 0), headers=auth)
    finally:
        blocker.close()
        app.state.jobs.shutdown()
        app.state.engine.dispose()
    assert busy.status_code == 503, busy.text
    assert int(busy.headers["Retry-After"]) > 0
    assert "busy" in busy.json()["detail"]
    assert after.status_code == 201, after.text  # the failed write left nothing behind


def test_jobs_left_running_by_a_crash_fail_at_the_next_start(
    lone_app: FastAPI, sqlite_settings: Settings
) -> None:
    """A job row says running/queued, but its process is gone: the next start fails it."""
    with lone_app.state.sessions() as session:
        for i, status in enumerate(["running", "queued", "done", "failed"]):
            session.add(Job(id=f"j{i}", kind="check", status=status, owner="boss", params={}))
        session.commit()
    lone_app.state.engine.dispose()
    restarted = create_app(sqlite_settings)
    try:
        with restarted.state.sessions() as session:
            jobs = {j.id: j for j in session.scalars(select(Job))}
    finally:
        restarted.state.jobs.shutdown()
        restarted.state.engine.dispose()
    assert {i: j.status for i, j in jobs.items()} == {
        "j0": "failed",
        "j1": "failed",
        "j2": "done",
        "j3": "failed",
    }
    assert jobs["j0"].error == jobs["j1"].error == "interrupted by a restart"
    assert jobs["j0"].finished_at is not None
    assert jobs["j3"].error is None  # failed before, for its own reason: untouched


def test_a_process_told_not_to_recover_leaves_running_jobs_alone(
    lone_app: FastAPI, sqlite_settings: Settings
) -> None:
    with lone_app.state.sessions() as session:
        session.add(Job(id="live", kind="check", status="running", owner="boss", params={}))
        session.commit()
    sibling = create_app(sqlite_settings.model_copy(update={"recover_jobs": False}))
    sibling.state.jobs.shutdown()
    sibling.state.engine.dispose()
    with lone_app.state.sessions() as session:
        assert session.get(Job, "live").status == "running"
