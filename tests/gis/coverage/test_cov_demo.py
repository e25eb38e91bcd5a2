"""On the demo district: planted patrol dwells at joint points, unvisited key addresses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gis.coverage.joint_points import joint_point_visits
from gis.coverage.patrol import patrol_coverage
from gis.coverage.visits import visit_coverage


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> dict:
    from gis.district import load_district

    district = load_district(demo_dir)
    truth = json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))
    visits = pd.read_csv(district.tables["visit"], parse_dates=["time"])
    coverage = patrol_coverage(district.tracks, district.grids, within_m=50)
    return {"district": district, "truth": truth, "visits": visits, "coverage": coverage}


def test_tracks_are_cleaned_and_time_is_conserved(demo: dict) -> None:
    cov = demo["coverage"]
    legs = cov.tracks.legs
    assert (cov.tracks.dropped["reason"] == "spike").sum() > 0  # the demo plants GPS outliers
    assert legs["speed_kmh"].max() <= 80 and legs["seconds"].max() <= 300
    inside = cov.grids["patrol_minutes"].sum()
    assert inside <= legs["seconds"].sum() / 60 + 1e-6
    assert inside > 0.95 * legs["seconds"].sum() / 60  # patrols stay in the district
    assert cov.grids["covered_share"].between(0, 1).all()
    assert {"id", "patrol_minutes", "distance_m", "covered_share"} <= set(cov.grids.columns)


def test_planted_dwells_at_joint_points_are_found(demo: dict) -> None:
    legs = demo["coverage"].tracks.legs
    result = joint_point_visits(
        legs, demo["district"].joint_points, within_m=30, min_dwell_minutes=5
    )
    dwells = pd.DataFrame(demo["truth"]["patrol_dwells"])
    dwells["start"] = pd.to_datetime(dwells["start"])
    dwells["end"] = dwells["start"] + pd.to_timedelta(dwells["minutes"], unit="min")
    got = result.visits.assign(track_id=result.visits["segment_id"].str.split("#").str[0])
    pairs = dwells.merge(
        got,
        left_on=["track_id", "joint_point_id"],
        right_on=["track_id", "id"],
        suffixes=("", "_got"),
    )
    slack = pd.Timedelta(minutes=2)
    overlap = (pairs["start_got"] <= pairs["end"] + slack) & (
        pairs["end_got"] >= pairs["start"] - slack
    )
    found = (
        pairs[overlap]
        .groupby(["track_id", "joint_point_id", "start"])
        .agg(planted=("minutes", "first"), measured=("minutes_got", "sum"))
    )
    assert len(found) >= 0.98 * len(dwells)
    error = found["measured"] - found["planted"]
    # walking the last and first 30 m adds a little; a GPS gap inside a stay removes time
    # (no time is assumed across a gap), which explains the rest
    assert (error.abs() <= 2.0).mean() >= 0.85
    assert error.abs().median() <= 1.0
    assert error.max() <= 3.0
    # joint points with a planted stay of ≥ 5.5 min are visited
    long_stays = set(dwells.loc[dwells["minutes"] >= 5.5, "joint_point_id"])
    visited = result.points.set_index("id")["visited"]
    assert visited.reindex(sorted(long_stays)).mean() >= 0.95  # a GPS gap can hide a stay


def test_never_visited_key_addresses_are_uncovered(demo: dict) -> None:
    district = demo["district"]
    result = visit_coverage(district.addresses, demo["visits"], district.grids)
    never = demo["truth"]["unvisited_key_addresses"]
    addresses = result.addresses.set_index("id")
    assert (addresses.loc[never, "visits"] == 0).all()
    assert not addresses.loc[never, "covered"].any()
    assert set(never) <= set(result.uncovered["id"])
    assert np.nanmax(result.grids["coverage"]) <= 1.0
