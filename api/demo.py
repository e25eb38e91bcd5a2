"""Load a generated demo district into the service database and create demo users.

``seed_demo(settings, manifest_path)`` is what ``make demo`` calls before it starts the
service; it prints nothing and returns the logins, one per role.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from api import db
from api.auth import Role, create_user, get_user, set_password
from api.models import Incident, Layer
from api.settings import Settings
from api.store.incidents import create_incidents
from api.store.layers import create_layer
from gis.district import District, load_district
from gis.errors import NotFoundError

STORED_KINDS = (
    "street", "community", "grid", "joint_point", "station", "beat", "aux_beat",
    "building", "address",
)  # fmt: skip
"""Layers served as maps; incidents go to their own table; GPS tracks are not loaded."""


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str
    area: str


def seed_demo(settings: Settings, manifest_path: str | Path) -> list[DemoLogin]:
    """Import the demo district (idempotent) and (re)set one demo user per role.

    Layers are stored under their kind's plural name (``grids``, ``beats`` …) as version 1
    by ``demo``; a second run keeps them and only issues fresh passwords.
    """
    engine = db.make_engine(settings)
    db.upgrade(engine)
    district = load_district(manifest_path, to_crs=4326)
    try:
        with db.transaction(db.session_factory(engine)) as session:
            _import_layers(session, district)
            _import_incidents(session, district)
            return _users(session, district)
    finally:
        engine.dispose()


def layer_id(kind: str) -> str:
    return {"address": "addresses", "community": "communities"}.get(kind, f"{kind}s")


def _import_layers(session: Session, district: District) -> None:
    for kind in STORED_KINDS:
        frame = district.get(kind)
        if not isinstance(frame, gpd.GeoDataFrame):
            continue
        if session.get(Layer, layer_id(kind)) is not None:
            continue
        title = f"{district.name} · {kind}"
        create_layer(
            session, frame, layer_id=layer_id(kind), kind=kind, title=title,
            source_crs=str(district.crs), author="demo", reason="demo district import",
        )  # fmt: skip


def _import_incidents(session: Session, district: District) -> None:
    frame = district.incidents
    if frame is None or session.query(Incident.id).limit(1).first() is not None:
        return
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
    def first(frame: gpd.GeoDataFrame | None) -> tuple[str, shapely.Geometry | None]:
        if frame is None or frame.empty:
            return "-", None
        row = frame.sort_values("id").iloc[0]
        return f"{row['id']} {row.get('name', '')}".strip(), row.geometry

    everything = shapely.union_all(
        [f.geometry.union_all() for f in (district.streets, district.stations) if f is not None]
    )
    plan: list[tuple[Role, str, str, shapely.Geometry | None]] = [
        ("admin", "demo-admin", "all", None),
        ("commander", "demo-commander", "the whole district", everything),
        ("station", "demo-station", *first(district.stations)),
        ("street_office", "demo-street", *first(district.streets)),
    ]
    logins = []
    for role, name, area, geom in plan:
        password = secrets.token_urlsafe(9)
        try:
            get_user(session, name)
            set_password(session, name, password, actor="demo")
        except NotFoundError:
            create_user(
                session,
                username=name,
                password=password,
                role=role,
                jurisdiction=geom,
                actor="demo",
            )
        logins.append(DemoLogin(role, name, password, area))
    return logins
