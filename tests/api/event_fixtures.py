"""The event-flow district on the four test grids, its users and a photo maker.

::

    32.02 +------+------+     communities C1 = G1 ∪ G3, C2 = G2 ∪ G4; street S1 = all
          |  G3  |  G4  |     beats B1 = G1 ∪ G2 (officer JY1), B2 = G3 ∪ G4
    32.01 +------+------+     aux beats A1..A4 = G1..G4 (auxiliary FJ1 in A1)
          |  G1  |  G2  |     grid worker wg1 and grid head wz1 in G1;
    32.00 +------+------+     community C1's head sq1 (a street-office user over C1)
        118.70 118.71 118.72
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import geopandas as gpd
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from api.auth import create_user
from api.models import User
from tests.api.service_fixtures import CELLS, PASSWORD, upload

EVENT_USERS: dict[str, tuple[str, list[str]]] = {
    "wg1": ("grid_worker", ["G1"]),
    "wz1": ("grid_head", ["G1"]),
    "JY1": ("station", ["G1", "G2"]),
    "sq1": ("street_office", ["G1", "G3"]),
}
ASSIGNMENTS = [
    {"officer_id": "JY1", "role": "officer", "area_kind": "beat", "area_id": "B1"},
    {"officer_id": "FJ1", "role": "auxiliary", "area_kind": "aux_beat", "area_id": "A1"},
    {"officer_id": "wg1", "role": "grid_worker", "area_kind": "grid", "area_id": "G1"},
    {"officer_id": "wz1", "role": "grid_head", "area_kind": "grid", "area_id": "G1"},
    {"officer_id": "sq1", "role": "grid_head", "area_kind": "community", "area_id": "C1"},
]
G1_POINT = (118.705, 32.005)


def _layer(parts: dict[str, list[str]], parents: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    geoms = [shapely.union_all([CELLS[g] for g in grids]) for grids in parts.values()]
    data: dict[str, Any] = {"id": list(parts)}
    if parents is not None:
        data["parent_id"] = [parents[k] for k in parts]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326)


def district_layers() -> dict[str, gpd.GeoDataFrame]:
    grid_parent = {"G1": "C1", "G3": "C1", "G2": "C2", "G4": "C2"}
    return {
        "grid": _layer({g: [g] for g in CELLS}, grid_parent),
        "community": _layer({"C1": ["G1", "G3"], "C2": ["G2", "G4"]}, {"C1": "S1", "C2": "S1"}),
        "street": _layer({"S1": list(CELLS)}),
        "station": _layer({"P1": list(CELLS)}),
        "beat": _layer({"B1": ["G1", "G2"], "B2": ["G3", "G4"]}, {"B1": "P1", "B2": "P1"}),
        "aux_beat": _layer({f"A{g[1]}": [g] for g in CELLS}, {f"A{g[1]}": "B1" for g in CELLS}),
    }


def field_layers() -> dict[str, gpd.GeoDataFrame]:
    """Standard addresses AD1, AD2 (19 m apart) in G1, AD3 in G4; joint points J1 (G1), J4 (G4)."""
    addresses = gpd.GeoDataFrame(
        {"id": ["AD1", "AD2", "AD3"], "address": ["和平路1号", "和平路3号", "远景路9号"]},
        geometry=[
            shapely.Point(118.705, 32.005),
            shapely.Point(118.7052, 32.005),
            shapely.Point(118.715, 32.015),
        ],
        crs=4326,
    )
    joints = gpd.GeoDataFrame(
        {"id": ["J1", "J4"], "name": ["西门岗亭", "东门岗亭"], "parent_id": ["G1", "G4"]},
        geometry=[
            shapely.box(118.7059, 32.0059, 118.7061, 32.0061),
            shapely.box(118.7159, 32.0159, 118.7161, 32.0161),
        ],
        crs=4326,
    )
    return {"address": addresses, "joint_point": joints}


def set_up_events(app: FastAPI, client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """Upload the layers, PUT the setup, add the event users; returns their layer ids."""
    tag = uuid.uuid4().hex[:8]
    ids = {}
    for kind, frame in {**district_layers(), **field_layers()}.items():
        ids[kind] = f"ev{kind.replace('_', '')}{tag}"
        r = upload(client, admin, frame, layer_id=ids[kind], kind=kind)
        assert r.status_code == 201, r.text
    r = client.put("/events/setup", json={"layers": ids, "assignments": ASSIGNMENTS}, headers=admin)
    assert r.status_code == 200, r.text
    with app.state.sessions() as session:
        for name, (role, grids) in EVENT_USERS.items():
            if session.scalar(select(User).where(User.username == name)) is None:
                area = shapely.union_all([CELLS[g] for g in grids])
                create_user(
                    session,
                    username=name,
                    password=PASSWORD,
                    role=role,  # type: ignore[arg-type]
                    jurisdiction=area,
                    area_ids=grids,
                )
        session.commit()
    return ids


def login(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def jpeg(*, gps: bool, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG, with an EXIF GPS block (a Nanjing position) when ``gps``."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (32.0, 0.0, 18.0), 3: "E", 4: (118.0, 42.0, 18.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()
