"""Patrol dosage: a track crossing two squares at known speed → exact minutes and metres."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.coverage.dosage import patrol_dosage
from gis.coverage.patrol import hotspot_dosage, patrol_coverage
from gis.coverage.tracks import clean_tracks
from gis.errors import FieldError
from tests.gis.coverage.coverage_fixtures import METRIC, T0, fixes, two_squares


def crossing():
    """Walk east along y = 50 at 1 m/s from x = 50 to x = 150, fixes every 10 s, then stand
    at (150, 50) for 30 s::

        +--------+--------+
        |   A ●--|--→●    |     A: 50 m, 50 s      B: 50 m, 50 s + 30 s standing
        +--------+--------+
    """
    xs = [50, 60, 70, 80, 90, 110, 120, 130, 140, 150, 150]  # no fix on the boundary
    secs = [0, 10, 20, 30, 40, 60, 70, 80, 90, 100, 130]
    return clean_tracks(fixes([(x, 50) for x in xs], secs), crs=METRIC)


def test_exact_minutes_and_metres_per_square() -> None:
    d = patrol_dosage(crossing().legs, two_squares(), min_visit_minutes=1.0)
    a, b = d.areas.set_index("id").loc["A"], d.areas.set_index("id").loc["B"]
    assert a["distance_m"] == pytest.approx(50.0) and b["distance_m"] == pytest.approx(50.0)
    assert a["patrol_minutes"] == pytest.approx(50 / 60)
    assert b["patrol_minutes"] == pytest.approx(80 / 60)
    assert (a["visits"], b["visits"]) == (1, 1)
    # visits: A from 08:00:00 to 08:00:50, B from 08:00:50 to 08:02:10
    va, vb = d.visits.set_index("id").loc["A"], d.visits.set_index("id").loc["B"]
    assert va["start"] == T0 and va["end"] == T0 + np.timedelta64(50, "s")
    assert vb["start"] == T0 + np.timedelta64(50, "s")
    assert vb["end"] == T0 + np.timedelta64(130, "s")
    # invariant: time and distance are conserved across the squares
    legs = crossing().legs
    assert d.areas["patrol_minutes"].sum() == pytest.approx(legs["seconds"].sum() / 60)
    assert d.areas["distance_m"].sum() == pytest.approx(legs["metres"].sum())


def test_leaving_and_returning_makes_two_visits() -> None:
    # A → B → A, each stay well inside a square
    xs = [50, 60, 150, 160, 60, 50]
    ct = clean_tracks(fixes([(x, 50) for x in xs], [0, 60, 120, 180, 240, 300]), crs=METRIC)
    d = patrol_dosage(ct.legs, two_squares(), min_visit_minutes=0)
    assert d.areas.set_index("id").loc["A", "visits"] == 2
    assert d.areas.set_index("id").loc["B", "visits"] == 1


def test_under_patrolled_by_koper_target() -> None:
    d = patrol_dosage(crossing().legs, two_squares(), min_visit_minutes=10, min_visits=1)
    assert d.areas["under_patrolled"].all()
    assert d.under_patrolled == ["A", "B"]  # least patrolled first
    # 15 minutes inside A, a fix every 3 minutes
    ten_min = clean_tracks(
        fixes([(40 + i, 40 + i) for i in range(6)], [180 * i for i in range(6)]), crs=METRIC
    )
    d2 = patrol_dosage(ten_min.legs, two_squares(), min_visit_minutes=10, min_visits=1)
    assert d2.areas.set_index("id").loc["A", "effective_visits"] == 1
    assert d2.under_patrolled == ["B"]


def test_stationary_on_shared_boundary_counts_once() -> None:
    ct = clean_tracks(fixes([(100, 50), (100, 50)], [0, 120]), crs=METRIC)
    d = patrol_dosage(ct.legs, two_squares(), min_visit_minutes=0)
    assert d.areas["patrol_minutes"].sum() == pytest.approx(2.0)


def test_multipart_and_holed_areas() -> None:
    """A ring with a hole around (50, 50) and a two-part area; the walk crosses both."""
    ring = shapely.box(0, 0, 100, 100).difference(shapely.box(40, 0, 60, 100))  # 2 parts
    holed = shapely.Polygon(
        [(100, 0), (200, 0), (200, 100), (100, 100)], [[(140, 40), (160, 40), (160, 60), (140, 60)]]
    )
    areas = gpd.GeoDataFrame({"id": ["M", "H"]}, geometry=[ring, holed], crs=METRIC)
    ct = clean_tracks(fixes([(0, 50), (200, 50)], [0, 200]), crs=METRIC)
    d = patrol_dosage(ct.legs, areas, min_visit_minutes=0)
    m, h = d.areas.set_index("id").loc["M"], d.areas.set_index("id").loc["H"]
    assert m["distance_m"] == pytest.approx(80) and h["distance_m"] == pytest.approx(80)
    assert m["patrol_minutes"] == pytest.approx(80 / 60)
    assert m["visits"] == 1  # one leg leaving and re-entering is one visit


def test_patrol_coverage_contract_columns_and_period() -> None:
    ct = crossing()
    result = patrol_coverage(
        ct, two_squares(), within_m=10, start=T0, end=T0 + np.timedelta64(45, "s")
    )
    frame = result.grids.set_index("id")
    assert {"patrol_minutes", "distance_m", "covered_share"} <= set(frame.columns)
    assert frame.loc["A", "patrol_minutes"] == pytest.approx(50 / 60)  # legs starting < 45 s
    assert frame.loc["B", "patrol_minutes"] == pytest.approx(10 / 60)  # half the 20 s leg
    raw = patrol_coverage(fixes([(50, 50), (150, 50)], [0, 100]), two_squares())
    assert raw.grids["distance_m"].sum() == pytest.approx(100)


def test_hotspot_dosage_only_hot_cells() -> None:
    hot = two_squares().assign(hotspot_class=[3, 0])
    d = hotspot_dosage(crossing().legs, hot, min_visit_minutes=0.5, min_visits=1)
    assert d.areas["id"].tolist() == ["A"] and not d.areas["under_patrolled"].any()
    with pytest.raises(FieldError):
        hotspot_dosage(crossing().legs, two_squares())


def test_no_legs_gives_zero() -> None:
    ct = clean_tracks(fixes([(5000, 5000)], [0]), crs=METRIC)
    d = patrol_dosage(ct.legs, two_squares())
    assert (d.areas["patrol_minutes"] == 0).all() and d.visits.empty


@pytest.mark.parametrize("missing", ["segment_id", "t0", "seconds"])
def test_legs_without_a_column_are_refused(missing: str) -> None:
    with pytest.raises(FieldError, match=missing):
        patrol_dosage(crossing().legs.drop(columns=missing), two_squares())


def test_empty_and_missing_area_geometries_get_nothing() -> None:
    areas = gpd.GeoDataFrame(
        {"id": ["A", "E", "N"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.Polygon(), None],
        crs=METRIC,
    )
    d = patrol_dosage(crossing().legs, areas, min_visit_minutes=0)
    f = d.areas.set_index("id")
    assert f.loc["A", "patrol_minutes"] == pytest.approx(50 / 60)
    assert f.loc["E", "patrol_minutes"] == 0 and f.loc["N", "patrol_minutes"] == 0
