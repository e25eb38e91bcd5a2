"""Field work from a phone: household visits (走访) at a nearby standard address, check-ins
(到点) at a joint-defense point, and today's patrol list (巡查).

Visits and check-ins are refused when the phone is farther than ``max_m`` from the
address or point: the record says the worker was there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.event_models import FieldLog
from api.policy import Jurisdiction
from api.services.event_setup import load_setup
from api.store import audit
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.events.nearby import nearest

SEARCH_DEG = 0.01
"""Half-width of the box read around the phone (about 1 km): candidates beyond it are far."""


@dataclass(frozen=True)
class Nearby:
    id: str
    name: str
    distance_m: float


def _layer(session: Session, kind: str) -> str:
    layer = load_setup(session).layers.get(kind)
    if layer is None:
        raise ConfigError(f"事件配置缺少 {kind} 图层 / the event setup names no {kind} layer")
    return layer


def _around(
    session: Session, kind: str, lon: float, lat: float, user: Principal
) -> gpd.GeoDataFrame:
    query = FeatureQuery(
        bbox=(lon - SEARCH_DEG, lat - SEARCH_DEG, lon + SEARCH_DEG, lat + SEARCH_DEG),
        policy=Jurisdiction.of(user),
    )
    return read_features(session, _layer(session, kind), query).frame


def nearby(
    session: Session, kind: str, *, lon: float, lat: float, user: Principal, limit: int = 5
) -> list[Nearby]:
    """The nearest addresses or joint-defense points in the user's area, nearest first."""
    frame = _around(session, kind, lon, lat, user)
    found = nearest(frame, lon, lat, limit=limit)
    names = _names(frame)
    return [
        Nearby(i, names.get(i, i), round(float(d), 1))
        for i, d in zip(found.id, found.distance_m, strict=True)
    ]


def _names(frame: gpd.GeoDataFrame) -> dict[str, str]:
    for column in ("address", "name"):
        if column in frame.columns:
            return dict(zip(frame["id"].astype(str), frame[column].astype(str), strict=True))
    return {}


def log_field(
    session: Session,
    kind: str,
    *,
    target_id: str,
    lon: float,
    lat: float,
    user: Principal,
    max_m: float,
    note: str = "",
) -> FieldLog:
    """Record a visit (kind ``address``) or a check-in (``joint_point``) within ``max_m``."""
    frame = _around(session, kind, lon, lat, user)
    frame = frame[frame["id"].astype(str) == target_id]
    word = {
        "address": ("标准地址", "standard address"),
        "joint_point": ("联防联控点", "joint-defense point"),
    }[kind]
    if frame.empty:
        raise ConfigError(
            f"附近没有{word[0]} {target_id!r} / no {word[1]} {target_id!r} near you in your area"
        )
    distance = float(nearest(frame, lon, lat, limit=1).distance_m.iloc[0])
    if distance > max_m:
        raise ConfigError(
            f"距{word[0]} {target_id} {distance:.0f} 米，超过 {max_m:g} 米，不能签到 / "
            f"you are {distance:.0f} m from {word[1]} {target_id}, farther than {max_m:g} m"
        )
    row = FieldLog(
        kind="visit" if kind == "address" else "checkin",
        username=user.username,
        layer_id=_layer(session, kind),
        target_id=target_id,
        lon=lon,
        lat=lat,
        distance_m=round(distance, 1),
        note=note,
    )
    session.add(row)
    audit.record(session, username=user.username, action=f"field.{row.kind}", target=target_id)
    session.flush()
    return row


def patrol_list(session: Session, *, user: Principal, now: datetime) -> pd.DataFrame:
    """Today's joint-defense points in the user's area: id, name, checked (today, UTC day)."""
    policy = Jurisdiction.of(user)
    query = FeatureQuery(bbox=None if policy.nowhere else policy.bounds(), policy=policy)
    frame = read_features(session, _layer(session, "joint_point"), query).frame
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stmt = select(FieldLog.target_id).where(
        FieldLog.username == user.username,
        FieldLog.kind == "checkin",
        FieldLog.at >= day,
        FieldLog.at < day + timedelta(days=1),
    )
    done = set(session.scalars(stmt))
    names = _names(frame)
    ids = sorted(frame["id"].astype(str))
    return pd.DataFrame(
        {"id": ids, "name": [names.get(i, i) for i in ids], "checked": [i in done for i in ids]}
    )


__all__ = ["Nearby", "log_field", "nearby", "patrol_list"]
