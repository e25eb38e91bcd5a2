"""Tables of the event flow (事件流转) and field work: events, their transitions,
attachments, zero reports (零报告), field logs (走访 / 到点) and the event setup.

An event is versioned like a layer: ``version`` counts its transitions and every
transition is kept (``event_transitions``, one row per version, unique per event and
``seq``), so each past state stays readable and two writers from the same base version
cannot both succeed.  Events hold personal data (address, description, reporter,
photos): they are never served as tiles or OGC features.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.geometry import GeometryType
from api.models import Base, utcnow


class EventSetup(Base):
    """Which stored layers route events, and the officer assignments (one row, id 1)."""

    __tablename__ = "event_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    assignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_lonlat", "lon", "lat"),
        Index("ix_events_state_due", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geom: Mapped[BaseGeometry] = mapped_column(GeometryType())
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(80))
    grid_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    community_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    street_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    beat_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    aux_beat_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    station_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assignees: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventTransition(Base):
    __tablename__ = "event_transitions"
    __table_args__ = (UniqueConstraint("event_id", "seq", name="uq_event_transitions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    from_level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_level: Mapped[str] = mapped_column(String(20))


class EventAttachment(Base):
    __tablename__ = "event_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    gps_kept: Mapped[bool] = mapped_column(default=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ZeroReport(Base):
    """A grid worker's "nothing to report today" (零报告), once per person and day."""

    __tablename__ = "zero_reports"
    __table_args__ = (UniqueConstraint("reporter", "day", name="uq_zero_reports_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter: Mapped[str] = mapped_column(String(80))
    grid_id: Mapped[str] = mapped_column(String(200), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FieldLog(Base):
    """A household visit (走访) at a standard address or a check-in (到点) at a
    joint-defense point, from a phone."""

    __tablename__ = "field_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    username: Mapped[str] = mapped_column(String(80), index=True)
    layer_id: Mapped[str] = mapped_column(String(80))
    target_id: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
