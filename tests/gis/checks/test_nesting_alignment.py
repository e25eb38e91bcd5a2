"""Nesting (grid in community, beat in station), beat alignment, auxiliary beats."""

from __future__ import annotations

import pytest

from tests.gis.checks.conftest import GRID_BOXES, frame, sq
from tests.gis.checks.helpers import found, run


def _grids(**boxes: object) -> object:
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms.update(boxes)  # type: ignore[arg-type]
    return frame(list(geoms), list(geoms.values()))


def test_grid_crossing_its_community_reports_area_and_both_ids(district) -> None:
    """Communities redrawn at x=190: G2 and G4 cross 10 m into C2::

    +------+-+-------+
    |  C1  |#|  C2   |   # = 10 m strip of G2/G4 in C2
    """
    communities = frame(["C1", "C2"], [sq(0, 0, 190, 200), sq(190, 0, 400, 200)], urban=True)
    report = run(district(community=communities))
    cross = report.violations[report.violations["rule"] == "crosses_parent"]
    assert set(zip(cross["ids"], cross["other_ids"], strict=True)) == {
        ("G2", "C1,C2"),
        ("G4", "C1,C2"),
    }
    assert cross["area_m2"].tolist() == pytest.approx([1000.0, 1000.0])
    assert (cross["width_m"] > 9.5).all()


def test_crossing_within_tolerance_is_noise(district) -> None:
    communities = frame(["C1", "C2"], [sq(0, 0, 199, 200), sq(199, 0, 400, 200)], urban=True)
    report = run(district(community=communities))
    assert report.ok
    assert {("crosses_parent", "G2", "C1,C2"), ("crosses_parent", "G4", "C1,C2")} <= found(
        report, noise=True
    )


def test_beat_outside_every_station_is_an_orphan(district) -> None:
    beats = frame(["B1", "B2"], [sq(0, 0, 200, 200), sq(200, 0, 450, 200)])
    report = run(district(beat=beats))
    orphan = report.violations[report.violations["rule"] == "orphan"]
    assert orphan["ids"].tolist() == ["B2"]
    assert orphan["area_m2"].iloc[0] == pytest.approx(50 * 200)


def test_grid_split_between_beats_with_shares(district) -> None:
    """Beat boundary at x=150 instead of 200: G2 and G4 split 50/50::

    +----+----:----+----+
    | G1 | G2 : .. | G5 |   B1 | B2 at x=150
    """
    beats = frame(["B1", "B2"], [sq(0, 0, 150, 200), sq(150, 0, 400, 200)])
    report = run(district(beat=beats, aux_beat=None, assignments=None))
    split = report.violations[report.violations["rule"] == "grid_split_by_beat"]
    assert set(split["ids"]) == {"G2", "G4"}
    assert set(split["other_ids"]) == {"B1,B2"}
    assert all("50%" in m for m in split["message_en"])
    off = report.violations[report.violations["rule"] == "beat_boundary_off_grid"]
    assert off["ids"].tolist() == ["B1,B2"]  # the line both beats share: one finding
    assert off["other_ids"].tolist() == ["G2,G4"]
    # 2 grids × (100 m − 2 × 2 m tolerance at the grid edges)
    assert off["length_m"].tolist() == pytest.approx([192.0], abs=0.5)
    assert report.figures["share_grids_aligned"] == pytest.approx(6 / 8)
    assert report.figures["share_area_consistent"] == pytest.approx(7 / 8)
    summary = report.grids.set_index("id")
    assert not summary.loc["G2", "aligned"] and summary.loc["G1", "aligned"]


def test_beat_boundary_within_tolerance_is_noise(district) -> None:
    beats = frame(["B1", "B2"], [sq(0, 0, 201, 200), sq(201, 0, 400, 200)])
    report = run(district(beat=beats))
    rules = {r for r, _, _ in found(report)}
    assert not rules & {"grid_split_by_beat", "beat_boundary_off_grid"}
    assert any(r == "grid_split_by_beat" for r, _, _ in found(report, noise=True))


def test_grid_in_no_beat_is_split_with_none(district) -> None:
    beats = frame(["B1", "B2"], [sq(0, 0, 200, 200), sq(200, 0, 300, 200)])
    report = run(district(beat=beats, aux_beat=None, assignments=None))
    split = report.violations[report.violations["rule"] == "grid_split_by_beat"]
    assert set(split["ids"]) == {"G6", "G8"}
    assert all("no beat 100%" in m for m in split["message_en"])
    assert all("无责任区 100%" in m for m in split["message_zh"])


def test_aux_beats_missing_extra_and_mismatched(district) -> None:
    """A1 shifted 30 m (mismatch), A2 dropped (missing), AX far away (extra)."""
    aux = district()["aux_beat"]
    aux = aux[aux["id"] != "A2"].copy()
    aux.loc[aux["id"] == "A1", "geometry"] = sq(0, 100, 100, 200).union(sq(100, 100, 130, 200))
    aux.loc[len(aux) + 10] = ["AX", "B1", sq(1000, 1000, 1100, 1100)]
    report = run(district(aux_beat=aux, assignments=None))
    got = {(r, i, o) for r, i, o in found(report) if r.startswith("aux_beat")}
    assert got == {
        ("aux_beat_mismatch", "A1", "G1"),
        ("aux_beat_missing", "", "G2"),
        ("aux_beat_extra", "AX", ""),
    }
    mismatch = report.violations[report.violations["rule"] == "aux_beat_mismatch"]
    assert mismatch["area_m2"].iloc[0] == pytest.approx(3000.0)


def test_wrong_parent_id_is_found_even_when_the_crossing_is_a_speck(district) -> None:
    """G2 pokes 1 mm into C2 (a speck, dropped as round-off) and declares C2 as its parent,
    while it lies in C1: the wrong ``parent_id`` is its real problem and must be reported::

    +------+------+
    |  C1  |  C2  |   G2 = (100..200.001) × (100..200), parent_id "C2"
    """
    grids = district()["grid"].copy()
    at = grids.index[grids["id"] == "G2"][0]
    grids.loc[at, "geometry"] = sq(100, 100, 200.001, 200)
    grids.loc[at, "parent_id"] = "C2"
    g3 = grids.index[grids["id"] == "G5"][0]  # keep the grid layer a tiling: G5 gives way
    grids.loc[g3, "geometry"] = grids.loc[g3, "geometry"].difference(sq(100, 100, 200.001, 200))
    report = run(district(grid=grids, aux_beat=None, assignments=None))
    assert ("crosses_parent", "G2", "C1,C2") in found(report) | found(report, noise=True)
