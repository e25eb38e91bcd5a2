"""Background jobs: status with progress, and the result once done."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import CurrentUserDep, SessionDep
from api.models import Job
from api.schemas import JOB_RESULTS, JobPublic, JobResult
from gis.errors import ConflictError, NotFoundError

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _own_job(session: SessionDep, job_id: str, user: CurrentUserDep) -> Job:
    job = session.get(Job, job_id)
    # Someone else's job is reported as missing, so job ids reveal nothing.
    if job is None or (job.owner != user.username and not user.is_admin):
        raise NotFoundError(f"job {job_id!r} does not exist")
    return job


def job_public(job: Job, request: Request) -> JobPublic:
    out = JobPublic.model_validate(job)
    if job.status == "done":
        out.result_url = str(request.url_for("job_result", job_id=job.id))
    return out


@router.get("/{job_id}", response_model=JobPublic)
def status(
    *, job_id: str, request: Request, session: SessionDep, user: CurrentUserDep
) -> JobPublic:
    return job_public(_own_job(session, job_id, user), request)


@router.get("/{job_id}/result", name="job_result", response_model=JobResult)
def result(*, job_id: str, session: SessionDep, user: CurrentUserDep) -> JobResult:
    """A done job's result: a check's findings, hotspot classes or patrol coverage."""
    job = _own_job(session, job_id, user)
    if job.status == "failed":
        raise ConflictError(f"job {job_id} failed: {job.error}")
    if job.status != "done" or job.result is None:
        raise ConflictError(f"job {job_id} is {job.status} ({job.progress:.0%}); try again later")
    return JOB_RESULTS[job.kind].model_validate(job.result)
