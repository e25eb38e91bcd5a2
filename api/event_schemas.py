"""Request and response bodies of the event flow (事件流转) routes."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.event_models import Event, EventAttachment, EventTransition
from api.store.events import aware

SetupKind = Literal[
    "grid", "community", "street", "beat", "aux_beat", "station", "address", "joint_point"
]
ActionName = Literal["route", "handle", "close", "follow_up", "return", "escalate"]
SourceName = Literal["网格员上报", "110", "12345", "走访发现", "巡查发现", "其他"]


class AssignmentIn(BaseModel):
    officer_id: str = Field(min_length=1, max_length=80, description="警号 / 用户名")
    role: Literal["officer", "auxiliary", "grid_worker", "grid_head"]
    area_kind: Literal["grid", "community", "street", "beat", "aux_beat", "station", "district"]
    area_id: str = Field(min_length=1, max_length=200)


class EventSetupBody(BaseModel):
    """Which stored layers route events (``grid`` required) and who answers where."""

    layers: dict[SetupKind, str]
    assignments: list[AssignmentIn] = Field(default_factory=list, max_length=100_000)


class AssignmentPublic(BaseModel):
    officer_id: str
    role: str
    area_kind: str
    area_id: str


class EventSetupPublic(BaseModel):
    """The stored event setup: routing layers (kind → layer id) and the assignments."""

    layers: dict[str, str]
    assignments: list[AssignmentPublic]


class EventSetupSaved(BaseModel):
    """What ``PUT /events/setup`` stored: the layers and how many assignments."""

    layers: dict[SetupKind, str]
    assignments: int


class EventCreate(BaseModel):
    """A reported event; ``crs`` says whether a phone sent GCJ-02 (Amap/Tencent) or WGS84."""

    category: str = Field(min_length=1, max_length=40, examples=["矛盾纠纷"])
    description: str = Field(min_length=1, max_length=4000)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    source: SourceName = "网格员上报"
    severity: str | None = Field(default=None, max_length=20, examples=["一般"])
    address: str | None = Field(default=None, max_length=300)
    received_at: datetime | None = Field(
        default=None, description="When it was found (an offline report sent later keeps it)."
    )
    client_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_\-]{8,64}$",
        description="The phone's id for this report: sending it twice makes one event.",
    )


class TransitionBody(BaseModel):
    action: ActionName
    base_version: int = Field(
        ge=1, le=2**31 - 1, description="The version you read (409 if stale)."
    )
    reason: str = Field(default="", max_length=2000)


class ZeroReportBody(BaseModel):
    day: date | None = Field(default=None, description="Default: today (UTC).")
    grid_id: str | None = Field(default=None, max_length=200)


class TransitionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    action: str
    actor: str
    at: datetime
    reason: str
    from_state: str | None
    to_state: str
    from_level: str | None
    to_level: str


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    gps_kept: bool
    uploaded_by: str
    uploaded_at: datetime


class EventPublic(BaseModel):
    id: str
    version: int
    source: str
    category: str
    severity: str | None
    state: str
    level: str
    lon: float
    lat: float
    address: str | None
    description: str
    reporter: str
    grid_id: str | None
    community_id: str | None
    street_id: str | None
    beat_id: str | None
    aux_beat_id: str | None
    station_id: str | None
    assignees: list[str]
    received_at: datetime
    responded_at: datetime | None
    closed_at: datetime | None
    due_at: datetime
    overdue: bool


class EventList(BaseModel):
    """One page of events in the reader's view; ``numberMatched`` counts them all."""

    numberMatched: int
    events: list[EventPublic]


class Escalated(BaseModel):
    escalated: list[str] = Field(description="ids of the events moved up a level")


class ZeroReportPublic(BaseModel):
    reporter: str
    grid_id: str | None
    day: date


FigureValue = str | int | float | None


class EventFiguresPublic(BaseModel):
    """办结率, overdue, response / handling hours and 零报告 per group (null: no events)."""

    by: str
    start: datetime
    end: datetime
    rows: list[dict[str, FigureValue]]
    total: dict[str, FigureValue]


class GridCount(BaseModel):
    grid_id: str
    category: str
    events: int


class GridCounts(BaseModel):
    """The map-safe form: event counts per grid and category; no point, address or person."""

    counts: list[GridCount]


class AttachmentSaved(BaseModel):
    id: int
    size: int
    content_type: str
    gps_kept: bool


class NearbyPublic(BaseModel):
    """A standard address or joint-defense point near the phone, in metres."""

    id: str
    name: str
    distance_m: float


class FieldLogPublic(BaseModel):
    """A stored visit (走访) or check-in (到点)."""

    kind: str
    target_id: str
    distance_m: float


class PatrolPoint(BaseModel):
    """A joint-defense point of today's patrol list and whether you checked in."""

    id: str
    name: str
    checked: bool


class EventDetail(EventPublic):
    transitions: list[TransitionPublic]
    attachments: list[AttachmentPublic]


def event_public(row: Event, *, now: datetime) -> EventPublic:
    due = aware(row.due_at)
    fields = {k: getattr(row, k) for k in EventPublic.model_fields if k != "overdue"}
    return EventPublic(
        **fields, overdue=row.state in ("received", "routed", "handling") and now > due
    )


def event_detail(
    row: Event, steps: list[EventTransition], files: list[EventAttachment], *, now: datetime
) -> EventDetail:
    return EventDetail(
        **event_public(row, now=now).model_dump(),
        transitions=[TransitionPublic.model_validate(t) for t in steps],
        attachments=[AttachmentPublic.model_validate(a) for a in files],
    )


def json_number(value: Any) -> Any:
    """NaN (no events) as null in JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value
