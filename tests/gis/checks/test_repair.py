"""Repair proposals: re-checking a proposal finds no violations and no new overlap or gap."""

from __future__ import annotations

import pandas as pd
import pytest

from gis.checks.repair import clean_layer, realign_beats, regenerate_aux_beats
from gis.errors import FieldError
from tests.gis.checks.conftest import GRID_BOXES, frame, sq
from tests.gis.checks.helpers import found, run


def test_realigned_beats_follow_whole_grids(district) -> None:
    """Beat boundary at x=150 cuts G2/G4; the proposal moves it back to a grid edge."""
    bad = frame(["B1", "B2"], [sq(0, 0, 150, 200), sq(150, 0, 400, 200)], parent_id="S1")
    layers = district(beat=bad)
    proposal = realign_beats(layers["grid"], bad)
    assert proposal.kind == "beat" and len(proposal.layer) == 2
    assert set(proposal.changes["grid_id"]) == {"G2", "G4"}
    report = run(district(beat=proposal.layer))
    assert report.ok, report.violations[["rule", "ids", "message_en"]].to_string()
    assert bad.geometry.iloc[0].area == pytest.approx(150 * 200)  # input untouched


def test_assignment_table_overrides_majority(district) -> None:
    layers = district()
    table = pd.DataFrame({"grid_id": ["G5", "G7"], "beat_id": ["B1", "B1"]})
    proposal = realign_beats(layers["grid"], layers["beat"], assignment=table)
    areas = proposal.layer.set_index("id").area
    assert areas["B1"] == pytest.approx(300 * 200)
    assert set(proposal.changes["to"]) == {"B1"}
    with pytest.raises(FieldError, match="B9"):
        realign_beats(layers["grid"], layers["beat"], assignment=table.assign(beat_id="B9"))


def test_regenerated_aux_beats_match_grids_one_to_one(district) -> None:
    layers = district(aux_beat=frame(["AX"], [sq(0, 0, 400, 200)]))
    proposal = regenerate_aux_beats(layers["grid"], layers["beat"])
    rows = proposal.layer
    fixed = district(aux_beat=rows)
    fixed["assignments"] = pd.DataFrame(
        {
            "officer_id": [f"F{i}" for i in range(len(rows))] + ["P1", "P2"],
            "role": ["auxiliary"] * len(rows) + ["officer"] * 2,
            "area_kind": ["aux_beat"] * len(rows) + ["beat"] * 2,
            "area_id": [*rows["id"], "B1", "B2"],
        }
    )
    assert run(fixed).ok
    assert rows.set_index("grid_id").loc["G6", "parent_id"] == "B2"


def test_clean_layer_closes_gaps_and_resolves_overlaps(district) -> None:
    """Overlap G1/G2 (10 m), gap G3/G4 (6 m), G8 off by 1.5 m: cleaned, re-check is clean."""
    notch = sq(85, 40, 115, 46)
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms["G2"] = sq(90, 100, 200, 200)
    geoms["G3"] = geoms["G3"].difference(notch)
    geoms["G4"] = geoms["G4"].difference(notch)
    geoms["G8"] = sq(301.5, 0, 400, 100)
    grids = frame(list(geoms), list(geoms.values()))
    before = run(district(grid=grids, aux_beat=None, assignments=None))
    assert {"overlap", "gap"} <= {r for r, _, _ in found(before)}
    proposal = clean_layer(grids, kind="grid", tolerance_m=2.0)
    # each overlap and gap goes to one neighbour: one of each pair changes
    assert len({"G1", "G2"} & set(proposal.changes["id"])) == 1
    assert len({"G3", "G4"} & set(proposal.changes["id"])) == 1
    after = run(district(grid=proposal.layer, aux_beat=None, assignments=None))
    assert not {r for r, _, _ in found(after)} & {"overlap", "gap", "crosses_parent"}
    assert proposal.layer.area.sum() >= 400 * 200 - 150 - 1e-6  # gap closed, nothing lost


def test_regenerated_aux_beats_keep_existing_ids_and_drop_grid_overlaps(district) -> None:
    """
    +----+----+        grids G1, G2 overlap by ##; the old aux beats JG1 (for G1, by
    | G1 #| G2 |        its grid_id) and JG2 (for G2, by shape) keep their ids; the
    +----+----+        overlap goes to G1's aux beat only
    """
    layers = district()
    grids = layers["grid"]
    first = grids.iloc[:2].copy()
    first.loc[first.index[0], "geometry"] = first.geometry.iloc[0].buffer(5, join_style="mitre")
    old = frame(["JG1", "JG2"], list(grids.geometry.iloc[:2]))
    old["grid_id"] = [grids["id"].iloc[0], ""]
    old["name"] = ["一号警格", "二号警格"]
    proposal = regenerate_aux_beats(first, layers["beat"], existing=old)
    rows = proposal.layer.set_index("grid_id")
    assert list(rows["id"]) == ["JG1", "JG2"]
    assert list(rows["name"]) == ["一号警格", "二号警格"]
    assert proposal.changes["id_kept"].all()
    g1, g2 = proposal.layer.geometry
    assert g1.intersection(g2).area == pytest.approx(0.0, abs=1e-6)
    assert g1.equals(first.geometry.iloc[0])
    fresh = regenerate_aux_beats(first, layers["beat"])
    assert list(fresh.layer["id"]) == [f"A-{i}" for i in first["id"]]
