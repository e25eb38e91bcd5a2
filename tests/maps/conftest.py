"""Tiny hand-drawn results for the map builders, placed in Nanjing (EPSG:4549, metres).

Four grids in a row, two beats; beat b1 cuts grid g2 in two::

    y=200 +------+------+------+------+
          |  g1  |  g2  |  g3  |  g4  |      grids (community c1: g1 g2, c2: g3 g4)
    y=0   +------+---:--+------+------+
          0     100  150     300    400    x in metres from (380000, 3542000)
          |<---- b1 --->|<----- b2 ----->|   beats
          *j1 (in g1)           *j2 (straddles g3|g4)

Findings drawn from that sketch: g2 split by b1 (error), a 0.2 m sliver gap (noise),
j2 outside one grid (warning).  Hot-spot cells are the grids; coverage frames too.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from tests.maps.maps_sketch import CRS, SECRET_ADDRESS, SECRET_OFFICER, X0, Y0


def _box(x1: float, y1: float, x2: float, y2: float):  # type: ignore[no-untyped-def]
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


@pytest.fixture()
def grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["g1", "g2", "g3", "g4"],
            "name": ["一网格", "二网格", "三网格", "四网格"],
            "parent_id": ["c1", "c1", "c2", "c2"],
        },
        geometry=[_box(i * 100, 0, (i + 1) * 100, 200) for i in range(4)],
        crs=CRS,
    )


@pytest.fixture()
def beats() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["b1", "b2"], "name": ["责任区一", "责任区二"]},
        geometry=[_box(0, 0, 150, 200), _box(150, 0, 400, 200)],
        crs=CRS,
    )


@pytest.fixture()
def joint_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["j1", "j2"], "visited": [True, False], "dwell_minutes": [12.5, 0.0]},
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 300, Y0 + 100)],
        crs=CRS,
    )


@pytest.fixture()
def findings() -> gpd.GeoDataFrame:
    rows = {
        "rule": ["grid_split_by_beat", "gap", "joint_point_outside_grid"],
        "severity": ["error", "noise", "warning"],
        "layer": ["grid", "grid", "joint_point"],
        "ids": ["g2", "g1,g2", "j2"],
        "other_layer": ["beat", "grid", "grid"],
        "other_ids": ["b1,b2", "", "g3,g4"],
        "area_m2": [10_000.0, 40.0, 0.0],
        "length_m": [np.nan, 200.0, np.nan],
        "width_m": [np.nan, 0.2, np.nan],
        "message_zh": ["网格 g2 被责任区 b1、b2 切分", "缝隙 0.2 m（数字化误差）", "j2 跨网格"],
        "message_en": ["grid g2 is split by beats b1, b2", "0.2 m gap (noise)", "j2 straddles"],
        "accepted": [False, False, False],
    }
    geoms = [_box(100, 0, 150, 200), _box(99.9, 0, 100, 200), Point(X0 + 300, Y0 + 100)]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


@pytest.fixture()
def cells(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = grids[["id", "geometry"]].copy()
    out["count"] = [40, 12, 3, 0]
    out["rate_km2"] = out["count"] / 0.02
    out["gi_z"] = [2.9, 1.8, -0.2, -1.7]
    out["gi_p_fdr"] = [0.004, 0.07, 0.8, 0.09]
    out["hotspot_class"] = [3, 1, 0, -1]
    out["pattern"] = ["persistent", "new", "none", "none"]
    out["address"] = SECRET_ADDRESS  # must never reach the page
    return out


@pytest.fixture()
def periods(cells: gpd.GeoDataFrame) -> dict[str, dict[str, pd.DataFrame]]:
    weeks = {
        f"2024-W{w:02d}": pd.DataFrame(
            {"id": cells["id"], "count": [w, 2 * w, 0, 1], "hotspot_class": [w % 4, 0, 0, -1]}
        )
        for w in (1, 2, 3)
    }
    months = {"2024-01": pd.DataFrame({"id": ["g1"], "count": [30], "hotspot_class": [2]})}
    return {"week": weeks, "month": months}


@pytest.fixture()
def kde(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"density": [4.0, 2.0, 0.5, 0.0]}, geometry=grids.centroid, crs=CRS)


@pytest.fixture()
def coverage_grids(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = grids[["id", "geometry"]].copy()
    out["patrol_minutes"] = [120.0, 30.0, 0.0, 5.0]
    out["distance_m"] = [2400.0, 600.0, 0.0, 80.0]
    out["covered_share"] = [0.95, 0.4, 0.0, 0.1]
    return out


@pytest.fixture()
def tracks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"track_id": ["t1"], "officer_name": [SECRET_OFFICER]},
        geometry=[LineString([(X0 + 10, Y0 + 100), (X0 + 190, Y0 + 100), (X0 + 190, Y0 + 20)])],
        crs=CRS,
    )


@pytest.fixture()
def dosage(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = cells[["id", "geometry"]].iloc[:2].copy()
    out["patrol_minutes"] = [15.0, 90.0]
    out["under_patrolled"] = [True, False]
    return out


@pytest.fixture()
def new_grids(grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """g2 and g3 redrawn along x=150 (the beat line): g2' = 100..150, g3' = 150..300."""
    out = grids.copy()
    out.loc[1, "geometry"] = _box(100, 0, 150, 200)
    out.loc[2, "geometry"] = _box(150, 0, 300, 200)
    return out


@pytest.fixture()
def grid_diff() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["g2", "g3"], "change": ["changed", "changed"]},
        geometry=[_box(150, 0, 200, 200), _box(150, 0, 200, 200)],
        crs=CRS,
    )


@pytest.fixture()
def results(
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    joint_points: gpd.GeoDataFrame,
    findings: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    periods: dict[str, dict[str, pd.DataFrame]],
    kde: gpd.GeoDataFrame,
    coverage_grids: gpd.GeoDataFrame,
    tracks: gpd.GeoDataFrame,
    dosage: gpd.GeoDataFrame,
    new_grids: gpd.GeoDataFrame,
    grid_diff: gpd.GeoDataFrame,
):  # type: ignore[no-untyped-def]
    """Every result of the sketch, bundled as ``maps.pages.DistrictResults``."""
    from maps.pages import DistrictResults

    return DistrictResults(
        name="sketch",
        layers={"grid": grids, "beat": beats, "joint_point": joint_points},
        findings=findings,
        cells=cells,
        periods=periods,  # type: ignore[arg-type]
        kde=kde,
        coverage_grids=coverage_grids,
        tracks=tracks,
        visits=joint_points,
        dosage=dosage,
        new_grids=new_grids,
        grid_diff=grid_diff,
        affected_beats=beats.iloc[:1],
    )
