"""Officer beats from whole grids: a 4x3 lattice of grids and the demo district."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.redraw import EditError
from gis.redraw.beats import propose_beats
from tests.gis.redraw.conftest import CRS, X0, Y0, square


@pytest.fixture
def lattice() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """12 grids of 100 m (4 columns x 3 rows); beats Z1 = column 0, Z2 = columns 1-3::

    +--+--+--+--+
    |Z1|  Z2    |     every grid 50 households; column 3 has 5 incidents per grid
    +--+--+--+--+
    """
    cells = [square(100 * c, 100 * r) for r in range(3) for c in range(4)]
    grids = gpd.GeoDataFrame(
        {"id": [f"G{i:02d}" for i in range(12)], "parent_id": "K"}, geometry=cells, crs=CRS
    )
    beats = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"], "parent_id": "P"},
        geometry=[square(0, 0, 100, 300), square(100, 0, 300, 300)],
        crs=CRS,
    )
    buildings = gpd.GeoDataFrame(
        {"id": [f"B{i}" for i in range(12)], "households": 50, "population": 120},
        geometry=[shapely.buffer(c.centroid, 5) for c in cells],
        crs=CRS,
    )
    return grids, beats, buildings


def test_beats_are_balanced_unions_of_whole_grids(lattice) -> None:
    grids, beats, buildings = lattice
    result = propose_beats(grids, beats, buildings, steps=50)
    f = result.figures
    assert f["imbalance_before"] == pytest.approx(0.5)  # 3 vs 9 grids
    assert f["imbalance_after"] < 0.2 and f["imbalance_after"] < f["imbalance_before"]
    assert result.beats["grids"].sum() == 12 and set(result.beats["id"]) == {"Z1", "Z2"}
    for geom in result.beats.geometry:  # contiguous
        assert geom.geom_type == "Polygon"
    union = shapely.union_all(np.asarray(result.beats.geometry.array, dtype=object))
    assert union.area == pytest.approx(120_000.0)
    # every grid lies wholly in its new beat
    beat_of = result.assignment.set_index("grid_id")["beat_after"]
    for gid, geom in zip(grids["id"], grids.geometry, strict=True):
        beat = result.beats.set_index("id").loc[beat_of[gid]].geometry
        assert beat.buffer(1e-6).covers(geom)


def test_incidents_weigh_in_the_workload(lattice) -> None:
    grids, beats, buildings = lattice
    xs = np.repeat([X0 + 350.0], 15)
    ys = np.repeat(Y0 + np.array([50.0, 150.0, 250.0]), 5)
    incidents = gpd.GeoDataFrame(
        {"id": [f"I{i}" for i in range(15)]}, geometry=gpd.points_from_xy(xs, ys), crs=CRS
    )
    result = propose_beats(grids, beats, buildings, incidents=incidents, steps=50)
    assert result.beats["incidents"].sum() == 15
    assert result.figures["spread_after"] <= result.figures["spread_before"]


def test_more_beats_than_grids_is_refused(lattice) -> None:
    grids, beats, buildings = lattice
    with pytest.raises(EditError, match="invalid number of beats") as info:
        propose_beats(grids.iloc[:1], beats, buildings)
    assert info.value.text.zh


def test_demo_beats_imbalance_drops(demo_dir) -> None:
    grids = gpd.read_file(demo_dir / "grids.geojson")
    beats = gpd.read_file(demo_dir / "beats.geojson")
    buildings = gpd.read_file(demo_dir / "buildings.geojson")
    table = pd.read_csv(demo_dir / "incidents.csv")
    incidents = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=4490
    )
    result = propose_beats(grids, beats, buildings, incidents=incidents, steps=150)
    f = result.figures
    assert f["imbalance_after"] <= 0.5 * f["imbalance_before"]
    assert len(result.beats) == len(beats) and result.beats["grids"].sum() == len(grids)
