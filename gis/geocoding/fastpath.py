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

SMALL_BATCH = 25
"""Points per polygon below which a one-off geocode builds no raster: every point takes
the exact path (measured with ``benchmarks/bench_geocode.py`` against 5,000 polygons:
100 k points, 20 per polygon, are fastest with none)."""

POINTS_PER_CELL = 5
"""Above :data:`SMALL_BATCH`, a one-off geocode's raster has a cell per this many points
(1 M points against 5,000 polygons: 40 cells per polygon; 300 k: 12)."""


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
    def has_raster(self) -> bool:
        """False for an index built without a lookup raster (every point is tested)."""
        return not (self.lut.size == 1 and self.lut[0, 0] == MIXED)

    @property
    def exact_share(self) -> float:
        """Share of the raster's area whose points still need a polygon test."""
        if not self.lut.size or not self.has_raster:
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
    points: int | None = None,
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
    points : how many points the index will locate, when the caller knows (a one-off
        geocode): the raster is sized for them, as its build costs about as much as
        locating its cells' worth of points exactly.  Below :data:`SMALL_BATCH` points
        per polygon there is no raster: every point takes the exact path (the answers
        are the same either way).
    """
    geoms = np.asarray(geoms, dtype=object)
    rank = np.asarray(rank, dtype=np.int64)
    if points is not None:
        n = max(len(geoms), 1)
        sized = points // (POINTS_PER_CELL * n)
        small = points < SMALL_BATCH * n
        cells_per_polygon = 0 if small else min(cells_per_polygon, max(sized, 1))
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any() or cells_per_polygon <= 0:  # no raster: every point takes the exact path
        lut = np.full((1, 1), NONE if not valid.any() else MIXED, dtype=np.int32)
        sub = np.empty((0, 1, 1), np.int32)
        return PolygonIndex(geoms, rank, tree, lut, sub, (0.0, 0.0), 1.0, tolerance_m)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[valid])
    pad = tolerance_m
    width, height = max(xmax - xmin + 2 * pad, 1e-6), max(ymax - ymin + 2 * pad, 1e-6)
    n_target = max(16, min(max_cells, cells_per_polygon * int(valid.sum())))
    cell = float(np.sqrt(width * height / n_target))
    if tolerance_m > 2 * cell / k:  # sub-cells far below the tolerance buy nothing
        k = 1
    while k > 1 and n_target * k * k > _MAX_FINE:  # bound the labelled raster's memory
        k -= 1
    # one spare cell on every side keeps neighbour marks inside the array
    origin = (xmin - pad - cell, ymin - pad - cell)
    shape = (int(np.ceil(height / cell)) + 3, int(np.ceil(width / cell)) + 3)
    fine = np.zeros((shape[0] * k, shape[1] * k), dtype=bool)
    _mark_boundaries(geoms[valid], origin, cell / k, fine)
    radius = int(np.ceil(tolerance_m / (cell / k))) if tolerance_m > 0 else 0
    if radius:  # grow the marks by the tolerance (a square covers the disc)
        fine = ndimage.maximum_filter1d(fine, 2 * radius + 1, axis=0, mode="constant")
        fine = ndimage.maximum_filter1d(fine, 2 * radius + 1, axis=1, mode="constant")
    bare = PolygonIndex(geoms, rank, tree, fine, fine, origin, cell / k, tolerance_m)
    labels, per_label = _label(bare, fine)  # per_label: polygon, NONE or MIXED (label 0)
    marked = _any_in_blocks(fine, k)
    del fine
    blocks = labels.reshape(shape[0], k, shape[1], k).transpose(0, 2, 1, 3)
    slot = np.cumsum(marked.ravel()).reshape(shape) - 1
    sub = per_label[blocks[marked]]
    lut = np.where(marked, (-2 - slot).astype(np.int32), per_label[labels[::k, ::k]])
    return PolygonIndex(geoms, rank, tree, lut, sub.reshape(-1, k, k), origin, cell, tolerance_m)


_MAX_FINE = 16_000_000
"""Most sub-cells a raster labels at once (int32 labels: 64 MB)."""


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
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    if simple.all():  # one ring each: its coordinates are the polygon's
        lines = geoms
    else:
        parts = shapely.get_parts(geoms)
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
        _mark_crossings(fine, at, other, across=across)


_ON_LINE = 1e-6


def _crossings(
    a0: Coords, b0: Coords, a1: Coords, b1: Coords
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Where segments cross the grid lines ``a = integer``: the line's ``a`` and the ``b``.

    Segments parallel to the lines have no crossing (their ends and the crossings of
    the other family of lines mark their cells).
    """
    lo, hi = np.ceil(np.minimum(a0, a1)), np.floor(np.maximum(a0, a1))
    count = np.where(a0 != a1, np.maximum(hi - lo + 1, 0), 0).astype(np.int64)
    crossing = np.flatnonzero(count)  # most segments cross no line at all
    count = count[crossing]
    seg = np.repeat(crossing, count)
    offset = np.arange(len(seg), dtype=np.int64)
    offset -= np.repeat(np.cumsum(count) - count, count)
    at = lo.astype(np.int64)[seg] + offset
    slope = ((b1 - b0) / np.where(a0 != a1, a1 - a0, 1.0))[seg]
    return at, b0[seg] + (at - a0[seg]) * slope


def _mark_crossings(
    fine: NDArray[np.bool_], at: NDArray[np.int64], other: Coords, *, across: bool
) -> None:
    """Mark the cells on both sides of grid-line crossings (and of the neighbouring cell
    when the crossing lies on a cell corner)."""
    rows, cols = fine.shape
    lines, along = (rows, cols) if across else (cols, rows)
    cell = np.floor(other)
    d = (other - cell > 1 - _ON_LINE).astype(np.int64) - (other - cell < _ON_LINE)
    cell = np.clip(cell.astype(np.int64), 1, along - 2)  # the raster has a spare border
    flat = fine.ravel()
    near = np.flatnonzero(d)
    for shift in (0, -1):  # the cells after and before the line
        line = np.clip(at + shift, 1, lines - 2)
        if across:
            flat[line * cols + cell] = True
            flat[line[near] * cols + cell[near] + d[near]] = True
        else:
            flat[cell * cols + line] = True
            flat[(cell[near] + d[near]) * cols + line[near]] = True


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


def _label(
    index: PolygonIndex, marked: NDArray[np.bool_]
) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Cell labels and label values: one exact test per 4-connected component of
    unmarked cells (no boundary crosses a component, so its cells all lie in the same
    polygons); label 0, the marked cells, is :data:`MIXED`."""
    labels, n = ndimage.label(~marked)
    per_label = np.empty(n + 1, dtype=np.int32)
    per_label[0] = MIXED
    if n:
        rep = _first_cell(labels.ravel(), n)
        iy, ix = np.divmod(rep, marked.shape[1])
        cx = index.origin[0] + (ix + 0.5) * index.cell
        cy = index.origin[1] + (iy + 0.5) * index.cell
        per_label[1:] = locate_exact(index, cx, cy)[0]
    return labels, per_label


def _first_cell(flat_labels: NDArray[np.int32], n: int) -> NDArray[np.int64]:
    """Flat index of one cell of each label 1..n (the start of one of its runs)."""
    first = np.empty(n + 1, dtype=np.int64)
    starts = np.flatnonzero(flat_labels[1:] != flat_labels[:-1]) + 1
    first[flat_labels[starts]] = starts  # every label but the first cell's starts a run
    first[flat_labels[0]] = 0
    return first[1:]


_WORDS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _any_in_blocks(mask: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """Per ``k x k`` block of ``mask``: whether any of its cells is set."""
    rows, cols = mask.shape
    if k == 1:
        return mask
    if k in _WORDS:  # k bytes of a row in one machine word
        across = mask.view(_WORDS[k]) != 0
    else:
        across = mask.reshape(rows, cols // k, k).any(axis=2)
    return across.reshape(rows // k, k, cols // k).any(axis=1)


def cell_lookup(index: PolygonIndex, x: Coords, y: Coords) -> NDArray[np.int32]:
    """Raster value of every point: a polygon index, :data:`NONE`, or :data:`MIXED`.

    Points off the raster and non-finite coordinates give :data:`NONE`.
    """
    ny, nx = index.lut.shape
    if not index.has_raster:  # every point takes the exact path
        return np.full(len(x), MIXED, dtype=np.int32)
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
    return locate_xy(index.geoms, x, y, rank=index.rank, tree=index.tree)


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
