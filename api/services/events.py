"""Event workflows: report, transition, my tasks, overdue escalation, zero reports, figures.

Who may do what (the principal's jurisdiction decides where):

- everyone with a jurisdiction sees and acts on the events inside it, and on the events
  assigned to them wherever those lie; an admin everywhere;
- grid workers and grid heads report in their grids; 零报告 is theirs alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import Principal
from api.event_models import Event, EventSetup, ZeroReport
from api.policy import Jurisdiction
from api.services.event_setup import assignments_frame, grid_areas, load_setup, route_point
from api.store import audit
from api.store import events as store
from api.store.query import FeatureQuery, read_features
from gis.crs import gcj02_to_wgs84
from gis.errors import ConfigError, ConflictError, NotFoundError, PermissionDenied
from gis.events import (
    EventFigures,
    EventRules,
    EventState,
    Routing,
    apply,
    event_figures,
    new_event,
)
from gis.events import responsible as responsible_people
from gis.events.routing import ROUTED_KINDS
from gis.events.states import OPEN, Action

Source = Literal["网格员上报", "110", "12345", "走访发现", "巡查发现", "其他"]
SOURCES: tuple[str, ...] = ("网格员上报", "110", "12345", "走访发现", "巡查发现", "其他")
TASK_LEVELS: dict[str, tuple[str, ...]] = {
    "grid_worker": ("grid",),
    "grid_head": ("grid",),
    "station": ("grid", "community"),
    "street_office": ("community", "street"),
    "commander": ("district",),
    "admin": (),
}
"""Besides their own assignments, the open events at these levels are a role's tasks."""
_TASK_CHUNK = 500
_OPEN = store.EventFilter(states=sorted(OPEN))
_FUTURE_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class Report:
    """A new event as reported (coordinates in ``crs``; the time defaults to now)."""

    category: str
    description: str
    lon: float
    lat: float
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    source: str = "网格员上报"
    severity: str | None = None
    address: str | None = None
    received_at: datetime | None = None
    client_id: str | None = None


def report_event(
    session: Session, report: Report, *, user: Principal, rules: EventRules, now: datetime
) -> Event:
    """Receive (受理) an event and route (分流) it by its location at once."""
    rule = rules.rule(report.category)
    level = rules.start_level(report.severity)
    if report.source not in SOURCES:
        raise ConfigError(f"未知来源 {report.source!r} / unknown source (known: {SOURCES})")
    lon, lat = _to_wgs84(report)
    if not Jurisdiction.of(user).mask(np.array([lon]), np.array([lat]))[0]:
        raise PermissionDenied("位置不在您的辖区内 / the location lies outside your jurisdiction")
    event_id = _event_id(report.client_id, user.username)
    if report.client_id and session.get(Event, event_id) is not None:
        return store.get_event(session, event_id)  # an offline report sent twice is one event
    at = _received_at(report.received_at, now)
    setup = load_setup(session)
    routing = route_point(session, setup, lon, lat)
    state = new_event(event_id, category=rule.name, actor=user.username, at=at, level=level)
    state = apply(state, "route", actor="system", at=at, reason="按位置分流 / routed by location")
    people = responsible_people(routing, assignments_frame(setup), level=level, joint=rule.joint)
    row = _new_row(report, state, routing, lon=lon, lat=lat, reporter=user.username)
    row.assignees, row.due_at = list(people), rules.due_at(state)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the same offline report, sent twice at once: the first one won
        session.rollback()
        if report.client_id is None:
            raise
        return store.get_event(session, event_id)
    store.add_steps(session, event_id, state.history, first_seq=1)
    audit.record(session, username=user.username, action="event.create", target=event_id)
    session.flush()
    return row


def _new_row(
    report: Report, state: EventState, routing: Routing, *, lon: float, lat: float, reporter: str
) -> Event:
    return Event(
        id=state.id,
        version=len(state.history),
        source=report.source,
        category=state.category,
        severity=report.severity,
        state=state.state,
        level=state.level,
        lon=lon,
        lat=lat,
        geom=shapely.Point(lon, lat),
        address=report.address,
        description=report.description,
        reporter=reporter,
        **{f"{k}_id": routing.area(k) for k in ROUTED_KINDS},
        received_at=state.received_at,
    )


def transition(
    session: Session,
    event_id: str,
    *,
    action: Action,
    base_version: int,
    reason: str,
    user: Principal,
    rules: EventRules,
    now: datetime,
) -> Event:
    """Apply ``action`` to an event the user sees; 409 when ``base_version`` is stale."""
    row = visible_event(session, event_id, user=user)
    if row.version != base_version:
        raise store.stale_error(event_id, base_version)
    state = store.state_of(session, row)
    new = apply(state, action, actor=user.username, at=max(now, state.last_at), reason=reason)
    store.save_state(
        session, row, new, base_version=base_version, values=_derived(session, row, new, rules)
    )
    audit.record(
        session, username=user.username, action=f"event.{action}", target=event_id, reason=reason
    )
    return row


def _derived(session: Session, row: Event, new: EventState, rules: EventRules) -> dict[str, object]:
    """The columns that follow from the new state: times, deadline, assignees."""
    values: dict[str, object] = {"due_at": rules.due_at(new)}
    step = new.history[-1]
    if step.action == "handle" and row.responded_at is None:
        values["responded_at"] = step.at
    if step.action == "close":
        values["closed_at"] = step.at
    if step.action == "escalate":
        values["assignees"] = _assignees_at(row, new, rules, load_setup(session))
    return values


def _assignees_at(row: Event, new: EventState, rules: EventRules, setup: EventSetup) -> list[str]:
    """The people of the new level first; those already on the case stay on it."""
    routing = Routing(
        row.grid_id, row.community_id, row.street_id, row.beat_id, row.aux_beat_id, row.station_id
    )
    joint = rules.rule(row.category).joint
    people = responsible_people(routing, assignments_frame(setup), level=new.level, joint=joint)
    return list(dict.fromkeys([*people, *(row.assignees or [])]))


def escalate_overdue(
    session: Session, *, rules: EventRules, now: datetime, user: Principal
) -> list[str]:
    """Escalate every open event in the user's view whose deadline passed; their ids."""
    stmt = store.select_events(visible=_seen(session, user), matching=_OPEN)
    stmt = stmt.where(Event.due_at < now)
    rows = list(session.scalars(stmt.order_by(Event.due_at, Event.id)))
    rows = [r for r, ok in zip(rows, _visible(rows, user), strict=True) if ok]
    moved = []
    for row in rows:
        state = store.state_of(session, row)
        if not state.history:  # a row written without its steps (an import): nothing to date
            continue
        new = rules.escalate_overdue(state, now, actor="system")
        if new is state:
            continue
        store.save_state(
            session, row, new, base_version=row.version, values=_derived(session, row, new, rules)
        )
        audit.record(
            session, username=user.username, action="event.escalate", target=row.id, to=new.level
        )
        moved.append(row.id)
    return moved


def visible_event(session: Session, event_id: str, *, user: Principal) -> Event:
    """An event the user sees; outside their view it answers as missing (ids do not leak)."""
    row = store.get_event(session, event_id)
    if not _visible([row], user)[0]:
        raise NotFoundError(f"事件 {event_id!r} 不存在 / event {event_id!r} does not exist")
    return row


def my_tasks(session: Session, *, user: Principal, limit: int = 200) -> list[Event]:
    """Open events assigned to the user or at their role's levels in view, by deadline.

    The database selects by state, level and name (exactly on PostGIS, a first cut on
    SQLite); the rows are read in deadline order, a chunk at a time, until ``limit``
    pass the exact rule."""
    levels = TASK_LEVELS.get(user.role, ())
    stmt = store.select_events(visible=_seen(session, user), matching=_OPEN)
    if not user.is_admin:
        mine = store.assigned_to(user.username, dialect=session.get_bind().dialect.name)
        stmt = stmt.where(or_(Event.level.in_(levels), mine))
    stmt = stmt.order_by(Event.due_at, Event.id).execution_options(yield_per=_TASK_CHUNK)
    keep: list[Event] = []
    for chunk in session.scalars(stmt).partitions():
        rows = list(chunk)
        for r, ok in zip(rows, _visible(rows, user), strict=True):
            if ok and (user.username in (r.assignees or ()) or r.level in levels or user.is_admin):
                keep.append(r)
        if len(keep) >= limit:
            break
    return keep[:limit]


def list_events(
    session: Session,
    *,
    user: Principal,
    start: datetime | None = None,
    end: datetime | None = None,
    category: str | None = None,
    states: list[str] | None = None,
) -> list[Event]:
    matching = store.EventFilter(states=states, start=start, end=end, category=category)
    stmt = store.select_events(visible=_seen(session, user), matching=matching)
    rows = list(session.scalars(stmt.order_by(Event.received_at, Event.id)))
    return [r for r, ok in zip(rows, _visible(rows, user), strict=True) if ok]


def page_events(
    session: Session,
    *,
    user: Principal,
    limit: int,
    offset: int = 0,
    start: datetime | None = None,
    end: datetime | None = None,
    category: str | None = None,
    states: list[str] | None = None,
    grid_id: str | None = None,
) -> tuple[int, list[Event]]:
    """How many events :func:`list_events` gives (with ``grid_id``: of that grid), and
    the page ``[offset, offset + limit)`` of them.

    PostGIS counts and pages by the reader's whole rule (as does either database for a
    reader who sees everything); on SQLite the rule runs where the database cannot decide
    (:func:`api.store.events.page_by_rule`).  Either way only the page's events are loaded
    as objects (a list of every event took one ORM object per event however small the
    page).
    """
    visible = _seen(session, user)
    matching = store.EventFilter(
        states=states, start=start, end=end, category=category, grid_id=grid_id
    )
    if visible is None or store.exact_in_sql(session.get_bind().dialect.name):
        return store.page_in_sql(
            session, visible=visible, limit=limit, offset=offset, matching=matching
        )
    total, ids = store.page_by_rule(
        session, policy=Jurisdiction.of(user), username=user.username, visible=visible,
        limit=limit, offset=offset, matching=matching,
    )  # fmt: skip
    return total, store.events_by_id(session, ids)


def grid_counts(
    session: Session, *, user: Principal, start: datetime, end: datetime
) -> list[dict[str, object]]:
    """The map-safe form of events: counts per grid and category (no point, no person)."""
    rows = list_events(session, user=user, start=start, end=end)
    frame = pd.DataFrame(
        {"grid_id": [r.grid_id or "" for r in rows], "category": [r.category for r in rows]}
    )
    counts = frame.groupby(["grid_id", "category"]).size().rename("events").reset_index()
    return [
        {str(k): v for k, v in r.items()} for r in counts.astype({"events": int}).to_dict("records")
    ]


def record_zero_report(
    session: Session, *, user: Principal, day: date, grid_id: str | None
) -> ZeroReport:
    """零报告: once per grid worker (or head) and day, for one of their grids."""
    if user.role not in ("grid_worker", "grid_head"):
        raise PermissionDenied(
            "只有网格员、网格长可做零报告 / only grid workers and heads file zero reports"
        )
    grid = grid_id or (user.area_ids[0] if user.area_ids else None)
    if grid is None or grid not in user.area_ids:
        raise PermissionDenied(f"网格 {grid!r} 不是您的网格 / grid {grid!r} is not yours")
    taken = session.scalar(
        select(ZeroReport).where(ZeroReport.reporter == user.username, ZeroReport.day == day)
    )
    if taken is not None:
        raise ConflictError(f"{day} 已做过零报告 / a zero report for {day} exists already")
    row = ZeroReport(reporter=user.username, grid_id=grid, day=day)
    session.add(row)
    audit.record(
        session, username=user.username, action="event.zero_report", target=grid, day=str(day)
    )
    session.flush()
    return row


def figures(
    session: Session,
    *,
    user: Principal,
    by: Literal["grid", "community", "street", "station", "person"],
    start: datetime,
    end: datetime,
    zone: tzinfo = UTC,
) -> EventFigures:
    """Closure rate, overdue, response/handling times and zero reports in the user's view.

    A zero report is for a local day (``zone``): it counts in a period that holds the
    day's local midnight, so a 00:00–24:00 Beijing-time day is one day, not two half days.
    """
    rows = list_events(session, user=user, start=start, end=end)
    zero = _zero_frame(session, user=user, start=start, end=end, zone=zone)
    return event_figures(store.events_frame(rows), by=by, start=start, end=end, zero_reports=zero)


def _zero_frame(
    session: Session, *, user: Principal, start: datetime, end: datetime, zone: tzinfo
) -> pd.DataFrame | None:
    first, last = _local(start, zone).date(), _local(end, zone).date()
    stmt = select(ZeroReport).where(ZeroReport.day >= first, ZeroReport.day <= last)
    rows = list(session.scalars(stmt))
    if not rows:
        return None
    frame = pd.DataFrame(
        {
            "reporter": [r.reporter for r in rows],
            "grid_id": [r.grid_id for r in rows],
            "day": pd.to_datetime(
                [datetime.combine(r.day, time.min, zone).astimezone(UTC) for r in rows]
            ),
        }
    )
    setup = load_setup(session)
    areas = grid_areas(session, setup, list(frame.grid_id))
    frame = frame.merge(areas, on="grid_id", how="left")
    if user.is_admin or user.role == "commander":
        return frame
    return frame[frame.grid_id.isin(_grids_in_view(session, user, setup))]


def _local(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` on the clock of ``zone`` (a naive moment is UTC, as the API reads it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def _grids_in_view(session: Session, user: Principal, setup: EventSetup) -> set[str]:
    page = read_features(session, setup.layers["grid"], FeatureQuery(policy=Jurisdiction.of(user)))
    return set(page.frame["id"].astype(str))


def _seen(session: Session, user: Principal) -> ColumnElement[bool] | None:
    dialect = session.get_bind().dialect.name
    return store.seen_by(Jurisdiction.of(user), user.username, dialect=dialect)


def _visible(rows: list[Event], user: Principal) -> np.ndarray:
    return store.visible_mask(rows, policy=Jurisdiction.of(user), username=user.username)


def _to_wgs84(report: Report) -> tuple[float, float]:
    lon, lat = report.lon, report.lat
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ConfigError(f"坐标无效 / invalid coordinates ({lon}, {lat})")
    if report.crs == "gcj02":
        x, y = gcj02_to_wgs84(lon, lat)
        return float(np.asarray(x)), float(np.asarray(y))
    return float(lon), float(lat)


def _received_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    at = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if at > now + _FUTURE_SLACK or at < now - timedelta(days=400):
        raise ConfigError(
            f"受理时间 {at.isoformat()} 不合理 / "
            f"received_at {at.isoformat()} is in the future or over a year ago"
        )
    return at


def _event_id(client_id: str | None, username: str) -> str:
    """A new id; a phone's own id (an offline report) makes a resend land on the same event."""
    if client_id is None:
        return f"EV{uuid.uuid4().hex[:16]}"
    name = f"beatgrid-event:{username}:{client_id}"
    return "EV" + uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:16]
