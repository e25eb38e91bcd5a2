"""The metric CRS every area, buffer and distance is computed in, and the one ``to_metric``.

:func:`metric_crs` picks a CGCS2000 Gauss-Krüger zone in China, UTM elsewhere, the layer's
own CRS when it is already in metres; :func:`to_metric` reprojects a layer to it.
Gauss-Krüger CRSs have northing-first axes in the EPSG registry; every transform here uses
``always_xy``, so x is always the easting.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from gis.crs.chinese import in_china
from gis.crs.parse import WGS84, CRSLike, crs_name, epsg, gk_code, parse_crs
from gis.errors import CRSError, CRSWarning
from gis.i18n import Text

__all__ = ["Bounds", "Width", "gauss_kruger_crs", "metric_crs", "to_metric"]

Width = Literal[3, 6]
Bounds = tuple[float, float, float, float]

_NO_CRS_METRES = Text(
    "图层没有坐标系，无法换算为米", "the layer has no CRS; metres cannot be computed"
)
_NO_COORDINATES = Text(
    "图层没有坐标，无法选择量算用的投影",
    "the layer has no coordinates; no metric CRS can be chosen",
)
_NOT_METRIC = Text("{name} 不是以米为单位的投影坐标系", "{name} is not a projected CRS in metres")


def gauss_kruger_crs(lon: float, *, width: Width = 3) -> pyproj.CRS:
    """The CGCS2000 Gauss-Krüger central-meridian zone for a longitude in China.

    3° zones: EPSG:4534 (CM 75°E) … EPSG:4554 (CM 135°E); 6° zones: EPSG:4502 (CM 75°E) …
    EPSG:4512 (CM 135°E).  Easting has a 500 km false easting, no zone prefix.

    >>> gauss_kruger_crs(118.7).to_epsg(), gauss_kruger_crs(118.7, width=6).to_epsg()
    (4549, 4509)
    """
    if width not in (3, 6):
        raise ValueError(f"width must be 3 or 6, not {width!r}")
    cm = 3.0 * np.floor(lon / 3.0 + 0.5) if width == 3 else 6.0 * np.floor(lon / 6.0) + 3.0
    code = gk_code(float(np.clip(cm, 75.0, 135.0)), width=width, exact=True)
    if code is None or not 73.5 <= lon <= 136.5:
        raise CRSError.single(
            None,
            str(
                Text(
                    f"经度 {lon:.3f} 不在 CGCS2000 高斯-克吕格分带范围（73.5°E–136.5°E）内",
                    f"longitude {lon:.3f} is outside the CGCS2000 Gauss-Kruger zones "
                    "(73.5°E-136.5°E)",
                )
            ),
        )
    return epsg(code)


def metric_crs(
    gdf_or_bounds: gpd.GeoDataFrame | gpd.GeoSeries | Bounds, *, width: Width = 3
) -> pyproj.CRS:
    """The CRS to measure a layer in, in metres.

    - a layer already in a projected CRS with metre units keeps it, unless it is a
      (Web) Mercator, which distorts lengths (a ``CRSWarning`` says so);
    - in China (the bulk of the data in the GCJ-02 region and within 73.5°E-136.5°E): the
      CGCS2000 Gauss-Krüger zone (``width`` 3° or 6°) whose central meridian is nearest;
    - elsewhere: the WGS84 UTM zone of the bulk (``pyproj.database.query_utm_crs_info``).

    "The bulk" of a layer is the median longitude and latitude of its features (the
    centres of their bounding boxes), not the centre of the layer's bounding box: one GPS
    trip from Beijing to Harbin must not move every Beijing track into the 123°E zone.
    Given bounds, it is their centre.

    Parameters
    ----------
    gdf_or_bounds
        A GeoDataFrame/GeoSeries with a CRS, or ``(west, south, east, north)`` in degrees.
    width
        Gauss-Krüger zone width for data in China.
    """
    if isinstance(gdf_or_bounds, gpd.GeoDataFrame | gpd.GeoSeries):
        crs = gdf_or_bounds.crs
        if crs is None:
            raise CRSError.single(None, str(_NO_CRS_METRES), field="crs")
        if crs.is_projected and _in_metres(crs):
            if not _is_mercator(crs):
                return pyproj.CRS.from_user_input(crs)
            warnings.warn(
                str(
                    Text(
                        "墨卡托投影不宜量算，改用本地投影",
                        f"{crs_name(crs)} (Mercator) stretches lengths by 1/cos(latitude); "
                        "measuring in a local CRS instead",
                    )
                ),
                CRSWarning,
                stacklevel=2,
            )
        lon, lat, span = _bulk_lonlat(gdf_or_bounds)
    else:
        west, south, east, north = (float(v) for v in gdf_or_bounds)
        lon, lat, span = _bounds_centre((west, south, east, north))
    if span > 2 * width:
        warnings.warn(
            str(
                Text(
                    f"数据跨经度 {span:.1f}°",
                    f"the bulk of the data spans {span:.1f}° of longitude; distances far from the "
                    f"central meridian of the chosen zone are distorted",
                )
            ),
            CRSWarning,
            stacklevel=2,
        )
    if bool(in_china(lon, lat)) and 73.5 <= lon < 136.5:
        return gauss_kruger_crs(lon, width=width)
    return _utm_crs(lon, lat)


def _is_mercator(crs: pyproj.CRS) -> bool:
    """Web/normal Mercator: metres on paper, 15-40 % too long in China. Not Transverse."""
    method = crs.coordinate_operation.method_name if crs.coordinate_operation else ""
    return "Mercator" in method and "Transverse" not in method


def _in_metres(crs: pyproj.CRS) -> bool:
    return all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info[:2])


_SAMPLE = 50_000  # features whose centres are enough to place the median


def _bulk_lonlat(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[float, float, float]:
    """Median longitude and latitude of the features' centres, and the 5-95 % longitude span."""
    geoms = np.asarray(frame.geometry.array if isinstance(frame, gpd.GeoDataFrame) else frame.array)
    step = max(1, len(geoms) // _SAMPLE)
    box = shapely.bounds(geoms[::step])
    x, y = (box[:, 0] + box[:, 2]) / 2.0, (box[:, 1] + box[:, 3]) / 2.0
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise CRSError.single(None, str(_NO_COORDINATES), field="geometry")
    x, y = x[ok], y[ok]
    if not frame.crs.equals(WGS84):
        x, y = pyproj.Transformer.from_crs(frame.crs, WGS84, always_xy=True).transform(x, y)
    x = np.asarray(x, dtype=float)
    lon = float(np.median(x))
    if np.ptp(x) > 180.0:  # around the antimeridian: take the median in 0..360
        lon = (float(np.median(x % 360.0)) + 180.0) % 360.0 - 180.0
        x = x % 360.0
    low, high = np.percentile(x, [5, 95])
    return lon, float(np.median(np.asarray(y, dtype=float))), float(high - low)


def _bounds_centre(bounds: Bounds) -> tuple[float, float, float]:
    west, south, east, north = bounds
    if not np.all(np.isfinite(bounds)):
        raise CRSError.single(None, str(_NO_COORDINATES), field="geometry")
    if east < west:  # crosses the antimeridian
        east += 360.0
    lon = ((west + east) / 2.0 + 180.0) % 360.0 - 180.0
    return lon, (south + north) / 2.0, east - west


@lru_cache(maxsize=256)
def _utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 UTM zone of a point (the database query takes ~0.2 s, so the answer is
    kept: repairing a layer measures areas twice around the same centre)."""
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    wanted = str((32600 if lat >= 0 else 32700) + zone)
    codes = [info.code for info in infos]
    return epsg(int(wanted if wanted in codes or not codes else codes[0]))


def to_metric(
    gdf: gpd.GeoDataFrame, *, crs: CRSLike | None = None, width: Width = 3
) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """Reproject ``gdf`` to a metric CRS and say which.

    Parameters
    ----------
    gdf
        The layer, with a CRS.
    crs
        Force this projected metric CRS; by default :func:`metric_crs` chooses.
    width
        Gauss-Krüger zone width (3 or 6 degrees) when the choice falls in China.

    Returns
    -------
    (GeoDataFrame, pyproj.CRS)
        A copy of the layer in the metric CRS, and that CRS.

    Examples
    --------
    >>> from shapely import Point
    >>> layer = gpd.GeoDataFrame(geometry=[Point(118.7, 32.0)], crs=4490)
    >>> to_metric(layer)[1].to_epsg()
    4549
    """
    if gdf.crs is None:
        raise CRSError.single(None, str(_NO_CRS_METRES), field="crs")
    if crs is None:
        target = metric_crs(gdf, width=width)
    else:
        target = parse_crs(crs).crs
        if not (target.is_projected and _in_metres(target)):
            raise CRSError.single(None, str(_NOT_METRIC.format(name=crs_name(target))), field="crs")
    if gdf.crs.equals(target):
        return gdf.copy(), target
    return gdf.to_crs(target), target
