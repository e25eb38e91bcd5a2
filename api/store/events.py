"""Event rows: read as :class:`gis.events.EventState`, write a new state, query by access.

A write is a compare-and-set on the event's ``version``: the UPDATE only matches the
version the writer read, and the transition row's (event, seq) is unique, so of two
writers from the same base version exactly one wins and the other gets ConflictError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Row, Select, Text, and_, cast, func, not_, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import core_rows
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
    """What a reader sees, as the database can tell it (None: everything).

    Inside the jurisdiction or assigned to the reader.  On PostGIS this is the exact rule
    (:func:`exact_in_sql`): the policy's own clause on the GiST index, and the reader's
    name among the assignees (``jsonb ?``).  On SQLite it is a first cut (the
    jurisdiction's bounding box on the lon/lat index, the name in the JSON text) and
    :func:`visible_mask` applies the exact rule to what comes back.
    """
    if policy.unrestricted:
        return None
    mine = assigned_to(username, dialect=dialect)
    if policy.nowhere:
        return mine
    if dialect == "postgresql":
        inside = policy.sql(Event.geom)
    else:
        x0, y0, x1, y1 = policy.bounds() or (-180.0, -90.0, 180.0, 90.0)
        inside = and_(Event.lon.between(x0, x1), Event.lat.between(y0, y1))
    return or_(inside, mine) if inside is not None else None


def assigned_to(username: str, *, dialect: str) -> ColumnElement[bool]:
    """The reader's name among an event's assignees: exact on PostGIS (``jsonb ?``, parsed
    only where the text holds the name), a first cut on SQLite (the name in the JSON text;
    ``username in row.assignees`` decides)."""
    # the name as the column holds it (json.dumps: quoted, non-ASCII escaped), LIKE-escaped
    name = json.dumps(username).replace("\\", "\\\\").replace("%", "\\%")
    name = name.replace("_", "\\_")
    mine: ColumnElement[bool] = cast(Event.assignees, Text).like(f"%{name}%", escape="\\")
    if dialect == "postgresql":
        mine = and_(mine, cast(Event.assignees, JSONB).has_key(username))
    return mine


_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class EventFilter:
    """Which events, besides who reads them: their states, ``received_at`` in
    ``[start, end)``, a category, a grid (None: any)."""

    states: Sequence[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    category: str | None = None
    grid_id: str | None = None

    def where(self, stmt: _S) -> _S:
        """``stmt`` narrowed to these events."""
        if self.states is not None:
            stmt = stmt.where(Event.state.in_(self.states))
        if self.start is not None:
            stmt = stmt.where(Event.received_at >= self.start)
        if self.end is not None:
            stmt = stmt.where(Event.received_at < self.end)
        if self.category is not None:
            stmt = stmt.where(Event.category == self.category)
        if self.grid_id is not None:
            stmt = stmt.where(Event.grid_id == self.grid_id)
        return stmt


ANY = EventFilter()


def select_events(
    *, visible: ColumnElement[bool] | None = None, matching: EventFilter = ANY
) -> Select[Event]:
    """The events ``visible`` lets through (:func:`seen_by`; None: all) and ``matching``."""
    return _where(select(Event), visible, matching)


def _where(stmt: _S, visible: ColumnElement[bool] | None, matching: EventFilter) -> _S:
    return matching.where(stmt if visible is None else stmt.where(visible))


_KEYS = (Event.id, Event.lon, Event.lat, cast(Event.assignees, Text))
"""What the reader's exact rule reads of an event; the assignees as the stored JSON text."""


def page_by_rule(
    session: Session,
    *,
    policy: Jurisdiction,
    username: str,
    visible: ColumnElement[bool] | None,
    limit: int,
    offset: int = 0,
    matching: EventFilter = ANY,
) -> tuple[int, list[str]]:
    """How many events a reader sees (the rule of :func:`visible_mask`) among the
    database's first cut ``visible`` (:func:`seen_by`) and ``matching``, and the ids of
    the page ``[offset, offset + limit)`` of them in ``(received_at, id)`` order.

    For SQLite, where the first cut is not the rule; no ORM object is made, and the
    assignees' JSON is parsed only where the reader's name occurs in it.  Up to
    :data:`_IN_MEMORY` events in the first cut, they are read once and sorted here.  More
    (a district's commander): an event in a box of the jurisdiction's interior is inside
    without a test, so the database counts the first cut and the rule runs only on the
    others; then the page is read along the time index a chunk at a time until it is full.
    """
    keys = _where(select(*_KEYS), visible, matching)
    few = keys.add_columns(Event.received_at).limit(_IN_MEMORY + 1)
    rows = core_rows(session, few, {}).all()
    if len(rows) <= _IN_MEMORY:  # all of them: walking the time index would read the table
        ids = _seen_in(sorted(rows, key=lambda r: (r[-1], r[0])), policy, username)
        return len(ids), ids[offset : offset + limit]
    total = int(session.scalar(select(func.count()).select_from(keys.subquery())) or 0)
    sure = policy.interior_clause(Event.lon, Event.lat)
    for chunk in _chunks(session, keys.where(not_(sure))):
        total -= len(chunk) - len(_seen_in(chunk, policy, username))
    page: list[str] = []
    if offset >= total:
        return total, page
    ordered = keys.add_columns(sure).order_by(Event.received_at, Event.id)
    skip = offset
    for chunk in _chunks(session, ordered):
        ids = _seen_in(chunk, policy, username, boxed=True)
        page += ids[skip : skip + limit - len(page)]
        skip = max(skip - len(ids), 0)
        if len(page) == limit:
            break
    return total, page


_IN_MEMORY = 2000
"""Up to this many events in the first cut, :func:`page_by_rule` reads them in one go."""
_CHUNK = 2000
"""Rows per read of a long list (:func:`_chunks`)."""


def _chunks(session: Session, stmt: Select[*tuple[Any, ...]]) -> Iterator[Sequence[Row[Any]]]:
    """The statement's rows, ``_CHUNK`` at a time (streamed: reading may stop early)."""
    result = core_rows(session, stmt.execution_options(yield_per=_CHUNK), {})
    yield from result.partitions()


def _seen_in(
    rows: Sequence[Row[Any]], policy: Jurisdiction, username: str, *, boxed: bool = False
) -> list[str]:
    """The ids of the rows (:data:`_KEYS`, then more columns) that the reader sees, in the
    rows' order; ``boxed``: the fifth column says the event is in a box of the interior."""
    if not rows:
        return []
    ids, lon, lat, assignees, *more = zip(*rows, strict=True)
    seen = policy.mask(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    if boxed:
        seen |= np.asarray(more[0], dtype=bool)
    seen |= _assigned(assignees, username)
    return [i for i, ok in zip(ids, seen, strict=True) if ok]


def _assigned(texts: Sequence[str | None], username: str) -> np.ndarray:
    """Per stored assignee list (JSON text), whether it holds ``username``: a substring
    test first (the name as stored, escaped or not), the parse only where it passes."""
    escaped = json.dumps(username)
    return np.array(
        [
            t is not None and (escaped in t or username in t) and username in (json.loads(t) or ())
            for t in texts
        ],
        dtype=bool,
    )


def exact_in_sql(dialect: str) -> bool:
    """Whether :func:`seen_by` is the reader's whole rule (PostGIS), not a first cut."""
    return dialect == "postgresql"


def page_in_sql(
    session: Session,
    *,
    visible: ColumnElement[bool] | None,
    limit: int,
    offset: int = 0,
    matching: EventFilter = ANY,
) -> tuple[int, list[Event]]:
    """How many events match and the page ``[offset, offset + limit)`` of them in
    ``(received_at, id)`` order, both decided by the database (``visible`` exact:
    :func:`exact_in_sql`).

    The ids of up to :data:`_IN_MEMORY` matches are read first, in one scan: a grid
    worker's few events cost one scan instead of a count and a walk of the time index.
    """
    page = select_events(visible=visible, matching=matching).order_by(Event.received_at, Event.id)
    few = page.with_only_columns(Event.id).limit(_IN_MEMORY + 1)
    ids = list(session.scalars(few))
    if len(ids) <= _IN_MEMORY:
        return len(ids), events_by_id(session, ids[offset : offset + limit])
    total = session.scalar(select(func.count()).select_from(page.order_by(None).subquery()))
    return int(total or 0), list(session.scalars(page.offset(offset).limit(limit)))


def events_by_id(session: Session, ids: Sequence[str]) -> list[Event]:
    """The events of ``ids``, in that order."""
    if not ids:
        return []
    found = {r.id: r for r in session.scalars(select(Event).where(Event.id.in_(ids)))}
    return [found[i] for i in ids]


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
