"""The engines behind thin routes: geocoding, consistency checks, hotspots, coverage.

Long work (consistency checks, hotspots, patrol coverage) runs as a background job; the
answer is ``202`` with the job's URL.  Engines that are not installed answer 501.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Body, File, Form, HTTPException, Request, UploadFile

from api.deps import CurrentUserDep, SessionDep, SettingsDep
from api.models import Job
from api.policy import Jurisdiction, JurisdictionDep
from api.routes.jobs import job_public
from api.schemas import BatchGeocodeRequest, GeocodeRequest, HotspotRequest, JobPublic
from api.store.layers import get_layer
from api.store.locate import locate_points
from api.upload import read_upload
from gis.errors import ConfigError

router = APIRouter(tags=["analysis"])


@router.post("/geocode/point")
def geocode_point(
    req: GeocodeRequest, session: SessionDep, policy: JurisdictionDep
) -> dict[str, Any]:
    """The area of each named layer containing one point (null outside your jurisdiction).

    ``how`` says how it was placed: inside, shared (on a boundary: lowest id), tolerance.
    """
    lon, lat = np.array([req.lon]), np.array([req.lat])
    inside = bool(policy.mask(lon, lat)[0])
    found: dict[str, Any] = {}
    how: dict[str, Any] = {}
    for layer in req.layers:
        got = locate_points(session, layer, lon, lat, tolerance_m=req.tolerance_m)
        found[layer] = got.ids[0] if inside else None
        how[layer] = got.how[0] if inside else None
    return {"lon": req.lon, "lat": req.lat, "areas": found, "how": how}


@router.post("/geocode/batch")
def geocode_batch(
    req: BatchGeocodeRequest, session: SessionDep, policy: JurisdictionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The area of ``layer`` containing each point, in order (null: none, or not yours)."""
    if len(req.lon) > settings.max_batch_points:
        raise ConfigError(f"{len(req.lon)} points: at most {settings.max_batch_points} per batch")
    lon, lat = np.asarray(req.lon, dtype=float), np.asarray(req.lat, dtype=float)
    got = locate_points(session, req.layer, lon, lat, tolerance_m=req.tolerance_m)
    ids, how = got.ids, got.how
    if lon.size:
        hidden = ~policy.mask(lon, lat)
        ids[hidden], how[hidden] = None, None
    located = int(np.count_nonzero(ids != None))  # noqa: E711 (element-wise on object array)
    return {"layer": req.layer, "ids": ids.tolist(), "how": how.tolist(), "located": located}


@router.post("/checks", status_code=202, response_model=JobPublic)
def run_check(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    layers: Annotated[
        dict[str, str],
        Body(embed=True, description="layer kind → stored layer id, e.g. {'grid': 'grids'}"),
    ],
    config: Annotated[dict[str, Any] | None, Body(embed=True)] = None,
) -> JobPublic:
    """Start a boundary-consistency check of stored layers; poll the job, then its result."""
    _engine("gis.checks", "check_district")
    _engine("gis.district", "load_district")
    from api.checks import check_config, check_job

    kinds = {k: get_layer(session, v).kind for k, v in layers.items()}
    wrong = {k: v for k, v in kinds.items() if k != v}
    if wrong:
        raise ConfigError(f"layers do not match their kinds: {wrong}")
    job_id = request.app.state.jobs.submit(
        kind="check",
        owner=user.username,
        params={"layers": layers},
        work=check_job(layers, check_config(config or {}), Jurisdiction.of(user)),
    )
    return job_public(session.get_one(Job, job_id), request)


@router.post("/hotspots", status_code=202, response_model=JobPublic)
def hotspots(
    req: HotspotRequest, request: Request, session: SessionDep, user: CurrentUserDep
) -> JobPublic:
    """Start counts and Gi* hotspots of the stored incidents per area of ``layer``."""
    _engine("gis.hotspots.gistar", "gi_star")
    from api.hotspots import hotspot_job

    get_layer(session, req.layer)
    job_id = request.app.state.jobs.submit(
        kind="hotspots",
        owner=user.username,
        params=req.model_dump(mode="json"),
        work=hotspot_job(req, Jurisdiction.of(user)),
    )
    return job_public(session.get_one(Job, job_id), request)


@router.post("/coverage", status_code=202, response_model=JobPublic)
async def coverage(
    request: Request,
    session: SessionDep,
    user: CurrentUserDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="GPS fixes: track_id, time, lon/lat")],
    layer: Annotated[str, Form(max_length=80)],
    crs: Annotated[str | None, Form(max_length=200)] = None,
    start: Annotated[datetime | None, Form()] = None,
    end: Annotated[datetime | None, Form()] = None,
    within_m: Annotated[float, Form(ge=0, le=5000)] = 50.0,
) -> JobPublic:
    """Start patrol coverage per grid of ``layer`` from uploaded GPS fixes (not stored)."""
    _engine("gis.coverage.patrol", "patrol_coverage")
    from api.coverage import coverage_job

    get_layer(session, layer)
    fixes = await read_upload(
        file, kind="track", crs=crs, max_bytes=int(settings.max_upload_mb * 2**20)
    )
    work = coverage_job(
        fixes,
        layer=layer,
        start=None if start is None else pd.Timestamp(start).tz_localize(None),
        end=None if end is None else pd.Timestamp(end).tz_localize(None),
        within_m=within_m,
        policy=Jurisdiction.of(user),
    )
    params = {"layer": layer, "within_m": within_m, "fixes": len(fixes)}
    job_id = request.app.state.jobs.submit(
        kind="coverage", owner=user.username, params=params, work=work
    )
    return job_public(session.get_one(Job, job_id), request)


def _engine(module: str, name: str) -> Any:
    """``module.name`` of an engine, or 501 if that engine has not landed in this build."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise HTTPException(501, f"{module}.{name} is not available in this service") from None
