"""Engine, sessions and schema migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Executable, Row, create_engine, event
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
        pool_pre_ping=True,
        pool_size=size,
        max_overflow=4,
        connect_args={"options": "-c jit=off"},
    )
    if settings.db_schema:
        schema = settings.db_schema

        def _search_path(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f'SET search_path TO "{schema}", public')
            cur.close()
            dbapi_conn.commit()

        event.listen(engine, "connect", _search_path)
    return engine


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


def first_row(
    session: Session, stmt: Executable, params: dict[str, Any]
) -> Row[*tuple[Any, ...]] | None:
    """The first row of a prebuilt Core ``select`` of plain columns, through the
    session's connection and transaction.

    For the reads every request makes (its token, a layer's version stamp): a statement
    built once with ``bindparam`` keeps its compiled form and cache key, and the Core
    result skips the ORM's, about a quarter of the Python a ``session.execute`` of a
    freshly built ``select`` costs.  Pending changes are flushed first, as the ORM's
    autoflush would.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(stmt, params).first()


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with alembic (``beatgrid db upgrade``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
