"""Reach within N m: exact area and street-length shares on a hand-drawn square."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.coverage.reach import reach
from gis.coverage.tracks import clean_tracks
from gis.errors import ConfigError, GeometryError
from tests.gis.coverage.coverage_fixtures import METRIC, fixes, two_squares


def walk_through_a():
    """East along y = 50 from x = -50 to x = 90 (stops inside A)::

        +--------+--------+
    ●---|--------●        |    within 10 m: a 100 x 20 band of A minus the round end
        +--------+--------+
    """
    return clean_tracks(
        fixes([(-50, 50), (0, 50), (50, 50), (90, 50)], [0, 50, 100, 140]), crs=METRIC
    )


def test_area_share_by_hand() -> None:
    r = reach(walk_through_a().legs, two_squares(), within_m=10)
    a, b = r.areas.set_index("id").loc["A"], r.areas.set_index("id").loc["B"]
    # band 90 x 20 plus the half-disc of radius 10 at x = 90 (inside A, which ends at 100)
    # buffers use quad_segs=4: the disc is a 16-gon of area 8·sin(2π/16)·r² = 3.0615 r²
    expected = 90 * 20 + 8 * np.sin(2 * np.pi / 16) * 100 / 2
    assert a["covered_m2"] == pytest.approx(expected, rel=1e-9)
    assert a["covered_share"] == pytest.approx(expected / 10_000, rel=1e-3)
    assert b["covered_share"] == 0.0
    assert r.basis == "area" and r.within_m == 10


def test_road_length_share() -> None:
    roads = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(0, 55), (200, 55)]),  # 5 m from the walk: covered in A up to x=100
            shapely.LineString([(0, 90), (200, 90)]),  # 40 m away: never covered
        ],
        crs=METRIC,
    )
    r = reach(walk_through_a().legs, two_squares(), within_m=10, roads=roads)
    a = r.areas.set_index("id").loc["A"]
    assert a["road_m"] == pytest.approx(200)
    # covered: y = 55 from x = 0 to where it leaves the 16-gon around (90, 50): the edge
    # from angle 22.5° to 45° crosses y = +5 at x = 8.455 (a true circle: √75 = 8.660)
    c1, s1, c2, s2 = np.cos(np.pi / 8), np.sin(np.pi / 8), np.cos(np.pi / 4), np.sin(np.pi / 4)
    t = (0.5 - s1) / (s2 - s1)
    assert a["covered_road_m"] == pytest.approx(90 + 10 * (c1 + t * (c2 - c1)), rel=1e-6)
    assert r.areas.set_index("id").loc["B", "covered_road_m"] == 0


def test_union_does_not_double_count_overlapping_passes() -> None:
    there_and_back = clean_tracks(
        fixes([(0, 50), (100, 50), (0, 50), (100, 50)], [0, 100, 200, 300]), crs=METRIC
    )
    r = reach(there_and_back.legs, two_squares(), within_m=10)
    assert r.areas.set_index("id").loc["A", "covered_share"] <= 1.0
    once = reach(
        clean_tracks(fixes([(0, 50), (100, 50)], [0, 100]), crs=METRIC).legs,
        two_squares(),
        within_m=10,
    )
    assert r.areas["covered_m2"].sum() == pytest.approx(once.areas["covered_m2"].sum())


def test_no_legs_and_guards() -> None:
    empty = clean_tracks(fixes([(0, 0)], [0]), crs=METRIC).legs
    assert (reach(empty, two_squares()).areas["covered_share"] == 0).all()
    with pytest.raises(ConfigError):
        reach(walk_through_a().legs, two_squares(), within_m=0)
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=METRIC)
    with pytest.raises(GeometryError):
        reach(walk_through_a().legs, two_squares(), roads=pts)
