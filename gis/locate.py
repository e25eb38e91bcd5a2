"""Which polygon holds each point: beatgrid's one point locator and its one tie rule.

Geocoding (:mod:`gis.geocoding.fastpath` resolves the points its lookup raster cannot
through :func:`locate_xy`), hotspot counts and redraw all place points here.

**The rule.** Polygons are closed sets: a point on a polygon's boundary is inside it.  A
point covered by several polygons (on a shared boundary, or where polygons overlap) goes
to the polygon of **lowest rank**; the rank of a polygon is the position of its id when
the ids are sorted as strings (:func:`tie_rank`), so the answer never depends on row
order.  Callers without ids rank the polygons by row (the first listed wins)::

    +-------+-------+
    |  "B"  |  "A"  |     a point on the shared edge "|" goes to "A" (lowest id);
    |       *       |     without ids, to the left square (row 0)
    +-------+-------+
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

NONE = -1
"""Polygon index meaning "no polygon"."""


def tie_rank(ids: ArrayLike) -> NDArray[np.int64]:
    """Rank of each id in string order (0 = lowest = wins ties); equal ids keep row order."""
    text = np.asarray(ids).astype(str)
    order = np.argsort(text, kind="stable")
    rank = np.empty(len(text), dtype=np.int64)
    rank[order] = np.arange(len(text))
    return rank


def locate_xy(
    geoms: NDArray[np.object_],
    x: NDArray[np.floating[Any]],
    y: NDArray[np.floating[Any]],
    *,
    rank: NDArray[np.int64] | None = None,
    tree: shapely.STRtree | None = None,
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """The covering polygon of lowest rank for each point (x/y in the polygons' CRS).

    Parameters
    ----------
    geoms : polygons (prepared here if they are not yet).
    x, y : coordinates; NaN gives :data:`NONE`.
    rank : tie-break order (default: row order); see the module doc.
    tree : an STRtree over ``geoms`` when the caller keeps one (used only when the
        polygons' boxes are too unequal to bucket the points by).

    Returns
    -------
    poly : index into ``geoms`` per point, :data:`NONE` when no polygon covers it.
    n_cover : how many polygons cover the point (2+ on a shared boundary or overlap).
    """
    n = len(x)
    poly = np.full(n, NONE, dtype=np.int32)
    if n == 0 or len(geoms) == 0:
        return poly, np.zeros(n, dtype=np.int64)
    near = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    pairs = _bbox_pairs(shapely.bounds(geoms), x[near], y[near])
    if pairs is None and len(near) >= _MANY_POINTS * len(geoms):
        # many points: a tree over the points, each polygon tests the points in its
        # bounding box (GEOS prepares it once: what makes sjoin "within" fast)
        pj, qi = shapely.STRtree(shapely.points(x[near], y[near])).query(
            geoms, predicate="intersects"
        )
    else:
        if pairs is None:  # boxes too unequal to bucket: a tree of the polygons
            tree = shapely.STRtree(geoms) if tree is None else tree
            qi, pj = tree.query(shapely.points(x[near], y[near]))  # bounding boxes only
        else:  # no point geometries, no tree: the pairs by their boxes
            qi, pj = pairs
        shapely.prepare(geoms)  # a no-op for prepared geometries
        hit = shapely.intersects_xy(geoms[pj], x[near[qi]], y[near[qi]])
        qi, pj = qi[hit], pj[hit]
    qi = near[qi]
    first_q, first_p = lowest_rank(qi, pj, np.arange(len(geoms)) if rank is None else rank)
    poly[first_q] = first_p
    return poly, np.bincount(qi, minlength=n)


_MANY_POINTS = 8
"""Points per polygon from which the polygons query a tree of the points (same answer)."""

_MAX_PAIRS_PER_ITEM = 16
"""Bucketed candidates per point and polygon beyond which :func:`_bbox_pairs` gives way
to a tree (polygons of very unequal sizes, points piled in one place)."""

_BUCKETS_PER_BOX = 2
"""Buckets across a typical polygon's box.  Finer buckets send fewer points outside a
box to its test (at 1 per box, three candidates in four fail the box test) for a few
more bucket reads per polygon: 100 k points against 5,000 polygons, 35 -> 25 ms."""


def _bbox_pairs(
    bounds: NDArray[np.float64], x: NDArray[np.floating[Any]], y: NDArray[np.floating[Any]]
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Every (point, polygon) pair whose point lies in the polygon's bounding box.

    The points are bucketed in a grid of cells half the size of a typical polygon's box;
    each polygon reads the buckets its box covers.  No point geometry is made and no tree
    is queried, which is most of what a tree costs for a one-off batch (making 100,000
    GEOS points takes longer than testing them).  The pairs come grouped by polygon, the
    order in which GEOS tests them fastest (each polygon's edge index stays in cache: in
    point order the same tests take 5x as long).  None when the layout would give too
    many candidates (then a tree answers).
    """
    usable = np.flatnonzero(np.isfinite(bounds).all(axis=1))
    if not len(usable) or not len(x):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    b = bounds[usable]
    size = float(np.median(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])))
    size /= _BUCKETS_PER_BOX
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    if not size > 0:
        return None  # points or lines only: no box to bucket by
    nx = int((b[:, 2].max() - x0) // size) + 1
    ny = int((b[:, 3].max() - y0) // size) + 1
    budget = _MAX_PAIRS_PER_ITEM * (len(x) + len(b))
    if nx * ny > budget:
        return None
    col0, col1 = (
        ((b[:, 0] - x0) // size).astype(np.int64),
        ((b[:, 2] - x0) // size).astype(np.int64),
    )
    row0, row1 = (
        ((b[:, 1] - y0) // size).astype(np.int64),
        ((b[:, 3] - y0) // size).astype(np.int64),
    )
    width, height = col1 - col0 + 1, row1 - row0 + 1
    cells_of = width * height
    if cells_of.sum() > budget:
        return None
    with np.errstate(invalid="ignore"):
        col, row = (x - x0) // size, (y - y0) // size
    inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    bucket = np.where(inside, row * nx + col, -1).astype(np.int64)
    order = np.argsort(bucket)  # any order within a bucket: the pairs are a set
    edges = np.searchsorted(bucket[order], np.arange(nx * ny + 1))
    poly = np.repeat(np.arange(len(b)), cells_of)
    step = np.arange(len(poly)) - np.repeat(np.cumsum(cells_of) - cells_of, cells_of)
    cell = (row0[poly] + step // width[poly]) * nx + col0[poly] + step % width[poly]
    count = edges[cell + 1] - edges[cell]
    total = int(count.sum())
    if total > budget:
        return None
    pj = np.repeat(poly, count)
    at = np.repeat(edges[cell] - (np.cumsum(count) - count), count) + np.arange(total)
    px, py = x[order][at], y[order][at]  # runs of one bucket: near-sequential reads
    box = np.take(b, pj, axis=0)  # 10x faster than b[pj] (numpy's 2-d fancy index)
    keep = (px >= box[:, 0]) & (px <= box[:, 2]) & (py >= box[:, 1]) & (py <= box[:, 3])
    return order[at[keep]], usable[pj[keep]]


def lowest_rank(
    qi: NDArray[np.int64], pj: NDArray[np.int64], rank: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Among (point, polygon) pairs keep, per point, the polygon of lowest rank (of equal
    ranks, the pair listed first).  The kept pairs come in the order they were listed.

    Two unbuffered minima per point (``np.minimum.at``), not a sort: 160,000 pairs in
    0.5 ms where ``np.lexsort`` took 10-30 ms.
    """
    if not len(qi):
        return qi, pj
    r = rank[pj]
    best = np.full(int(qi.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(best, qi, r)
    win = np.flatnonzero(r == best[qi])
    first = np.full(len(best), np.iinfo(np.int64).max)
    np.minimum.at(first, qi[win], win)
    win = win[first[qi[win]] == win]
    return qi[win], pj[win]


def locate(
    points: NDArray[np.object_], polygons: NDArray[np.object_], *, ids: ArrayLike | None = None
) -> NDArray[np.int64]:
    """Index of the polygon holding each geometry's representative point, -1 if none.

    Points are their own representative point; lines and polygons use
    :func:`shapely.point_on_surface`.  Ties follow the module's rule: lowest ``ids`` in
    string order, or the lowest row without ``ids``.
    """
    points = np.asarray(points, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    if not len(points):
        return np.full(0, NONE, dtype=np.int64)
    reps = points.copy()
    areal = shapely.get_type_id(points) != 0  # missing geometries give -1: their rep is None
    reps[areal] = shapely.point_on_surface(points[areal])
    usable = ~(shapely.is_missing(reps) | shapely.is_empty(reps))
    x = np.full(len(reps), np.nan)
    y = np.full(len(reps), np.nan)
    x[usable], y[usable] = shapely.get_x(reps[usable]), shapely.get_y(reps[usable])
    rank = None if ids is None else tie_rank(ids)
    return locate_xy(polygons, x, y, rank=rank)[0].astype(np.int64)
