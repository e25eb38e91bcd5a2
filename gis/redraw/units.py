"""Building blocks of a community for balancing: buildings' Voronoi cells.

The free area of a community (its grids minus locked ones) is cut into the Voronoi
cells of the buildings' representative points, and further by the barrier lines (roads,
rivers) when given.  Each unit carries the loads of the buildings and incidents inside;
units touching along a barrier get a higher spanning-tree cost.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from gis.redraw._common import geoms, locate
from gis.redraw.partition import UnitGraph

BARRIER_COST = 5.0
"""Spanning-tree weight added to an adjacency crossing a barrier (random weights are < 1)."""


def build_units(
    free: BaseGeometry,
    buildings: gpd.GeoDataFrame,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> tuple[np.ndarray, UnitGraph]:
    """Unit polygons (in the layers' CRS) and their graph (measured in ``metric_crs``).

    ``free``, ``buildings``, ``incidents`` and ``barriers`` share one CRS, the grid layer's:
    the units are cut there so the new grids meet the untouched ones exactly; areas and
    lengths of the graph are measured after projecting to ``metric_crs`` (when given).
    Loads are households, population, incidents.
    """
    pts = shapely.point_on_surface(geoms(buildings))
    inside = shapely.intersects(pts, free)
    cells = _cells(free, pts[inside])
    lines = _barrier_lines(free, barriers)
    if lines is not None:
        cells = _cut(cells, lines)
    loads = np.zeros((len(cells), 3))
    home = locate(pts[inside], cells)
    hit = home >= 0
    for col, field in enumerate(("households", "population")):
        values = buildings[field].to_numpy(dtype=float)[inside]
        np.add.at(loads[:, col], home[hit], values[hit])
    if incidents is not None and len(incidents):
        where = locate(geoms(incidents), cells)
        np.add.at(loads[:, 2], where[where >= 0], 1.0)
    measured, measured_lines = cells, lines
    if metric_crs is not None and buildings.crs is not None:
        measured = _project(cells, buildings.crs, metric_crs)
        if lines is not None:
            measured_lines = _project(np.asarray([lines], dtype=object), buildings.crs, metric_crs)[
                0
            ]
    return cells, unit_graph(measured, loads, measured_lines)


def _project(shapes: np.ndarray, src: object, dst: pyproj.CRS) -> np.ndarray:
    return np.asarray(gpd.GeoSeries(shapes, crs=src).to_crs(dst).array, dtype=object)


def _cells(free: BaseGeometry, points: np.ndarray) -> np.ndarray:
    """Voronoi cells of the points clipped to the free area, exploded into parts."""
    if len(points) < 2:
        return _parts(np.asarray([free], dtype=object))
    unique = shapely.multipoints(np.unique(shapely.get_coordinates(points), axis=0))
    regions = shapely.get_parts(shapely.voronoi_polygons(unique, extend_to=free))
    return _parts(shapely.intersection(regions, free))


def _parts(shapes: np.ndarray) -> np.ndarray:
    """Polygon parts, without specks (below 1e-12 of the total area, any CRS)."""
    parts = shapely.get_parts(shapes)
    parts = parts[shapely.get_type_id(parts) == 3]
    area = shapely.area(parts)
    return parts[area > 1e-12 * max(area.sum(), 1e-300)]


def _barrier_lines(free: BaseGeometry, barriers: gpd.GeoDataFrame | None) -> BaseGeometry | None:
    if barriers is None or barriers.empty:
        return None
    lines = shapely.intersection(shapely.union_all(geoms(barriers)), free)
    return None if shapely.is_empty(lines) else lines


def _cut(cells: np.ndarray, lines: BaseGeometry) -> np.ndarray:
    """Cells cut by the barrier lines (polygonize the noded boundaries)."""
    noded = shapely.union_all(np.concatenate([shapely.boundary(cells), [lines]]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inside = shapely.intersects(shapely.point_on_surface(faces), shapely.union_all(cells))
    return _parts(faces[inside])


def unit_graph(
    cells: np.ndarray, loads: np.ndarray, lines: BaseGeometry | None = None
) -> UnitGraph:
    """Rook adjacency (shared boundary of positive length) by one STRtree query."""
    i, j = shapely.STRtree(cells).query(cells, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.intersection(shapely.boundary(cells[i]), shapely.boundary(cells[j]))
    length = shapely.length(shared)
    rook = length > 1e-6
    i, j, shared, length = i[rook], j[rook], shared[rook], length[rook]
    cost = np.zeros(len(i))
    if lines is not None:
        along = shapely.length(shapely.intersection(shared, shapely.buffer(lines, 0.5)))
        cost[along > 0.5 * length] = BARRIER_COST
    perimeter = shapely.length(cells)
    outer = perimeter.copy()
    np.subtract.at(outer, i, length)
    np.subtract.at(outer, j, length)
    return UnitGraph(
        loads=loads,
        area=shapely.area(cells),
        outer=np.maximum(outer, 0.0),
        edges=np.column_stack([i, j]),
        edge_len=length,
        edge_cost=cost,
    )
