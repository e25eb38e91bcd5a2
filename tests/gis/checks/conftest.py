"""Hand-drawn fixtures for the consistency engine (EPSG:4549, metres, near Nanjing).

The reference district, 400 m × 200 m, one street, two communities, eight grids::

      y=200 +-------+-------+-------+-------+
            |  G1   |  G2   |  G5   |  G6   |
      y=100 +-------+-------+-------+-------+
            |  G3   |  G4   |  G7   |  G8   |
        y=0 +-------+-------+-------+-------+
           x=0    100     200     300     400
            |<--- community C1 -->|<-- C2 -->|
            |<--- beat B1 ------->|<-- B2 -->|    station S1 = street ST1 = all

Aux beats A1..A8 coincide with G1..G8; one joint point in each grid; every grid has
an auxiliary assigned; C1 and C2 each have an officer (B1, B2).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

X0, Y0 = 380_000.0, 3_540_000.0
CRS = "EPSG:4549"


def sq(x0: float, y0: float, x1: float, y1: float):
    """A box in local metres (offset to the fixture origin)."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frame(ids: list[str], geoms: list[object], **cols: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ids, **cols}, geometry=geoms, crs=CRS)


GRID_BOXES = {
    "G1": (0, 100, 100, 200),
    "G2": (100, 100, 200, 200),
    "G3": (0, 0, 100, 100),
    "G4": (100, 0, 200, 100),
    "G5": (200, 100, 300, 200),
    "G6": (300, 100, 400, 200),
    "G7": (200, 0, 300, 100),
    "G8": (300, 0, 400, 100),
}
COMMUNITY = {"G1": "C1", "G2": "C1", "G3": "C1", "G4": "C1"} | dict.fromkeys(
    ["G5", "G6", "G7", "G8"], "C2"
)


def make_district(**changes: gpd.GeoDataFrame | pd.DataFrame | None) -> dict[str, object]:
    """The reference district as a dict of layers; keyword arguments replace layers."""
    grids = frame(
        list(GRID_BOXES),
        [sq(*b) for b in GRID_BOXES.values()],
        parent_id=[COMMUNITY[g] for g in GRID_BOXES],
    )
    layers: dict[str, object] = {
        "street": frame(["ST1"], [sq(0, 0, 400, 200)]),
        "community": frame(
            ["C1", "C2"], [sq(0, 0, 200, 200), sq(200, 0, 400, 200)], parent_id="ST1", urban=True
        ),
        "grid": grids,
        "station": frame(["S1"], [sq(0, 0, 400, 200)]),
        "beat": frame(["B1", "B2"], [sq(0, 0, 200, 200), sq(200, 0, 400, 200)], parent_id="S1"),
        "aux_beat": frame(
            [f"A{g[1:]}" for g in GRID_BOXES],
            [sq(*b) for b in GRID_BOXES.values()],
            parent_id=["B1"] * 4 + ["B2"] * 4,
        ),
        "joint_point": frame(
            [f"J{g[1:]}" for g in GRID_BOXES],
            [sq(b[0] + 40, b[1] + 40, b[0] + 60, b[1] + 60) for b in GRID_BOXES.values()],
        ),
        "assignments": pd.DataFrame(
            {
                "officer_id": [f"F{g[1:]}" for g in GRID_BOXES] + ["P1", "P2"],
                "role": ["auxiliary"] * 8 + ["officer", "officer"],
                "area_kind": ["aux_beat"] * 8 + ["beat", "beat"],
                "area_id": [f"A{g[1:]}" for g in GRID_BOXES] + ["B1", "B2"],
            }
        ),
    }
    layers.update(changes)
    return layers


@pytest.fixture
def district() -> Callable[..., dict[str, object]]:
    return make_district
