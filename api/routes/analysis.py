"""The engines behind thin routes: geocoding, consistency checks, hotspots, coverage.

Long work (consistency checks, hotspots, patrol coverage) runs as a background job; the
answer is ``202`` with the job's URL.  Each route validates, calls one service, returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from api.deps import CurrentUserDep, SessionDep, SettingsDep, read_in_thread
from api.localtime import local_stamp
from api.models import Job
from api.policy import JurisdictionDep
from api.routes.jobs import job_public
from api.schemas import (
    AddressGeocodePublic,
    AddressGeocodeRequest,
    BatchGeocodePublic,
    BatchGeocodeRequest,
    CheckOptions,
    CheckRequest,
    GeocodePublic,
    GeocodeRequest,
    HotspotRequest,
    JobPublic,
)
from api.services import geocode as geocoding
from api.services.checks import start_check
from api.services.coverage import start_coverage
from api.services.hotspots import start_hotspots
from api.upload import read_upload

router = APIRouter(tags=["analysis"])


@router.post("/geocode/point", response_model=GeocodePublic)
async def geocode_point(
    *, req: GeocodeRequest, session: SessionDep, policy: JurisdictionDep
) -> GeocodePublic:
    """The area of each named layer containing one point (null outside your jurisdiction).

    ``how`` says how it was placed: inside, shared (on a boundary: lowest id), tolerance.
    """
    return await read_in_thread(session, geocoding.locate_point, req=req, policy=policy)


@router.post("/geocode/batch", response_model=BatchGeocodePublic)
def geocode_batch(
    *,
    req: BatchGeocodeRequest,
    session: SessionDep,
    policy: JurisdictionDep,
    settings: SettingsDep,
) -> BatchGeocodePublic:
    """The area of ``layer`` containing each point, in order (null: none, or not yours)."""
    return geocoding.locate_batch(
        session, req=req, policy=policy, max_points=settings.max_batch_points
    )


@router.post("/geocode/address", response_model=AddressGeocodePublic)
def geocode_address(
    *, req: AddressGeocodeRequest, session: SessionDep, policy: JurisdictionDep
) -> AddressGeocodePublic:
    """Addresses → points and areas by a stored standard-address layer (标准地址), reading
    door plates (门牌), buildings, 小区 names and "附近"; each with a status, a confidence and
    the form that matched (null point: not placed, or not in your jurisdiction)."""
    return geocoding.geocode_addresses(session, req=req, policy=policy)


@router.post("/checks", status_code=202, response_model=JobPublic)
def run_check(
    *,
    body: CheckRequest,
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
) -> JobPublic:
    """Start a boundary-consistency check of stored layers; poll the job, then its result."""
    job_id = start_check(
        session,
        request.app.state.jobs,
        owner=user.username,
        layers=body.layers,
        config=(body.config or CheckOptions()).config(),
        policy=policy,
    )
    return job_public(session.get_one(Job, job_id), request)


@router.post("/hotspots", status_code=202, response_model=JobPublic)
def hotspots(
    *,
    req: HotspotRequest,
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
) -> JobPublic:
    """Start counts and Gi* hotspots of the stored incidents per area of ``layer``."""
    job_id = start_hotspots(
        session, request.app.state.jobs, owner=user.username, req=req, policy=policy
    )
    return job_public(session.get_one(Job, job_id), request)


@router.post("/coverage", status_code=202, response_model=JobPublic)
async def coverage(
    *,
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="GPS fixes: track_id, time, lon/lat")],
    layer: Annotated[str, Form(max_length=80)],
    crs: Annotated[str | None, Form(max_length=200)] = None,
    start: Annotated[datetime | None, Form()] = None,
    end: Annotated[datetime | None, Form()] = None,
    within_m: Annotated[float, Form(ge=0, le=5000, allow_inf_nan=False)] = 50.0,
) -> JobPublic:
    """Start patrol coverage per grid of ``layer`` from uploaded GPS fixes (not stored)."""
    fixes = await read_upload(
        file,
        kind="track",
        crs=crs,
        max_bytes=int(settings.max_upload_mb * 2**20),
        limits=settings.input_limits,
    )
    job_id = start_coverage(
        session,
        request.app.state.jobs,
        owner=user.username,
        fixes=fixes,
        layer=layer,
        start=local_stamp(start),
        end=local_stamp(end),
        within_m=within_m,
        policy=policy,
    )
    return job_public(session.get_one(Job, job_id), request)
