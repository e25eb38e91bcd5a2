"""A hand-drawn district for the briefing tests (EPSG:4549, metres, near Nanjing)::

      y=200 +-------+-------+
            |  G1   |  G2   |        community C1 = G1, G2 (beat B1, officer 甲)
      y=100 +-------+-------+        community C2 = G3, G4 (beat B2, officer 乙)
            |  G3   |  G4   |        street ST1 = everything; station S1 = B1 + B2
        y=0 +-------+-------+
           x=0    100     200

Incidents (2025): the week of 2025-11-10 has G1: 3 (2 closed, 1 open since 11-10 → overdue
by 11-17 with the 7-day deadline), G2: 1 closed, G4: 2 (1 closed, 1 processing since 11-16,
not yet overdue); the week before has G1: 1, G3: 1.  Addresses: 2 per grid, one key and
one ordinary; visits cover G1's two, G2's ordinary one only.  One officer (甲) walks G1 for
an hour on 2025-11-11.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from shapely import Point, box

from gis.district import District

X0, Y0 = 380_000.0, 3_540_000.0
CRS = "EPSG:4549"
BOXES = {"G1": (0, 100, 100, 200), "G2": (100, 100, 200, 200),
         "G3": (0, 0, 100, 100), "G4": (100, 0, 200, 100)}  # fmt: skip
CENTRE = {g: (X0 + (b[0] + b[2]) / 2, Y0 + (b[1] + b[3]) / 2) for g, b in BOXES.items()}


def _sq(x0: float, y0: float, x1: float, y1: float) -> object:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _at(grid: str, dx: float = 0.0) -> Point:
    x, y = CENTRE[grid]
    return Point(x + dx, y + dx)


INCIDENTS = [
    # id, grid, time, category, status
    ("I1", "G1", "2025-11-10 09:00", "dispute", "open"),
    ("I2", "G1", "2025-11-11 10:00", "theft", "closed"),
    ("I3", "G1", "2025-11-12 11:00", "dispute", "closed"),
    ("I4", "G2", "2025-11-13 12:00", "theft", "closed"),
    ("I5", "G4", "2025-11-14 13:00", "dispute", "closed"),
    ("I6", "G4", "2025-11-16 14:00", "noise", "processing"),
    ("I7", "G1", "2025-11-04 08:00", "dispute", "closed"),
    ("I8", "G3", "2025-11-05 08:00", "theft", "closed"),
]


def tiny_district(*, incidents: bool = True) -> District:
    grids = gpd.GeoDataFrame(
        {"id": list(BOXES), "name": [f"第{i}网格" for i in range(1, 5)],
         "code": [f"32010590000100{i}" for i in range(1, 5)],
         "parent_id": ["C1", "C1", "C2", "C2"]},
        geometry=[_sq(*b) for b in BOXES.values()], crs=CRS,
    )  # fmt: skip
    communities = gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": ["甲社区", "乙社区"], "parent_id": ["ST1", "ST1"]},
        geometry=[_sq(0, 100, 200, 200), _sq(0, 0, 200, 100)],
        crs=CRS,
    )
    streets = gpd.GeoDataFrame(
        {"id": ["ST1"], "name": ["示例街道"]}, geometry=[_sq(0, 0, 200, 200)], crs=CRS
    )
    stations = gpd.GeoDataFrame(
        {"id": ["S1"], "name": ["示例派出所"]}, geometry=[_sq(0, 0, 200, 200)], crs=CRS
    )
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "parent_id": ["S1", "S1"]},
        geometry=[_sq(0, 100, 200, 200), _sq(0, 0, 200, 100)],
        crs=CRS,
    )
    rows = INCIDENTS if incidents else []
    inc = gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "time": pd.to_datetime([r[2] for r in rows]),
         "category": [r[3] for r in rows], "status": [r[4] for r in rows],
         "source": ["网格上报"] * len(rows)},
        geometry=[_at(r[1]) for r in rows], crs=CRS,
    )  # fmt: skip
    addr_rows = [(f"A{g}{k}", g, lvl) for g in BOXES for k, lvl in ((1, "key"), (2, "ordinary"))]
    addresses = gpd.GeoDataFrame(
        {"id": [a[0] for a in addr_rows], "address": [f"示例路{i}号" for i in range(8)],
         "building_id": ["b"] * 7 + [""], "level": [a[2] for a in addr_rows]},
        geometry=[_at(a[1], dx=10 * (k % 2)) for k, a in enumerate(addr_rows)], crs=CRS,
    )  # fmt: skip
    t0 = pd.Timestamp("2025-11-11 09:00")
    xs = [X0 + 20 + 2 * i for i in range(31)]  # 60 m in 60 minutes, a fix every 2 minutes
    tracks = gpd.GeoDataFrame(
        {"track_id": "T1", "officer_id": "P1",
         "time": [t0 + pd.Timedelta(minutes=2 * i) for i in range(31)]},
        geometry=[Point(x, Y0 + 150) for x in xs], crs=CRS,
    )  # fmt: skip
    assignments = pd.DataFrame(
        {"officer_id": ["P1", "P2", "X1", "H1"], "name": ["甲", "乙", "丙", "丁"],
         "role": ["officer", "officer", "auxiliary", "grid_head"],
         "area_kind": ["beat", "beat", "grid", "grid"], "area_id": ["B1", "B2", "G4", "G1"]}
    )  # fmt: skip
    return District(
        name="示例", crs=pyproj.CRS(CRS), source=None, streets=streets, communities=communities,
        grids=grids, stations=stations, beats=beats, incidents=inc, tracks=tracks,
        addresses=addresses, assignments=assignments,
    )  # fmt: skip


VISITS = pd.DataFrame(
    {
        "address_id": ["AG11", "AG12", "AG22", "AG21"],
        "time": pd.to_datetime(
            ["2025-11-11 10:00", "2025-11-11 11:00", "2025-11-12 10:00", "2025-11-01 10:00"]
        ),
        "visitor_role": ["joint", "grid_worker", "grid_worker", "joint"],
    }
)


@pytest.fixture
def tiny() -> District:
    return tiny_district()
