"""``hotspot_review`` on the demo district: the engines' figures, and the planted hot spots
found on the grids (the grid Gi* of issue 12: all 118 grids were "not significant")."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.district import District, load_district
from gis.errors import ConfigError
from gis.hotspots import HotspotReview, hotspot_review, hotspot_series
from gis.hotspots.counts import assign_points, count_incidents, population_by_area
from gis.hotspots.evaluation import pai
from gis.hotspots.gistar import gi_star
from gis.hotspots.weights import spatial_weights


@pytest.fixture(scope="module")
def district(demo_dir: Path) -> District:
    return load_district(demo_dir)


@pytest.fixture(scope="module")
def planted(demo_dir: Path, district: District) -> gpd.GeoDataFrame:
    """The planted hot spots of truth.json with the id of the grid holding each centre."""
    truth = json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))
    frame = gpd.GeoDataFrame(
        truth["hotspots"],
        geometry=shapely.points([(h["lon"], h["lat"]) for h in truth["hotspots"]]),
        crs=4490,
    )
    assert district.grids is not None
    frame["grid"] = assign_points(frame, district.grids).to_numpy()
    return frame


@pytest.fixture(scope="module")
def december(district: District) -> HotspotReview:
    return hotspot_review(district)  # the latest month: December 2025


def test_the_review_gives_the_engines_figures(district: District, december: HotspotReview) -> None:
    assert district.grids is not None and district.incidents is not None
    assert december.period.start == pd.Timestamp("2025-12-01")
    assert december.period.previous_start == pd.Timestamp("2025-11-01")
    pop = population_by_area(district.buildings, district.grids)
    direct = count_incidents(
        district.incidents, district.grids, window="month", at="2025-12-15", population=pop
    ).areas
    for col in ("count", "previous_count", "change", "rate_km2", "rate_1000"):
        assert december.grids[col].to_numpy() == pytest.approx(direct[col].to_numpy(), nan_ok=True)
    # the cells: every December incident inside the cells counted once, Gi* as gi_star's
    inc = district.incidents.to_crs(december.metric_crs)
    cell = assign_points(inc, december.cells)
    in_dec = (inc["time"] >= "2025-12-01") & (inc["time"] < "2026-01-01") & cell.notna()
    assert int(december.cells["count"].sum()) == int(in_dec.sum())
    own = gi_star(december.cells[["id", "row", "col", "count", "geometry"]], permutations=0)
    assert december.cells["gi_z"].to_numpy() == pytest.approx(own.cells["gi_z"].to_numpy())
    assert (december.cells["hotspot_class"] == own.cells["hotspot_class"]).all()
    # PAI: November's cell counts predicting December's
    nov = (inc["time"] >= "2025-11-01") & (inc["time"] < "2025-12-01") & cell.notna()
    before = cell[nov].value_counts().reindex(december.cells["id"], fill_value=0)
    expected = pai(
        december.cells.assign(count=before.to_numpy()), december.cells.set_index("id")["count"]
    )
    assert december.pai["pai"].iloc[0] == pytest.approx(expected.pai)
    assert set(december.emerging["pattern"]) - {"none"}  # some cell has a trend


def test_grid_gi_star_finds_the_planted_hot_spots(
    december: HotspotReview, planted: gpd.GeoDataFrame
) -> None:
    """December: H1, H2, H3 (95, 55, 95 planted) hot on their grids; H4 (6 planted) not."""
    grids = december.grids.set_index("id")
    classes = grids["hotspot_class"]
    active = planted[planted["id"] != "H4"]
    assert (classes[active["grid"]] >= 2).all(), classes[planted["grid"]].tolist()
    assert classes[planted.loc[planted["id"] == "H4", "grid"]].iloc[0] <= 0
    assert (grids.loc[active["grid"], "hot_share"] > 0.9).all()
    # hot grids are few: a commander is not told that the whole district is hot
    assert 3 <= (classes > 0).sum() <= 0.15 * len(classes)


def test_why_gi_star_on_the_grid_counts_alone_cannot_see_them(
    december: HotspotReview, planted: gpd.GeoDataFrame
) -> None:
    """One grid, however hot, moves its Gi* z to at most sqrt((n - W) / W) (W: itself and
    its neighbours): below the FDR threshold over 118 grids; the cause of issue 12's bug."""
    grids = december.grids
    weights = spatial_weights(grids)
    n = len(grids)
    for grid_id in planted["grid"]:
        w = len(weights.w.neighbors[grid_id]) + 1
        z = grids.set_index("id").loc[grid_id, "gi_z"]
        assert z < np.sqrt((n - w) / w)
    assert (grids["grid_class"] > 0).sum() == 0  # the old classes: nothing significant


def test_a_custom_year_finds_all_four(district: District, planted: gpd.GeoDataFrame) -> None:
    year = hotspot_review(district, start="2025-01-01", end="2026-01-01", trends=False)
    assert year.emerging is None and year.emerging_hotspots is None
    p = year.period
    assert p.window == "custom" and p.previous_start == p.start - (p.end - p.start)
    classes = year.grids.set_index("id")["hotspot_class"]
    assert int(year.grids["count"].sum()) > 27_000  # the whole year of the demo
    assert (classes[planted["grid"]] >= 2).all(), classes[planted["grid"]].tolist()


def test_week_and_day_windows(district: District) -> None:
    week = hotspot_review(district, window="week", at="2025-11-05", size_m=200)
    assert week.period.start == pd.Timestamp("2025-11-03")  # Monday
    assert week.period.end == pd.Timestamp("2025-11-10")
    assert week.cell_size_m == 200 and week.shape == "hexagon"
    assert district.incidents is not None
    t = district.incidents["time"]
    assert week.grids["count"].sum() <= ((t >= "2025-11-03") & (t < "2025-11-10")).sum()
    day = hotspot_review(district, window="day", at="2025-11-05 18:00", size_m=200)
    assert day.period.end - day.period.start == pd.Timedelta(days=1)
    assert day.grids["count"].sum() < week.grids["count"].sum()


def test_one_month_of_history_has_no_trend(district: District) -> None:
    assert district.incidents is not None
    t = district.incidents["time"]
    only_december = replace(district, incidents=district.incidents[t >= "2025-12-01"])
    review = hotspot_review(only_december, size_m=200)
    assert review.emerging_hotspots is None
    assert (review.emerging["pattern"] == "none").all()
    assert review.emerging["count"].sum() == review.cells["count"].sum()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start": "2025-11-01"}, "start and end"),
        ({"start": "2025-11-01", "end": "2025-10-01"}, "not after"),
        ({"at": "2025-11-01", "start": "2025-10-01", "end": "2025-11-01"}, "either"),
        ({"category": "no-such-category"}, "no-such-category"),
    ],
)
def test_bad_options_are_config_errors(district: District, options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        hotspot_review(district, size_m=200, **options)


def test_a_district_without_incidents_is_a_config_error(district: District) -> None:
    with pytest.raises(ConfigError, match="incidents"):
        hotspot_review(replace(district, incidents=None))


def test_whole_period_gi_star_is_gi_star_of_the_total_counts(district: District) -> None:
    """``whole_period=True``: Gi* over every incident up to the period's end, not the window."""
    review = hotspot_review(
        district, window="week", at="2025-11-05", trends=False, whole_period=True
    )
    assert review.whole is not None and review.whole_hotspots is not None
    assert district.incidents is not None
    inc = district.incidents.to_crs(review.metric_crs)
    cell = assign_points(inc, review.cells)
    before_end = (inc["time"] < review.period.end).to_numpy() & cell.notna().to_numpy()
    total = cell[before_end].value_counts().reindex(review.cells["id"], fill_value=0)
    assert review.whole["id"].tolist() == review.cells["id"].tolist()
    assert review.whole["count"].tolist() == total.tolist()
    assert review.whole["count"].sum() > 10 * review.cells["count"].sum()  # not the week
    own = gi_star(
        review.cells[["id", "row", "col", "geometry"]].assign(count=total.to_numpy()),
        permutations=0,
    )
    assert review.whole["gi_z"].to_numpy() == pytest.approx(own.cells["gi_z"].to_numpy())
    assert (review.whole["hotspot_class"] == own.cells["hotspot_class"]).all()
    assert review.whole_hotspots.n_hot > 0
    assert review.density is None and review.contours is None  # only when asked


def test_density_of_the_period_and_its_contours(district: District) -> None:
    review = hotspot_review(district, trends=False, density=True)
    surface, contours = review.density, review.contours
    assert surface is not None and contours is not None
    assert surface.crs.equals(review.metric_crs)
    assert surface.n_points == int(
        (
            (district.incidents["time"] >= review.period.start)
            & (district.incidents["time"] < review.period.end)
        ).sum()
    )
    assert surface.mass().sum() == pytest.approx(surface.n_points)
    assert contours["level"].is_monotonic_increasing and len(contours) == 4
    # the densest contour lies where the hot cells are
    hot = review.cells[review.cells["hotspot_class"] == 3]
    top = contours.geometry.iloc[-1]
    assert hot.geometry.centroid.within(top.buffer(review.cell_size_m)).any()


def test_a_series_of_periods_equals_one_review_each(district: District) -> None:
    """hotspot_series shares cells and weights; each review is hotspot_review's own."""
    ats = ["2025-11-12", "2025-12-24"]
    series = hotspot_series(district, window="week", ats=ats, size_m=200)
    for at, got in zip(ats, series, strict=True):
        alone = hotspot_review(district, window="week", at=at, size_m=200, trends=False)
        assert got.period == alone.period
        pd.testing.assert_frame_equal(
            pd.DataFrame(got.grids.drop(columns="geometry")),
            pd.DataFrame(alone.grids.drop(columns="geometry")),
        )
        pd.testing.assert_series_equal(got.cells["gi_z"], alone.cells["gi_z"])
