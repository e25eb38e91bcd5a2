"""Regular metric cells (hexagons or a square fishnet) for aggregating incidents.

Hot-spot statistics on administrative grids mix the pattern with the grids' unequal
sizes; equal cells avoid that (the modifiable areal unit problem).  Cells are built in
metres, in the metric CRS of the study area, with vectorized shapely.

Size rule (``size_m=None``), documented in docs/hotspots.md: twice the mean
nearest-neighbour distance between *distinct* incident locations over the extent's
bounding box (the scale at which points start to share a cell, as Esri's Optimized Hot
Spot Analysis derives its fishnet from the point pattern), clamped so the study extent
holds between ``min_cells`` and ``max_cells`` cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from scipy.spatial import cKDTree

from gis.crs import to_metric
from gis.errors import ConfigError, GeometryError
from gis.guard import same_crs
from gis.i18n import Text

Shape = Literal["hexagon", "square"]


@dataclass(frozen=True)
class Cells:
    """Regular cells covering a study area.

    Attributes
    ----------
    cells : GeoDataFrame
        ``id`` ("c000001"…), ``row``, ``col``, geometry in ``crs`` (metric).
    shape : {"hexagon", "square"}
    size_m : float
        Square side, or hexagon width across flats (= distance between neighbour centres).
    cell_area_m2 : float
    crs : pyproj.CRS
    rule : str
        How ``size_m`` was chosen ("given" or the data-driven rule).
    """

    cells: gpd.GeoDataFrame
    shape: Shape
    size_m: float
    cell_area_m2: float
    crs: pyproj.CRS
    rule: str


def cell_size_from_points(
    xy: np.ndarray, *, extent_area_m2: float, min_cells: int = 100, max_cells: int = 10_000
) -> float:
    """Data-driven cell size in metres: 2 × mean nearest-neighbour distance, clamped.

    >>> xy = np.array([[0, 0], [10, 0], [0, 10], [10, 10.0]])
    >>> cell_size_from_points(xy, extent_area_m2=1e6, min_cells=1, max_cells=10**6)
    20.0
    """
    distinct = np.unique(np.asarray(xy, dtype=float), axis=0)
    if len(distinct) < 2:
        raise ConfigError(
            "need at least two distinct points to size cells / 点太少，无法确定格网大小"
        )
    dist, _ = cKDTree(distinct).query(distinct, k=2)
    size = 2.0 * float(dist[:, 1].mean())
    smallest = np.sqrt(extent_area_m2 / max_cells)
    largest = np.sqrt(extent_area_m2 / min_cells)
    return float(np.clip(size, smallest, largest))


def make_cells(
    extent: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    shape: Shape = "hexagon",
    size_m: float | None = None,
    points: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    clip: bool = True,
    min_cells: int = 100,
    max_cells: int = 10_000,
) -> Cells:
    """Hexagons or squares of ``size_m`` metres over ``extent``.

    Parameters
    ----------
    extent : GeoDataFrame or GeoSeries
        The study area (e.g. the district's grids); its metric CRS is used.
    size_m : float, optional
        Cell size; None derives it from the ``points`` over the extent's bounding box
        (:func:`cell_size_from_points`).
    clip : bool
        Keep only cells intersecting the extent's polygons (else its whole bounding box).
    """
    union, crs = _metric_union(extent)
    rule = "given"
    if size_m is None:
        if points is None:
            raise ConfigError(str(Text("需指定格网大小或事件点", "give size_m or points")))
        size_m = _size_from(union, crs, points, min_cells=min_cells, max_cells=max_cells)
        rule = "2 x mean nearest-neighbour distance, clamped"
    if not size_m > 0:
        raise ConfigError(
            str(Text("格网大小须为正数", f"cell size must be positive, got {size_m}"))
        )
    polys, rows, cols = (_hexagons if shape == "hexagon" else _squares)(union.bounds, size_m)
    if clip:
        keep = clip_mask(polys, union)
        polys, rows, cols = polys[keep], rows[keep], cols[keep]
    ids = np.char.add("c", np.char.zfill(np.arange(1, len(polys) + 1).astype(str), 6))
    cells = gpd.GeoDataFrame({"id": ids, "row": rows, "col": cols}, geometry=polys, crs=crs)
    area_m2 = float(shapely.area(polys[0])) if len(polys) else 0.0
    return Cells(cells, shape, float(size_m), area_m2, crs, rule)


def derived_size(
    extent: gpd.GeoDataFrame | gpd.GeoSeries,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    min_cells: int = 100,
    max_cells: int = 10_000,
) -> float:
    """The cell size :func:`make_cells` derives from ``points`` when given no ``size_m``,
    without building the cells (a caller that keeps one size across periods)."""
    union, crs = _metric_union(extent)
    return _size_from(union, crs, points, min_cells=min_cells, max_cells=max_cells)


def _metric_union(
    extent: gpd.GeoDataFrame | gpd.GeoSeries,
) -> tuple[shapely.Geometry, pyproj.CRS]:
    """The union of the extent's polygons in its metric CRS (refused when empty)."""
    frame = extent if isinstance(extent, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=extent)
    metric, crs = to_metric(frame)
    geoms = metric.geometry.to_numpy()
    geoms = geoms[~(shapely.is_empty(geoms) | shapely.is_missing(geoms))]
    if len(geoms) == 0:
        raise GeometryError.single("extent", str(Text("没有可覆盖的范围", "no geometry to cover")))
    return shapely.union_all(shapely.make_valid(geoms)), crs


def _size_from(
    union: shapely.Geometry,
    crs: pyproj.CRS,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    min_cells: int,
    max_cells: int,
) -> float:
    pts = points if isinstance(points, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=points)
    xy = shapely.get_coordinates(same_crs(pts, crs).geometry.to_numpy())
    # the points over the extent's box size its cells: a stray incident on another
    # continent (infinite, 90° of longitude from the zone's meridian) is no neighbour
    lo, hi = np.split(np.asarray(union.bounds), 2)
    xy = xy[((xy >= lo) & (xy <= hi)).all(axis=1)]
    area = union.area if union.area > 0 else shapely.envelope(union).area
    return cell_size_from_points(xy, extent_area_m2=area, min_cells=min_cells, max_cells=max_cells)


def clip_mask(polys: np.ndarray, union: shapely.Geometry) -> np.ndarray:
    """Cells that share interior with ``union``: ``intersects & ~touches``.

    ``touches`` (a full relate against a detailed union) is only evaluated for edge
    cells: a cell the prepared union properly contains cannot touch it, one it does
    not intersect is out anyway.
    """
    shapely.prepare(union)
    keep = shapely.contains_properly(union, polys)
    edge = np.flatnonzero(~keep & shapely.intersects(union, polys))
    keep[edge] = ~shapely.touches(polys[edge], union)
    return np.asarray(keep, dtype=bool)


def _squares(bounds: tuple[float, ...], size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = bounds
    nx = max(1, int(np.ceil((maxx - minx) / size)))
    ny = max(1, int(np.ceil((maxy - miny) / size)))
    rows, cols = np.divmod(np.arange(nx * ny), nx)
    x0, y0 = minx + cols * size, miny + rows * size
    return shapely.box(x0, y0, x0 + size, y0 + size), rows, cols


def _hexagons(bounds: tuple[float, ...], width: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pointy-top hexagons, ``width`` across flats; odd rows shifted half a width."""
    minx, miny, maxx, maxy = bounds
    radius = width / np.sqrt(3.0)
    dy = 1.5 * radius
    nx = max(1, int(np.ceil((maxx - minx) / width)) + 2)
    ny = max(1, int(np.ceil((maxy - miny) / dy)) + 2)
    rows, cols = np.divmod(np.arange(nx * ny), nx)
    cx = minx - width / 2 + cols * width + (rows % 2) * width / 2
    cy = miny - dy / 2 + rows * dy
    angles = np.deg2rad(np.arange(30, 390, 60))
    ring_x = cx[:, None] + radius * np.cos(angles)[None, :]
    ring_y = cy[:, None] + radius * np.sin(angles)[None, :]
    ring = np.stack([ring_x, ring_y], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return shapely.polygons(ring), rows, cols
