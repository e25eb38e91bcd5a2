"""A page of events equals the same slice of the whole list, for every demo reader.

``GET /events`` counts and pages in the database and loads only the page's events
(``api.services.events.page_events``: the reader's whole rule in SQL on PostGIS, the
rule on four plain columns where SQLite cannot decide); the whole list (``list_events``,
one ORM object per event, the rule in Python) is the reference it must equal.  On the
demo's year of events (1,800, every source and state) seeded into SQLite and PostGIS.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import db
from api.app import create_app
from api.auth import principal_for_token, set_password
from api.demo import DemoLogin, seed_demo
from api.event_models import Event
from api.policy import Jurisdiction
from api.services import events as events_service
from api.services.events import TASK_LEVELS, list_events, my_tasks, page_events
from api.settings import Settings
from api.store import events as event_store
from gis.events.states import OPEN
from tests.api.service_fixtures import BACKENDS, database_of_its_own

PASSWORD = "demo-password-1"
WINDOW: dict[str, Any] = {
    "start": datetime(2025, 3, 1, tzinfo=UTC),
    "end": datetime(2025, 9, 1, tzinfo=UTC),
}


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, list[DemoLogin]]]:
    """The demo seeded into a database of its own (PostGIS: a fresh schema, dropped after)."""
    folder = tmp_path_factory.mktemp("pages")
    with database_of_its_own(request.param, folder, "bgpages") as (url, schema):
        settings = Settings(database_url=url, db_schema=schema, rate_limit_per_minute=100_000)
        logins = seed_demo(settings, demo_dir / "manifest.json")
        engine = db.make_engine(settings)
        with db.transaction(db.session_factory(engine)) as session:
            for login in logins:
                set_password(session, login.username, PASSWORD, actor="test")
        engine.dispose()
        yield settings, logins


@pytest.fixture(scope="module")
def demo_client(seeded: tuple[Settings, list[DemoLogin]]) -> Iterator[TestClient]:
    app = create_app(seeded[0])
    with TestClient(app) as c:
        yield c
    app.state.jobs.shutdown()
    app.state.engine.dispose()


def _token(client: TestClient, login: DemoLogin) -> str:
    r = client.post("/auth/token", data={"username": login.username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def _session(client: TestClient) -> Session:
    return client.app.state.sessions()  # type: ignore[attr-defined]


def test_every_readers_pages_are_slices_of_their_whole_list(
    demo_client: TestClient,
    seeded: tuple[Settings, list[DemoLogin]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Then again as SQLite reads a long list (the demo's are short), in chunks of 7
    events, so pages start and end inside chunks; then page by page through the route.
    (One test per backend: each seeds the demo once.)"""
    seen = _pages_are_slices(demo_client, seeded[1])
    assert seen["commander"] > seen["grid_worker"] > 0, seen  # the rule did narrow
    with monkeypatch.context() as patch:
        patch.setattr(event_store, "_IN_MEMORY", 10)
        patch.setattr(event_store, "_CHUNK", 7)
        assert _pages_are_slices(demo_client, seeded[1]) == seen
    commander = next(x for x in seeded[1] if x.role == "commander")
    _paging_through_the_route_gives_the_whole_list_once(demo_client, commander)


def test_every_readers_tasks_are_the_rule_over_their_open_events(
    demo_client: TestClient,
    seeded: tuple[Settings, list[DemoLogin]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``my_tasks`` (state, level and name chosen in SQL, read in deadline order a chunk
    at a time) equals the rule applied to every open event the reader sees; again in
    chunks of 3 with short limits, so the reading stops inside a chunk."""
    counts = {}
    with _session(demo_client) as session:
        for login in seeded[1]:
            user = principal_for_token(session, _token(demo_client, login))
            assert user is not None
            # every open event, in the database's deadline order, and the rule in Python
            stmt = select(Event).where(Event.state.in_(OPEN)).order_by(Event.due_at, Event.id)
            every = list(session.scalars(stmt))
            policy = Jurisdiction.of(user)
            seen = event_store.visible_mask(every, policy=policy, username=user.username)
            opened = [e for e, ok in zip(every, seen, strict=True) if ok]
            levels = TASK_LEVELS[user.role]
            rule = [
                e for e in opened
                if user.username in (e.assignees or ()) or e.level in levels or user.is_admin
            ]  # fmt: skip
            assert [e.id for e in my_tasks(session, user=user)] == [e.id for e in rule[:200]]
            with monkeypatch.context() as patch:
                patch.setattr(events_service, "_TASK_CHUNK", 3)
                for limit in (1, 5, 200):
                    got = my_tasks(session, user=user, limit=limit)
                    assert [e.id for e in got] == [e.id for e in rule[:limit]], login.username
            counts[login.role] = (len(rule), len(opened))
    assert any(0 < tasks < opened for tasks, opened in counts.values()), counts  # it narrows


def _pages_are_slices(client: TestClient, logins: list[DemoLogin]) -> dict[str, int]:
    """Asserts, per reader and filter, that pages equal slices of ``list_events``; returns
    how many events each role sees."""
    roles = {login.role for login in logins}
    assert {"commander", "grid_worker"} <= roles, roles
    seen = {}
    with _session(client) as session:
        for login in logins:
            user = principal_for_token(session, _token(client, login))
            assert user is not None
            filters: list[dict[str, Any]] = [
                {},
                WINDOW,
                {"category": "矛盾纠纷"},
                {"states": ["closed"]},
                {"states": ["routed", "handling"], **WINDOW},
            ]
            for given in filters:
                whole = list_events(session, user=user, **given)
                for offset, limit in ((0, 7), (5, 100), (max(len(whole) - 3, 0), 10), (10**6, 5)):
                    total, page = page_events(
                        session, user=user, limit=limit, offset=offset, **given
                    )
                    assert total == len(whole), (login.username, given)
                    assert [e.id for e in page] == [e.id for e in whole[offset : offset + limit]]
            grid = login.area
            whole = [e for e in list_events(session, user=user, **WINDOW) if e.grid_id == grid]
            total, page = page_events(session, user=user, limit=100, grid_id=grid, **WINDOW)
            assert (total, [e.id for e in page]) == (len(whole), [e.id for e in whole[:100]])
            seen[login.role] = len(list_events(session, user=user))
    return seen


def _paging_through_the_route_gives_the_whole_list_once(
    client: TestClient, login: DemoLogin
) -> None:
    auth = {"Authorization": f"Bearer {_token(client, login)}"}
    params = {"start": "2025-03-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"}
    whole = client.get("/events", params={**params, "limit": 10_000}, headers=auth).json()
    assert whole["numberMatched"] == len(whole["events"]) > 100
    got: list[str] = []
    while True:
        r = client.get("/events", params={**params, "limit": 37, "offset": len(got)}, headers=auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["numberMatched"] == whole["numberMatched"]
        if not body["events"]:
            break
        got += [e["id"] for e in body["events"]]
    assert got == [e["id"] for e in whole["events"]]
    times = [e["received_at"] for e in whole["events"]]
    assert times == sorted(times)


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 10_001}, {"offset": -1}, {"limit": "x"}, {"state": "x" * 9}]
)
def test_bad_paging_is_422_and_names_the_field(
    client: TestClient, headers: dict[str, dict[str, str]], params: dict[str, Any]
) -> None:
    """On the suite's own service (both backends), not the demo's."""
    r = client.get("/events", params=params, headers=headers["commander"])
    if "state" in params:  # an unknown state matches nothing: not an error
        assert r.status_code == 200, r.text
        assert r.json() == {"numberMatched": 0, "events": []}
        return
    assert r.status_code == 422, r.text
    assert next(iter(params)) in r.text
