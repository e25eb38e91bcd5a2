"""Edits on awkward geometries: empty, None, invalid, multipart and holed grids.

::

    +-----------+        grid H (0..300 x 0..300) has a hole filled by grid I (100..200)
    |  H +---+  |        grid M is a two-part grid (two 50 m squares) at x=400, apart
    |    | I |  |   M M
    |    +---+  |
    +-----------+
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gis.redraw import EditError, merge_grids, move_boundary, split_grid, transfer_area
from tests.gis.redraw.conftest import CRS, assert_tiles, line, square


@pytest.fixture
def holed() -> gpd.GeoDataFrame:
    outer = square(0, 0, 300, 300).difference(square(100, 100))
    multi = shapely.MultiPolygon([square(400, 0, 50, 50), square(400, 250, 50, 50)])
    return gpd.GeoDataFrame(
        {"id": ["H", "I", "M"], "parent_id": "K", "name": ""},
        geometry=[outer, square(100, 100), multi],
        crs=CRS,
    )


def test_split_a_holed_grid_through_its_hole(holed) -> None:
    result = split_grid(holed, "H", line((150, -10), (150, 310)), new_ids=["H2"])
    new = result.grids.set_index("id")
    assert new.loc["H"].geometry.area == pytest.approx(40000.0)
    assert new.loc["H2"].geometry.area == pytest.approx(40000.0)
    assert new.loc["I"].geometry.equals(holed.set_index("id").loc["I"].geometry.normalize()) or (
        new.loc["I"].geometry.area == pytest.approx(10000.0)
    )
    assert_tiles(holed, result.grids)


def test_split_a_multipart_grid_between_its_parts(holed) -> None:
    result = split_grid(holed, "M", line((390, 150), (460, 150)), new_ids=["M2"])
    assert result.grids.set_index("id").loc["M2"].geometry.area == pytest.approx(2500.0)
    assert_tiles(holed, result.grids)


def test_merge_the_hole_into_its_donut(holed) -> None:
    result = merge_grids(holed, ["H", "I"])
    merged = result.grids.set_index("id").loc["H"].geometry
    assert merged.geom_type == "Polygon" and len(merged.interiors) == 0
    assert merged.area == pytest.approx(90000.0)


def test_move_boundary_inside_the_pair_is_refused(holed) -> None:
    """The donut/hole boundary is a ring inside their union: a line cannot cut it across.
    (Use draw_grid to reshape the hole.)"""
    with pytest.raises(EditError, match="does not cross"):
        move_boundary(holed, "H", "I", line((230, 90), (230, 210)))


def test_transfer_area_grows_the_hole(holed) -> None:
    """The hole I takes the 30 m strip east of it from its donut H."""
    result = transfer_area(holed, "H", "I", square(200, 100, 30, 100))
    new = result.grids.set_index("id")
    assert new.loc["I"].geometry.area == pytest.approx(13000.0)
    assert new.loc["H"].geometry.area == pytest.approx(77000.0)
    assert new.loc["I"].geometry.geom_type == "Polygon"
    assert_tiles(holed, result.grids)


@pytest.mark.parametrize(
    ("area", "en"),
    [
        (square(1000, 1000), "outside grid H"),
        (square(-10, -10, 400, 400), "vanish"),
        (square(0, 0, 30, 30), "not be contiguous"),
    ],
)
def test_transfer_area_broken(holed, area, en) -> None:
    with pytest.raises(EditError) as info:
        transfer_area(holed, "H", "I", area)
    assert en in info.value.text.en and info.value.text.zh


@pytest.mark.parametrize(
    ("geometry", "en"),
    [
        (None, "no geometry"),
        (shapely.Polygon(), "no geometry"),
        (shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)]), "invalid"),
        (shapely.LineString([(0, 0), (1, 1)]), "not a polygon"),
    ],
)
def test_grids_without_a_usable_geometry_are_refused(holed, geometry, en) -> None:
    broken = holed.copy()
    broken.loc[0, "geometry"] = geometry
    with pytest.raises(EditError) as info:
        split_grid(broken, "H", line((150, -10), (150, 310)))
    assert en in info.value.text.en and info.value.text.zh
    assert info.value.problems[0].feature_id == "H"
