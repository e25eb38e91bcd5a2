"""An index sized for a one-off batch answers exactly like the full one, on real data.

A one-off geocode sizes its lookup raster for its points (``points=``): none at all for
a small batch, where every point takes the exact path (polygons querying a tree of the
points, as ``sjoin`` does), a coarse one for 100 k points.  Only the speed may differ.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gis.geocoding import fastpath
from gis.geocoding.assign import assign_points, build_area_index
from gis.locate import tie_rank


@pytest.fixture(scope="module")
def beats(shared_data):
    path = shared_data / "chicago" / "police_beats.zip"
    frame = gpd.read_file(path)[["BEAT_NUM", "geometry"]].rename(columns={"BEAT_NUM": "id"})
    return frame.to_crs(3435)


@pytest.fixture(scope="module")
def points(shared_data, beats):
    """The real incidents (many on beat boundaries), every beat vertex (exactly on a
    boundary), and random points in the city's box (most outside every beat)."""
    crimes = pd.read_csv(shared_data / "chicago" / "crimes_2016-01_sample.csv")
    crimes = crimes.dropna(subset=["X Coordinate", "Y Coordinate"])
    x0, y0, x1, y1 = beats.total_bounds
    rng = np.random.default_rng(3)
    corners = beats.geometry.get_coordinates().to_numpy()[::7]
    x = np.concatenate([crimes["X Coordinate"], corners[:, 0], rng.uniform(x0, x1, 20_000)])
    y = np.concatenate([crimes["Y Coordinate"], corners[:, 1], rng.uniform(y0, y1, 20_000)])
    return x.astype(float), y.astype(float)


@pytest.mark.parametrize("batch", [1_000, 30_000, 300_000])
def test_sized_index_answers_like_the_full_one(beats, points, batch):
    geoms = beats.geometry.to_numpy()
    rank = tie_rank(beats["id"])
    full = fastpath.build_polygon_index(geoms, rank)
    sized = fastpath.build_polygon_index(geoms, rank, points=batch)
    assert sized.has_raster == (batch >= fastpath.SMALL_BATCH * len(geoms))
    x, y = points
    want = fastpath.locate(full, x, y)
    got = fastpath.locate(sized, x, y)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1][got[2]], fastpath.locate_exact(full, x, y)[1][got[2]])
    assert (want[0] >= 0).sum() > 1_000 and (want[0] < 0).sum() > 1_000  # both kinds tested
    if not sized.has_raster:
        assert got[2].all()  # every point took the exact path


def test_one_off_assign_points_is_sized_and_identical(beats, points):
    x, y = points
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=beats.crs)
    prebuilt = build_area_index({"beat": beats}, crs=beats.crs)
    assert prebuilt.layers[0].index.has_raster
    once = assign_points(pts.iloc[:5_000], {"beat": beats}, nearest=False).table
    again = assign_points(pts.iloc[:5_000], prebuilt, nearest=False).table
    pd.testing.assert_frame_equal(once, again)
