"""Load a generated demo district into the service database and create demo users.

``seed_demo(settings, manifest_path)`` is what ``make demo`` calls before it starts the
service; it prints nothing (``progress`` is told each step) and returns the logins: users
whose jurisdictions differ, so the access policy is visible in the demo.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from api import db
from api.auth import Role, create_user, get_user, set_password
from api.demo_events import import_events
from api.models import Incident, Layer
from api.settings import Settings
from api.store.incidents import create_incidents
from api.store.layers import create_layer
from gis.district import District, load_district
from gis.errors import NotFoundError

STORED_KINDS = (
    "street", "community", "grid", "joint_point", "station", "beat", "aux_beat",
    "building", "address", "road",
)  # fmt: skip
"""Layers served as maps (the demo's roads are generated, and say so in their ``source``);
incidents go to their own table; GPS tracks are not loaded."""


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str
    area: str


Step = Callable[[str], None]


def seed_demo(
    settings: Settings, manifest_path: str | Path, *, progress: Step = lambda _: None
) -> list[DemoLogin]:
    """Import the demo district (idempotent) and (re)set the demo users.

    Layers are stored under their kind's plural name (``grids``, ``beats`` …) as version 1
    by ``demo``; a second run keeps them (and any later versions) and only issues fresh
    passwords.  ``progress`` is called with a short bilingual line before each step.
    """
    engine = db.make_engine(settings)
    progress("database schema / 数据库结构")
    db.upgrade(engine)
    progress("reading the demo layers / 读取演示图层")
    district = load_district(manifest_path, to_crs=4326)
    try:
        with db.transaction(db.session_factory(engine)) as session:
            _import_layers(session, district, progress)
            _import_incidents(session, district, progress)
            progress("events / 事件")
            import_events(session, district, layer_id=layer_id)
            progress("demo users / 演示用户")
            return _users(session, district)
    finally:
        engine.dispose()


def layer_id(kind: str) -> str:
    return {"address": "addresses", "community": "communities"}.get(kind, f"{kind}s")


def _import_layers(session: Session, district: District, progress: Step) -> None:
    for kind in STORED_KINDS:
        frame = district.get(kind)
        if not isinstance(frame, gpd.GeoDataFrame):
            continue
        if session.get(Layer, layer_id(kind)) is not None:
            progress(f"layer {layer_id(kind)}: already stored / 已入库")
            continue
        progress(f"layer {layer_id(kind)}: {len(frame)} features / 个要素")
        title = f"{district.name} · {kind}"
        create_layer(
            session, frame, layer_id=layer_id(kind), kind=kind, title=title,
            source_crs=str(district.crs), author="demo", reason="demo district import",
        )  # fmt: skip


def _import_incidents(session: Session, district: District, progress: Step) -> None:
    frame = district.incidents
    if frame is None or session.query(Incident.id).limit(1).first() is not None:
        return
    progress(f"incidents: {len(frame)} / 警情 {len(frame)} 条")
    table = pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "time": list(pd.to_datetime(frame["time"]).dt.to_pydatetime()),
            "category": frame["category"].astype(str),
            "status": frame.get("status"),
            "address": frame.get("address"),
            "persons": None,
            "lon": frame.geometry.x,
            "lat": frame.geometry.y,
        }
    ).astype(object)
    records: list[dict[str, Any]] = table.where(table.notna(), None).to_dict(orient="records")  # type: ignore[assignment]
    grid = layer_id("grid") if session.get(Layer, layer_id("grid")) else None
    create_incidents(session, records, author="demo", policy=None, grid_layer=grid)


def _users(session: Session, district: District) -> list[DemoLogin]:
    """One user per role, and several whose areas differ: two officers of different beats,
    two community workers, the street office, the commander (the whole district)."""
    everything = shapely.union_all(
        [f.geometry.union_all() for f in (district.streets, district.stations) if f is not None]
    )
    plan: list[tuple[Role, str, str, shapely.Geometry | None]] = [
        ("admin", "demo-admin", "all / 全部", None),
        ("commander", "demo-commander", "the whole district / 全辖区", everything),
        ("station", "demo-station", *_area(district.stations, 0)),
        ("station", "demo-beat-1", *_area(district.beats, 0)),
        ("station", "demo-beat-2", *_area(district.beats, -1)),
        ("street_office", "demo-street", *_area(district.streets, 0)),
        ("street_office", "demo-community-1", *_area(district.communities, 0)),
        ("street_office", "demo-community-2", *_area(district.communities, -1)),
        *_field_users(district),
    ]
    logins = []
    for role, name, area, geom in plan:
        password = secrets.token_urlsafe(9)
        try:
            user = get_user(session, name)
            set_password(session, name, password, actor="demo")
            user.jurisdiction = geom
        except NotFoundError:
            create_user(
                session,
                username=name,
                password=password,
                role=role,
                jurisdiction=geom,
                area_ids=_grid_ids(role, area),
                actor="demo",
            )
        logins.append(DemoLogin(role, name, password, area))
    return logins


def _field_users(district: District) -> list[tuple[Role, str, str, shapely.Geometry | None]]:
    """The first grid's worker and head (网格员、网格长), named as in the grid staff."""
    grids = district.grids
    if grids is None or grids.empty or "event" not in district.tables:
        return []
    row = grids.sort_values("id").iloc[0]
    gid = str(row["id"])
    return [
        ("grid_worker", f"wg{gid}", gid, row.geometry),
        ("grid_head", f"wz{gid}", gid, row.geometry),
    ]


def _grid_ids(role: Role, area: str) -> list[str]:
    return [area] if role in ("grid_worker", "grid_head") else []


def _area(frame: gpd.GeoDataFrame | None, position: int) -> tuple[str, shapely.Geometry | None]:
    """The label and geometry of the feature at ``position`` in id order."""
    if frame is None or frame.empty:
        return "-", None
    row = frame.sort_values("id").iloc[position]
    return f"{row['id']} {row.get('name', '')}".strip(), row.geometry
