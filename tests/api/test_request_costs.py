"""What one request costs the service, counted rather than timed (the speed goals are in
``benchmarks/bench_service.py``): one PROJ transformer object for every thread, one SQL
statement to authenticate, a connection pool as large as the threads that use it."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyproj
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from api import db
from api.auth import create_user, issue_token
from api.models import User
from api.settings import Settings
from api.store import layers as store
from api.store.locate import SharedTransformer, _index, locate_points
from tests.api.service_fixtures import PASSWORD, X0, Y0, four_grids

XS = np.linspace(118.70, 118.72, 50)
YS = np.linspace(32.00, 32.02, 50)


def _in_threads(n: int, work: Any) -> list[Any]:
    out: list[Any] = [None] * n
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = work()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_one_proj_object_serves_every_thread_with_pyprojs_answers() -> None:
    shared = SharedTransformer(pyproj.CRS.from_epsg(4326), pyproj.CRS.from_epsg(32650))
    expected = pyproj.Transformer.from_crs(4326, 32650, always_xy=True).transform(XS, YS)

    def work() -> tuple[int, list[tuple[np.ndarray, np.ndarray]]]:
        return id(shared.proj_object), [shared.transform(XS, YS) for _ in range(20)]

    got = _in_threads(12, work)
    assert {ident for ident, _ in got} == {id(shared.proj_object)}  # never rebuilt per thread
    for _, results in got:
        for x, y in results:
            np.testing.assert_allclose(x, expected[0], rtol=0, atol=1e-6)
            np.testing.assert_allclose(y, expected[1], rtol=0, atol=1e-6)


def test_geocoding_threads_share_the_cached_index_and_its_transformer(app: FastAPI) -> None:
    uid = f"t{uuid.uuid4().hex[:12]}"
    with app.state.sessions() as s:
        store.create_layer(s, four_grids(), layer_id=uid, kind="grid", title="t",
                           source_crs="EPSG:4326", author="a", reason="import")  # fmt: skip
        s.commit()

    def work() -> tuple[int, list[Any]]:
        with app.state.sessions() as s:
            ids = list(locate_points(s, uid, [X0 + 0.005], [Y0 + 0.005]).ids)
            cached = _index(s, uid, None, 0.0)
        assert cached is not None
        return id(cached.to_metric.proj_object), ids

    got = _in_threads(8, work)
    assert len({ident for ident, _ in got}) == 1
    assert all(ids == ["G1"] for _, ids in got)


@contextmanager
def _statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)


@pytest.fixture
def member(app: FastAPI) -> tuple[str, str]:
    name = f"u{uuid.uuid4().hex[:10]}"
    with app.state.sessions() as s:
        user = create_user(s, username=name, password=PASSWORD, role="commander",
                           jurisdiction=four_grids().union_all())  # fmt: skip
        token = issue_token(s, user, minutes=10)
        s.commit()
    return name, token


def test_authentication_is_one_indexed_statement(
    app: FastAPI, client: TestClient, member: tuple[str, str]
) -> None:
    name, token = member
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/auth/me", headers=bearer).json()["username"] == name
    with _statements(app) as seen:
        r = client.get("/auth/me", headers=bearer)
    assert r.status_code == 200 and r.json()["has_jurisdiction"] is True
    assert len(seen) == 1, seen
    assert "api_tokens" in seen[0] and "JOIN users" in seen[0]


def test_a_deactivated_user_is_refused_at_once(
    app: FastAPI, client: TestClient, member: tuple[str, str]
) -> None:
    name, token = member
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/auth/me", headers=bearer).status_code == 200
    with app.state.sessions() as s:
        s.execute(update(User).where(User.username == name).values(active=False))
        s.commit()
    assert client.get("/auth/me", headers=bearer).status_code == 401


def test_a_changed_jurisdiction_counts_at_once(
    app: FastAPI, client: TestClient, member: tuple[str, str]
) -> None:
    name, token = member
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/auth/me", headers=bearer).json()["has_jurisdiction"] is True
    with app.state.sessions() as s:
        s.execute(update(User).where(User.username == name).values(jurisdiction=None))
        s.commit()
    assert client.get("/auth/me", headers=bearer).json()["has_jurisdiction"] is False


def test_the_pool_holds_a_connection_per_thread(settings: Settings) -> None:
    engine = db.make_engine(settings.model_copy(update={"threads": 12, "job_workers": 3}))
    try:
        assert engine.pool.size() == 15  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@contextmanager
def _thread_hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of the callables the service hands to a worker thread (FastAPI runs a
    synchronous route or dependency there, through ``anyio.to_thread.run_sync``)."""
    import anyio.to_thread

    seen: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        inner = func
        while isinstance(inner, functools.partial):  # FastAPI's wrapper names the route
            inner = (inner.keywords or {}).get("function", inner.func)
        seen.append(getattr(inner, "__qualname__", repr(inner)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    yield seen


def test_a_small_request_takes_two_worker_thread_hops(
    app: FastAPI,
    client: TestClient,
    headers: dict[str, dict[str, str]],
    grids: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two worker-thread hops: the token's read and the route's work, which also hands
    the connection back (each touches the pool, which must happen on a bounded thread).
    The session, the query parsers and the check of the answer run on the event loop."""
    body = {"lon": 118.705, "lat": 32.005, "layers": [grids]}
    with _thread_hops(monkeypatch) as seen:
        r = client.post("/geocode/point", json=body, headers=headers["admin"])
        assert r.status_code == 200 and r.json()["areas"][grids] == "G1"
        point_hops = list(seen)
        seen.clear()
        r = client.get("/incidents", params={"bbox": "118.7,32.0,118.72,32.02", "limit": 5},
                       headers=headers["admin"])  # fmt: skip
        assert r.status_code == 200, r.text
        incident_hops = list(seen)
    assert sorted(point_hops) == ["get_user", "read_in_thread.<locals>.read"], point_hops
    assert sorted(incident_hops) == ["get_user", "read_in_thread.<locals>.read"], incident_hops


def test_every_request_hands_its_connection_back(
    app: FastAPI, client: TestClient, headers: dict[str, dict[str, str]], grids: str
) -> None:
    """Answered, refused or failed, a request leaves no connection checked out of the pool
    (the request's session is closed by ``SessionScope`` once the app has answered)."""
    pool = app.state.engine.pool
    before = pool.checkedout()
    point = {"lon": 118.705, "lat": 32.005, "layers": [grids]}
    assert client.post("/geocode/point", json=point, headers=headers["admin"]).status_code == 200
    unknown = {**point, "layers": ["no-such-layer"]}
    assert client.post("/geocode/point", json=unknown, headers=headers["admin"]).status_code == 404
    anonymous = TestClient(app)  # no token and none of the shared client's cookies
    assert anonymous.post("/geocode/point", json=point).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get("/incidents", headers=bad).status_code == 401
    assert (
        client.get("/incidents", params={"bbox": "1,2,3"}, headers=headers["admin"]).status_code
        == 422
    )
    assert pool.checkedout() == before
