"""Edits on real data: the 51 Seattle police beats (a valid coverage) as grids, nested
in the 5 precincts as communities."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.redraw import diff_grids, draw_grid, merge_grids, split_grid, validate_grids
from gis.redraw._common import locate


@pytest.fixture(scope="module")
def seattle(shared_data: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    precincts = gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson")
    precincts = precincts.rename(columns={"name": "id"})
    home = locate(np.asarray(beats.geometry.array), np.asarray(precincts.geometry.array))
    beats = beats.assign(id=beats["name"], parent_id=precincts["id"].to_numpy()[home])
    return beats, precincts


def _metric_area(frame: gpd.GeoDataFrame) -> float:
    return float(frame.to_crs(32610).area.sum())


def _neighbours(beats: gpd.GeoDataFrame) -> tuple[str, str]:
    """Two beats of one precinct sharing the longest edge."""
    g = np.asarray(beats.to_crs(32610).geometry.array)
    i, j = shapely.STRtree(g).query(g, predicate="touches")
    same = (beats["parent_id"].to_numpy()[i] == beats["parent_id"].to_numpy()[j]) & (i < j)
    shared = shapely.length(shapely.intersection(shapely.boundary(g[i]), shapely.boundary(g[j])))
    k = int(np.argmax(np.where(same, shared, 0.0)))
    return str(beats["id"].iloc[i[k]]), str(beats["id"].iloc[j[k]])


def test_merge_and_split_real_beats(seattle) -> None:
    beats, _ = seattle
    a, b = _neighbours(beats)
    merged = merge_grids(beats, [a, b])
    assert merged.ok and len(merged.grids) == len(beats) - 1
    assert _metric_area(merged.grids) == pytest.approx(_metric_area(beats), rel=1e-6)
    shape = beats.set_index("id").loc[a].geometry
    _, miny, _, maxy = shape.bounds
    x = shape.representative_point().x
    split = split_grid(beats, a, shapely.LineString([(x, miny - 0.01), (x, maxy + 0.01)]))
    assert split.ok and len(split.created) >= 1
    assert _metric_area(split.grids) == pytest.approx(_metric_area(beats), rel=1e-6)
    assert validate_grids(beats, split.grids).empty
    diff = diff_grids(beats, split.grids)
    assert diff.counts()["added"] == len(split.created)
    assert diff.counts()["reshaped"] == 1 and diff.counts()["unchanged"] == len(beats) - 1


def test_draw_a_grid_on_real_beats(seattle) -> None:
    beats, precincts = seattle
    a, _ = _neighbours(beats)
    centre = beats.set_index("id").loc[a].geometry.representative_point()
    result = draw_grid(beats, centre.buffer(0.004), new_id="NEW", communities=precincts)
    assert result.ok and result.created == ("NEW",)
    assert _metric_area(result.grids) == pytest.approx(_metric_area(beats), rel=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_random_splits_keep_the_real_coverage_valid(seattle, seed: int) -> None:
    """A random line through a random beat: the layer stays a valid coverage, area kept."""
    beats, _ = seattle
    rng = np.random.default_rng(seed)
    gid = str(beats["id"].iloc[rng.integers(len(beats))])
    shape = beats.set_index("id").loc[gid].geometry
    centre = shape.representative_point()
    angle = rng.uniform(0, np.pi)
    reach = 0.2
    dx, dy = reach * np.cos(angle), reach * np.sin(angle)
    cut = shapely.LineString([(centre.x - dx, centre.y - dy), (centre.x + dx, centre.y + dy)])
    result = split_grid(beats, gid, cut, on_invalid="return")
    assert result.ok, result.findings[["rule", "area_m2"]]
    metric = np.asarray(result.grids.to_crs(32610).geometry.array, dtype=object)
    assert shapely.coverage_is_valid(metric)
    assert _metric_area(result.grids) == pytest.approx(_metric_area(beats), rel=1e-6)
