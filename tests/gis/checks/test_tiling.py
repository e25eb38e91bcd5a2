"""Overlaps, gaps (told apart from real holes and from the open outer perimeter), cover."""

from __future__ import annotations

import pytest
from shapely import Polygon

from tests.gis.checks.conftest import GRID_BOXES, X0, Y0, frame, sq
from tests.gis.checks.helpers import found, run


def grids_with(**boxes: object) -> object:
    """The reference grids with some replaced (a geometry) or removed (None)."""
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms.update(boxes)  # type: ignore[arg-type]
    kept = {k: v for k, v in geoms.items() if v is not None}
    return frame(list(kept), list(kept.values()))


def test_overlap_is_found_with_its_area_and_width(district) -> None:
    """G2 pushed 10 m into G1::

    +-----+##+----+
    | G1  |##| G2 |
    """
    report = run(district(grid=grids_with(G2=sq(90, 100, 200, 200))))
    over = report.violations[report.violations["rule"] == "overlap"]
    assert set(over["ids"]) == {"G1,G2"}
    assert over["area_m2"].iloc[0] == pytest.approx(1000.0)
    assert over["width_m"].iloc[0] == pytest.approx(10.0, abs=0.2)


def test_inner_gap_is_a_gap_and_measured_as_width(district) -> None:
    """A 30 m × 6 m notch cut from G4 at the junction, enclosed by G1..G4, G7::

    +----+----+
    | G1 | G2 |
    +----+-..-+   .. = gap, width 6 m
    | G3 | G4 |
    """
    g4 = sq(100, 0, 200, 100).difference(sq(140, 40, 170, 46))
    report = run(district(grid=grids_with(G4=g4)))
    gaps = report.violations[report.violations["rule"] == "gap"]
    assert len(gaps) == 1
    assert gaps["area_m2"].iloc[0] == pytest.approx(180.0)
    assert gaps["width_m"].iloc[0] == pytest.approx(6.0, abs=0.2)
    assert gaps["ids"].iloc[0] == "G4"
    assert gaps["other_ids"].iloc[0] == "C1"


def test_narrow_gap_is_noise_not_violation(district) -> None:
    """A 1 m wide, 60 m long sliver (60 m² > sliver threshold) but narrower than 2 m."""
    g4 = sq(100, 0, 200, 100).difference(sq(120, 40, 180, 41))
    report = run(district(grid=grids_with(G4=g4)))
    assert report.ok
    assert ("gap", "G4", "C1") in found(report, noise=True)


def test_hole_of_the_parent_is_not_a_gap(district) -> None:
    """A lake (hole) in the street and community C1 that grid G4 also leaves out: not a gap."""
    lake = sq(130, 30, 170, 70)
    c1 = sq(0, 0, 200, 200).difference(lake)
    communities = frame(["C1", "C2"], [c1, sq(200, 0, 400, 200)], urban=True)
    street = frame(["ST1"], [sq(0, 0, 400, 200).difference(lake)])
    g4 = sq(100, 0, 200, 100).difference(lake)
    report = run(district(grid=grids_with(G4=g4), community=communities, street=street))
    assert "gap" not in set(report.findings["rule"])
    assert "not_covering_parent" not in set(report.findings["rule"])


def test_hole_only_in_the_child_layer_is_a_gap_of_the_child(district) -> None:
    """The street keeps the lake, community C1 leaves it out: a gap among communities."""
    lake = sq(130, 30, 170, 70)
    communities = frame(
        ["C1", "C2"], [sq(0, 0, 200, 200).difference(lake), sq(200, 0, 400, 200)], urban=True
    )
    layers = district(community=communities)
    for kind in ("grid", "aux_beat", "joint_point", "assignments"):
        del layers[kind]
    report = run(layers)
    assert found(report) == {("gap", "C1", "ST1")}


def test_gap_open_on_the_outer_perimeter_is_not_a_gap(district) -> None:
    """G8 shortened: the strip it leaves is open to the outside of the layer::

    | G7 | G8 |  ...   <- open strip: not_covering_parent of C2, not a gap
    """
    report = run(district(grid=grids_with(G8=sq(300, 0, 380, 100))))
    rules = set(report.violations["rule"])
    assert "gap" not in rules
    cover = report.violations[report.violations["rule"] == "not_covering_parent"]
    assert list(cover["other_ids"]) == ["C2"]
    assert cover["area_m2"].iloc[0] == pytest.approx(2000.0)


def test_layer_without_parent_reports_holes_only(district) -> None:
    """No community layer: a hole between features is a gap, a donut hole of one feature
    and the open outer edge are not."""
    notch = sq(85, 40, 115, 60)
    g3 = sq(0, 0, 100, 100).difference(notch)
    g4 = sq(100, 0, 200, 100).difference(notch)
    g6 = sq(300, 100, 400, 200).difference(sq(340, 140, 360, 160))  # a donut: data
    layers = district(grid=grids_with(G3=g3, G4=g4, G6=g6, G8=sq(300, 0, 380, 100)))
    del layers["community"]
    report = run(layers)
    gaps = {(r, i) for r, i, _ in found(report) if r in ("gap", "not_covering_parent")}
    assert gaps == {("gap", "G3,G4")}


def test_island_in_a_hole_is_not_part_of_the_gap(district) -> None:
    """A grid wholly inside a hole of the others: the gap is the ring around it."""
    g4 = sq(100, 0, 200, 100).difference(sq(120, 20, 180, 80))
    island = sq(130, 30, 170, 70)
    grids = grids_with(G4=g4)
    grids.loc[len(grids)] = ["G9", island]
    report = run(district(grid=grids))
    gap = report.violations[report.violations["rule"] == "gap"]
    assert gap["area_m2"].iloc[0] == pytest.approx(3600.0 - 1600.0)
    assert gap["ids"].iloc[0] == "G4,G9"


def test_identical_duplicate_features_overlap_fully(district) -> None:
    grids = grids_with()
    grids.loc[len(grids)] = ["G1b", sq(0, 100, 100, 200)]
    report = run(district(grid=grids))
    assert ("overlap", "G1,G1b", "") in found(report)


def test_triangle_overlap_among_three(district) -> None:
    """Three grids stacked on one spot: three pairs reported."""
    spot = Polygon([(X0 + 10, Y0 + 110), (X0 + 60, Y0 + 110), (X0 + 10, Y0 + 160)])
    grids = grids_with()
    grids.loc[len(grids)] = ["X1", spot]
    grids.loc[len(grids)] = ["X2", spot]
    report = run(district(grid=grids))
    pairs = {i for r, i, _ in found(report) if r == "overlap"}
    assert pairs == {"G1,X1", "G1,X2", "X1,X2"}
