"""Convert layers to and from WGS84, including the offset systems GCJ-02 and BD-09.

GCJ-02 and BD-09 have no EPSG code; their formulas live in :mod:`gis.crs.chinese`.
Every transform uses ``always_xy`` (geopandas ``to_crs`` does too), so x is the easting.
"""

from __future__ import annotations

import warnings
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj

from gis.crs.chinese import ChineseSystem, convert_geometries
from gis.crs.parse import WGS84, CRSLike, crs_name, source_of
from gis.errors import CRSWarning

__all__ = ["from_wgs84", "to_wgs84"]


def to_wgs84(gdf: gpd.GeoDataFrame, *, source: CRSLike | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` in WGS84 (EPSG:4326), undoing the GCJ-02/BD-09 offset when needed.

    Parameters
    ----------
    gdf
        The layer.
    source
        What its coordinates really are (overrides ``gdf.crs``; GeoJSON files from Amap
        say EPSG:4326 but hold GCJ-02).  None means ``gdf.crs``.

    Raises
    ------
    gis.errors.CRSError
        Neither ``source`` nor ``gdf.crs`` says what the coordinates are.
    """
    src = source_of(gdf, source)
    if src.chinese is not None:
        geoms = convert_geometries(gdf.geometry.array, src=src.chinese, dst="wgs84")
        return _with_geometry(gdf, geoms, WGS84)
    if gdf.crs is not None and not gdf.crs.equals(src.crs):
        warnings.warn(
            f"layer says {crs_name(gdf.crs)}, treated as {src.name} as stated "
            f"(图层声明 {crs_name(gdf.crs)}，按指定的 {src.name} 处理)",
            CRSWarning,
            stacklevel=2,
        )
    return gdf.set_crs(src.crs, allow_override=True).to_crs(WGS84)


def from_wgs84(
    gdf: gpd.GeoDataFrame, *, target: ChineseSystem | Literal["gcj-02", "bd-09"]
) -> gpd.GeoDataFrame:
    """Return ``gdf`` shifted into GCJ-02 or BD-09 (for exports and Amap/Tencent basemaps).

    The layer is first reprojected to EPSG:4326 if it is in another CRS.  The result's
    ``crs`` stays EPSG:4326 (the offset systems have no EPSG code); ``attrs["chinese_crs"]``
    records the target.  ``target="wgs84"`` only reprojects.
    """
    dst = str(target).replace("-", "")
    if dst not in ("wgs84", "gcj02", "bd09"):
        raise ValueError(f"target must be 'gcj02', 'bd09' or 'wgs84', not {target!r}")
    frame = gdf.to_crs(WGS84) if gdf.crs is not None and not gdf.crs.equals(WGS84) else gdf
    geoms = convert_geometries(frame.geometry.array, src="wgs84", dst=dst)  # type: ignore[arg-type]
    out = _with_geometry(frame, geoms, WGS84)
    if dst != "wgs84":
        out.attrs["chinese_crs"] = dst
    return out


def _with_geometry(gdf: gpd.GeoDataFrame, geoms: np.ndarray, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    out = gdf.copy()
    name = gdf.geometry.name
    out[name] = gpd.GeoSeries(geoms, index=gdf.index, crs=crs)
    return out.set_geometry(name, crs=crs)
