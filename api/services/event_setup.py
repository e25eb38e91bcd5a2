"""The event setup: which stored layers route events, and the officer assignments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from api.event_models import EventSetup
from api.store import audit
from api.store.layers import get_layer
from api.store.locate import locate_points
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.events import Routing
from gis.events.routing import ROLES, ROUTED_KINDS

SETUP_ID = 1
FIELD_KINDS = ("address", "joint_point")
"""Layers the field pages use: standard addresses (走访) and joint-defense points (到点)."""


def save_setup(
    session: Session,
    *,
    layers: Mapping[str, str],
    assignments: Sequence[Mapping[str, Any]],
    actor: str,
) -> EventSetup:
    """Store which layers route events (``grid`` required) and who is assigned where."""
    unknown = sorted(set(layers) - set(ROUTED_KINDS) - set(FIELD_KINDS))
    if unknown or "grid" not in layers:
        known = ", ".join(ROUTED_KINDS + FIELD_KINDS)
        raise ConfigError(
            f"事件路由图层须含 grid，可用：{known}（未知：{unknown}） / "
            f"routing layers need 'grid', known: {known} (unknown: {unknown})"
        )
    for kind, layer_id in layers.items():
        if get_layer(session, layer_id).kind != kind:
            raise ConfigError(f"layers.{kind}: layer {layer_id!r} is not a {kind} layer")
    for k, a in enumerate(assignments, start=1):
        if a.get("role") not in ROLES:
            raise ConfigError(f"assignments row {k} field 'role': {a.get('role')!r} not in {ROLES}")
    row = session.get(EventSetup, SETUP_ID) or EventSetup(id=SETUP_ID)
    row.layers, row.assignments, row.updated_by = (
        dict(layers),
        [dict(a) for a in assignments],
        actor,
    )
    session.add(row)
    audit.record(session, username=actor, action="events.setup", target="event_setup", **layers)
    return row


def load_setup(session: Session) -> EventSetup:
    row = session.get(EventSetup, SETUP_ID)
    if row is None:
        raise ConfigError(
            "事件尚未配置：管理员须先设定路由图层（PUT /events/setup） / "
            "events are not set up: an admin must PUT /events/setup first"
        )
    return row


def assignments_frame(setup: EventSetup) -> pd.DataFrame:
    columns = ["officer_id", "role", "area_kind", "area_id"]
    frame = pd.DataFrame(setup.assignments, columns=columns)
    return frame.astype({"officer_id": str, "area_id": str}) if len(frame) else frame


def route_point(session: Session, setup: EventSetup, lon: float, lat: float) -> Routing:
    """The areas of the stored layers a WGS84 point lies in; ConfigError outside every grid."""
    found = {
        f"{kind}_id": locate_points(session, layer_id, np.array([lon]), np.array([lat])).ids[0]
        for kind, layer_id in setup.layers.items()
        if kind in ROUTED_KINDS
    }
    routing = Routing.from_row(found)
    if routing.grid_id is None:
        raise ConfigError(
            f"位置 ({lon:.6f}, {lat:.6f}) 不在任何网格内 / "
            f"the location ({lon:.6f}, {lat:.6f}) lies in no grid of layer {setup.layers['grid']!r}"
        )
    return routing


def grid_areas(session: Session, setup: EventSetup, grid_ids: Sequence[str]) -> pd.DataFrame:
    """Per grid id, the areas of its representative point (to count zero reports upward)."""
    ids = sorted(set(grid_ids))
    page = read_features(session, setup.layers["grid"], FeatureQuery(fids=tuple(ids)))
    points = page.frame.geometry.representative_point()
    rows = {"grid_id": list(page.frame["id"].astype(str))}
    for kind, layer_id in setup.layers.items():
        if kind in ROUTED_KINDS and kind != "grid":
            rows[f"{kind}_id"] = list(locate_points(session, layer_id, points.x, points.y).ids)
    return pd.DataFrame(rows)
