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
    order: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """The covering polygon of lowest rank for each point (x/y in the polygons' CRS).

    Parameters
    ----------
    geoms : polygons (prepared here if they are not yet).
    x, y : coordinates; NaN gives :data:`NONE`.
    rank : tie-break order (default: row order); see the module doc.
    tree : an STRtree over ``geoms`` when the caller keeps one.
    order : the order to test the points in (spatially sorted points keep a polygon's
        tests together in cache); any permutation gives the same answer.

    Returns
    -------
    poly : index into ``geoms`` per point, :data:`NONE` when no polygon covers it.
    n_cover : how many polygons cover the point (2+ on a shared boundary or overlap).
    """
    n = len(x)
    poly = np.full(n, NONE, dtype=np.int32)
    if n == 0 or len(geoms) == 0:
        return poly, np.zeros(n, dtype=np.int64)
    near = np.arange(n) if order is None else np.asarray(order)
    near = near[np.isfinite(x[near]) & np.isfinite(y[near])]
    points = shapely.points(x[near], y[near])
    if len(near) >= _MANY_POINTS * len(geoms):
        # many points: a tree over the points, each polygon tests the points in its
        # bounding box (GEOS prepares it once: what makes sjoin "within" fast)
        pj, qi = shapely.STRtree(points).query(geoms, predicate="intersects")
    else:
        shapely.prepare(geoms)  # a no-op for prepared geometries
        tree = shapely.STRtree(geoms) if tree is None else tree
        qi, pj = tree.query(points)  # bounding boxes only
        hit = shapely.intersects_xy(geoms[pj], x[near[qi]], y[near[qi]])
        qi, pj = qi[hit], pj[hit]
    qi = near[qi]
    first_q, first_p = lowest_rank(qi, pj, np.arange(len(geoms)) if rank is None else rank)
    poly[first_q] = first_p
    return poly, np.bincount(qi, minlength=n)


_MANY_POINTS = 8
"""Points per polygon from which the polygons query a tree of the points (same answer)."""


def lowest_rank(
    qi: NDArray[np.int64], pj: NDArray[np.int64], rank: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Among (point, polygon) pairs keep, per point, the polygon of lowest rank."""
    order = np.lexsort((rank[pj], qi))
    qi, pj = qi[order], pj[order]
    keep = np.ones(len(qi), dtype=bool)
    keep[1:] = qi[1:] != qi[:-1]
    return qi[keep], pj[keep]


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
