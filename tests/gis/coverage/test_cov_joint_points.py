"""Joint-defense points visited: dwell ≥ M minutes within R metres."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis.coverage.joint_points import joint_point_visits
from gis.coverage.tracks import clean_tracks
from gis.errors import ConfigError, FieldError
from tests.gis.coverage.coverage_fixtures import METRIC, fixes


def points() -> gpd.GeoDataFrame:
    """P1 at (0, 0) as a point, P2 a 10 m square at (500, 0), P3 far away::

    ●P1 ............ [P2] ........................ ●P3 (5000, 0)
    """
    return gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3"]},
        geometry=[shapely.Point(0, 0), shapely.box(495, -5, 505, 5), shapely.Point(5000, 0)],
        crs=METRIC,
    )


def track():
    # stand 6 minutes 5 m from P1 (fixes every 2 min), walk to P2 at 1 m/s, stay 2 min
    xy = [(5, 0), (5, 0), (5, 0), (5, 0), (500, 0), (500, 0)]
    secs = [0, 120, 240, 360, 855, 975]
    return clean_tracks(fixes(xy, secs), crs=METRIC, max_gap_s=600)


def test_dwell_and_visited() -> None:
    r = joint_point_visits(track().legs, points(), within_m=20, min_dwell_minutes=5)
    f = r.points.set_index("id")
    # P1: 6 min standing + walking the first 15 m of the 495 m leg (15 s)
    assert f.loc["P1", "dwell_minutes"] == pytest.approx(6 + 15 / 60)
    assert bool(f.loc["P1", "visited"]) and f.loc["P1", "visits"] == 1
    # P2: the last 25 m of the walk (5 m half-width + 20 m) = 25 s, then 2 min standing
    assert f.loc["P2", "dwell_minutes"] == pytest.approx(2 + 25 / 60)
    assert not bool(f.loc["P2", "visited"])
    assert f.loc["P3", "dwell_minutes"] == 0 and not bool(f.loc["P3", "visited"])
    assert r.visited_share == pytest.approx(1 / 3)


def test_shorter_minimum_counts_p2() -> None:
    r = joint_point_visits(track().legs, points(), within_m=20, min_dwell_minutes=2)
    assert r.points["visited"].tolist() == [True, True, False]


def test_guards() -> None:
    with pytest.raises(FieldError):
        joint_point_visits(track().legs, points().drop(columns="id"))
    with pytest.raises(ConfigError):
        joint_point_visits(track().legs, points(), within_m=-1)
