"""Engine, sessions and schema migrations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Dialect, Engine, Executable, Result, Row, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url``.

    SQLite connections get foreign keys, WAL (readers never wait for the writer) and a busy
    timeout of ``settings.sqlite_busy_timeout_s`` (a writer waits for the lock instead of
    failing at once with "database is locked").

    The pool holds a connection for every request thread and job thread
    (:func:`pool_size`), so requests never queue for a connection behind the threads
    that serve them (SQLAlchemy's default 5 + 10 starved anyio's 40 threads).

    PostgreSQL connections run with ``jit = off``: PostGIS functions carry high cost
    estimates, so PostgreSQL compiled even a count of 28,000 incidents with LLVM, which
    took 80-400 ms of a query that runs in 30 ms (``benchmarks/bench_service.py``).
    """
    size = pool_size(settings)
    if settings.is_sqlite:
        timeout = settings.sqlite_busy_timeout_s
        memory = settings.database_url.rstrip("/").endswith((":memory:", "sqlite:"))
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": timeout},
            **({} if memory else {"pool_size": size, "max_overflow": 4}),
        )
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=int(timeout * 1000)))
        return engine
    engine = create_engine(
        settings.database_url,
        pool_size=size,
        max_overflow=4,
        connect_args={"options": "-c jit=off"},
    )
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    if settings.db_schema:
        schema = settings.db_schema

        def _search_path(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f'SET search_path TO "{schema}", public')
            cur.close()
            dbapi_conn.commit()

        event.listen(engine, "connect", _search_path)
    return engine


PING_IDLE_S = 10.0
"""A pooled PostgreSQL connection idle this long is pinged before use (a restarted server
or a firewall's idle timeout has closed it; the pool then opens a new one).  One used
within the last seconds is not: a ping on every checkout was a fifth of the round trips
of a one-query request (``benchmarks/bench_service.py``)."""


def _checked_in(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    last = record.info.get("checked_in")
    if last is None or time.monotonic() - last < PING_IDLE_S:  # new, or in use just now
        return
    try:
        alive = dialect.do_ping(dbapi_conn)
    except Exception as exc:  # the driver's error for a closed connection
        raise DisconnectionError(str(exc)) from exc
    if not alive:
        raise DisconnectionError("the connection did not answer a ping")


def pool_size(settings: Settings) -> int:
    """Connections kept: one per request thread and per job thread."""
    return settings.threads + settings.job_workers


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, busy_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={busy_ms:d}")  # first: switching to WAL may wait too
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back entirely on error."""
    with factory() as session, session.begin():
        yield session


def core_rows(
    session: Session, stmt: Executable, params: dict[str, Any]
) -> Result[*tuple[Any, ...]]:
    """The rows of a prebuilt Core ``select`` of plain columns, through the session's
    connection and transaction.

    For the reads every request makes (its token, the layers' version stamps): a
    statement built once with ``bindparam`` keeps its compiled form and cache key, and
    the Core result skips the ORM's, about a quarter of the Python a ``session.execute``
    of a freshly built ``select`` costs.  Pending changes are flushed first, as the ORM's
    autoflush would.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(stmt, params)


_SERIAL = text("SET LOCAL max_parallel_workers_per_gather = 0")


def serial_plan(session: Session) -> None:
    """PostgreSQL: no parallel workers for the rest of this transaction.

    The planner prices a jurisdiction's ``ST_Intersects`` at every row, though the boxes
    before it leave it only the points near the boundary, so a district's incident count
    went to a parallel index scan three times slower than the plain sequential scan
    (28-32 ms against 9-12).  Measure before using it elsewhere: a grid worker's event
    count, which has no boxes before the clause, ran faster with its workers (51 ms
    against 60).  SQLite: nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_SERIAL)


def first_row(
    session: Session, stmt: Executable, params: dict[str, Any]
) -> Row[*tuple[Any, ...]] | None:
    """The first row of :func:`core_rows` (None: no row)."""
    return core_rows(session, stmt, params).first()


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with alembic (``beatgrid db upgrade``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
