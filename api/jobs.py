"""Background jobs: a small thread pool, a ``jobs`` table, progress and a result URL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.models import Job
from gis.errors import BeatgridError
from gis.i18n import Text

Progress = Callable[[float], None]
Work = Callable[[Session, Progress], BaseModel]
"""A job body: gets its own session and a progress callback (0..1), returns its result model
(stored as JSON, served by ``/jobs/{id}/result`` as that model)."""


INTERRUPTED = "interrupted by a restart"
UNFINISHED = ("queued", "running")
_log = logging.getLogger(__name__)


def fail_interrupted(sessions: sessionmaker[Session]) -> int:
    """Mark the jobs a previous run left queued or running as failed; how many there were.

    Jobs run in this process's threads, so at start-up no job of the database can still be
    running: without this they would stay "running" forever.  Call it once per database
    start (``beatgrid serve --workers N`` does, before its workers start).
    """
    with sessions() as session:
        result = session.execute(
            update(Job)
            .where(Job.status.in_(UNFINISHED))
            .values(status="failed", error=INTERRUPTED, finished_at=datetime.now(UTC))
        )
        session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def internal_error(exc: Exception) -> str:
    """What a job's owner reads when it failed on a bug, not on its input: the kind of
    error, not its internals (the server log holds the traceback)."""
    return str(
        Text(
            f"服务内部错误（{type(exc).__name__}），详见服务日志",
            f"internal error ({type(exc).__name__}); the server log has the details",
        )
    )


class JobRunner:
    """Runs jobs in ``workers`` threads; each job's state lives in the database."""

    def __init__(self, sessions: sessionmaker[Session], *, workers: int) -> None:
        self.sessions = sessions
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="beatgrid-job")

    def submit(self, *, kind: str, owner: str, params: dict[str, Any], work: Work) -> str:
        job_id = str(uuid.uuid4())
        with self.sessions() as session:
            session.add(Job(id=job_id, kind=kind, status="queued", owner=owner, params=params))
            session.commit()
        self.pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Work) -> None:
        self._set(job_id, status="running", progress=0.0)
        try:
            with self.sessions() as session:
                result = work(session, lambda p: self._set(job_id, progress=float(p)))
        except BeatgridError as exc:  # the input or the data: the user's to fix, as said
            self._set(job_id, status="failed", error=f"{type(exc).__name__}: {exc}", done=True)
            return
        except Exception as exc:  # a bug: the job fails, the service does not, the log says why
            _log.exception("job %s failed", job_id)
            self._set(job_id, status="failed", error=internal_error(exc), done=True)
            return
        stored = result.model_dump(mode="json")
        self._set(job_id, status="done", progress=1.0, result=stored, done=True)

    def _set(self, job_id: str, *, done: bool = False, **values: Any) -> None:
        if done:
            values["finished_at"] = datetime.now(UTC)
        with self.sessions() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))
            session.commit()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
