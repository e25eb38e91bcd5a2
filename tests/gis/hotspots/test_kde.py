"""Kernel density: mass conservation, the quartic peak, the bandwidth rule, guards."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pytest
import shapely

from gis.errors import ConfigError
from gis.hotspots.kde import bandwidth_rule, kernel_density
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
