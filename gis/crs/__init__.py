"""Coordinate systems: what a file is in, getting it to WGS84, and metres for measuring.

One package, one direction of imports (``chinese`` and ``parse`` at the bottom, then
``convert``, ``metric`` and ``check``); this module only re-exports their public names so
``from gis import crs as gcrs; gcrs.to_metric(gdf)`` reads the same everywhere.

- :mod:`gis.crs.parse` — :func:`parse_crs` turns what a user writes ("EPSG:4490", 4549,
  "cgcs2000", "gcj02", "高德", "baidu", "UTM 50N", "gk3:120", WKT, a proj string) into a
  :class:`SourceCRS`.
- :mod:`gis.crs.chinese` — the GCJ-02 and BD-09 offset formulas (no EPSG code).
- :mod:`gis.crs.convert` — :func:`to_wgs84` / :func:`from_wgs84` convert layers.
- :mod:`gis.crs.metric` — :func:`metric_crs` / :func:`to_metric`: the CRS every area,
  buffer and distance is computed in (a CGCS2000 Gauss-Krüger zone in China, UTM
  elsewhere, the layer's own CRS when it is already in metres).
- :mod:`gis.crs.check` — :func:`check_coordinates` refuses coordinates that contradict the
  declared CRS.

Gauss-Krüger CRSs have northing-first axes in the EPSG registry; every transform here uses
``always_xy`` (geopandas ``to_crs`` does too), so x is always the easting.
"""

from __future__ import annotations

from gis.crs.check import check_coordinates
from gis.crs.chinese import (
    CHINA_BOX,
    ChineseSystem,
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert_geometries,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from gis.crs.convert import from_wgs84, to_wgs84
from gis.crs.metric import gauss_kruger_crs, metric_crs, to_metric
from gis.crs.parse import CGCS2000, WGS84, CRSLike, SourceCRS, crs_name, parse_crs

__all__ = [
    "CGCS2000",
    "CHINA_BOX",
    "WGS84",
    "CRSLike",
    "ChineseSystem",
    "SourceCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_coordinates",
    "convert_geometries",
    "crs_name",
    "from_wgs84",
    "gauss_kruger_crs",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "metric_crs",
    "parse_crs",
    "to_metric",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
