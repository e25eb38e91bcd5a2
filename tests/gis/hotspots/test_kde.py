"""Kernel density: mass conservation, the quartic peak, the bandwidth rule, guards, the
GeoTIFF written and read back, nested contours."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import pytest
import shapely

from gis.errors import ConfigError
from gis.hotspots.kde import bandwidth_rule, density_contours, kernel_density, write_geotiff
from tests.gis.hotspots.hotspot_fixtures import METRIC


def points(xy: npt.ArrayLike) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.points(np.asarray(xy, dtype=float)), crs=METRIC)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_mass_is_conserved(kernel: str) -> None:
    xy = np.random.default_rng(0).normal(0, 300, (5000, 2))
    surf = kernel_density(points(xy), kernel=kernel, bandwidth_m=150, cell_m=20)  # type: ignore[arg-type]
    total = surf.density.sum() * (surf.cell_m**2) / 1e6
    assert total == pytest.approx(5000, rel=1e-6)
    assert surf.n_points == 5000 and surf.crs.is_projected


def test_single_point_peak_is_the_arcgis_quartic_value() -> None:
    h = 100.0
    surf = kernel_density(
        points([[0.5, 0.5]]), bandwidth_m=h, cell_m=1.0, bounds=(-200, -200, 200, 200)
    )
    peak = surf.sample(np.array([[0.5, 0.5]]))[0]
    assert peak == pytest.approx(3 / (np.pi * h**2) * 1e6, rel=0.01)
    # zero beyond the search radius; at d = h/√2 (dx = dy = 50): (1 - 1/2)² = 1/4 of the peak
    assert surf.sample(np.array([[120.5, 0.5]]))[0] == 0
    assert surf.sample(np.array([[50.5, 50.5]]))[0] == pytest.approx(peak / 4, rel=0.03)
    assert np.isnan(surf.sample(np.array([[1e6, 0]]))[0])


def test_bandwidth_rule_by_hand() -> None:
    # four points on a circle of radius 100 around the mean centre: SD = Dm = 100
    xy = np.array([[100, 0], [-100, 0], [0, 100], [0, -100.0]])
    expected = 0.9 * min(100, np.sqrt(1 / np.log(2)) * 100) * 4 ** (-0.2)
    assert bandwidth_rule(xy) == pytest.approx(expected)
    surf = kernel_density(points(xy))
    assert surf.bandwidth_m == pytest.approx(expected) and "ArcGIS" in surf.rule


def test_a_point_too_far_from_the_zone_to_project_is_left_out() -> None:
    """The Gauss-Krüger zone of the bulk is infinite 90° of longitude from its meridian:
    a stray point there drops out of the surface instead of making it NaN."""
    rng = np.random.default_rng(4)
    near = shapely.points(rng.normal([118.78, 32.04], 0.01, (300, 2)))
    alone = kernel_density(gpd.GeoSeries(near, crs=4326))
    mixed = kernel_density(gpd.GeoSeries(np.r_[near, shapely.points([[30.0, 0.0]])], crs=4326))
    assert mixed.n_points == alone.n_points == 300
    assert mixed.bandwidth_m == alone.bandwidth_m
    np.testing.assert_array_equal(mixed.density, alone.density)


def test_density_peaks_at_a_planted_cluster() -> None:
    rng = np.random.default_rng(1)
    xy = np.vstack([rng.uniform(0, 2000, (400, 2)), rng.normal(1500, 40, (200, 2))])
    surf = kernel_density(points(xy), bandwidth_m=120, cell_m=20)
    row, col = np.unravel_index(np.argmax(surf.density), surf.density.shape)
    x = surf.x0 + (col + 0.5) * surf.cell_m
    y = surf.y0 - (row + 0.5) * surf.cell_m
    assert np.hypot(x - 1500, y - 1500) < 60
    cells = surf.to_cells(min_density=surf.density.max() / 2)
    assert len(cells) > 0 and cells.crs == surf.crs


def test_weights_scale_the_surface() -> None:
    xy = np.array([[0, 0], [500, 500.0]])
    one = kernel_density(points(xy), bandwidth_m=100, cell_m=10)
    two = kernel_density(points(xy), bandwidth_m=100, cell_m=10, weights=np.array([2.0, 2.0]))
    np.testing.assert_allclose(two.density, 2 * one.density)


def test_missing_and_empty_geometries_are_skipped() -> None:
    s = gpd.GeoSeries(
        [shapely.Point(0, 0), None, shapely.Point(), shapely.Point(300, 0)], crs=METRIC
    )
    assert kernel_density(s, bandwidth_m=50, cell_m=10).n_points == 2


def test_guards() -> None:
    with pytest.raises(ConfigError):
        kernel_density(points([[0, 0]]))  # one point: no bandwidth rule
    with pytest.raises(ConfigError):
        kernel_density(points([[0, 0], [0, 0]]))  # coincident points
    with pytest.raises(ConfigError):
        kernel_density(points([[0, 0], [1, 1]]), bandwidth_m=-1)
    with pytest.raises(ConfigError):
        kernel_density(points([[0.0, 0.0], [1e6, 1e6]]), bandwidth_m=10, cell_m=0.1)


def _two_clusters() -> gpd.GeoSeries:
    rng = np.random.default_rng(7)
    xy = np.vstack([rng.normal([0, 0], 300, (400, 2)), rng.normal([2000, 1000], 150, (200, 2))])
    return points(xy + np.array([500_000, 3_540_000]))


def test_geotiff_reads_back_with_crs_transform_and_mass(tmp_path) -> None:
    import rasterio

    surf = kernel_density(_two_clusters(), bandwidth_m=250, cell_m=25)
    path = write_geotiff(surf, tmp_path / "out" / "density.tif")
    with rasterio.open(path) as src:
        band = src.read(1)
        assert pyproj.CRS(src.crs.to_wkt()).equals(surf.crs)
        assert tuple(src.transform)[:6] == pytest.approx(surf.transform)
        assert (src.width, src.height) == (surf.density.shape[1], surf.density.shape[0])
        assert src.tags()["kernel"] == "quartic" and src.tags()["n_points"] == "600"
        # the raster's cells hold the 600 incidents (float32 storage)
        assert band.sum() * src.transform.a * -src.transform.e / 1e6 == pytest.approx(600, rel=1e-4)
        # the north-west corner of the file is the surface's, pixel for pixel
        x, y = src.xy(10, 20)  # centre of row 10, column 20
        assert surf.sample(np.array([[x, y]]))[0] == pytest.approx(band[10, 20], rel=1e-5)


def test_contours_nest_and_levels_increase() -> None:
    surf = kernel_density(_two_clusters(), bandwidth_m=250, cell_m=25)
    contours = density_contours(surf)
    assert len(contours) == 4 and contours.crs == surf.crs
    assert contours["level"].is_monotonic_increasing and contours["level"].is_unique
    assert (np.diff(contours["share"]) < 0).all()  # a higher level holds fewer incidents
    assert contours["share"].to_numpy() == pytest.approx([0.9, 0.75, 0.5, 0.25], abs=0.02)
    assert (np.diff(contours["area_km2"]) < 0).all()
    geoms = contours.geometry.to_numpy()
    assert all(shapely.is_valid(geoms))
    for outer, inner in itertools.pairwise(geoms):
        assert inner.difference(outer).area <= 1e-6 * inner.area  # each lies inside the last
    # the traced region holds the cells above its level: the density at cell centres
    # inside the lowest contour is at least its level (up to the boundary cells)
    x, y = surf.cell_centres()
    xx, yy = np.meshgrid(x, y)
    inside = shapely.contains_xy(geoms[0], xx, yy)
    assert (surf.density[inside] >= contours["level"].iloc[0] * 0.9).all()
    assert surf.mass()[inside].sum() / 600 == pytest.approx(0.9, abs=0.03)


def test_contours_at_given_levels_skip_the_empty_ones() -> None:
    surf = kernel_density(_two_clusters(), bandwidth_m=250, cell_m=25)
    top = float(surf.density.max())
    contours = density_contours(surf, levels=[top / 2, top / 4, 2 * top, 0])
    assert list(contours["level"]) == pytest.approx([round(top / 4, 3), round(top / 2, 3)])
