"""Counts and rates per area: periods, change vs. previous period, km² and per-1,000 rates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.errors import ConfigError, CRSError, FieldError, GeometryError
from gis.hotspots.counts import (
    assign_points,
    complete_period,
    count_incidents,
    count_table,
    period_bounds,
    population_by_area,
)
from tests.gis.hotspots.hotspot_fixtures import METRIC


def two_squares() -> gpd.GeoDataFrame:
    """A is 1 km x 1 km, B is 1 km x 2 km::

    +------+
    |      |
    |  B   |
    +------+------+  A: (0,0)-(1000,1000)
    |  A   |         B: (0,1000)-(1000,3000)
    +------+
    """
    return gpd.GeoDataFrame(
        {"id": ["A", "B"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(0, 1000, 1000, 3000)],
        crs=METRIC,
    )


def incidents() -> gpd.GeoDataFrame:
    rows = [
        # (x, y, time, category)
        (500, 500, "2024-03-05 10:00", "theft"),
        (600, 400, "2024-03-20 23:59", "theft"),
        (500, 1500, "2024-03-31 08:00", "fight"),
        (500, 500, "2024-02-10 12:00", "theft"),
        (500, 2500, "2024-02-11 12:00", "theft"),
        (500, 2600, "2024-02-12 12:00", "theft"),
        (500, 500, "2024-04-01 00:00", "theft"),  # next month: not counted
        (5000, 5000, "2024-03-06 00:00", "theft"),  # outside every area
    ]
    x, y, t, c = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"id": [str(i) for i in range(len(rows))], "time": pd.to_datetime(list(t)), "category": c},
        geometry=shapely.points(x, y),
        crs=METRIC,
    )


def test_month_counts_rates_and_change() -> None:
    result = count_incidents(incidents(), two_squares(), window="month", at="2024-03-15")
    a, b = result.areas.set_index("id").loc["A"], result.areas.set_index("id").loc["B"]
    assert (a["count"], a["previous_count"], a["change"]) == (2, 1, 1)
    assert (b["count"], b["previous_count"], b["change"]) == (1, 2, -1)
    assert a["change_pct"] == pytest.approx(100.0) and b["change_pct"] == pytest.approx(-50.0)
    assert a["area_km2"] == pytest.approx(1.0) and b["area_km2"] == pytest.approx(2.0)
    assert a["rate_km2"] == pytest.approx(2.0) and b["rate_km2"] == pytest.approx(0.5)
    assert result.period.start == pd.Timestamp("2024-03-01")
    assert result.period.previous_start == pd.Timestamp("2024-02-01")
    assert result.metric_crs.is_projected


def test_category_filter_and_population_rate() -> None:
    pop = pd.Series({"A": 500.0, "B": 0.0})
    result = count_incidents(
        incidents(),
        two_squares(),
        window="month",
        at="2024-03-01",
        category="theft",
        population=pop,
    )
    frame = result.areas.set_index("id")
    assert frame.loc["A", "count"] == 2 and frame.loc["B", "count"] == 0
    assert frame.loc["A", "rate_1000"] == pytest.approx(4.0)
    assert pd.isna(frame.loc["B", "rate_1000"])  # no residents: no rate, not infinity
    assert result.category == ("theft",)


def test_area_col_path_gives_same_counts() -> None:
    inc = incidents()
    inc["grid"] = assign_points(inc, two_squares())
    by_col = count_incidents(
        pd.DataFrame(inc.drop(columns="geometry")),
        two_squares(),
        window="month",
        at="2024-03-02",
        area_col="grid",
    )
    by_geom = count_incidents(inc, two_squares(), window="month", at="2024-03-02")
    assert by_col.areas["count"].tolist() == by_geom.areas["count"].tolist()


@pytest.mark.parametrize(
    ("window", "at", "start", "prev"),
    [
        ("day", "2024-03-06 17:00", "2024-03-06", "2024-03-05"),
        ("week", "2024-03-06 17:00", "2024-03-04", "2024-02-26"),  # Wednesday → Monday
        ("month", "2024-01-31", "2024-01-01", "2023-12-01"),
    ],
)
def test_period_bounds(window: str, at: str, start: str, prev: str) -> None:
    p = period_bounds(window, at=at)  # type: ignore[arg-type]
    assert p.start == pd.Timestamp(start) and p.previous_start == pd.Timestamp(prev)
    assert p.previous_end == p.start and p.end > p.start


def test_custom_window_and_its_guards() -> None:
    p = period_bounds("custom", start="2024-03-01", end="2024-03-11")
    assert p.previous_start == pd.Timestamp("2024-02-20")
    with pytest.raises(ConfigError):
        period_bounds("custom", start="2024-03-01")
    with pytest.raises(ConfigError):
        period_bounds("custom", start="2024-03-02", end="2024-03-01")
    with pytest.raises(ConfigError):
        period_bounds("week")


def test_population_from_buildings_polygons_and_points() -> None:
    buildings = gpd.GeoDataFrame(
        {"id": ["b1", "b2", "b3"], "population": [100, 250, 40], "households": [40, 90, 15]},
        geometry=[shapely.box(10, 10, 50, 50), shapely.Point(300, 1200), shapely.Point(9e5, 0)],
        crs=METRIC,
    )
    pop = population_by_area(buildings, two_squares())
    assert pop.to_dict() == {"A": 100.0, "B": 250.0}
    assert population_by_area(buildings, two_squares(), column="households")["B"] == 90.0


def test_count_table_by_window() -> None:
    inc = incidents()
    inc["grid"] = assign_points(inc, two_squares())
    table = count_table(inc, area_col="grid", freq="month")
    march_a = table[(table["area_id"] == "A") & (table["period"] == "2024-03-01")]
    assert march_a["count"].sum() == 2
    assert table["count"].sum() == 7  # the one outside every area is left out


def test_broken_inputs_name_the_problem() -> None:
    with pytest.raises(FieldError, match="time"):
        count_incidents(incidents().drop(columns="time"), two_squares())
    with pytest.raises(FieldError, match="category"):
        count_incidents(incidents().drop(columns="category"), two_squares(), category="theft")
    with pytest.raises(GeometryError):
        count_incidents(pd.DataFrame(incidents().drop(columns="geometry")), two_squares())
    bad_times = incidents().assign(time=pd.NaT)
    with pytest.raises(ConfigError):
        count_incidents(bad_times, two_squares())
    with pytest.raises(CRSError):  # a missing CRS is a CRSError everywhere (gis.guard)
        count_incidents(
            incidents(), gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)])
        )


def test_empty_incidents_give_zero_counts() -> None:
    empty = incidents().iloc[:0]
    result = count_incidents(empty, two_squares(), window="day", at="2024-03-01")
    assert result.areas["count"].tolist() == [0, 0]


def joint_points_and_a_grid() -> gpd.GeoDataFrame:
    """Two joint-defense points given as points, 80 m apart, and one polygon grid G::

        (0,40)·        ·(80,49)                       +--------+
            J1 ·(40,0)· J2      ·(80,52)              |   G ·  |  G: (1000,0)-(2000,1000)
        (0,0)           (80,0)                        +--------+

    With r = 50 m: (0,40) → J1; (40,0) → J1 and J2 (40 m from each); (80,49) → J2;
    (80,52) → none (52 m); (1500,500) → G; (500,500) → nothing.
    """
    return gpd.GeoDataFrame(
        {"id": ["J1", "J2", "G"]},
        geometry=[shapely.Point(0, 0), shapely.Point(80, 0), shapely.box(1000, 0, 2000, 1000)],
        crs=METRIC,
    )


def near_points_incidents() -> gpd.GeoDataFrame:
    xy = [(0, 40), (40, 0), (80, 49), (80, 52), (1500, 500), (500, 500), (0, 10)]
    times = ["2024-03-02"] * 6 + ["2024-02-20"]  # the last one is in the previous month
    return gpd.GeoDataFrame(
        {"time": pd.to_datetime(times), "category": "theft"},
        geometry=shapely.points(xy),
        crs=METRIC,
    )


@pytest.mark.parametrize(
    ("radius", "expected"), [(50.0, {"J1": 2, "J2": 2, "G": 1}), (60.0, {"J1": 2, "J2": 3, "G": 1})]
)
def test_point_shaped_joint_points_count_incidents_within_the_radius(
    radius: float, expected: dict[str, int]
) -> None:
    result = count_incidents(
        near_points_incidents(),
        joint_points_and_a_grid(),
        window="month",
        at="2024-03-15",
        point_radius_m=radius,
    )
    areas = result.areas.set_index("id")
    assert areas["count"].to_dict() == expected
    assert areas.loc["J1", "previous_count"] == 1 and areas.loc["J2", "previous_count"] == 0
    # the counted zone of a point is the disc π r²; the grid keeps its polygon area
    disc_km2 = np.pi * radius**2 / 1e6
    assert areas.loc["J1", "area_km2"] == pytest.approx(disc_km2)
    assert areas.loc["J1", "rate_km2"] == pytest.approx(2 / disc_km2)
    assert areas.loc["G", "area_km2"] == pytest.approx(1.0)
    # invariant: the point tallies are the (incident, point) pairs within r, by brute force
    inc = near_points_incidents().iloc[:6].geometry.to_numpy()
    points = joint_points_and_a_grid().geometry.to_numpy()[:2]
    pairs = shapely.distance(inc[:, None], points[None, :]) <= radius
    assert areas.loc[["J1", "J2"], "count"].tolist() == pairs.sum(axis=0).tolist()


def test_point_radius_is_measured_in_metres_from_lon_lat() -> None:
    areas = joint_points_and_a_grid().to_crs(4490)
    inc = near_points_incidents().to_crs(4326)
    result = count_incidents(inc, areas, window="month", at="2024-03-15")
    assert result.areas.set_index("id")["count"].to_dict() == {"J1": 2, "J2": 2, "G": 1}
    assert result.metric_crs.is_projected


@pytest.mark.parametrize("radius", [0.0, -5.0, float("nan")])
def test_point_radius_must_be_positive(radius: float) -> None:
    with pytest.raises(ConfigError):
        count_incidents(
            near_points_incidents(),
            joint_points_and_a_grid(),
            at="2024-03-15",
            point_radius_m=radius,
        )


def test_empty_and_missing_point_areas_count_nothing() -> None:
    areas = joint_points_and_a_grid()
    areas.loc[1, "geometry"] = shapely.Point()  # J2 empty
    areas.loc[2, "geometry"] = None  # G missing
    result = count_incidents(near_points_incidents(), areas, window="month", at="2024-03-15")
    got = result.areas.set_index("id")
    assert got["count"].to_dict() == {"J1": 2, "J2": 0, "G": 0}
    assert got.loc["J2", "area_km2"] == 0 and np.isnan(got.loc["J2", "rate_km2"])


def test_area_col_with_duplicate_area_ids_names_the_row() -> None:
    areas = joint_points_and_a_grid()
    areas.loc[2, "id"] = "J1"
    table = pd.DataFrame({"time": pd.to_datetime(["2024-03-02"]), "where": ["J1"]})
    with pytest.raises(FieldError, match="J1"):
        count_incidents(table, areas, at="2024-03-15", area_col="where")


@pytest.mark.parametrize(
    ("window", "latest", "now", "start", "end"),
    [
        # data to Wednesday 31 Dec 23:20: the running week (29 Dec -) is not whole
        ("week", "2025-12-31 23:20", None, "2025-12-22", "2025-12-29"),
        ("month", "2025-12-31 23:20", None, "2025-12-01", "2026-01-01"),
        ("day", "2025-12-31 23:20", None, "2025-12-31", "2026-01-01"),
        # data to Sunday night: that week is whole
        ("week", "2025-12-28 22:00", None, "2025-12-22", "2025-12-29"),
        # data to the 15th: the month before
        ("month", "2025-12-15 08:00", None, "2025-11-01", "2025-12-01"),
        # a live system: today is never complete, whatever has been recorded today
        ("day", "2026-03-05 09:00", "2026-03-05 09:30", "2026-03-04", "2026-03-05"),
        ("week", "2026-03-08 09:00", "2026-03-08 09:30", "2026-02-23", "2026-03-02"),
    ],
)
def test_complete_period_is_the_last_whole_one(
    window: str, latest: str, now: str | None, start: str, end: str
) -> None:
    period = complete_period(window, latest=latest, now=now)  # type: ignore[arg-type]
    assert (period.start, period.end) == (pd.Timestamp(start), pd.Timestamp(end))
    assert period.window == window
