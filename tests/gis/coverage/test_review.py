"""``coverage_review`` on the demo district: the same figures as the engines called directly,
periods by window or range, visits given or read from the district, bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from gis.coverage import CoverageReview, coverage_review
from gis.coverage.joint_points import joint_point_visits
from gis.coverage.patrol import hotspot_dosage, legs_in_period, patrol_coverage
from gis.coverage.visits import visit_coverage
from gis.district import District, load_district
from gis.errors import ConfigError, FieldError
from gis.hotspots import hotspot_review

START, END = "2025-11-03", "2025-11-10"


@pytest.fixture(scope="module")
def district(demo_dir: Path) -> District:
    return load_district(demo_dir)


@pytest.fixture(scope="module")
def week(district: District) -> CoverageReview:
    hot = hotspot_review(district, window="week", at=START, size_m=200, trends=False)
    return coverage_review(district, start=START, end=END, hotspots=hot)


def test_the_review_gives_the_engines_figures(district: District, week: CoverageReview) -> None:
    assert district.tracks is not None and district.grids is not None
    patrol = patrol_coverage(district.tracks, district.grids, start=START, end=END)
    for col in ("patrol_minutes", "distance_m", "covered_share", "visits"):
        assert week.grids[col].to_numpy() == pytest.approx(patrol.grids[col].to_numpy())
    assert week.grids["patrol_minutes"].sum() > 0
    legs = legs_in_period(patrol.tracks.legs, start=patrol.start, end=patrol.end)
    assert district.joint_points is not None and week.joint_points is not None
    joints = joint_point_visits(legs, district.joint_points, within_m=30, min_dwell_minutes=5)
    assert week.joint_points.points["visited"].tolist() == joints.points["visited"].tolist()
    assert 0 < week.joint_points.visited_share < 1
    assert week.dosage is not None
    hot = hotspot_review(district, window="week", at=START, size_m=200, trends=False)
    dose = hotspot_dosage(legs, hot.cells)
    assert week.dosage.areas["id"].tolist() == dose.areas["id"].tolist()
    assert week.dosage.areas["patrol_minutes"].to_numpy() == pytest.approx(
        dose.areas["patrol_minutes"].to_numpy()
    )
    assert len(week.dosage.areas) == hot.n_hot_cells
    assert week.under_patrolled is not None and len(week.under_patrolled) <= len(dose.areas)
    visits = pd.read_csv(district.tables["visit"], parse_dates=["time"], dtype={"address_id": str})
    assert district.addresses is not None and week.visits is not None
    direct = visit_coverage(district.addresses, visits, district.grids, start=START, end=END)
    assert week.visits.grids["coverage"].to_numpy() == pytest.approx(
        direct.grids["coverage"].to_numpy(), nan_ok=True
    )
    assert week.period is not None and week.period.window == "custom"
    assert week.metric_crs.to_epsg() == 4549


def test_a_week_window_is_the_same_as_its_range(district: District, week: CoverageReview) -> None:
    by_window = coverage_review(district, window="week", at="2025-11-05")
    assert by_window.period is not None
    assert (by_window.start, by_window.end) == (pd.Timestamp(START), pd.Timestamp(END))
    assert by_window.grids["patrol_minutes"].to_numpy() == pytest.approx(
        week.grids["patrol_minutes"].to_numpy()
    )
    assert by_window.dosage is None  # no hot spots given


def test_visits_given_as_a_frame(district: District, week: CoverageReview) -> None:
    visits = pd.read_csv(district.tables["visit"], parse_dates=["time"], dtype={"address_id": str})
    joint_only = visits[visits["visitor_role"] == "joint"]
    review = coverage_review(district, start=START, end=END, visits=joint_only)
    assert review.visits is not None and week.visits is not None
    fewer = review.visits.addresses["visits"].sum()
    assert 0 < fewer < week.visits.addresses["visits"].sum()


def test_an_open_range_reviews_every_fix_after_start(
    district: District, week: CoverageReview
) -> None:
    """The demo's tracks run 2025-11-03 … 11-23: from the 10th on is the rest of them."""
    review = coverage_review(district, start=END)
    assert review.period is None and review.end is None
    assert review.start == pd.Timestamp(END)
    everything = coverage_review(district)
    assert everything.period is None and everything.start is None
    total = everything.grids["patrol_minutes"].to_numpy()
    parts = review.grids["patrol_minutes"].to_numpy() + week.grids["patrol_minutes"].to_numpy()
    assert parts == pytest.approx(total, abs=0.02)  # legs split at midnight of the 10th


def test_bad_visit_table_names_the_row(district: District, tmp_path: Path) -> None:
    bad = tmp_path / "visits.csv"
    bad.write_text(
        "address_id,time,visitor_role\nA1,2025-11-04 09:00,joint\nA2,yesterday,police\n",
        encoding="utf-8",
    )
    broken = replace(district, tables={**district.tables, "visit": bad})
    with pytest.raises(FieldError, match="row 2") as err:
        coverage_review(broken, start=START, end=END)
    assert "visits.csv" in str(err.value) and "time" in str(err.value)
    no_role = tmp_path / "no_role.csv"
    no_role.write_text("address_id,time\nA1,2025-11-04 09:00\n", encoding="utf-8")
    with pytest.raises(FieldError, match="visitor_role"):
        coverage_review(replace(district, tables={"visit": no_role}), start=START, end=END)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"at": "2025-11-05"}, "window"),
        ({"window": "week", "start": START}, "either"),
        ({"start": END, "end": START}, "not after"),
    ],
)
def test_bad_periods_are_config_errors(district: District, options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        coverage_review(district, **options)


def test_a_district_without_tracks_is_a_config_error(district: District) -> None:
    with pytest.raises(ConfigError, match="tracks"):
        coverage_review(replace(district, tracks=None))
