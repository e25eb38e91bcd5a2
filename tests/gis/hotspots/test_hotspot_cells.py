"""Regular metric cells: exact sizes, tiling, clipping, the data-driven size rule."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.errors import ConfigError, GeometryError
from gis.hotspots.cells import cell_size_from_points, derived_size, make_cells
from tests.gis.hotspots.hotspot_fixtures import METRIC


def square_km() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 1000)], crs=METRIC)


def test_fishnet_tiles_the_square_exactly() -> None:
    cells = make_cells(square_km(), shape="square", size_m=250)
    assert len(cells.cells) == 16 and cells.cell_area_m2 == pytest.approx(62_500)
    assert shapely.union_all(cells.cells.geometry.to_numpy()).equals(shapely.box(0, 0, 1000, 1000))
    assert cells.cells["id"].is_unique and cells.rule == "given"


def test_hexagons_have_the_asked_width_and_cover_the_extent() -> None:
    cells = make_cells(square_km(), shape="hexagon", size_m=100)
    area = 100**2 * np.sqrt(3) / 2
    np.testing.assert_allclose(cells.cells.geometry.area, area)
    cover = shapely.union_all(cells.cells.geometry.to_numpy())
    assert shapely.box(0, 0, 1000, 1000).difference(cover).area < 1e-3
    # neighbouring centres are one width apart
    xy = shapely.get_coordinates(cells.cells.geometry.centroid.to_numpy())
    d = np.hypot(*(xy[1:] - xy[:-1]).T)
    assert d.min() == pytest.approx(100.0)
    # no two hexagons overlap
    total = cells.cells.geometry.area.sum()
    assert cover.area == pytest.approx(total, rel=1e-9)


def test_clip_keeps_only_cells_on_an_l_shape() -> None:
    ell = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 1000, 500), shapely.box(0, 500, 500, 1000)], crs=METRIC
    )
    clipped = make_cells(ell, shape="square", size_m=250)
    full = make_cells(ell, shape="square", size_m=250, clip=False)
    assert len(full.cells) == 16 and len(clipped.cells) == 12


def test_data_driven_size() -> None:
    xy = np.array([[0, 0], [10, 0], [0, 10], [10, 10.0]])
    assert cell_size_from_points(xy, extent_area_m2=1e6, min_cells=1, max_cells=10**6) == 20.0
    # clamped to at most max_cells in the extent
    assert cell_size_from_points(xy, extent_area_m2=1e6, max_cells=100) == pytest.approx(100.0)
    pts = gpd.GeoSeries(
        shapely.points(np.random.default_rng(0).uniform(0, 1000, (400, 2))), crs=METRIC
    )
    cells = make_cells(square_km(), points=pts)
    assert 100 <= len(cells.cells) <= 10_000 * 1.2 and "nearest" in cells.rule


def test_geographic_extent_is_measured_in_metres() -> None:
    ext = gpd.GeoDataFrame(geometry=[shapely.box(118.70, 32.00, 118.71, 32.01)], crs=4490)
    cells = make_cells(ext, shape="square", size_m=200)
    assert cells.crs.is_projected
    assert cells.cells.geometry.area.iloc[0] == pytest.approx(40_000)


def test_only_the_points_over_the_extent_size_the_cells() -> None:
    """Strays on other continents do not stretch the mean nearest-neighbour distance, and
    one where Gauss-Krüger is infinite (lon 30°E against the extent's 120°E zone) is left
    out, not a failed KD-tree."""
    ext = gpd.GeoDataFrame(geometry=[shapely.box(118.70, 32.00, 118.72, 32.02)], crs=4490)
    rng = np.random.default_rng(3)
    near = shapely.points(rng.uniform([118.70, 32.00], [118.72, 32.02], (300, 2)))
    far = shapely.points([[30.0, 0.0], [-150.0, 10.0]])
    alone = derived_size(ext, gpd.GeoSeries(near, crs=4490))
    assert derived_size(ext, gpd.GeoSeries(np.r_[near, far], crs=4490)) == alone
    assert make_cells(ext, points=gpd.GeoSeries(np.r_[near, far], crs=4490)).size_m == alone
    with pytest.raises(ConfigError, match="two distinct points"):
        derived_size(ext, gpd.GeoSeries(np.r_[near[:1], far], crs=4490))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"size_m": 0}, ConfigError),
        ({"size_m": None}, ConfigError),
        ({"size_m": -3}, ConfigError),
    ],
)
def test_bad_sizes(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        make_cells(square_km(), **kwargs)


def test_empty_extent_and_single_point() -> None:
    empty = gpd.GeoDataFrame(geometry=[shapely.Polygon(), None], crs=METRIC)
    with pytest.raises(GeometryError):
        make_cells(empty, size_m=100)
    with pytest.raises(ConfigError):
        cell_size_from_points(np.array([[1.0, 1.0], [1.0, 1.0]]), extent_area_m2=1.0)


def test_clip_tests_touches_only_on_edge_cells_and_keeps_the_same_cells(shared_data) -> None:
    """Real, detailed extent (Chicago police districts): the clipped cells are exactly
    those that intersect the union without merely touching it."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from gis.hotspots.cells import _hexagons, _squares, clip_mask

    districts = gpd.read_file(shared_data / "chicago" / "police_districts.zip").to_crs(3435)
    union = shapely.union_all(shapely.make_valid(districts.geometry.to_numpy()))
    for make in (_hexagons, _squares):
        polys = make(union.bounds, 2500.0)[0]
        plain = shapely.intersects(polys, union) & ~shapely.touches(polys, union)
        np.testing.assert_array_equal(clip_mask(polys, union), plain)
        assert 0 < plain.sum() < len(polys)
    square = shapely.box(0, 0, 10, 10)  # touching only at an edge or a corner: out
    cells = np.array(
        [shapely.box(10, 0, 20, 10), shapely.box(10, 10, 20, 20), shapely.box(5, 5, 15, 15)]
    )
    assert clip_mask(cells, square).tolist() == [False, False, True]
