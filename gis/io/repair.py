"""Repairing invalid polygons, only when the user asks, and saying what changed.

``shapely.make_valid`` turns a bow-tie into two triangles touching at a point and may add
lines or points where rings touched themselves; a polygon layer keeps only the polygonal
part.  Every repair is reported with the area before and after, measured in metres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.crs import to_metric

_POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (empty polygon when it has none), vectorized."""
    out = np.asarray(geoms, dtype=object).copy()
    types = shapely.get_type_id(out)
    mixed = np.flatnonzero(~np.isin(types, _POLYGONAL) & ~shapely.is_missing(out))
    if mixed.size == 0:
        return out
    parts, idx = shapely.get_parts(out[mixed], return_index=True)
    parts, sub = shapely.get_parts(parts, return_index=True)  # flatten MultiPolygons too
    idx = idx[sub]
    keep = shapely.get_type_id(parts) == 3
    merged = np.full(mixed.size, shapely.from_wkt("POLYGON EMPTY"), dtype=object)
    if keep.any():
        shapely.multipolygons(parts[keep], indices=idx[keep], out=merged)
        single = shapely.get_num_geometries(merged) == 1
        merged[single] = shapely.get_geometry(merged[single], 0)
    out[mixed] = merged
    return out


def make_polygons_valid(geoms: np.ndarray) -> np.ndarray:
    """``shapely.make_valid`` keeping only the polygonal result."""
    return polygonal_part(shapely.make_valid(np.asarray(geoms, dtype=object)))


def areas_m2(geoms: np.ndarray, crs: pyproj.CRS | None) -> np.ndarray:
    """Areas in m²: in the metric CRS ``gis.crs`` picks for geographic data, NaN without a CRS."""
    geoms = np.asarray(geoms, dtype=object)
    if crs is None:
        return np.full(len(geoms), np.nan)
    if not crs.is_geographic:
        factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
        return np.asarray(shapely.area(geoms), dtype=float) * factor**2
    metric, _ = to_metric(gpd.GeoDataFrame(geometry=list(geoms), crs=crs))
    return np.asarray(metric.geometry.area, dtype=float)


def merge_shared_ids(
    frame: gpd.GeoDataFrame, rows: np.ndarray
) -> tuple[gpd.GeoDataFrame, np.ndarray, list[tuple[str, list[int], float, float]]]:
    """Merge polygon rows that share an id into one multipart feature (``repair=True``).

    Real files often store one area drawn in several pieces as several rows with the same
    id (Chicago's police district 31).  The first row's attributes are kept.

    Returns
    -------
    (frame, rows, merged)
        ``merged`` lists ``(id, rows, area_before_m2, area_after_m2)`` per merged id.
    """
    ids = frame["id"]
    dup = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
    if not dup.any():
        return frame, rows, []
    parts = frame[dup]
    codes, uniques = pd.factorize(parts["id"])
    pieces, owner = shapely.get_parts(parts.geometry.to_numpy(), return_index=True)
    order = np.argsort(codes[owner], kind="stable")
    merged_geoms = shapely.multipolygons(pieces[order], indices=codes[owner][order])
    merged_geoms = make_polygons_valid(merged_geoms)
    before = np.bincount(codes, weights=areas_m2(parts.geometry.to_numpy(), frame.crs))
    after = areas_m2(merged_geoms, frame.crs)
    keep = ~dup | ~ids.duplicated(keep="first").to_numpy()
    out = frame[keep].copy()
    firsts = np.flatnonzero(dup & keep)
    first_codes = pd.Index(uniques).get_indexer(frame["id"].to_numpy()[firsts])
    geometry = out.geometry.to_numpy().copy()
    geometry[np.flatnonzero(dup[keep])] = merged_geoms[first_codes]
    out[out.geometry.name] = gpd.GeoSeries(geometry, index=out.index, crs=frame.crs)
    part_rows = pd.Series(rows[dup]).groupby(codes).agg(list)
    report = [
        (str(uniques[c]), [int(r) for r in part_rows[c]], float(before[c]), float(after[c]))
        for c in range(len(uniques))
    ]
    return out, rows[keep], report
