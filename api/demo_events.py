"""Load the demo district's year of events (事件流转) and its grid staff into the service.

The generator wrote ``events.csv`` (one row per event, its current state), ``event_transitions.csv``
(every step: who, when, why) and ``grid_staff.csv`` (grid workers and heads); the event
setup routes new events with the stored demo layers and the officers plus the staff.
Each file is read through :func:`gis.io.read_plain` (text; numbers converted here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import insert
from sqlalchemy.orm import Session

from api.event_models import Event, EventTransition
from api.models import Layer
from api.services.event_setup import save_setup
from gis.district import District
from gis.events.routing import ROUTED_KINDS
from gis.io import read_plain

_TIMES = ("received_at", "responded_at", "closed_at", "due_at")
_COLUMNS = ["officer_id", "role", "area_kind", "area_id"]


def import_events(session: Session, district: District, *, layer_id: Callable[[str], str]) -> int:
    """Set up routing and insert the demo events once; how many were inserted."""
    paths = district.tables
    if "event" not in paths or session.query(Event.id).limit(1).first() is not None:
        return 0
    staff = read_plain(paths["grid_staff"], columns=tuple(_COLUMNS))
    officers = district.assignments if district.assignments is not None else staff.iloc[:0]
    people = pd.concat([officers[_COLUMNS].astype(str), staff[_COLUMNS]], ignore_index=True)
    layers = {k: layer_id(k) for k in ROUTED_KINDS if session.get(Layer, layer_id(k)) is not None}
    records = [{str(k): v for k, v in r.items()} for r in people.to_dict("records")]
    save_setup(session, layers=layers, assignments=records, actor="demo")
    events = read_plain(paths["event"]).astype({"version": int, "lon": float, "lat": float})
    session.execute(insert(Event), [_event_row(dict(r)) for r in events.to_dict("records")])
    steps = read_plain(paths["event_transition"]).astype({"seq": int})
    session.execute(insert(EventTransition), [_step_row(dict(r)) for r in steps.to_dict("records")])
    return len(events)


def _event_row(r: dict[Any, Any]) -> dict[str, Any]:
    row = {k: (None if pd.isna(v) else v) for k, v in r.items()}
    for column in _TIMES:
        row[column] = (
            None if row[column] is None else pd.Timestamp(str(row[column])).to_pydatetime()
        )
    row["assignees"] = [a for a in str(row["assignees"] or "").split(";") if a]
    row["geom"] = shapely.Point(row["lon"], row["lat"])
    row.pop("escalations"), row.pop("returned")
    return row


def _step_row(r: dict[Any, Any]) -> dict[str, Any]:
    row = {k: (None if pd.isna(v) or v == "" else v) for k, v in r.items()}
    row["at"] = pd.Timestamp(str(row["at"])).to_pydatetime()
    row["reason"] = row["reason"] or ""
    return row
