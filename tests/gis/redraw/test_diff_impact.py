"""Diff between grid versions and the impact of a change (2x2 fixture of conftest)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from gis.errors import FieldError
from gis.redraw import assess_impact, diff_grids, merge_grids, move_boundary, split_grid
from tests.gis.redraw.conftest import CRS, line, square


def test_diff_of_a_moved_boundary(grids, buildings) -> None:
    """A|B moved to x=130: A gains 3000 m² and B's building at x=120 (30 households)."""
    after = move_boundary(grids, "K1001", "K1002", line((130, -5), (130, 105))).grids
    diff = diff_grids(grids, after, buildings=buildings)
    table = diff.grids.set_index("id")
    assert table.loc["K1001", "status"] == "reshaped"
    assert table.loc["K1001", "gained_m2"] == pytest.approx(3000.0)
    assert table.loc["K1002", "lost_m2"] == pytest.approx(3000.0)
    assert table.loc["K1001", "households_after"] == 60
    assert table.loc["K1002", "households_after"] == 40
    flow = diff.flows.set_index(["from_id", "to_id"])
    assert flow.loc[("K1002", "K1001"), "area_m2"] == pytest.approx(3000.0)
    assert flow.loc[("K1002", "K1001"), "households"] == 30
    assert diff.counts()["unchanged"] == 3
    # conservation: households before = after
    assert table["households_before"].sum() == table["households_after"].sum() == 280


def test_diff_split_merge_rename(grids, buildings) -> None:
    after = split_grid(grids, "K1001", line((40, -10), (40, 110))).grids
    after = merge_grids(after, ["K1003", "K1004"]).grids
    after.loc[after["id"] == "K2001", "id"] = "K2009"  # same shape, new code
    after.loc[after["id"] == "K1002", "name"] = "乙"
    diff = diff_grids(grids, after, buildings=buildings)
    status = diff.grids.set_index("id")["status"]
    assert status["K1005"] == "added" and status["K1004"] == "removed"
    assert status["K1001"] == "reshaped" and status["K1003"] == "reshaped"
    assert status["K2009"] == "renamed" and "K2001" not in status.index
    assert status["K1002"] == "renamed"
    assert diff.grids.set_index("id").loc["K2009", "old_id"] == "K2001"
    assert diff.grids.set_index("id").loc["K2009", "households_before"] == 70
    assert diff.grids.crs == grids.crs


def test_diff_identical_is_unchanged(grids) -> None:
    diff = diff_grids(grids, grids)
    assert diff.changed.empty and diff.flows.empty


def test_diff_rejects_layers_without_buildings_fields(grids, buildings) -> None:
    with pytest.raises(FieldError, match="households"):
        diff_grids(grids, grids, buildings=buildings.drop(columns="households"))


def test_no_building_in_the_area_read_is_no_people_not_an_error(grids, buildings) -> None:
    """A service reads the buildings inside a reader's jurisdiction; where none lie, the
    frame is empty and carries no columns at all."""
    after = move_boundary(grids, "K1001", "K1002", line((130, -5), (130, 105))).grids
    none = gpd.GeoDataFrame(geometry=[], crs=buildings.crs)
    diff = diff_grids(grids, after, buildings=none)
    assert diff.grids["status"].tolist() == diff_grids(grids, after).grids["status"].tolist()
    assert "households" not in diff.flows


@pytest.fixture
def beats() -> gpd.GeoDataFrame:
    """Beat Z1 = A+C (x<100), Z2 = B+D+E."""
    return gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"], "parent_id": "P"},
        geometry=[square(0, 0, 100, 200), square(100, 0, 200, 200).union(square(200, 0))],
        crs=CRS,
    )


def test_impact_of_a_moved_boundary(grids, buildings, beats) -> None:
    after = move_boundary(grids, "K1001", "K1002", line((130, -5), (130, 105))).grids
    aux = grids.assign(id="A-" + grids["id"], grid_id=grids["id"], parent_id="Z1")
    joint = gpd.GeoDataFrame(
        {"id": ["J1", "J2"]}, geometry=[square(110, 10, 5, 5), square(10, 10, 5, 5)], crs=CRS
    )
    incidents = gpd.GeoDataFrame(
        {"id": ["I1", "I2"], "status": ["open", "closed"]},
        geometry=gpd.points_from_xy([500_120.0, 500_121.0], [3_540_050.0, 3_540_050.0]),
        crs=CRS,
    )
    assignments = pd.DataFrame(
        {
            "officer_id": ["O1", "O2", "O3", "O4"],
            "role": ["officer", "auxiliary", "auxiliary", "officer"],
            "area_kind": ["beat", "aux_beat", "aux_beat", "grid"],
            "area_id": ["Z1", "A-K1001", "A-K1003", "K1002"],
        }
    )
    impact = assess_impact(
        grids,
        after,
        beats=beats,
        aux_beats=aux,
        joint_points=joint,
        incidents=incidents,
        addresses=joint,
        assignments=assignments,
        buildings=buildings,
    )
    assert set(impact.beats["grid_id"]) == {"K1001"}  # A now reaches into beat Z2
    assert set(impact.aux_beats["aux_beat_id"]) == {"A-K1001", "A-K1002"}
    assert impact.joint_points["id"].tolist() == ["J1"]
    assert impact.joint_points["grid_after"].tolist() == ["K1001"]
    assert impact.incidents["id"].tolist() == ["I1"]  # the closed one is not listed
    assert set(impact.officers["officer_id"]) == {"O1", "O2", "O4"}
    assert impact.beat_proposal is not None
    assert set(impact.beat_proposal.changes["grid_id"]) == {"K1001"}
    assert impact.summary()["open_incidents"] == 1


def test_impact_without_other_layers(grids) -> None:
    impact = assess_impact(grids, grids)
    assert impact.summary() == {
        "grids_changed": 0,
        "beats_misaligned": 0,
        "aux_beats": 0,
        "joint_points": 0,
        "addresses": 0,
        "open_incidents": 0,
        "officers": 0,
    }
