"""Which polygon holds each point: one bulk STRtree query, ties to the lowest index.

The simple locator the analytics share (hotspot counts, redraw diffs and balancing).
``gis.geocoding.assign`` is the full engine for incidents: tolerance, nearest area,
distances and the documented lowest-*id* boundary rule.
"""

from __future__ import annotations

import numpy as np
import shapely


def locate(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Index of the polygon holding each point's representative point, -1 if none.

    One bulk STRtree query; a point on a shared edge goes to the lowest index.
    """
    out = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not len(polygons):
        return out
    points = np.asarray(points, dtype=object)
    reps = points.copy()
    areal = shapely.get_type_id(points) != 0  # points are their own representative point
    reps[areal] = shapely.point_on_surface(points[areal])
    pt, poly = shapely.STRtree(polygons).query(reps, predicate="intersects")
    order = np.lexsort((poly, pt))
    pt, poly = pt[order], poly[order]
    first = np.r_[True, pt[1:] != pt[:-1]] if len(pt) else np.zeros(0, bool)
    out[pt[first]] = poly[first]
    return out
