"""Points → areas, for every layer of the hierarchy in one vectorized pass.

Each point gets exactly one answer per layer, in the columns ``<layer>_id``,
``<layer>_how``, ``<layer>_distance_m``, ``<layer>_nearest_id`` (and
``<layer>_alt_ids`` when a tolerance is set):

============  =======================================================================
``how``       meaning
============  =======================================================================
inside        covered by exactly one area (``distance_m`` 0)
shared        covered by two or more areas: on a shared boundary, or where areas
              overlap; the **lowest id** among them wins (ids compared as strings,
              so the answer never depends on row order)
tolerance     outside every area but within ``tolerance_m`` of one: placed in the
              nearest (lowest id among equidistant ones), distance reported
outside       farther than ``tolerance_m`` from every area: ``id`` empty; with
              ``nearest=True`` (the default), ``nearest_id`` and ``distance_m`` say
              where the nearest area is, with ``nearest=False`` they are empty/NaN
              and no nearest area is searched beyond the tolerance (much faster when
              many points lie outside)
invalid       the point has no usable coordinates (a point too far from the layer's
              zone to project, a quarter of the globe away, is *outside*)
============  =======================================================================

The tie rule is :mod:`gis.locate`'s, the one hotspot counts and redraw use too.

Areas are closed sets: a point on the outer boundary of one area is *inside* it.
``alt_ids`` lists the *other* areas within ``tolerance_m`` of a placed point (a
point 0.1 m inside beat A and 0.1 m from beat B lists B): ambiguity is reported,
never silently resolved differently from the rule above.

Distances are metres in one projected CRS (``gis.crs.metric_crs`` of the areas),
named in the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from gis.crs import metric_crs
from gis.errors import ConfigError, DataQualityWarning, GeometryError, Problem
from gis.geocoding import fastpath
from gis.geocoding.fastpath import NONE, PolygonIndex
from gis.i18n import Text
from gis.layers import LayerKind
from gis.locate import tie_rank

if TYPE_CHECKING:
    from gis.district import District

AREA_KINDS: tuple[LayerKind, ...] = (
    LayerKind.STREET,
    LayerKind.COMMUNITY,
    LayerKind.GRID,
    LayerKind.JOINT_POINT,
    LayerKind.STATION,
    LayerKind.BEAT,
    LayerKind.AUX_BEAT,
)
"""The area layers of the hierarchy, in the order their columns appear."""

How = Literal["inside", "shared", "tolerance", "outside", "invalid"]
HOW_VALUES: tuple[How, ...] = ("inside", "shared", "tolerance", "outside", "invalid")


@dataclass(frozen=True)
class AreaLayer:
    """One area layer ready for point location: ids and a :class:`PolygonIndex`."""

    name: str
    ids: NDArray[np.object_]
    index: PolygonIndex
    covering: bool = True
    """False for layers of small separate areas (joint-defense points): a point outside
    them all is normal, so it does not make the record's status ``outside``."""

    @cached_property
    def labels(self) -> pd.api.extensions.ExtensionArray:
        """The ids as one string array, built once: id columns are takes from it."""
        return pd.array(self.ids, dtype="string")


@dataclass(frozen=True)
class AreaIndex:
    """Every area layer of a district in one metric CRS, built once, used for many points."""

    layers: tuple[AreaLayer, ...]
    crs: pyproj.CRS
    tolerance_m: float
    bounds: tuple[float, float, float, float]
    _to_metric: dict[str, pyproj.Transformer] = field(default_factory=dict, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)

    def transformer(
        self, source: pyproj.CRS, target: pyproj.CRS | None = None
    ) -> pyproj.Transformer:
        """Cached transformer from ``source`` to ``target`` (default: the metric CRS),
        x/y axis order.  Building one costs ~0.1-0.5 s, so every chunk reuses it."""
        target = self.crs if target is None else target
        key = f"{source.to_wkt()}\n{target.to_wkt()}"
        if key not in self._to_metric:
            self._to_metric[key] = pyproj.Transformer.from_crs(source, target, always_xy=True)
        return self._to_metric[key]


@dataclass(frozen=True)
class Assignment:
    """Where each point lies in every layer.

    Attributes
    ----------
    table : DataFrame aligned with the input points, the columns listed in the module doc.
    crs : the metric CRS distances were measured in.
    tolerance_m : the tolerance used.
    """

    table: pd.DataFrame
    crs: pyproj.CRS
    tolerance_m: float

    def counts(self) -> pd.DataFrame:
        """Points per ``how`` (rows) and layer (columns)."""
        cols = [c for c in self.table.columns if c.endswith("_how")]
        counts = {c[: -len("_how")]: self.table[c].value_counts() for c in cols}
        return pd.DataFrame(counts).reindex(list(HOW_VALUES)).fillna(0).astype(int)


def district_areas(district: District) -> dict[str, gpd.GeoDataFrame]:
    """The area layers a district has (street … aux_beat), keyed by layer kind."""
    layers = {kind.value: district.get(kind) for kind in AREA_KINDS}
    return {k: v for k, v in layers.items() if isinstance(v, gpd.GeoDataFrame) and len(v)}


def build_area_index(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    id_column: str | Mapping[str, str] = "id",
    tolerance_m: float = 0.0,
    crs: pyproj.CRS | str | int | None = None,
    max_cells: int = 4_000_000,
    not_covering: tuple[str, ...] = ("joint_point",),
    points: int | None = None,
) -> AreaIndex:
    """Prepare area layers for :func:`assign_points`.

    Parameters
    ----------
    layers : layer name → GeoDataFrame of polygons (any CRS; converted once).
    id_column : the id column, for all layers or per layer name.
    tolerance_m : places points within this many metres of an area; also the
        distance within which other areas are listed in ``<layer>_alt_ids``.
    crs : metric CRS to measure in; by default ``gis.crs.metric_crs`` of the first layer.
    max_cells : size cap of each layer's lookup raster (memory ~5 bytes a cell).
    not_covering : layers that do not tile the territory (a point outside them all is
        normal and only gets its nearest area): joint-defense points by default.
    points : for a one-off geocode, how many points it locates: the lookup rasters are
        sized for them (none for small batches; see ``fastpath.build_polygon_index``).

    Raises
    ------
    ConfigError : no layers, a negative tolerance, a missing id column.
    GeometryError : a layer without any usable polygon.
    """
    if not layers:
        raise ConfigError(str(Text("未提供区域图层", "no area layers given")))
    if not np.isfinite(tolerance_m) or tolerance_m < 0:
        raise ConfigError(f"tolerance_m must be ≥ 0 metres, got {tolerance_m!r}")
    first = next(iter(layers.values()))
    metric = pyproj.CRS.from_user_input(crs) if crs is not None else _metric_crs(first)
    built = []
    for name, gdf in layers.items():
        column = id_column if isinstance(id_column, str) else id_column.get(name, "id")
        ids, geoms = _layer_geometries(name, gdf, column, metric)
        rank = tie_rank(ids)
        index = fastpath.build_polygon_index(
            geoms, rank, tolerance_m=tolerance_m, max_cells=max_cells, points=points
        )
        built.append(AreaLayer(name, ids, index, covering=name not in not_covering))
    allgeoms = np.concatenate([layer.index.geoms for layer in built])
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(allgeoms))
    return AreaIndex(tuple(built), metric, float(tolerance_m), (x0, y0, x1, y1))


def _metric_crs(gdf: gpd.GeoDataFrame) -> pyproj.CRS:
    if gdf.crs is None:
        raise ConfigError(
            str(Text("区域图层缺少坐标系", "area layer has no CRS; say which one it is in"))
        )
    return pyproj.CRS.from_user_input(metric_crs(gdf))


def _layer_geometries(
    name: str, gdf: gpd.GeoDataFrame, column: str, metric: pyproj.CRS
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """Ids as strings and usable geometries in the metric CRS (unusable rows dropped)."""
    if column not in gdf.columns:
        raise ConfigError(f"layer {name!r}: no id column {column!r} (columns: {list(gdf.columns)})")
    if gdf.crs is None:
        raise ConfigError(str(Text(f"图层 {name!r} 缺少坐标系", f"layer {name!r} has no CRS")))
    geoms = gdf.geometry.to_crs(metric).to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms) | gdf[column].isna().to_numpy()
    invalid = ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        warnings.warn(
            f"layer {name!r}: {int(invalid.sum())} invalid geometries repaired with make_valid",
            DataQualityWarning,
            stacklevel=3,
        )
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    if missing.any():
        warnings.warn(
            f"layer {name!r}: {int(missing.sum())} rows without geometry or id ignored",
            DataQualityWarning,
            stacklevel=3,
        )
    if missing.all():
        raise GeometryError([Problem("no usable geometry", source=name, field="geometry")])
    ids = gdf[column].to_numpy()[~missing].astype(str).astype(object)
    return ids, geoms[~missing]


def assign_points(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    areas: AreaIndex | Mapping[str, gpd.GeoDataFrame],
    *,
    tolerance_m: float | None = None,
    nearest: bool = True,
) -> Assignment:
    """Locate every point in every area layer.

    Parameters
    ----------
    points : point geometries in any CRS (None/empty rows give ``how == "invalid"``).
    areas : an :class:`AreaIndex`, or layer name → GeoDataFrame (indexed on the fly).
    tolerance_m : only with a mapping of layers: the tolerance of the index built.
    nearest : name the nearest area (and its distance) of points outside every area;
        False searches only within the tolerance.

    Examples
    --------
    >>> result = assign_points(incidents, {"grid": grids, "beat": beats}, tolerance_m=1)
    >>> result.table[["grid_id", "grid_how", "grid_distance_m"]]  # doctest: +SKIP
    """
    if not isinstance(areas, AreaIndex):  # a one-off: the index is sized for these points
        areas = build_area_index(areas, tolerance_m=tolerance_m or 0.0, points=len(points))
    elif tolerance_m is not None and tolerance_m != areas.tolerance_m:
        raise ConfigError(
            f"the area index was built for tolerance {areas.tolerance_m} m, not {tolerance_m} m"
        )
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geoms.crs is None:
        raise ConfigError(str(Text("点数据缺少坐标系", "points have no CRS")))
    x, y = point_xy(geoms.to_numpy())
    x, y = areas.transformer(pyproj.CRS.from_user_input(geoms.crs)).transform(x, y)
    table = assign_xy(np.asarray(x), np.asarray(y), areas, nearest=nearest)
    table.index = geoms.index
    return Assignment(table, areas.crs, areas.tolerance_m)


def point_xy(geoms: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """x/y of point geometries, NaN for missing, empty or non-point ones."""
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    ok = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    x[ok], y[ok] = shapely.get_x(geoms[ok]), shapely.get_y(geoms[ok])
    return x, y


def assign_xy(
    x: NDArray[np.float64], y: NDArray[np.float64], areas: AreaIndex, *, nearest: bool = True
) -> pd.DataFrame:
    """:func:`assign_points` on metric coordinates (in ``areas.crs``); NaN = no point."""
    columns: dict[str, object] = {}
    for layer in areas.layers:
        columns.update(_assign_layer(layer, x, y, areas.tolerance_m, nearest=nearest))
    return pd.DataFrame(columns, copy=False)


_HOW_DTYPE = pd.CategoricalDtype(list(HOW_VALUES))
_INSIDE, _SHARED, _TOLERANCE, _OUTSIDE, _INVALID = range(len(HOW_VALUES))


@dataclass(frozen=True)
class Placement:
    """Where points lie in one area layer, as plain arrays (positions into ``layer.ids``).

    ``area`` is :data:`NONE` where the point is in no area (nor within the tolerance);
    ``how`` holds codes into :data:`HOW_VALUES`; ``nearest`` is the nearest area
    wherever it was searched (else as ``area``); ``exact`` marks the points the exact
    path resolved (only they can have another area within the tolerance).
    """

    area: NDArray[np.int32]
    how: NDArray[np.int8]
    distance_m: NDArray[np.float64]
    nearest: NDArray[np.int32]
    exact: NDArray[np.bool_]

    def ids(self, layer: AreaLayer) -> NDArray[np.object_]:
        """The area ids (None where none): for a few points, without building a frame."""
        out = np.full(len(self.area), None, dtype=object)
        found = self.area != NONE
        out[found] = layer.ids[self.area[found]]
        return out

    def how_names(self) -> NDArray[np.object_]:
        return np.asarray(HOW_VALUES, dtype=object)[self.how]


def place_xy(
    layer: AreaLayer,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    tolerance_m: float = 0.0,
    nearest: bool = False,
) -> Placement:
    """One layer's answer for metric points (NaN: no point), by the rules of the module:
    inside/shared by the fast path, tolerance and (with ``nearest``) outside by the
    nearest area.  :func:`assign_xy` builds its columns from this.  An infinite
    coordinate is a real point the layer's zone cannot express (Gauss-Krüger, 90° of
    longitude from its meridian): outside, with no nearest area."""
    valid = np.isfinite(x) & np.isfinite(y)
    unprojectable = ~valid & ~(np.isnan(x) | np.isnan(y))
    index = layer.index
    poly, n_cover, exact = fastpath.locate(index, x, y)
    how = np.where(n_cover > 1, _SHARED, _INSIDE).astype(np.int8)
    distance = np.zeros(len(x))
    nearest_poly = poly.copy()
    lost = np.flatnonzero(valid & (poly == NONE))
    if len(lost):
        how[lost] = _OUTSIDE
        distance[lost] = np.nan
    if len(lost) and (nearest or tolerance_m > 0):
        bound = None if nearest else tolerance_m  # dwithin: far points cost nothing
        near, dist = fastpath.nearest(index, x[lost], y[lost], max_distance=bound)
        nearest_poly[lost], distance[lost] = near, dist
        placed = dist <= tolerance_m  # NaN (nothing that close) is False
        poly[lost[placed]] = near[placed]
        how[lost[placed]] = _TOLERANCE
    how[~valid] = _INVALID
    how[unprojectable] = _OUTSIDE
    distance[~valid] = np.nan
    return Placement(poly, how, distance, nearest_poly, exact & valid)


def near_other(
    layer: AreaLayer,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    placement: Placement,
    tolerance_m: float,
) -> NDArray[np.bool_]:
    """Whether another area than the point's own lies within ``tolerance_m`` of it."""
    out = np.zeros(len(x), dtype=bool)
    if tolerance_m > 0:
        q, _ = _other_pairs(layer, x, y, placement, tolerance_m)
        out[q] = True
    return out


def _assign_layer(
    layer: AreaLayer,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    tolerance_m: float,
    *,
    nearest: bool,
) -> dict[str, object]:
    """The columns of one layer, from :func:`place_xy`."""
    placed = place_xy(layer, x, y, tolerance_m=tolerance_m, nearest=nearest)
    name = layer.name
    ids = layer.labels.take(placed.area, allow_fill=True)
    same = np.array_equal(placed.nearest, placed.area)  # one string array serves both
    out: dict[str, object] = {
        f"{name}_id": ids,
        f"{name}_how": pd.Categorical.from_codes(placed.how, dtype=_HOW_DTYPE),
        f"{name}_distance_m": placed.distance_m,
        f"{name}_nearest_id": ids.copy()
        if same
        else layer.labels.take(placed.nearest, allow_fill=True),
    }
    if tolerance_m > 0:
        out[f"{name}_alt_ids"] = _alternatives(layer, x, y, placed, tolerance_m)
    return out


def _other_pairs(
    layer: AreaLayer,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    placement: Placement,
    tolerance_m: float,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(point, area) pairs of the *other* areas within the tolerance of placed points.

    Only points that took the exact path can have any: the lookup raster resolves a
    point only when no second area is within the tolerance of its cell.
    """
    idx = np.flatnonzero(placement.exact)
    qi, pj = fastpath.within_distance(layer.index, x[idx], y[idx], tolerance_m)
    own = placement.area[idx[qi]]
    other = np.where(own >= 0, layer.ids[pj] != layer.ids[np.maximum(own, 0)], True)
    return idx[qi[other]], pj[other]


def _alternatives(
    layer: AreaLayer,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    placement: Placement,
    tolerance_m: float,
) -> pd.Series:
    """Comma-joined ids of the *other* areas within the tolerance ("" when none)."""
    out = np.full(len(x), "", dtype=object)
    q, p = _other_pairs(layer, x, y, placement, tolerance_m)
    if len(q):
        pairs = pd.DataFrame({"q": q, "id": layer.ids[p]}).drop_duplicates()
        joined = pairs.sort_values("id").groupby("q")["id"].agg(",".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return pd.Series(out, dtype="string")
