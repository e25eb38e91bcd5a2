"""The editor's other drawings: a new grid on unassigned land, and drawings that cross
themselves (sketch of the fixture in conftest; here D = K1004 is left out: a gap)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.redraw import EditError, add_grid, draw_grid, move_boundary, split_grid, transfer_area
from tests.gis.redraw.conftest import X0, Y0, line, square

BOWTIE = shapely.Polygon(
    [(X0 + 10, Y0 + 10), (X0 + 90, Y0 + 90), (X0 + 90, Y0 + 10), (X0 + 10, Y0 + 90)]
)


@pytest.fixture
def with_gap(grids):
    return grids[grids["id"] != "K1004"].reset_index(drop=True)


def test_add_grid_fills_the_gap_and_clips_a_small_overlap(with_gap, communities) -> None:
    # drawn 2 m too wide on the west (over C) and south (over B): 4 % of its area
    drawn = square(98, 98, 102, 102)
    result = add_grid(with_gap, drawn, communities=communities, name="新")
    assert result.ok and result.created == ("K1004",) and result.reshaped == ()
    new = result.grids.set_index("id")
    assert new.geometry["K1004"].symmetric_difference(square(100, 100)).area < 1e-6
    # the other grids are exactly as they were, and the layer is a coverage
    for gid in with_gap["id"]:
        assert new.geometry[gid].equals(with_gap.set_index("id").geometry[gid])
    assert shapely.coverage_is_valid(np.asarray(result.grids.geometry.array, dtype=object))
    assert new.loc["K1004", "parent_id"] == "K1" and new.loc["K1004", "name"] == "新"


def test_add_grid_without_communities_takes_the_neighbours_community(with_gap) -> None:
    result = add_grid(with_gap, square(100, 100), new_id="X1")
    assert result.created == ("X1",)
    assert result.grids.set_index("id").loc["X1", "parent_id"] == "K1"


@pytest.mark.parametrize(
    ("drawn", "en"),
    [
        (square(50, 50, 150, 150), "beyond the 5% tolerance"),  # over A, B, C
        (square(900, 900), "lies in no community"),
        (BOWTIE, "crosses itself"),
        (line((0, 0), (10, 10)), "should be an area"),
    ],
    ids=["overlaps", "nowhere", "self-intersecting", "not-an-area"],
)
def test_add_grid_refusals_are_bilingual(with_gap, communities, drawn, en) -> None:
    with pytest.raises(EditError) as info:
        add_grid(with_gap, drawn, communities=communities)
    assert en in info.value.text.en and info.value.text.zh


def test_self_intersecting_drawings_are_refused_by_every_edit(grids, communities) -> None:
    loop = line((20, -10), (80, 110), (80, 50), (20, 50), (50, 120))
    calls = [
        lambda: split_grid(grids, "K1001", loop),
        lambda: move_boundary(grids, "K1001", "K1002", loop),
        lambda: transfer_area(grids, "K1001", "K1002", BOWTIE),
        lambda: draw_grid(grids, BOWTIE),
    ]
    for call in calls:
        with pytest.raises(EditError) as info:
            call()
        assert "crosses itself" in info.value.text.en and "自相交" in info.value.text.zh


def test_transfer_needs_neighbours(grids) -> None:
    with pytest.raises(EditError, match="not neighbours"):
        transfer_area(grids, "K1001", "K1004", square(90, 90, 20, 20))
    ok = transfer_area(grids, "K1001", "K1002", square(80, 0, 20, 100))
    assert ok.operation == "transfer" and set(ok.reshaped) == {"K1001", "K1002"}
