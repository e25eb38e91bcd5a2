"""Grid edits on the 2x2 fixture (sketch in conftest): invariants and broken inputs."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis.errors import CRSError, FieldError
from gis.redraw import (
    EditError,
    draw_grid,
    merge_grids,
    move_boundary,
    reassign_grid,
    split_grid,
    validate_grids,
)
from tests.gis.redraw.conftest import (
    CRS,
    assert_buildings_once,
    assert_tiles,
    line,
    square,
)


def test_split_by_vertical_line(grids, communities, buildings) -> None:
    """A (0..100) split at x=40: A keeps the larger piece, the new grid is the next code."""
    result = split_grid(grids, "K1001", line((40, -10), (40, 110)), communities=communities)
    assert result.ok and result.operation == "split"
    assert result.created == ("K1005",) and result.reshaped == ("K1001",)
    new = result.grids.set_index("id")
    assert new.loc["K1001"].geometry.area == pytest.approx(6000.0)
    assert new.loc["K1005"].geometry.area == pytest.approx(4000.0)
    assert new.loc["K1005", "parent_id"] == "K1"
    assert_tiles(grids, result.grids)
    assert_buildings_once(result.grids, buildings)
    assert result.description.zh.startswith("网格 K1001")
    assert grids["id"].tolist() == ["K1001", "K1002", "K1003", "K1004", "K2001"]  # untouched


def test_split_line_through_a_shared_vertex_keeps_neighbours_noded(grids) -> None:
    """A line ending in the middle of B's edge adds a vertex to B (coverage stays valid)."""
    result = split_grid(grids, "K1001", line((-10, 50), (110, 50)), new_ids=["X1"])
    b = result.grids.set_index("id").loc["K1002"].geometry
    assert shapely.get_num_coordinates(b) == 6  # the closing point + the inserted one
    assert_tiles(grids, result.grids)


def test_split_in_geographic_crs(grids) -> None:
    geo = grids.to_crs(4490)
    cut = gpd.GeoSeries([line((50, -10), (50, 110))], crs=CRS).to_crs(4490).iloc[0]
    result = split_grid(geo, "K1001", cut)
    assert result.grids.crs.to_epsg() == 4490
    assert result.metric_crs == "EPSG:4549" or "4549" in result.metric_crs
    assert_tiles(geo, result.grids)


def test_merge_two_grids(grids, communities, buildings) -> None:
    result = merge_grids(grids, ["K1001", "K1002"], communities=communities)
    assert result.ok and result.removed == ("K1002",)
    assert result.grids.set_index("id").loc["K1001"].geometry.area == pytest.approx(20000.0)
    assert len(result.grids) == 4
    assert_tiles(grids, result.grids)
    assert_buildings_once(result.grids, buildings)


def test_merge_with_new_id(grids) -> None:
    result = merge_grids(grids, ["K1003", "K1004"], new_id="K1009")
    assert result.created == ("K1009",) and set(result.removed) == {"K1003", "K1004"}
    assert_tiles(grids, result.grids)


def test_move_shared_boundary(grids, communities, buildings) -> None:
    """A|B boundary moved from x=100 to x=130: A gains 3000 m², B loses them."""
    result = move_boundary(
        grids, "K1001", "K1002", line((130, -5), (130, 105)), communities=communities
    )
    new = result.grids.set_index("id")
    assert new.loc["K1001"].geometry.area == pytest.approx(13000.0)
    assert new.loc["K1002"].geometry.area == pytest.approx(7000.0)
    assert result.ok and set(result.reshaped) == {"K1001", "K1002"}
    assert_tiles(grids, result.grids)
    assert_buildings_once(result.grids, buildings)


def test_reassign_grid_reshapes_communities(grids, communities) -> None:
    result = reassign_grid(grids, "K1002", "K2", communities=communities)
    assert result.ok and result.communities is not None
    assert result.grids.set_index("id").loc["K1002", "parent_id"] == "K2"
    comm = result.communities.set_index("id")
    assert comm.loc["K2"].geometry.area == pytest.approx(20000.0)
    assert comm.loc["K1"].geometry.area == pytest.approx(30000.0)
    assert_tiles(grids, result.grids)


def test_draw_grid_carves_neighbours(grids, communities, buildings) -> None:
    """A 100x100 square centred on the K1 centre takes a quarter of each of A..D."""
    result = draw_grid(grids, square(50, 50), communities=communities, name="新")
    assert result.created == ("K1005",) and result.ok
    new = result.grids.set_index("id")
    assert new.loc["K1005"].geometry.area == pytest.approx(10000.0)
    assert new.loc["K1001"].geometry.area == pytest.approx(7500.0)
    assert_tiles(grids, result.grids)
    assert_buildings_once(result.grids, buildings)


def test_draw_grid_is_clipped_to_one_community(grids, communities) -> None:
    """Drawn across K1 and K2: only the K1 part (the larger) becomes the grid."""
    result = draw_grid(grids, square(150, 0, 60, 100), communities=communities)
    assert result.grids.set_index("id").loc["K1005"].geometry.area == pytest.approx(5000.0)
    assert_tiles(grids, result.grids)


def test_draw_grid_swallowing_a_grid_removes_it(grids) -> None:
    result = draw_grid(grids, square(-10, -10, 120, 120), new_id="NEW")
    assert "K1001" in result.removed and result.created == ("NEW",)
    assert_tiles(grids, result.grids)


@pytest.mark.parametrize(
    ("call", "en"),
    [
        (lambda g, c: split_grid(g, "K1001", line((300, 300), (400, 400))), "does not cross"),
        (lambda g, c: split_grid(g, "K1001", shapely.Point(X, X)), "does not cross"),
        (lambda g, c: split_grid(g, "K1001", line((40, 10), (40, 90))), "does not cross"),
        (lambda g, c: split_grid(g, "NOPE", line((40, -10), (40, 110))), "does not exist"),
        (lambda g, c: merge_grids(g, ["K1001", "K1004"]), "not adjacent"),
        (lambda g, c: merge_grids(g, ["K1001"]), "at least two"),
        (lambda g, c: merge_grids(g, ["K1002", "K2001"]), "different communities"),
        (lambda g, c: move_boundary(g, "K1001", "K1004", line((50, 0), (50, 200))), "not neigh"),
        (lambda g, c: move_boundary(g, "K1001", "K1002", line((300, 0), (300, 90))), "not cross"),
        (lambda g, c: reassign_grid(g, "K1001", "K2", communities=c), "does not border"),
        (lambda g, c: reassign_grid(g, "K1002", "K9", communities=c), "does not exist"),
        (lambda g, c: draw_grid(g, square(900, 900)), "overlaps no grid"),
        (
            lambda g, c: split_grid(g, "K1001", line((40, -9), (40, 109)), new_ids=["K1002"]),
            "in use",
        ),
    ],
)
def test_broken_edits_raise_bilingual_errors(grids, communities, call, en) -> None:
    with pytest.raises(EditError) as info:
        call(grids, communities)
    assert en in info.value.text.en
    assert info.value.text.zh and info.value.text.zh != info.value.text.en
    assert en in str(info.value)


X = 1.0


@pytest.mark.parametrize(
    "call",
    [
        lambda g, locked: split_grid(g, "K1001", line((40, -10), (40, 110)), locked=locked),
        lambda g, locked: merge_grids(g, ["K1002", "K1001"], locked=locked),
        lambda g, locked: move_boundary(
            g, "K1002", "K1001", line((30, -5), (30, 105)), locked=locked
        ),
        lambda g, locked: draw_grid(g, square(50, 50), locked=locked),
    ],
)
def test_locked_grid_cannot_be_edited(grids, call) -> None:
    with pytest.raises(EditError, match="locked") as info:
        call(grids, {"K1001"})
    assert "已锁定" in info.value.text.zh


def test_edit_breaking_nesting_is_refused_or_returned(grids, communities) -> None:
    """A community layer that no longer covers the grid: the draw creates crosses_parent."""
    small = communities.copy()
    small.loc[0, "geometry"] = square(0, 0, 200, 150)
    before_ok = validate_grids(grids, grids, communities=small)
    assert before_ok.empty
    with pytest.raises(EditError, match="tiling") as info:
        split_grid(grids, "K1003", line((50, 90), (50, 210)), communities=small.iloc[[1]])
    assert info.value.findings is None or len(info.value.findings) >= 0


def test_validate_grids_finds_a_new_overlap(grids) -> None:
    after = grids.copy()
    after.loc[0, "geometry"] = square(0, 0, 130, 100)
    found = validate_grids(grids, after)
    assert "overlap" in set(found["rule"])
    assert validate_grids(grids, grids).empty


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (lambda g: g.drop(columns="parent_id"), FieldError),
        (lambda g: g.set_crs(None, allow_override=True), CRSError),
        (lambda g: g.drop(columns="geometry").assign(x=1), FieldError),
    ],
)
def test_broken_layers(grids, frame, error) -> None:
    with pytest.raises(error):
        split_grid(frame(grids), "K1001", line((40, -10), (40, 110)))
