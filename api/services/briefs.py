"""Briefings from the stored data: the same :func:`gis.briefing.make_brief` the CLI calls,
on a District read from the store through the reader's policy.

A scope (station, street, community) must lie inside the reader's jurisdiction: one
outside it is refused (403) even though it exists; one that does not exist is a 404.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.localtime import local_naive
from api.models import Incident, Job, Layer
from api.policy import Jurisdiction
from api.schemas import BriefRequest
from api.services.district import district_from_store
from api.services.events import list_events
from api.store.events import events_frame
from api.store.incidents import IncidentQuery
from api.store.query import FeatureQuery, read_features
from api.store.waivers import all_notices
from gis.briefing import (
    BriefPeriods,
    Change,
    Consistency,
    ScopeKind,
    brief_periods,
    make_brief,
)
from gis.documents import Letterhead
from gis.errors import NotFoundError, PermissionDenied
from gis.i18n import Text
from gis.layers import LayerKind
from maps.brief_document import write_brief

BRIEF_KINDS = (
    LayerKind.STREET, LayerKind.COMMUNITY, LayerKind.GRID, LayerKind.JOINT_POINT,
    LayerKind.STATION, LayerKind.BEAT, LayerKind.AUX_BEAT, LayerKind.ADDRESS,
)  # fmt: skip
SCOPE_KIND = {"station": LayerKind.STATION, "street": LayerKind.STREET,
              "community": LayerKind.COMMUNITY}  # fmt: skip
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
HISTORY = pd.DateOffset(years=1, months=1)
"""How far back incidents are read: a year and a month covers 环比 and 同比 (older ones
only while open, for 在办 and 超期)."""


def brief_document(
    session: Session,
    *,
    req: BriefRequest,
    user: Principal,
    policy: Jurisdiction,
    letterhead: Letterhead,
) -> tuple[bytes, str]:
    """The briefing file's bytes and its file name."""
    layers = dict(req.layers) if req.layers else stored_layers(session)
    if req.scope is not None:
        _guard_scope(session, layers, kind=req.scope.kind, id=req.scope.id, policy=policy)
    at = pd.Timestamp(req.at)
    incidents = IncidentQuery(start=(at - HISTORY).to_pydatetime(), end=None, open_before=True)
    district = district_from_store(
        session, layers=layers, policy=policy, incidents=incidents, name="辖区"
    )
    scope: tuple[ScopeKind, str | None] = (
        ("district", None) if req.scope is None else (req.scope.kind, req.scope.id)
    )
    since = (at - HISTORY).to_pydatetime()
    rows = list_events(session, user=user, start=since)
    events = events_frame(rows) if rows else None
    periods = brief_periods(req.period, at=at)
    brief = make_brief(
        district, kind=req.period, at=at, scope=scope, events=events, lang=req.lang,
        check=latest_check(session, owner=user.username),
        changes=notices_in(session, policy=policy, username=user.username, periods=periods),
    )  # fmt: skip
    name = f"brief-{req.period}-{at:%Y%m%d}.{req.format}"
    with tempfile.TemporaryDirectory(prefix="beatgrid-brief-") as tmp:
        path = write_brief(brief, Path(tmp) / name, letterhead=letterhead)
        return path.read_bytes(), name


def latest_check(session: Session, *, owner: str) -> Consistency | None:
    """The open findings of the reader's newest finished check (already cut to the
    reader's jurisdiction by the check service), counted by rule; None without one."""
    job = session.scalars(
        select(Job)
        .where(Job.kind == "check", Job.owner == owner, Job.status == "done")
        .order_by(Job.finished_at.desc())
        .limit(1)
    ).first()
    if job is None or not job.result:
        return None
    rows = [f["properties"] for f in job.result.get("findings", {}).get("features", [])]
    open_rows = [r for r in rows if r.get("severity") != "noise" and not r.get("accepted")]
    counts: dict[str, int] = {}
    for r in open_rows:
        counts[str(r["rule"])] = counts.get(str(r["rule"]), 0) + 1
    unstaffed = {
        i for r in open_rows if r["rule"] == "grid_unstaffed" for i in str(r["ids"]).split(",")
    }
    return Consistency(ok=not counts, counts=counts, unstaffed=tuple(sorted(unstaffed)))


def notices_in(
    session: Session, *, policy: Jurisdiction, username: str, periods: BriefPeriods
) -> list[Change]:
    """The grid-change notices of the period the reader may see, read or not."""
    rows = all_notices(session)
    keep = policy.keep([n.area for n in rows])
    p = periods.current
    out = []
    for notice, k in zip(rows, keep, strict=True):
        made = _local(notice.created_at)
        if k and p.start <= made < p.end:
            text = Text(notice.summary_zh, notice.summary_en)
            out.append(Change(text=text, acknowledged=username in notice.acknowledged))
    return out


def _local(moment: object) -> pd.Timestamp:
    """A stored time as naive local time (stored zoned times are UTC)."""
    return local_naive(pd.Timestamp(moment))  # type: ignore[arg-type]


def brief_defaults(session: Session) -> dict[str, object]:
    """What a workspace's briefing form starts with: the layers it will read and the day of
    the newest stored incident (the date data reach, not any incident's content; today when
    there is none)."""
    latest = session.execute(select(func.max(Incident.time))).scalar()
    day = (latest or pd.Timestamp.now()).strftime("%Y-%m-%d")
    return {"layers": {k.value: v for k, v in stored_layers(session).items()}, "at": day}


def stored_layers(session: Session) -> dict[LayerKind, str]:
    """The one stored layer of each kind a briefing reads (kinds stored twice are skipped:
    there is no telling which one is meant)."""
    rows = session.execute(select(Layer.kind, Layer.id).order_by(Layer.kind, Layer.id)).all()
    by_kind: dict[str, list[str]] = {}
    for kind, layer_id in rows:
        by_kind.setdefault(kind, []).append(layer_id)
    return {k: by_kind[k.value][0] for k in BRIEF_KINDS if len(by_kind.get(k.value, [])) == 1}


def _guard_scope(
    session: Session, layers: dict[LayerKind, str], *, kind: str, id: str, policy: Jurisdiction
) -> None:
    layer = layers.get(SCOPE_KIND[kind])
    if layer is None:
        raise NotFoundError(f"no {kind} layer is stored / 未存储{kind}图层")
    everything = read_features(session, layer, FeatureQuery(policy=Jurisdiction.everywhere()))
    frame = everything.frame
    row = frame[frame["id"].astype(str) == id]
    if row.empty:
        raise NotFoundError(f"no {kind} with id {id!r} / 没有编号为 {id} 的区域")
    try:
        policy.guard(row.geometry.iloc[0])
    except PermissionDenied:
        raise PermissionDenied(
            f"{kind} {id} lies outside your jurisdiction / 该区域不在您的辖区内"
        ) from None
