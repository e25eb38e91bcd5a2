"""Routing a point to its areas and to the responsible people (一格一警, 1+1+N).

::

    32.02 +------+------+     communities C1 = G1 ∪ G3, C2 = G2 ∪ G4; street S1 = all
          |  G3  |  G4  |     beats B1 = G1 ∪ G2, B2 = G3 ∪ G4; aux beat A<n> = G<n>
    32.01 +------+------+     station P1 = all
          |  G1  |  G2  |
    32.00 +------+------+
        118.70 118.71 118.72
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from gis.errors import ConfigError
from gis.events import Routing, locate_events, responsible
from gis.geocoding import AreaIndex, build_area_index

X, Y, D = 118.70, 32.00, 0.01
G = {
    f"G{k + 1}": box(X + D * (k % 2), Y + D * (k // 2), X + D * (k % 2 + 1), Y + D * (k // 2 + 1))
    for k in range(4)
}


def _layer(parts: dict[str, list[str]]) -> gpd.GeoDataFrame:
    geoms = [gpd.GeoSeries([G[g] for g in grids]).union_all() for grids in parts.values()]
    return gpd.GeoDataFrame({"id": list(parts)}, geometry=geoms, crs=4326)


@pytest.fixture(scope="module")
def areas() -> AreaIndex:
    return build_area_index(
        {
            "grid": _layer({g: [g] for g in G}),
            "community": _layer({"C1": ["G1", "G3"], "C2": ["G2", "G4"]}),
            "street": _layer({"S1": list(G)}),
            "beat": _layer({"B1": ["G1", "G2"], "B2": ["G3", "G4"]}),
            "aux_beat": _layer({f"A{g[1]}": [g] for g in G}),
            "station": _layer({"P1": list(G)}),
        }
    )


ASSIGNMENTS = pd.DataFrame(
    [
        ("JY1", "officer", "beat", "B1"),
        ("FJ1", "auxiliary", "aux_beat", "A1"),
        ("WG1", "grid_worker", "grid", "G1"),
        ("WZ1", "grid_head", "grid", "G1"),
        ("SQ1", "grid_head", "community", "C1"),
        ("JD1", "officer", "street", "S1"),
    ],
    columns=["officer_id", "role", "area_kind", "area_id"],
)


def test_points_are_routed_to_every_area(areas: AreaIndex) -> None:
    table = locate_events([118.705, 118.715, 116.0], [32.005, 32.015, 39.9], areas)
    first = Routing.from_row(table.iloc[0].to_dict())
    assert first == Routing("G1", "C1", "S1", "B1", "A1", "P1")
    assert Routing.from_row(table.iloc[1].to_dict()).grid_id == "G4"
    assert Routing.from_row(table.iloc[2].to_dict()) == Routing()


def test_a_point_on_a_shared_edge_goes_to_the_lowest_id(areas: AreaIndex) -> None:
    table = locate_events([118.71], [32.005], areas)
    assert table.grid_id.iloc[0] == "G1"


def test_one_grid_one_officer_and_the_joint_dispute_team() -> None:
    r = Routing("G1", "C1", "S1", "B1", "A1", "P1")
    assert responsible(r, ASSIGNMENTS) == ("FJ1", "JY1", "WG1", "WZ1")
    assert responsible(r, ASSIGNMENTS, joint=True)[:2] == ("WZ1", "JY1")  # 1 + 1 + N
    assert responsible(r, ASSIGNMENTS, level="community") == ("SQ1", "JY1")
    assert responsible(r, ASSIGNMENTS, level="street") == ("JD1", "JY1")
    assert responsible(Routing(), ASSIGNMENTS) == ()


def test_bad_input_is_named(areas: AreaIndex) -> None:
    with pytest.raises(ConfigError, match="missing columns"):
        responsible(Routing("G1"), ASSIGNMENTS.drop(columns="role"))
    with pytest.raises(ConfigError, match="equally long"):
        locate_events(np.array([1.0, 2.0]), np.array([1.0]), areas)
