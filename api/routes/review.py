"""Reviewing a check: waive a finding (with a reason), revoke a waiver, download the report;
the inbox of grid-change notices, with the re-aligned beats a notice calls for (view,
accept as a new beat version).

Findings are waived from a check job's result, so the server, not the browser, says what
the finding is and where: a user waives only findings of their own jobs, which were
already clipped to their jurisdiction.  Waivers and notices are listed only where they
lie inside the reader's jurisdiction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from shapely.geometry import shape
from sqlalchemy.orm import Session

from api.deps import CurrentUserDep, SessionDep
from api.models import Notice, Waiver
from api.policy import Jurisdiction, JurisdictionDep
from api.routes.jobs import _own_job
from api.schemas import LAYER_ID
from api.services import notice_beats
from api.store import waivers as store
from gis.errors import NotFoundError, PermissionDenied
from gis.io import workbook_bytes

router = APIRouter(tags=["review"])
REVIEWERS = frozenset({"station", "street_office", "admin"})
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class WaiverCreate(BaseModel):
    job_id: str = Field(min_length=1, max_length=36)
    finding_id: str = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)


class WaiverPublic(BaseModel):
    id: int
    rule: str
    layer: str
    ids: str
    other_ids: str
    reason: str
    author: str
    created_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None


class NoticePublic(BaseModel):
    id: int
    layer_id: str
    from_version: int
    to_version: int
    sender: str
    summary_zh: str
    summary_en: str
    reason: str
    created_at: datetime
    acknowledged: bool
    beats_version: int | None = Field(
        None, description="the beat version the re-aligned beats were accepted as"
    )


class BeatProposalPublic(BaseModel):
    """The beats a notice's grid change calls for, against the beat layer's newest version."""

    notice_id: int
    beats_layer: str
    base_version: int
    changes: list[dict[str, Any]] = Field(description="grid_id, from, to, share_before")
    proposed: dict[str, Any] = Field(description="the re-aligned beats (GeoJSON, WGS84)")
    current: dict[str, Any] = Field(description="the same beats as they are (GeoJSON)")


class BeatAccept(BaseModel):
    beats_layer: str = Field(pattern=LAYER_ID)
    base_version: int = Field(ge=1, le=2**31 - 1, description="the version the proposal was on")
    reason: str = Field(min_length=1, max_length=2000)


class BeatAccepted(BaseModel):
    notice_id: int
    beats_layer: str
    version: int
    beats: list[str]


def _findings(session: SessionDep, job_id: str, user: CurrentUserDep) -> list[dict[str, Any]]:
    job = _own_job(session, job_id, user)
    if job.kind != "check" or job.status != "done" or job.result is None:
        raise NotFoundError(f"job {job_id!r} is not a finished check")
    features: list[dict[str, Any]] = job.result["findings"]["features"]
    return features


@router.post("/waivers", response_model=WaiverPublic, status_code=201)
def waive(body: WaiverCreate, session: SessionDep, user: CurrentUserDep) -> Waiver:
    """Accept one finding of your check with a reason; later checks count it as accepted."""
    if user.role not in REVIEWERS:
        raise PermissionDenied(f"a {user.role} user may not waive findings")
    found = [
        f for f in _findings(session, body.job_id, user) if f["properties"]["id"] == body.finding_id
    ]
    if not found:
        raise NotFoundError(f"check {body.job_id} has no finding {body.finding_id!r}")
    area = shape(found[0]["geometry"]) if found[0].get("geometry") else None
    waiver = store.add_waiver(
        session, found[0]["properties"], area=area, reason=body.reason, author=user.username
    )
    session.commit()
    return waiver


def visible_waivers(session: Session, policy: Jurisdiction, username: str) -> list[Waiver]:
    """The waivers inside the jurisdiction (and the user's own), newest first."""
    rows = store.all_waivers(session)
    keep = policy.keep([w.area for w in rows])
    return [w for w, k in zip(rows, keep, strict=True) if k or w.author == username]


@router.get("/waivers", response_model=list[WaiverPublic])
def waivers(session: SessionDep, user: CurrentUserDep, policy: JurisdictionDep) -> list[Waiver]:
    """The waivers inside your jurisdiction, newest first (revoked ones too)."""
    return visible_waivers(session, policy, user.username)


@router.post("/waivers/{waiver_id}/revoke", response_model=WaiverPublic)
def revoke(
    waiver_id: Id, session: SessionDep, user: CurrentUserDep, policy: JurisdictionDep
) -> Waiver:
    """Revoke a waiver: later checks report the finding again."""
    if user.role not in REVIEWERS:
        raise PermissionDenied(f"a {user.role} user may not revoke waivers")
    visible = visible_waivers(session, policy, user.username)
    waiver = next((w for w in visible if w.id == waiver_id), None)
    if waiver is None:
        raise NotFoundError(f"waiver {waiver_id} does not exist")
    store.revoke_waiver(session, waiver, actor=user.username)
    session.commit()
    return waiver


@router.get("/checks/{job_id}/report.{fmt}")
def report(
    job_id: str, fmt: Literal["xlsx", "html"], session: SessionDep, user: CurrentUserDep
) -> Response:
    """The findings of your check as a spreadsheet or a printable page (with waiver status)."""
    rows = pd.DataFrame([f["properties"] for f in _findings(session, job_id, user)])
    if fmt == "html":
        table = rows.to_html(index=False, na_rep="", border=0, classes="report")
        page = (
            '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>'
            f"边界一致性检查 / check {job_id}</title></head><body><h1>边界一致性检查报告 / "
            f"Boundary consistency report</h1>{table}</body></html>"
        )
        return HTMLResponse(page)
    headers = {"Content-Disposition": f'attachment; filename="check-{job_id[:8]}.xlsx"'}
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(workbook_bytes({"findings": rows}), media_type=xlsx, headers=headers)


def visible_notices(session: Session, policy: Jurisdiction, username: str) -> list[NoticePublic]:
    """The notices whose area lies inside the jurisdiction, newest first."""
    rows = store.all_notices(session)
    keep = policy.keep([n.area for n in rows])
    rows = [n for n, k in zip(rows, keep, strict=True) if k]
    done = notice_beats.accepted(session, [n.id for n in rows])
    return [_notice(n, username, done.get(n.id)) for n in rows]


def _notice(notice: Notice, username: str, beats_version: int | None = None) -> NoticePublic:
    own = {"acknowledged", "beats_version"}
    return NoticePublic.model_validate(
        {**{c: getattr(notice, c) for c in NoticePublic.model_fields if c not in own},
         "acknowledged": username in notice.acknowledged, "beats_version": beats_version}
    )  # fmt: skip


def _visible_notice(
    session: Session, policy: Jurisdiction, username: str, notice_id: int
) -> Notice:
    if not any(n.id == notice_id for n in visible_notices(session, policy, username)):
        raise NotFoundError(f"notice {notice_id} does not exist")
    return session.get_one(Notice, notice_id)


@router.get("/notices", response_model=list[NoticePublic])
def notices(
    session: SessionDep, user: CurrentUserDep, policy: JurisdictionDep
) -> list[NoticePublic]:
    """Your inbox of grid-change notices."""
    return visible_notices(session, policy, user.username)


@router.post("/notices/{notice_id}/ack", response_model=NoticePublic)
def ack(
    notice_id: Id, session: SessionDep, user: CurrentUserDep, policy: JurisdictionDep
) -> NoticePublic:
    """Mark a notice of your inbox read and acknowledged."""
    notice = _visible_notice(session, policy, user.username, notice_id)
    store.acknowledge(session, notice, username=user.username)
    session.commit()
    return _notice(notice, user.username)


BeatsLayer = Annotated[str, Query(pattern=LAYER_ID)]


@router.get("/notices/{notice_id}/beats", response_model=BeatProposalPublic)
def notice_beats_proposal(
    notice_id: Id,
    beats_layer: BeatsLayer,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
) -> BeatProposalPublic:
    """The re-aligned beats the notice's grid change calls for (inside your jurisdiction)."""
    notice = _visible_notice(session, policy, user.username, notice_id)
    found = notice_beats.propose(session, notice, beats_layer=beats_layer, policy=policy)
    return BeatProposalPublic.model_validate(found.public())


@router.post("/notices/{notice_id}/beats", response_model=BeatAccepted, status_code=201)
def accept_notice_beats(
    notice_id: Id,
    body: BeatAccept,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
) -> BeatAccepted:
    """Accept the proposal as the beat layer's next version (reason required; audited;
    409 when the beats changed since ``base_version``).  The notice is acknowledged too."""
    notice = _visible_notice(session, policy, user.username, notice_id)
    version, ids = notice_beats.accept(
        session, notice, beats_layer=body.beats_layer, base_version=body.base_version,
        reason=body.reason, author=user.username, policy=policy,
    )  # fmt: skip
    store.acknowledge(session, notice, username=user.username)
    session.commit()
    return BeatAccepted(
        notice_id=notice_id, beats_layer=body.beats_layer, version=version, beats=ids
    )
