"""Grids of the demo the editor tests act on, chosen from the data (not hard-coded)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def neighbours(
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    area: shapely.Geometry | None,
    *,
    same_community: bool,
    other_beat: bool | None,
) -> tuple[str, str, shapely.Geometry]:
    """Two grids sharing the longest edge (ids) and that edge, by the wanted relations."""
    grids = grids.reset_index(drop=True)
    shapes = np.asarray(grids.geometry.array, dtype=object)
    points = shapely.point_on_surface(shapes)
    bshapes = np.asarray(beats.geometry.array, dtype=object)
    beat = np.array([int(np.argmax(shapely.contains(bshapes, p))) for p in points])
    tree = shapely.STRtree(shapes)
    i, j = tree.query(shapes, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    edge = shapely.intersection(shapely.boundary(shapes[i]), shapely.boundary(shapes[j]))
    parent = grids["parent_id"].astype(str).to_numpy()
    ok = shapely.length(edge) > 0
    ok &= (parent[i] == parent[j]) == same_community
    if other_beat is not None:
        ok &= (beat[i] != beat[j]) == other_beat
    if area is not None:
        ok &= shapely.covers(area.buffer(1e-6), shapes[i]) & shapely.covers(
            area.buffer(1e-6), shapes[j]
        )
    best = np.flatnonzero(ok)[np.argmax(shapely.length(edge[ok]))]
    return str(grids["id"].iloc[i[best]]), str(grids["id"].iloc[j[best]]), edge[best]
