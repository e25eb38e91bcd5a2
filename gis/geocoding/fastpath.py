"""Fast point-in-polygon: a coarse lookup raster in front of exact, prepared tests.

Most points of a real incident file lie well inside an area.  A point inside a
lookup-raster cell that no polygon boundary touches belongs to the same polygon
as the cell's centre, so it needs no polygon test at all.  Only the points in
cells along a boundary go through the exact path: one bulk bounding-box query of
an :class:`shapely.STRtree`, then one vectorized :func:`shapely.intersects_xy` on
prepared polygons.

How the raster is built, exactly and without rasterizing polygons::

    +---+---+---+---+      1. mark the cell of every boundary vertex;
    | A | A | * | B |      2. mark the two cells on either side of every point where a
    +---+---+---+---+         boundary segment crosses a grid line (a segment meets a
    | A | * | * | B |         cell only through an end inside it or across a side), so
    +---+---+---+---+         ``*`` marks every cell a boundary passes through, without
    | * | * | B | B |         densifying any edge;
    +---+---+---+---+      3. grow the marks by the tolerance (rounded up to cells);
                           4. label the 4-connected unmarked components: no boundary
                              crosses a component, so one exact test of one cell
                              centre labels the whole component.

Marking is conservative: a cell may be marked although no boundary crosses it
(then its points only take the exact path), never the other way round.

All coordinates are metres in one projected CRS chosen by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from gis.locate import NONE, locate_xy, lowest_rank

__all__ = [
    "MIXED",
    "NONE",
    "PolygonIndex",
    "build_polygon_index",
    "cell_lookup",
    "locate",
    "locate_exact",
    "nearest",
    "within_distance",
]

Coords = NDArray[np.floating[Any]]
"""Coordinate arrays (metres)."""

MIXED = -2
"""Lookup value of a cell that a boundary may cross: its points need the exact path."""


@dataclass(frozen=True)
class PolygonIndex:
    """One polygon layer prepared for fast point location.

    Attributes
    ----------
    geoms : ndarray of shapely geometries, metric CRS, prepared in place.
    rank : ndarray of int
        Tie-break order: among polygons that all cover a point, the lowest rank wins.
    tree : shapely.STRtree over ``geoms``.
    lut : ndarray of int32, shape (ny, nx)
        Per raster cell: the polygon index whose interior holds the whole cell with
        no other polygon within ``tolerance_m``; :data:`NONE` when no polygon is
        within ``tolerance_m`` of the cell; ``-2 - s`` for a boundary cell whose
        ``k x k`` sub-cells are block ``s`` of ``sub``.
    sub : ndarray of int32, shape (m, k, k)
        The same values for the sub-cells of boundary cells, :data:`MIXED` where a
        boundary may cross the sub-cell (its points take the exact path).
    origin : (x0, y0) of the lower-left raster corner.
    cell : raster cell size in metres (sub-cells are ``cell / k``).
    tolerance_m : the tolerance the raster was built for.
    """

    geoms: NDArray[np.object_]
    rank: NDArray[np.int64]
    tree: shapely.STRtree
    lut: NDArray[np.int32]
    sub: NDArray[np.int32]
    origin: tuple[float, float]
    cell: float
    tolerance_m: float

    @property
    def k(self) -> int:
        return int(self.sub.shape[1]) if self.sub.ndim == 3 else 1

    @property
    def exact_share(self) -> float:
        """Share of the raster's area whose points still need a polygon test."""
        if not self.lut.size:
            return 1.0
        return float(np.sum(self.sub == MIXED)) / (self.lut.size * self.k**2)


def build_polygon_index(
    geoms: NDArray[np.object_],
    rank: NDArray[np.int64],
    *,
    tolerance_m: float = 0.0,
    max_cells: int = 4_000_000,
    cells_per_polygon: int = 100,
    k: int = 4,
) -> PolygonIndex:
    """Prepare polygons (metric coordinates) for :func:`locate` and friends.

    Parameters
    ----------
    geoms : array of polygons / multipolygons (points and lines are accepted and
        only ever matched by tolerance or as nearest).
    rank : tie-break order, same length as ``geoms``.
    tolerance_m : distance within which a second polygon makes a cell "mixed".
    max_cells, cells_per_polygon : raster size: ``min(max_cells, cells_per_polygon * n)``.
    k : boundary cells are split in ``k x k`` sub-cells (1 disables the second level).
    """
    geoms = np.asarray(geoms, dtype=object)
    rank = np.asarray(rank, dtype=np.int64)
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        lut = np.full((1, 1), NONE, dtype=np.int32)
        sub = np.empty((0, 1, 1), np.int32)
        return PolygonIndex(geoms, rank, tree, lut, sub, (0.0, 0.0), 1.0, tolerance_m)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[valid])
    pad = tolerance_m
    width, height = max(xmax - xmin + 2 * pad, 1e-6), max(ymax - ymin + 2 * pad, 1e-6)
    n_target = max(16, min(max_cells, cells_per_polygon * int(valid.sum())))
    cell = float(np.sqrt(width * height / n_target))
    if tolerance_m > 2 * cell / k:  # sub-cells far below the tolerance buy nothing
        k = 1
    # one spare cell on every side keeps neighbour marks inside the array
    origin = (xmin - pad - cell, ymin - pad - cell)
    shape = (int(np.ceil(height / cell)) + 3, int(np.ceil(width / cell)) + 3)
    fine = np.zeros((shape[0] * k, shape[1] * k), dtype=bool)
    _mark_boundaries(geoms[valid], origin, cell / k, fine)
    radius = int(np.ceil(tolerance_m / (cell / k))) if tolerance_m > 0 else 0
    if radius:  # grow the marks by the tolerance (a square covers the disc)
        fine = ndimage.maximum_filter1d(fine, 2 * radius + 1, axis=0, mode="constant")
        fine = ndimage.maximum_filter1d(fine, 2 * radius + 1, axis=1, mode="constant")
    fy, fx = np.divmod(np.flatnonzero(fine), fine.shape[1])
    del fine
    py, px = fy // k, fx // k
    marked = np.zeros(shape, dtype=bool)
    marked[py, px] = True
    slot = np.cumsum(marked.ravel()).reshape(shape) - 1
    sub_marked = np.zeros((int(marked.sum()), k, k), dtype=bool)
    sub_marked[slot[py, px], fy - py * k, fx - px * k] = True
    bare = PolygonIndex(geoms, rank, tree, marked, sub_marked, origin, cell, tolerance_m)
    level1 = _label_level1(bare, marked)
    sub = _label_level2(bare, sub_marked, np.argwhere(marked), level1)
    lut = np.where(marked, (-2 - slot).astype(np.int32), level1)
    return PolygonIndex(geoms, rank, tree, lut, sub, origin, cell, tolerance_m)


def _mark_boundaries(
    geoms: NDArray[np.object_], origin: tuple[float, float], size: float, fine: NDArray[np.bool_]
) -> None:
    """Set every cell (side ``size``) of ``fine`` that a boundary may pass through.

    Exact cell traversal, no densification: a segment meets a cell only if one of its
    ends lies in the cell or it crosses one of the cell's sides, so marking the cell of
    every vertex and the two cells on either side of every grid-line crossing marks
    them all.  Points closer than :data:`_ON_LINE` (in cells) to a grid line mark the
    cells on both sides (rounding never hides a crossing).  Point and line geometries
    count as boundaries.
    """
    parts = shapely.get_parts(geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))])
    polygonal = shapely.get_type_id(parts) == 3
    lines = np.concatenate([shapely.get_rings(parts[polygonal]), parts[~polygonal]])
    xy, which = shapely.get_coordinates(lines, return_index=True)
    fx = (xy[:, 0] - origin[0]) / size
    fy = (xy[:, 1] - origin[1]) / size
    _mark_points(fine, fx, fy)
    start = np.flatnonzero(which[1:] == which[:-1])  # segment i runs from vertex i to i + 1
    x0, y0, x1, y1 = fx[start], fy[start], fx[start + 1], fy[start + 1]
    for a0, b0, a1, b1, across in ((x0, y0, x1, y1, False), (y0, x0, y1, x1, True)):
        at, other = _crossings(a0, b0, a1, b1)
        if across:  # horizontal grid lines: the cells below and above
            _mark_points(fine, other, at - 0.5)
            _mark_points(fine, other, at + 0.5)
        else:  # vertical grid lines: the cells left and right
            _mark_points(fine, at - 0.5, other)
            _mark_points(fine, at + 0.5, other)


_ON_LINE = 1e-6


def _crossings(
    a0: Coords, b0: Coords, a1: Coords, b1: Coords
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Where segments cross the grid lines ``a = integer``: the line's ``a`` and the ``b``.

    Segments parallel to the lines have no crossing (their ends and the crossings of
    the other family of lines mark their cells).
    """
    lo, hi = np.ceil(np.minimum(a0, a1)), np.floor(np.maximum(a0, a1))
    count = np.where(a0 != a1, np.maximum(hi - lo + 1, 0), 0).astype(np.int64)
    seg = np.repeat(np.arange(len(a0)), count)
    offset = np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count)
    at = (lo[seg] + offset).astype(np.float64)
    slope = (b1 - b0)[seg] / (a1 - a0)[seg]
    return at, b0[seg] + (at - a0[seg]) * slope


def _mark_points(fine: NDArray[np.bool_], fx: Coords, fy: Coords) -> None:
    """Mark the cell of each point, and its neighbours when it lies on a cell side."""
    rows, cols = fine.shape
    col, row = np.floor(fx), np.floor(fy)
    dx = (fx - col > 1 - _ON_LINE).astype(np.int64) - (fx - col < _ON_LINE)
    dy = (fy - row > 1 - _ON_LINE).astype(np.int64) - (fy - row < _ON_LINE)
    col = np.clip(col.astype(np.int64), 1, cols - 2)  # the raster has a spare border
    row = np.clip(row.astype(np.int64), 1, rows - 2)
    fine[row, col] = True
    sx, sy = np.flatnonzero(dx), np.flatnonzero(dy)
    sxy = np.flatnonzero(dx & dy)
    fine[row[sx], col[sx] + dx[sx]] = True
    fine[row[sy] + dy[sy], col[sy]] = True
    fine[row[sxy] + dy[sxy], col[sxy] + dx[sxy]] = True


def _label_level1(index: PolygonIndex, marked: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Cell values: one exact test per boundary-free component of whole cells."""
    labels, n = ndimage.label(~marked)
    per_label = np.empty(n + 1, dtype=np.int32)
    per_label[0] = MIXED
    if n:
        rep = _first_cell(labels.ravel(), n)
        iy, ix = np.unravel_index(rep, marked.shape)
        cx = index.origin[0] + (ix + 0.5) * index.cell
        cy = index.origin[1] + (iy + 0.5) * index.cell
        per_label[1:] = locate_exact(index, cx, cy)[0]
    return per_label[labels]


def _label_level2(
    index: PolygonIndex,
    sub_marked: NDArray[np.bool_],
    parents: NDArray[np.int64],
    level1: NDArray[np.int32],
) -> NDArray[np.int32]:
    """Sub-cell values: per boundary-free component inside each block, the value of
    a resolved neighbouring cell it touches, else one exact test."""
    k = sub_marked.shape[1]
    plane = np.zeros((3, 3, 3), dtype=bool)
    plane[1] = ndimage.generate_binary_structure(2, 1)  # connect within a block only
    labels, n = ndimage.label(~sub_marked, structure=plane)
    per_label = np.full(n + 1, MIXED - 1, dtype=np.int32)  # MIXED - 1: not known yet
    sides = (
        (labels[:, 0, :], -1, 0),
        (labels[:, k - 1, :], 1, 0),
        (labels[:, :, 0], 0, -1),
        (labels[:, :, k - 1], 0, 1),
    )
    for edge, dy, dx in sides:
        value = level1[parents[:, 0] + dy, parents[:, 1] + dx]
        known = value >= NONE
        lab = edge[known]
        per_label[lab.ravel()] = np.repeat(value[known], k)
    per_label[0] = MIXED
    todo = np.flatnonzero(per_label == MIXED - 1)
    if len(todo):
        rep = _first_cell(labels.ravel(), n)[todo - 1]
        block, sy, sx = np.unravel_index(rep, sub_marked.shape)
        size = index.cell / k
        cx = index.origin[0] + parents[block, 1] * index.cell + (sx + 0.5) * size
        cy = index.origin[1] + parents[block, 0] * index.cell + (sy + 0.5) * size
        per_label[todo] = locate_exact(index, cx, cy)[0]
    return per_label[labels]


def _first_cell(flat_labels: NDArray[np.int32], n: int) -> NDArray[np.int64]:
    """Flat index of one cell of each label 1..n (the first in scan order)."""
    first = np.empty(n + 1, dtype=np.int64)
    positions = np.arange(len(flat_labels) - 1, -1, -1)
    first[flat_labels[::-1]] = positions  # the last write of a label wins: its first cell
    return first[1:]


def cell_lookup(index: PolygonIndex, x: Coords, y: Coords) -> NDArray[np.int32]:
    """Raster value of every point: a polygon index, :data:`NONE`, or :data:`MIXED`.

    Points off the raster and non-finite coordinates give :data:`NONE`.
    """
    ny, nx = index.lut.shape
    k = index.k
    fx = (x - index.origin[0]) * (k / index.cell)
    fy = (y - index.origin[1]) * (k / index.cell)
    inside = (fx >= 0) & (fx < nx * k) & (fy >= 0) & (fy < ny * k)  # False for NaN
    out = np.full(len(x), NONE, dtype=np.int32)
    gx, gy = fx[inside].astype(np.int64), fy[inside].astype(np.int64)  # floor: both ≥ 0
    px, py = gx // k, gy // k
    value = index.lut.ravel()[py * nx + px]
    block = np.flatnonzero(value <= MIXED)
    sub = index.sub.reshape(-1, k * k)
    local = (gy[block] - py[block] * k) * k + (gx[block] - px[block] * k)
    value[block] = sub[MIXED - value[block], local]
    out[inside] = value
    return out


def locate_exact(
    index: PolygonIndex, x: Coords, y: Coords
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """Exact location by :func:`gis.locate.locate_xy`: the lowest-rank polygon covering
    each point (boundary included) and how many polygons cover it."""
    order = _spatial_order(index, x, y)  # neighbours test the same polygons: cache-friendly
    return locate_xy(index.geoms, x, y, rank=index.rank, tree=index.tree, order=order)


def _spatial_order(index: PolygonIndex, x: Coords, y: Coords) -> NDArray[np.int64]:
    """Point order along raster rows of sub-cells (keeps a polygon's tests together)."""
    size = index.cell / index.k
    with np.errstate(invalid="ignore"):
        row = np.nan_to_num((y - index.origin[1]) // size).astype(np.int64)
        col = np.nan_to_num((x - index.origin[0]) // size).astype(np.int64)
    return np.lexsort((col, row // 8))  # bands of 8 sub-cell rows, then west to east


def locate(
    index: PolygonIndex, x: Coords, y: Coords
) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.bool_]]:
    """Fast location: raster first, exact tests only for points in mixed cells.

    Returns
    -------
    poly : covering polygon of lowest rank per point, or :data:`NONE`.
    n_cover : number of covering polygons (exact for mixed-cell points, 1 or 0 otherwise).
    exact : True where the point went through the exact path.
    """
    looked = cell_lookup(index, x, y)
    exact = looked == MIXED
    poly = np.where(exact, NONE, looked).astype(np.int32)
    n_cover = (poly >= 0).astype(np.int64)
    idx = np.flatnonzero(exact & np.isfinite(x) & np.isfinite(y))
    if len(idx):
        poly[idx], n_cover[idx] = locate_exact(index, x[idx], y[idx])
    return poly, n_cover, exact


def nearest(
    index: PolygonIndex, x: Coords, y: Coords, *, max_distance: float | None = None
) -> tuple[NDArray[np.int32], Coords]:
    """Nearest polygon (lowest rank among equidistant ones) and the distance in metres.

    With ``max_distance``, only polygons that close are searched (a ``dwithin`` bound:
    far points cost almost nothing) and farther points get :data:`NONE` and NaN.
    """
    n = len(x)
    poly = np.full(n, NONE, dtype=np.int32)
    dist = np.full(n, np.nan)
    if n == 0 or len(index.geoms) == 0:
        return poly, dist
    (qi, pj), d = index.tree.query_nearest(
        shapely.points(x, y), max_distance=max_distance, return_distance=True, all_matches=True
    )
    first_q, first_p = lowest_rank(qi, pj, index.rank)
    poly[first_q] = first_p
    dist[qi] = d
    return poly, dist


def within_distance(
    index: PolygonIndex, x: Coords, y: Coords, distance: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All (point, polygon) pairs closer than ``distance`` metres (boundary distance)."""
    if len(x) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    qi, pj = index.tree.query(shapely.points(x, y), predicate="dwithin", distance=distance)
    return qi, pj
