"""A page of ``GET /events``: the reader's rule on four columns vs one ORM object per event.

The demo district is seeded (SQLite, and PostGIS when ``BEATGRID_TEST_POSTGRES_URL`` is
set) and its year of events copied ``--copies`` times (new ids, same places, times and
people), so a district holds tens of thousands of events.  For a commander (the whole
district), a station and a grid worker, one page of 100 events, timed in turns:

- ours: ``api.services.events.page_events`` (ids, lon, lat and assignees of each
  candidate; the reader's exact rule on those; only the page's events loaded);
- before: ``list_events`` (every candidate as an ORM object, the rule, then the slice),
  what ``GET /events`` did until this pass;
- plain SQL: ``COUNT`` of all events and ``ORDER BY received_at, id LIMIT 100`` (no rule:
  what any listing costs at least).

Then the reader's open tasks (``GET /events/tasks``, the field app's home): ``my_tasks``
(state, level and name chosen in SQL, read in deadline order until 200 pass the rule)
against what it did until this pass (every open event in view as an object, the rule,
then the first 200).

Run: ``python benchmarks/bench_events.py [--copies 30] [--repeat 5]
[--backends sqlite,postgis]`` (the seeded databases are kept in ``--cache``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import db  # noqa: E402
from api.auth import principal_for_token  # noqa: E402
from api.event_models import Event  # noqa: E402
from api.services.events import TASK_LEVELS, _seen, _visible, list_events, my_tasks, page_events  # noqa: E402  # noqa: E402
from api.settings import Settings  # noqa: E402
from gis.events.states import OPEN  # noqa: E402

SCHEMA = "bench_events"
ROLES = ("commander", "station", "grid_worker")


def _settings(url: str, schema: str | None) -> Settings:
    return Settings(database_url=url, db_schema=schema, check_assets=False)


def _seed(settings: Settings, manifest: Path, copies: int, marker: Path) -> None:
    """The demo, then its events copied ``copies`` times in SQL (once: kept in the cache)."""
    if marker.exists():
        return
    from api.demo import seed_demo

    if settings.db_schema:
        admin = sa.create_engine(settings.database_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
        admin.dispose()
    seed_demo(settings, manifest)
    engine = db.make_engine(settings)
    columns = [c.name for c in Event.__table__.columns]
    rest = ", ".join(c for c in columns if c != "id")
    with engine.begin() as conn:
        for k in range(1, copies):
            conn.execute(
                sa.text(
                    f"INSERT INTO events (id, {rest}) SELECT id || '~{k}', {rest} "
                    "FROM events WHERE id NOT LIKE '%~%'"
                )
            )
    engine.dispose()
    marker.touch()


def _timed(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median seconds of each, run in turns (a change in the host's load falls on all)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm: compiled statements, the policy's prepared core
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _bench(name: str, settings: Settings, repeat: int) -> None:
    from api.auth import get_user, issue_token

    engine = db.make_engine(settings)
    sessions = db.session_factory(engine)
    with db.transaction(sessions) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(Event))
        users = {
            role: session.scalar(sa.text("SELECT username FROM users WHERE role = :r"), {"r": role})
            for role in ROLES
        }
        tokens = {
            role: issue_token(session, get_user(session, username), minutes=60)
            for role, username in users.items()
            if username
        }
    print(f"\n== {name}: {total:,} events ==")
    print(f"{'reader':<12} {'sees':>7} {'ours':>9} {'before':>9} {'plain SQL':>10}  ratios")
    plain_count = sa.select(sa.func.count()).select_from(Event)
    plain_page = sa.select(Event).order_by(Event.received_at, Event.id).limit(100)
    for role, token in tokens.items():
        with sessions() as session:
            user = principal_for_token(session, token)
            assert user is not None
            seen, page = page_events(session, user=user, limit=100)
            whole = list_events(session, user=user)
            assert (seen, [e.id for e in page]) == (len(whole), [e.id for e in whole[:100]])

            def ours(session: Any = session, user: Any = user) -> Any:
                return page_events(session, user=user, limit=100)

            def before(session: Any = session, user: Any = user) -> Any:
                rows = list_events(session, user=user)
                return len(rows), rows[:100]

            def plain(session: Any = session) -> Any:
                return session.scalar(plain_count), list(session.scalars(plain_page))

            t = _timed({"ours": ours, "before": before, "plain": plain}, repeat)
        print(
            f"{role:<12} {seen:>7,} {t['ours'] * 1000:>7.1f}ms {t['before'] * 1000:>7.1f}ms "
            f"{t['plain'] * 1000:>8.1f}ms  before/ours {t['before'] / t['ours']:5.1f}x, "
            f"ours/plain {t['ours'] / t['plain']:4.1f}x"
        )
    _bench_tasks(sessions, tokens, repeat)
    engine.dispose()


def _tasks_before(session: Any, user: Any, limit: int = 200) -> list[Event]:
    """``my_tasks`` until this pass: every open event in view as an object, then the rule."""
    from api.store import events as store

    matching = store.EventFilter(states=sorted(OPEN))
    stmt = store.select_events(visible=_seen(session, user), matching=matching)
    rows = list(session.scalars(stmt.order_by(Event.due_at, Event.id)))
    levels = TASK_LEVELS.get(user.role, ())
    keep = [
        r
        for r, ok in zip(rows, _visible(rows, user), strict=True)
        if ok and (user.username in (r.assignees or ()) or r.level in levels or user.is_admin)
    ]
    return keep[:limit]


def _bench_tasks(sessions: Any, tokens: dict[str, str], repeat: int) -> None:
    print(f"{'tasks of':<12} {'open':>7} {'tasks':>7} {'ours':>9} {'before':>9}  ratio")
    for role, token in tokens.items():
        with sessions() as session:
            user = principal_for_token(session, token)
            assert user is not None
            ours = my_tasks(session, user=user)
            assert [e.id for e in ours] == [e.id for e in _tasks_before(session, user)]
            opened = len(list_events(session, user=user, states=sorted(OPEN)))

            def new(session: Any = session, user: Any = user) -> Any:
                return my_tasks(session, user=user)

            def old(session: Any = session, user: Any = user) -> Any:
                return _tasks_before(session, user)

            t = _timed({"ours": new, "before": old}, repeat)
        print(
            f"{role:<12} {opened:>7,} {len(ours):>7,} {t['ours'] * 1000:>7.1f}ms "
            f"{t['before'] * 1000:>7.1f}ms  before/ours {t['before'] / t['ours']:5.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=30, help="the demo's events, this many times")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgis")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/beatgrid-bench-events"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    manifest = args.cache / "demo" / "manifest.json"
    if not manifest.exists():
        from data.generate import generate_demo

        print("generating the demo district …", flush=True)
        manifest = generate_demo(args.cache / "demo", seed=20161013)
    backends = []
    if "sqlite" in args.backends:
        url = f"sqlite:///{args.cache / f'demo-x{args.copies}.sqlite'}"
        backends.append(("SQLite", _settings(url, None)))
    pg = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if "postgis" in args.backends:
        if pg:
            backends.append(("PostGIS", _settings(pg, SCHEMA)))
        else:
            print("PostGIS skipped: BEATGRID_TEST_POSTGRES_URL is not set")
    for name, settings in backends:
        _seed(settings, manifest, args.copies, args.cache / f"{name}-x{args.copies}.seeded")
        _bench(name, settings, args.repeat)


if __name__ == "__main__":
    main()
