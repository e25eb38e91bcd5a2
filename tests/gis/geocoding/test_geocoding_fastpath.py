"""The lookup raster never changes an answer: fast path == exact path, point for point."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.geocoding import fastpath


def _tiling(n: int, seed: int = 1, size: float = 5000.0) -> np.ndarray:
    """Voronoi cells of ``n`` random seeds in a square, densified to ~50-100 vertices."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(0, 0, size, size)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, size, (n, 2))), extend_to=frame)
    )
    cells = shapely.intersection(cells, frame)
    return shapely.segmentize(cells, float(np.mean(shapely.length(cells))) / 60)


def _points(cells: np.ndarray, n: int, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Random points, plus every vertex and every edge midpoint (exactly on boundaries)."""
    rng = np.random.default_rng(seed)
    vertices = shapely.get_coordinates(shapely.boundary(cells))
    mids = (vertices[:-1] + vertices[1:]) / 2
    xy = np.vstack([rng.uniform(-300, 5300, (n, 2)), vertices, mids])
    return xy[:, 0].copy(), xy[:, 1].copy()


@pytest.mark.parametrize("tolerance", [0.0, 1.0, 30.0])
@pytest.mark.parametrize("k", [1, 4])
def test_fast_path_identical_to_exact(tolerance, k):
    cells = _tiling(300)
    per_polygon = 1600 // k**2  # the same fine resolution with and without sub-cells
    index = fastpath.build_polygon_index(
        cells, np.arange(len(cells)), tolerance_m=tolerance, k=k, cells_per_polygon=per_polygon
    )
    x, y = _points(cells, 50_000)
    fast, _, exact = fastpath.locate(index, x, y)
    slow, n_slow = fastpath.locate_exact(index, x, y)
    np.testing.assert_array_equal(fast, slow)
    # the raster only resolves points covered by one polygon (or by none)
    assert np.all(n_slow[~exact] <= 1)
    assert exact[:50_000].mean() < (0.8 if tolerance > 10 else 0.4)  # most need no test
    assert 0 < index.exact_share < 1


def test_raster_cells_near_a_second_polygon_are_never_resolved():
    cells = _tiling(100)
    tol = 25.0
    index = fastpath.build_polygon_index(cells, np.arange(len(cells)), tolerance_m=tol)
    x, y = _points(cells, 30_000)
    looked = fastpath.cell_lookup(index, x, y)
    resolved = np.flatnonzero(looked >= 0)
    qi, pj = fastpath.within_distance(index, x[resolved], y[resolved], tol)
    assert np.all(pj == looked[resolved][qi])  # nothing else within the tolerance


def test_nearest_breaks_ties_by_rank():
    squares = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    index = fastpath.build_polygon_index(squares, np.array([1, 0]))
    poly, dist = fastpath.nearest(index, np.array([10.0, -5.0]), np.array([-3.0, 5.0]))
    assert poly.tolist() == [1, 0]  # equidistant: rank 0 (the second square) wins
    assert dist.tolist() == pytest.approx([3.0, 5.0])


def test_non_finite_points_find_nothing():
    squares = np.array([shapely.box(0, 0, 10, 10)])
    index = fastpath.build_polygon_index(squares, np.array([0]))
    poly, n_cover, _ = fastpath.locate(
        index, np.array([np.nan, np.inf, 5.0]), np.array([1.0, 1.0, 5.0])
    )
    assert poly.tolist() == [fastpath.NONE, fastpath.NONE, 0]
    assert n_cover.tolist() == [0, 0, 1]


def test_point_and_line_areas_are_only_reached_by_distance():
    geoms = np.array([shapely.Point(5, 5), shapely.LineString([(0, 0), (0, 10)])])
    index = fastpath.build_polygon_index(geoms, np.array([0, 1]), tolerance_m=1.0)
    poly, _, _ = fastpath.locate(index, np.array([5.0, 3.0]), np.array([5.0, 3.0]))
    assert poly.tolist() == [0, fastpath.NONE]  # a point "covers" only itself
    near, dist = fastpath.nearest(index, np.array([1.0]), np.array([8.0]))
    assert near.tolist() == [1] and dist.tolist() == pytest.approx([1.0])


def test_empty_layer():
    index = fastpath.build_polygon_index(np.array([None], dtype=object), np.array([0]))
    poly, _, _ = fastpath.locate(index, np.array([1.0]), np.array([1.0]))
    assert poly.tolist() == [fastpath.NONE]
