"""Event rows: read as :class:`gis.events.EventState`, write a new state, query by access.

A write is a compare-and-set on the event's ``version``: the UPDATE only matches the
version the writer read, and the transition row's (event, seq) is unique, so of two
writers from the same base version exactly one wins and the other gets ConflictError.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, Text, and_, cast, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.event_models import Event, EventTransition
from api.policy import Jurisdiction
from gis.errors import ConflictError, NotFoundError
from gis.events import EventState, Transition

AREA_COLUMNS = ("grid_id", "community_id", "street_id", "beat_id", "aux_beat_id", "station_id")


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def transitions(session: Session, event_id: str) -> list[EventTransition]:
    stmt = select(EventTransition).where(EventTransition.event_id == event_id)
    return list(session.scalars(stmt.order_by(EventTransition.seq)))


def state_of(session: Session, row: Event) -> EventState:
    """The machine's view of a stored event, rebuilt from its transitions."""
    history = tuple(
        Transition(
            t.action,  # type: ignore[arg-type]
            t.actor,
            aware(t.at),
            t.reason,
            t.from_state,  # type: ignore[arg-type]
            t.to_state,  # type: ignore[arg-type]
            t.from_level,  # type: ignore[arg-type]
            t.to_level,  # type: ignore[arg-type]
        )
        for t in transitions(session, row.id)
    )
    return EventState(row.id, row.category, row.state, row.level, history)  # type: ignore[arg-type]


def add_steps(
    session: Session, event_id: str, steps: Sequence[Transition], *, first_seq: int
) -> None:
    for k, t in enumerate(steps):
        session.add(
            EventTransition(
                event_id=event_id,
                seq=first_seq + k,
                action=t.action,
                actor=t.actor,
                at=t.at,
                reason=t.reason,
                from_state=t.from_state,
                to_state=t.to_state,
                from_level=t.from_level,
                to_level=t.to_level,
            )
        )


def save_state(
    session: Session,
    row: Event,
    new: EventState,
    *,
    base_version: int,
    values: dict[str, object],
) -> None:
    """Write ``new`` over ``row`` if nobody wrote since ``base_version``; else ConflictError."""
    steps = new.history[base_version:]
    stmt = (
        update(Event)
        .where(Event.id == row.id, Event.version == base_version)
        .values(version=len(new.history), state=new.state, level=new.level, **values)
        .execution_options(synchronize_session=False)
    )
    done = session.execute(stmt)
    if getattr(done, "rowcount", 1) != 1:
        raise stale_error(row.id, base_version)
    add_steps(session, row.id, steps, first_seq=base_version + 1)
    try:
        session.flush()
    except IntegrityError as exc:
        raise stale_error(row.id, base_version) from exc
    session.refresh(row)


def stale_error(event_id: str, base_version: int) -> ConflictError:
    return ConflictError(
        f"事件 {event_id} 已被他人更新（基准版本 {base_version} 已过时），请刷新后重试 / "
        f"event {event_id} changed since version {base_version}: reload and try again"
    )


def get_event(session: Session, event_id: str) -> Event:
    row = session.get(Event, event_id)
    if row is None:
        raise NotFoundError(f"事件 {event_id!r} 不存在 / event {event_id!r} does not exist")
    return row


def visible_mask(rows: Sequence[Event], *, policy: Jurisdiction, username: str) -> np.ndarray:
    """Which rows a reader sees: inside the jurisdiction (:mod:`api.policy`) or assigned to them."""
    inside = policy.mask(np.array([r.lon for r in rows]), np.array([r.lat for r in rows]))
    mine = np.array([username in (r.assignees or ()) for r in rows], dtype=bool)
    return inside | mine


def seen_by(policy: Jurisdiction, username: str, *, dialect: str) -> ColumnElement[bool] | None:
    """The database's first cut of what a reader sees (None: everything).

    Inside the jurisdiction (PostGIS: the policy's own clause on the GiST index; SQLite:
    its bounding box on the lon/lat index) or assigned to the reader; :func:`visible_mask`
    then applies the exact rule to what comes back.
    """
    if policy.unrestricted:
        return None
    # the name as the JSON column holds it (json.dumps: quoted, non-ASCII escaped), LIKE-escaped
    name = json.dumps(username).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    mine = cast(Event.assignees, Text).like(f"%{name}%", escape="\\")
    if policy.nowhere:
        return mine
    if dialect == "postgresql":
        inside = policy.sql(Event.geom)
    else:
        x0, y0, x1, y1 = policy.bounds() or (-180.0, -90.0, 180.0, 90.0)
        inside = and_(Event.lon.between(x0, x1), Event.lat.between(y0, y1))
    return or_(inside, mine) if inside is not None else None


def select_events(
    *,
    visible: ColumnElement[bool] | None = None,
    states: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    category: str | None = None,
) -> Select[Event]:
    stmt = select(Event)
    if visible is not None:
        stmt = stmt.where(visible)
    if states is not None:
        stmt = stmt.where(Event.state.in_(states))
    if start is not None:
        stmt = stmt.where(Event.received_at >= start)
    if end is not None:
        stmt = stmt.where(Event.received_at < end)
    if category is not None:
        stmt = stmt.where(Event.category == category)
    return stmt


def events_frame(rows: Sequence[Event]) -> pd.DataFrame:
    """The rows as the figures want them (times tz-aware UTC)."""
    data = {
        "id": [r.id for r in rows],
        "category": [r.category for r in rows],
        "source": [r.source for r in rows],
        **{c: [getattr(r, c) for r in rows] for c in AREA_COLUMNS},
        "assignees": [list(r.assignees or ()) for r in rows],
        "received_at": [aware(r.received_at) for r in rows],
        "responded_at": [aware(r.responded_at) if r.responded_at else None for r in rows],
        "closed_at": [aware(r.closed_at) if r.closed_at else None for r in rows],
        "due_at": [aware(r.due_at) for r in rows],
    }
    frame = pd.DataFrame(data)
    for column in ("received_at", "responded_at", "closed_at", "due_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
