"""One point locator, one tie rule: geocoding, hotspot counts and redraw agree point for point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.geocoding import fastpath
from gis.geocoding.assign import assign_points, build_area_index
from gis.hotspots.counts import assign_points as count_points
from gis.locate import NONE, locate, locate_xy, tie_rank

CRS = "EPSG:32650"


def _two_squares() -> gpd.GeoDataFrame:
    """Two unit squares sharing the edge x = 10; the right one has the lower id::

    +-------+-------+
    |  "B"  |  "A"  |
    |       *       |   * (10, 5): on the shared edge
    +-------+-------+
    0      10      20
    """
    return gpd.GeoDataFrame(
        {"id": ["B", "A"]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
        crs=CRS,
    )


def test_tie_rank_orders_ids_as_strings():
    assert tie_rank(["9", "10", "B", "A"]).tolist() == [1, 0, 3, 2]


def test_shared_edge_goes_to_the_lowest_id_everywhere():
    squares = _two_squares()
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([10, 5, 15, 30], [5, 5, 5, 5]), crs=CRS)
    geoms = squares.geometry.to_numpy()
    assert locate(pts.geometry.to_numpy(), geoms, ids=squares["id"]).tolist() == [1, 0, 1, -1]
    assert locate(pts.geometry.to_numpy(), geoms).tolist() == [0, 0, 1, -1]  # no ids: row order
    assert count_points(pts, squares).tolist() == ["A", "B", "A", None]
    table = assign_points(pts, {"grid": squares}).table
    assert table["grid_id"].tolist()[:3] == ["A", "B", "A"]
    assert table["grid_how"].tolist() == ["shared", "inside", "inside", "outside"]


def _voronoi(n: int, size: float = 2000.0, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    seeds = shapely.multipoints(rng.uniform(0, size, (n, 2)))
    frame = shapely.box(0, 0, size, size)
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    return shapely.intersection(cells, frame)


def test_geocoding_and_counts_agree_on_random_and_boundary_points():
    cells = _voronoi(60)
    ids = np.array([f"C{(7 * i) % 60}" for i in range(len(cells))])  # rank ≠ row order
    areas = gpd.GeoDataFrame({"id": ids}, geometry=cells, crs=CRS)
    rng = np.random.default_rng(1)
    vertices = shapely.get_coordinates(shapely.boundary(cells))
    xy = np.vstack(
        [rng.uniform(-50, 2050, (5000, 2)), vertices, (vertices[1:] + vertices[:-1]) / 2]
    )
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    by_counts = count_points(pts, areas).to_numpy(dtype=object)
    table = assign_points(pts, {"grid": areas}).table
    by_geocoding = table["grid_id"].astype(object).where(table["grid_how"] != "outside", None)
    assert list(by_counts) == list(by_geocoding)
    assert (table["grid_how"] == "shared").sum() > 100  # the boundary points were ties


def test_axis_aligned_edges_on_raster_lines_are_never_missed():
    """A regular grid whose edges fall on the lookup raster's own lines: fast == exact."""
    squares = np.array(
        [
            shapely.box(x, y, x + 100, y + 100)
            for x in range(0, 1000, 100)
            for y in range(0, 1000, 100)
        ]
    )
    index = fastpath.build_polygon_index(squares, np.arange(len(squares)), cells_per_polygon=100)
    rng = np.random.default_rng(3)
    grid = np.arange(0, 1001, 12.5)
    gx, gy = np.meshgrid(grid, grid)
    x = np.concatenate([rng.uniform(-10, 1010, 20000), gx.ravel()])
    y = np.concatenate([rng.uniform(-10, 1010, 20000), gy.ravel()])
    fast, _, _ = fastpath.locate(index, x, y)
    slow, _ = fastpath.locate_exact(index, x, y)
    np.testing.assert_array_equal(fast, slow)


def test_locate_xy_ignores_missing_coordinates_and_geometries():
    geoms = np.array([shapely.box(0, 0, 1, 1), None], dtype=object)
    poly, n = locate_xy(geoms, np.array([0.5, np.nan]), np.array([0.5, 0.5]))
    assert poly.tolist() == [0, NONE] and n.tolist() == [1, 0]
    empty = locate(np.array([None, shapely.Point()], dtype=object), geoms)
    assert empty.tolist() == [-1, -1]


@pytest.mark.parametrize("tolerance", [0.0, 5.0])
def test_nearest_off_changes_only_the_nearest_columns_of_outside_points(tolerance):
    cells = _voronoi(40)
    areas = gpd.GeoDataFrame(
        {"id": [f"G{i:02d}" for i in range(len(cells))]}, geometry=cells, crs=CRS
    )
    index = build_area_index({"grid": areas}, tolerance_m=tolerance)
    rng = np.random.default_rng(2)
    edge = np.column_stack([np.full(50, 2000.0 + tolerance), rng.uniform(0, 2000, 50)])
    xy = np.vstack([rng.uniform(-400, 2400, (4000, 2)), edge])  # some exactly at the tolerance
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    full = assign_points(pts, index).table
    lean = assign_points(pts, index, nearest=False).table
    outside = (full["grid_how"] == "outside").to_numpy()
    assert outside.sum() > 500
    for column in ("grid_id", "grid_how"):
        assert full[column].equals(lean[column])
    inner = ~outside
    assert full.loc[inner, "grid_nearest_id"].equals(lean.loc[inner, "grid_nearest_id"])
    np.testing.assert_array_equal(
        full.loc[inner, "grid_distance_m"], lean.loc[inner, "grid_distance_m"]
    )
    assert lean.loc[outside, "grid_nearest_id"].isna().all()
    assert lean.loc[outside, "grid_distance_m"].isna().all()
    if tolerance:
        assert (full["grid_how"] == "tolerance").sum() >= 50


@pytest.fixture(scope="module")
def chicago_beats(shared_data) -> gpd.GeoDataFrame:
    frame = gpd.read_file(shared_data / "chicago" / "police_beats.zip")[["BEAT_NUM", "geometry"]]
    return frame.rename(columns={"BEAT_NUM": "id"}).to_crs(3435)


def _brute_pairs(bounds: np.ndarray, x: np.ndarray, y: np.ndarray) -> set[tuple[int, int]]:
    inside = (
        (x[:, None] >= bounds[None, :, 0])
        & (x[:, None] <= bounds[None, :, 2])
        & (y[:, None] >= bounds[None, :, 1])
        & (y[:, None] <= bounds[None, :, 3])
    )
    return set(zip(*np.nonzero(inside), strict=True))


def test_bucketed_box_pairs_are_every_point_in_every_box(chicago_beats):
    """The real beats, their vertices (on box edges) and random points in and around the
    city: the buckets find exactly the pairs a test of every box finds."""
    from gis.locate import _bbox_pairs

    geoms = chicago_beats.geometry.to_numpy()
    bounds = shapely.bounds(geoms)
    x0, y0, x1, y1 = chicago_beats.total_bounds
    rng = np.random.default_rng(8)
    corners = shapely.get_coordinates(shapely.envelope(geoms))[::3]
    x = np.concatenate([rng.uniform(x0 - 5e3, x1 + 5e3, 3_000), corners[:, 0]])
    y = np.concatenate([rng.uniform(y0 - 5e3, y1 + 5e3, 3_000), corners[:, 1]])
    pairs = _bbox_pairs(bounds, x, y)
    assert pairs is not None
    found = set(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True))
    assert len(found) == len(pairs[0])  # no pair twice
    assert found == _brute_pairs(bounds, x, y)


def test_unequal_boxes_fall_back_to_the_tree_with_the_same_answer(chicago_beats):
    """One beat's box blown up to 1,000 km makes buckets the size of a beat cover a huge
    grid: the pairs give way to the tree, and the answer is the brute force's."""
    from gis.locate import _bbox_pairs

    geoms = chicago_beats.geometry.to_numpy().copy()
    geoms[0] = shapely.box(0, 0, 3.3e6, 3.3e6)  # feet: about 1,000 km on a side
    rng = np.random.default_rng(9)
    x0, y0, x1, y1 = chicago_beats.total_bounds
    x, y = rng.uniform(x0, x1, 2_000), rng.uniform(y0, y1, 2_000)
    assert _bbox_pairs(shapely.bounds(geoms), x, y) is None
    poly, n_cover = locate_xy(geoms, x, y)
    covers = shapely.intersects_xy(geoms[None, :], x[:, None], y[:, None])
    expected = np.where(covers.any(axis=1), covers.argmax(axis=1), NONE)  # lowest row wins
    np.testing.assert_array_equal(poly, expected)
    np.testing.assert_array_equal(n_cover, covers.sum(axis=1))


def test_lowest_rank_is_the_first_pair_of_lowest_rank_per_point():
    """Against a stable sort by (point, rank): pairs in any order, ranks with ties (the
    pair listed first wins), a pair listed twice, points with no pair at all."""
    from gis.locate import lowest_rank

    rng = np.random.default_rng(12)
    qi = rng.integers(0, 500, 4_000)
    pj = rng.integers(0, 60, 4_000)
    qi, pj = np.concatenate([qi, qi[:50]]), np.concatenate([pj, pj[:50]])
    rank = rng.integers(0, 20, 60)  # many polygons share a rank
    order = np.lexsort((rank[pj], qi))
    sq, sp = qi[order], pj[order]
    first = np.r_[True, sq[1:] != sq[:-1]]
    expected = dict(zip(sq[first].tolist(), sp[first].tolist(), strict=True))
    got_q, got_p = lowest_rank(qi, pj, rank)
    assert len(got_q) == len(expected)
    assert dict(zip(got_q.tolist(), got_p.tolist(), strict=True)) == expected
    empty = np.empty(0, np.int64)
    assert [len(a) for a in lowest_rank(empty, empty, rank)] == [0, 0]
