"""Events (事件流转): report, my tasks, transitions, photos, escalation, 零报告, figures.

Events hold personal data; these routes are their only way out (never tiles or OGC).
``/events/by-grid`` is the map-safe form: counts per grid and category, no points.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile

from api.deps import AdminDep, CurrentUserDep, SessionDep, SettingsDep
from api.event_schemas import (
    AttachmentSaved,
    Escalated,
    EventCreate,
    EventDetail,
    EventFiguresPublic,
    EventList,
    EventPublic,
    EventSetupBody,
    EventSetupPublic,
    EventSetupSaved,
    FigureValue,
    GridCounts,
    TransitionBody,
    ZeroReportBody,
    ZeroReportPublic,
    event_detail,
    event_public,
    json_number,
)
from api.services import event_files, events
from api.services.event_setup import load_setup, save_setup
from api.settings import Settings
from api.store.events import transitions
from gis.errors import ConfigError
from gis.events import EventRules, load_rules

router = APIRouter(prefix="/events", tags=["events"])
EventId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")]


@lru_cache(maxsize=8)
def _rules(path: str | None) -> EventRules:
    return load_rules(path)


def get_rules(settings: SettingsDep) -> EventRules:
    return _rules(settings.event_rules)


RulesDep = Annotated[EventRules, Depends(get_rules)]


def _now() -> datetime:
    return datetime.now(UTC)


@router.put("/setup", response_model=EventSetupSaved)
def put_setup(*, body: EventSetupBody, session: SessionDep, user: AdminDep) -> EventSetupSaved:
    """(admin) The stored layers that route events and the officer assignments."""
    assignments = [a.model_dump() for a in body.assignments]
    save_setup(
        session,
        layers={str(k): v for k, v in body.layers.items()},
        assignments=assignments,
        actor=user.username,
    )
    session.commit()
    return EventSetupSaved(layers=body.layers, assignments=len(assignments))


@router.get("/setup", response_model=EventSetupPublic)
def get_setup(*, session: SessionDep, _user: AdminDep) -> EventSetupPublic:
    row = load_setup(session)
    return EventSetupPublic.model_validate({"layers": row.layers, "assignments": row.assignments})


@router.post("", status_code=201, response_model=EventPublic)
def create(
    *, body: EventCreate, session: SessionDep, user: CurrentUserDep, rules: RulesDep
) -> EventPublic:
    """Report an event (受理); it is routed (分流) by its location at once."""
    report = events.Report(**body.model_dump())
    row = events.report_event(session, report, user=user, rules=rules, now=_now())
    session.commit()
    return event_public(row, now=_now())


@router.get("", response_model=EventList)
def search(
    *,
    session: SessionDep,
    user: CurrentUserDep,
    start: datetime | None = None,
    end: datetime | None = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[list[str] | None, Query(max_length=5)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> EventList:
    """Events in your view received in ``[start, end)``, oldest first."""
    total, rows = events.page_events(
        session, user=user, start=start, end=end, category=category, states=state,
        limit=limit, offset=offset,
    )  # fmt: skip
    now = _now()
    return EventList(numberMatched=total, events=[event_public(r, now=now) for r in rows])


@router.get("/tasks", response_model=list[EventPublic])
def tasks(*, session: SessionDep, user: CurrentUserDep) -> list[EventPublic]:
    """My tasks: open events assigned to me or at my level in my area, nearest deadline first."""
    now = _now()
    return [event_public(r, now=now) for r in events.my_tasks(session, user=user)]


@router.post("/escalate", response_model=Escalated)
def escalate(*, session: SessionDep, user: CurrentUserDep, rules: RulesDep) -> Escalated:
    """Escalate (升级) the open events in your view whose deadline passed (a level a deadline)."""
    moved = events.escalate_overdue(session, rules=rules, now=_now(), user=user)
    session.commit()
    return Escalated(escalated=moved)


@router.post("/zero-reports", status_code=201, response_model=ZeroReportPublic)
def zero_report(
    *, body: ZeroReportBody, session: SessionDep, user: CurrentUserDep, settings: SettingsDep
) -> ZeroReportPublic:
    """零报告: nothing to report today in my grid (grid workers and heads, once a day).

    "Today" is the local day (setting ``local_timezone``, Asia/Shanghai by default)."""
    today = _now().astimezone(settings.zone).date()
    day = body.day or today
    if day > today or day < today - timedelta(days=31):
        raise ConfigError(
            f"日期 {day} 须在近 31 天内 / the day {day} must be within the last 31 days"
        )
    row = events.record_zero_report(session, user=user, day=day, grid_id=body.grid_id)
    session.commit()
    return ZeroReportPublic(reporter=row.reporter, grid_id=row.grid_id, day=row.day)


@router.get("/figures", response_model=EventFiguresPublic)
def figures(
    *,
    session: SessionDep,
    user: CurrentUserDep,
    settings: SettingsDep,
    start: datetime,
    end: datetime,
    by: Literal["grid", "community", "street", "station", "person"] = "grid",
) -> EventFiguresPublic:
    """办结率, overdue, mean response / handling hours and 零报告 per group in ``[start, end)``."""
    result = events.figures(
        session, user=user, by=by, start=_aware(start), end=_aware(end), zone=settings.zone
    )
    rows: list[dict[str, FigureValue]] = [
        {"id": str(key), **{str(k): json_number(v) for k, v in values.items()}}
        for key, values in result.table.to_dict(orient="index").items()
    ]
    total = {str(k): json_number(v) for k, v in result.total.to_dict().items()}
    return EventFiguresPublic(by=by, start=start, end=end, rows=rows, total=total)


@router.get("/by-grid", response_model=GridCounts)
def by_grid(
    *, session: SessionDep, user: CurrentUserDep, start: datetime, end: datetime
) -> GridCounts:
    """The map-safe form: event counts per grid and category; no point, address or person."""
    counts = events.grid_counts(session, user=user, start=_aware(start), end=_aware(end))
    return GridCounts.model_validate({"counts": counts})


@router.get("/{event_id}", response_model=EventDetail)
def detail(*, event_id: EventId, session: SessionDep, user: CurrentUserDep) -> EventDetail:
    """One event with its whole history (who, when, why) and its photos' details."""
    row = events.visible_event(session, event_id, user=user)
    files = event_files.list_attachments(session, event_id)
    return event_detail(row, transitions(session, event_id), files, now=_now())


@router.post("/{event_id}/transitions", response_model=EventPublic)
def transition(
    *,
    event_id: EventId,
    body: TransitionBody,
    session: SessionDep,
    user: CurrentUserDep,
    rules: RulesDep,
) -> EventPublic:
    """分流/处置/办结/回访/退回/升级; 409 when the event moved on since ``base_version``."""
    row = events.transition(
        session,
        event_id,
        action=body.action,
        base_version=body.base_version,
        reason=body.reason,
        user=user,
        rules=rules,
        now=_now(),
    )
    session.commit()
    return event_public(row, now=_now())


@router.post("/{event_id}/attachments", status_code=201, response_model=AttachmentSaved)
async def attach(
    *,
    event_id: EventId,
    session: SessionDep,
    user: CurrentUserDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A photo: JPEG, PNG or WebP")],
    keep_gps: Annotated[bool, Form(description="Keep the EXIF location on purpose")] = False,
) -> AttachmentSaved:
    """Add a photo; its EXIF GPS is removed unless ``keep_gps``."""
    limit = _photo_limit(settings)
    raw = await file.read(limit + 1)
    row = event_files.attach_photo(
        session,
        event_id,
        raw=raw,
        filename=file.filename or "photo",
        user=user,
        max_bytes=limit,
        keep_gps=keep_gps,
    )
    session.commit()
    return AttachmentSaved(
        id=row.id, size=row.size, content_type=row.content_type, gps_kept=row.gps_kept
    )


@router.get("/{event_id}/attachments/{attachment_id}")
def attachment(
    *,
    event_id: EventId,
    attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    user: CurrentUserDep,
) -> Response:
    row = event_files.get_attachment(session, event_id, attachment_id, user=user)
    return Response(row.data, media_type=row.content_type, headers={"Cache-Control": "private"})


def _photo_limit(settings: Settings) -> int:
    return int(settings.photo_max_mb * 2**20)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
