"""The escalation clock: the service runs the overdue-event escalation every few seconds.

``beatgrid serve`` may run several worker processes on one database; the escalation must
run in one of them only.  The processes hold an election through the database itself:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection the
  leader keeps open; its key is derived from the database schema, so two services on two
  schemas of one server do not block each other.
- SQLite: an exclusive ``flock`` on a lock file beside the database file (SQLite has no
  advisory locks; its own write lock is held only for a transaction).

The lock goes with the process: when the leader stops or dies, the operating system or the
server frees it and another worker takes the next turn.  The escalation itself is
:func:`api.services.events.escalate_overdue`, the one ``POST /events/escalate`` and
``beatgrid events escalate`` run; it moves each overdue event up one level, so a run that
finds nothing due changes nothing.
"""

from __future__ import annotations

import logging
import threading
import zlib
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api import db
from api.auth import Principal
from api.settings import Settings

log = logging.getLogger("beatgrid.escalation")
SYSTEM = Principal("system", "admin")
"""Who escalates: the audit log and the event's transitions name ``system``."""


class Lease:
    """The right to run the clock: taken by one process of a database at a time."""

    def __init__(self, engine: Engine, schema: str | None) -> None:
        self.engine = engine
        self.schema = schema
        self._conn: Connection | None = None
        self._file: IO[Any] | None = None
        self._alone = False  # an in-memory SQLite database: one process by nature

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None or self._alone

    def take(self) -> bool:
        """Hold the lease (True), or learn that another process holds it (False)."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            return self._take_advisory()
        return self._take_file()

    def _take_advisory(self) -> bool:
        key = zlib.crc32(f"beatgrid.escalation:{self.schema or ''}".encode())
        conn = self.engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def _take_file(self) -> bool:
        import fcntl

        database = self.engine.url.database
        if not database or database == ":memory:":
            self._alone = True
            return True
        handle = open(f"{database}.escalation.lock", "a")  # noqa: SIM115 (held open)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the server frees a session lock with its session
            self._conn = None
        if self._file is not None:
            self._file.close()  # closing the file drops the flock
            self._file = None
        self._alone = False


class EscalationClock:
    """A daemon thread that escalates overdue events every ``every_s`` seconds."""

    def __init__(self, settings: Settings, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.every_s = settings.escalate_every_s
        self.rules_path = settings.event_rules
        self.sessions = sessions
        self.lease = Lease(engine, settings.db_schema)
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.every_s <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="escalation", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.lease.release()

    def tick(self) -> list[str] | None:
        """One turn: escalate if this process holds the lease; the ids moved, None if not."""
        if not self.lease.take():
            return None
        from api.services.events import escalate_overdue
        from gis.events import load_rules

        with db.transaction(self.sessions) as session:
            moved = escalate_overdue(
                session, rules=load_rules(self.rules_path), now=datetime.now(UTC), user=SYSTEM
            )
        self.runs += 1
        if moved:
            log.info("escalated %d overdue event(s): %s", len(moved), ", ".join(moved))
        return moved

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.tick()
            except Exception:  # a failed turn (e.g. a user's concurrent transition) waits
                log.exception("escalation turn failed; trying again at the next turn")
