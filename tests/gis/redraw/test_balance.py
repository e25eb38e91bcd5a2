"""Population balance: loads, band flags, the redraw proposal (fixture and demo district)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.redraw import EditError, diff_grids
from gis.redraw.balance import (
    Band,
    balance_district,
    flag_band,
    grid_loads,
    propose_balance,
)
from tests.gis.redraw.conftest import CRS, X0, Y0, assert_buildings_once, assert_tiles, square


@pytest.fixture
def crowded() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """One community K of two grids 200x100 m, 6x3 buildings of 10 households each::

    +-----------+-----+
    | . . . . . | . . |   G1 holds 5 columns (150 households), G2 one (30 hh... 3 cols)
    | . . . . . | . . |   band 60..100 households: G1 above, G2 below
    +-----------+-----+
    """
    grids = gpd.GeoDataFrame(
        {"id": ["K001", "K002"], "parent_id": "K", "name": ""},
        geometry=[square(0, 0, 160, 100), square(160, 0, 40, 100)],
        crs=CRS,
    )
    xs, ys = np.meshgrid(np.arange(6) * 33.0 + 15.0, np.arange(3) * 30.0 + 20.0)
    pts = gpd.points_from_xy(X0 + xs.ravel(), Y0 + ys.ravel())
    buildings = gpd.GeoDataFrame(
        {"id": [f"B{i}" for i in range(18)], "households": 10, "population": 25},
        geometry=shapely.buffer(np.asarray(pts), 3.0, quad_segs=2),
        crs=CRS,
    )
    return grids, buildings


def test_grid_loads_and_band(crowded) -> None:
    grids, buildings = crowded
    loads = flag_band(grid_loads(grids, buildings), Band(min_households=60, max_households=100))
    assert loads["households"].tolist() == [150, 30]
    assert loads["band"].tolist() == ["above", "below"]
    assert loads["households"].sum() == buildings["households"].sum()
    assert loads["polsby_popper"].between(0, 1).all()


def test_balance_brings_both_grids_into_the_band(crowded) -> None:
    grids, buildings = crowded
    band = Band(min_households=60, max_households=100)
    result = propose_balance(grids, buildings, community_id="K", band=band, steps=30)
    assert (result.after["band"] == "within").all()
    assert result.figures["in_band_before"] == 0 and result.figures["in_band_after"] == 2
    assert result.figures["max_deviation_after"] < result.figures["max_deviation_before"]
    assert set(result.grids["id"]) == {"K001", "K002"}  # old ids kept
    assert result.findings.empty
    assert_tiles(grids, result.grids)
    assert_buildings_once(result.grids, buildings)
    assert result.after["households"].sum() == 180
    for geom in result.grids.geometry:  # contiguous
        assert geom.geom_type == "Polygon"


def test_population_bounds_flag_and_balance(crowded) -> None:
    """Households in band but too few residents: the population bound flags and binds."""
    grids, buildings = crowded
    loose = Band(min_households=20, max_households=200, min_population=100, max_population=250)
    flagged = flag_band(grid_loads(grids, buildings), loose)
    assert flagged["band"].tolist() == ["above", "below"]  # 375 and 75 residents
    result = propose_balance(grids, buildings, community_id="K", band=loose, steps=20)
    assert result.after["population"].between(100, 250).all()
    assert (result.after["band"] == "within").all()


def test_balance_keeps_locked_grids_and_other_communities(grids, buildings) -> None:
    """K1 (A..D: 10+20, 30+40, 50, 60 households) with A locked: B..D are redrawn."""
    band = Band(min_households=30, max_households=100)
    result = propose_balance(
        grids, buildings, community_id="K1", band=band, locked={"K1001"}, n_grids=2, steps=20
    )
    new = result.grids.set_index("id")
    assert new.loc["K1001"].geometry.equals(grids.set_index("id").loc["K1001"].geometry)
    assert new.loc["K2001"].geometry.equals(grids.set_index("id").loc["K2001"].geometry)
    assert (new["parent_id"] == "K1").sum() == 3
    assert_tiles(grids, result.grids)


def test_balance_follows_a_road(crowded) -> None:
    """A road at x=100 on a unit boundary: the new boundary runs along it when it can."""
    grids, buildings = crowded
    road = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(X0 + 99, Y0 - 10), (X0 + 99, Y0 + 110)])], crs=CRS
    )
    band = Band(min_households=60, max_households=120)
    result = propose_balance(grids, buildings, community_id="K", band=band, barriers=road, steps=30)
    boundary = shapely.intersection(*result.grids.geometry.boundary)
    on_road = shapely.length(shapely.intersection(boundary, road.buffer(1.0).iloc[0]))
    assert on_road >= 0.9 * 100.0


def test_balance_refuses_a_free_area_split_by_locked_grids(grids, buildings) -> None:
    """B and C locked: A and D touch only at a corner."""
    with pytest.raises(EditError, match="not connected") as info:
        propose_balance(
            grids,
            buildings,
            community_id="K1",
            band=Band(min_households=5, max_households=100),
            locked={"K1002", "K1003"},
        )
    assert "不连通" in info.value.text.zh


@pytest.mark.parametrize(
    ("kwargs", "en"),
    [
        ({"community_id": "NOPE"}, "no grid that may change"),
        ({"community_id": "K", "locked": {"K001", "K002"}}, "no grid that may change"),
        ({"community_id": "K", "band": Band(min_households=400, max_households=500)}, "fit no"),
    ],
)
def test_balance_broken_inputs(crowded, kwargs, en) -> None:
    grids, buildings = crowded
    with pytest.raises(EditError) as info:
        propose_balance(grids, buildings, **kwargs)
    assert en in info.value.text.en and info.value.text.zh


@pytest.mark.parametrize("scope", ["community", "neighbourhood"])
def test_demo_district_every_grid_in_band(demo_dir, scope) -> None:
    """The four planted out-of-band grids (truth.json) are fixed; every grid ends in the band."""
    import json

    grids = gpd.read_file(demo_dir / "grids.geojson")
    buildings = gpd.read_file(demo_dir / "buildings.geojson")
    roads = gpd.read_file(demo_dir / "roads.geojson")
    truth = json.loads((demo_dir / "truth.json").read_text())["population_band"]
    band = Band(min_households=truth["min_households"], max_households=truth["max_households"])
    flagged = flag_band(grid_loads(grids, buildings), band)
    planted = {r["grid_id"] for r in truth["below"] + truth["above"]}
    assert set(flagged.loc[flagged["band"] != "within", "id"]) == planted
    new, results = balance_district(
        grids, buildings, band=band, barriers=roads, steps=60, scope=scope
    )
    after = flag_band(grid_loads(new, buildings), band)
    assert (after["band"] == "within").all(), after[after["band"] != "within"]
    assert after["households"].sum() == flagged["households"].sum()
    assert all(r.findings.empty for r in results)
    assert all(
        r.figures["max_deviation_after"] < r.figures["max_deviation_before"] for r in results
    )
    for result in results:  # the demo's grids are no clean coverage: check what was redrawn
        mine = new[new["parent_id"] == result.community_id].to_crs(CRS)
        if scope == "community":
            assert shapely.coverage_is_valid(np.asarray(mine.geometry.array, dtype=object))
    assert set(new["parent_id"]) == set(grids["parent_id"])
    untouched = ~grids["parent_id"].isin({r.community_id for r in results})
    kept = new.set_index("id").loc[grids.loc[untouched, "id"]].geometry.to_crs(CRS)
    was = grids.loc[untouched].set_index("id").geometry.to_crs(CRS)
    moved = kept.symmetric_difference(was).area  # neighbours only gain shared vertices
    assert moved.max() < 1.0  # the diff's noise tolerance (sub-mm vertex insertion)
    if scope == "neighbourhood":  # fewer grids change than with the whole community
        changed = sum(len(r.before) for r in results)
        assert diff_grids(grids, new).counts()["reshaped"] < 0.6 * changed
