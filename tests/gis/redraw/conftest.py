"""Hand-drawn fixtures of the redraw tests (EPSG:4549, metres; origin X0, Y0)::

    y=200 +-----+-----+
          |  C  |  D  |           community K1 = A B C D
    y=100 +-----+-----+-----+
          |  A  |  B  |  E  |     community K2 = E
    y=0   +-----+-----+-----+
         x=0   100   200   300

Buildings: two per grid (the second one only in A and B), households/population below.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import box

X0, Y0 = 500_000.0, 3_540_000.0
CRS = "EPSG:4549"


def square(x: float, y: float, w: float = 100.0, h: float = 100.0) -> shapely.Polygon:
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def line(*xy: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in xy])


@pytest.fixture
def grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["K1001", "K1002", "K1003", "K1004", "K2001"],
            "name": ["A", "B", "C", "D", "E"],
            "code": "",
            "parent_id": ["K1", "K1", "K1", "K1", "K2"],
        },
        geometry=[square(0, 0), square(100, 0), square(0, 100), square(100, 100), square(200, 0)],
        crs=CRS,
    )


@pytest.fixture
def communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["K1", "K2"], "name": ["一社区", "二社区"], "parent_id": ["S", "S"]},
        geometry=[square(0, 0, 200, 200), square(200, 0)],
        crs=CRS,
    )


@pytest.fixture
def buildings() -> gpd.GeoDataFrame:
    centres = [(20, 20), (70, 30), (120, 20), (180, 70), (30, 160), (170, 170), (250, 50)]
    households = [10, 20, 30, 40, 50, 60, 70]
    return gpd.GeoDataFrame(
        {
            "id": [f"B{i}" for i in range(len(centres))],
            "households": households,
            "population": [h * 3 for h in households],
        },
        geometry=[square(x - 5, y - 5, 10, 10) for x, y in centres],
        crs=CRS,
    )


def assert_tiles(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> None:
    """Invariants after any edit: total area conserved, a valid coverage, no overlap."""
    a = np.asarray(after.geometry.array, dtype=object)
    assert shapely.coverage_is_valid(a)
    total_before = before.to_crs(CRS).area.sum()
    assert abs(after.to_crs(CRS).area.sum() - total_before) <= 1e-6 * total_before
    union = shapely.union_all(np.asarray(after.to_crs(CRS).geometry.array, dtype=object))
    assert abs(union.area - after.to_crs(CRS).area.sum()) <= 1e-6 * total_before
    assert after["id"].is_unique


def assert_buildings_once(grids: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> None:
    reps = shapely.point_on_surface(np.asarray(buildings.geometry.array, dtype=object))
    hits = shapely.STRtree(np.asarray(grids.geometry.array, dtype=object)).query(
        reps, predicate="within"
    )[0]
    assert np.array_equal(np.bincount(hits, minlength=len(buildings)), np.ones(len(buildings)))
