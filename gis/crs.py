"""Coordinate systems: what a file is in, getting it to WGS84, and metres for measuring.

- :func:`parse_crs` turns what a user writes ("EPSG:4490", 4549, "cgcs2000", "gcj02",
  "高德", "baidu", "UTM 50N", "gk3:120", WKT, a proj string) into a :class:`SourceCRS`.
- :func:`to_wgs84` / :func:`from_wgs84` convert layers, including the two Chinese
  consumer-map systems GCJ-02 and BD-09 that have no EPSG code (``gis.chinese_crs``).
- :func:`metric_crs` / :func:`to_metric` pick the CRS every area, buffer and distance is
  computed in: a CGCS2000 Gauss-Krüger zone in China, UTM elsewhere, the layer's own CRS
  when it is already in metres.
- :func:`check_coordinates` refuses coordinates that contradict the declared CRS.

Gauss-Krüger CRSs have northing-first axes in the EPSG registry; every transform here uses
``always_xy`` (geopandas ``to_crs`` does too), so x is always the easting.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pyproj
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from gis.chinese_crs import (
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
from gis.errors import CRSError, CRSWarning, Problem
from gis.i18n import Text

__all__ = [
    "CRSLike",
    "SourceCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_coordinates",
    "convert_geometries",
    "from_wgs84",
    "gauss_kruger_crs",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "metric_crs",
    "parse_crs",
    "to_metric",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

WGS84 = pyproj.CRS.from_epsg(4326)
_epsg = lru_cache(maxsize=256)(pyproj.CRS.from_epsg)  # building a CRS costs ~10 ms
CGCS2000 = pyproj.CRS.from_epsg(4490)


@dataclass(frozen=True)
class SourceCRS:
    """The coordinate system a layer's coordinates are in, as the user or the file said.

    Attributes
    ----------
    name
        Short human name: ``"EPSG:4490"``, ``"GCJ-02"``, ``"BD-09"`` or the CRS name.
    crs
        The pyproj CRS of the coordinates.  For GCJ-02 and BD-09 this is EPSG:4326: the
        values are longitude/latitude, deliberately offset, and must go through
        :func:`to_wgs84` before they mean WGS84.
    chinese
        ``"gcj02"`` or ``"bd09"`` for the offset systems, else None.
    """

    name: str
    crs: pyproj.CRS
    chinese: Literal["gcj02", "bd09"] | None = None

    @property
    def is_geographic(self) -> bool:
        return bool(self.crs.is_geographic)


CRSLike: TypeAlias = "str | int | pyproj.CRS | SourceCRS"

_GCJ02 = SourceCRS("GCJ-02", WGS84, "gcj02")
_BD09 = SourceCRS("BD-09", WGS84, "bd09")

# Keys are lower-cased with spaces, '-', '_', '/' and '.' removed.
_ALIAS_WORDS: dict[SourceCRS | int, str] = {
    4326: "wgs84 wgs1984 gps crs84 ogccrs84",
    4490: "cgcs2000 cgcs china2000 国家2000 2000国家大地坐标系",
    _GCJ02: "gcj02 gcj amap gaode autonavi tencent qq soso mars 火星 火星坐标 高德 腾讯 国测局",
    _BD09: "bd09 bd09ll baidu 百度 百度坐标",
}
_ALIASES = {word: crs for crs, words in _ALIAS_WORDS.items() for word in words.split()}
_BAIDU_MERCATOR = Text(
    "不支持百度墨卡托（BD-09MC），请先转为百度经纬度 bd09",
    "Baidu Mercator (BD-09MC) is not supported; convert it to Baidu lon/lat (bd09) first",
)
_UTM = re.compile(r"^(?:wgs84)?utm(?:zone)?(\d{1,2})([ns])$")
_GK = re.compile(r"^(?:cgcs2000)?(?:gk|gausskruger)(3|6)?(?:deg|degree)?(?:cm|:)?(\d{2,3})e?$")

_ACCEPTED = Text(
    "可用：EPSG 代码（EPSG:4490、4549）、wgs84、cgcs2000、gcj02（高德/腾讯）、bd09（百度）、"
    "UTM 50N、gk3:120（CGCS2000 高斯-克吕格 3° 带中央经线 120°E）、WKT 或 PROJ 字符串",
    "accepted: EPSG codes (EPSG:4490, 4549), wgs84, cgcs2000, gcj02 (Amap/Tencent), "
    "bd09 (Baidu), UTM 50N, gk3:120 (CGCS2000 Gauss-Kruger 3° zone, central meridian 120°E), "
    "WKT or PROJ strings",
)


def parse_crs(value: CRSLike, *, source: str | None = None) -> SourceCRS:
    """Understand a coordinate-system name the way users write it.

    Parameters
    ----------
    value
        An EPSG code (``4490``, ``"EPSG:4549"``), an alias (``"wgs84"``, ``"cgcs2000"``,
        ``"gcj02"``/``"gcj-02"``/``"amap"``/``"gaode"``/``"tencent"``/``"高德"``,
        ``"bd09"``/``"baidu"``/``"百度"``), ``"UTM 50N"``, ``"gk3:120"``/``"gk6:117"`` (CGCS2000
        Gauss-Krüger by central meridian), WKT, a PROJ string, a :class:`pyproj.CRS` or a
        :class:`SourceCRS`.
    source
        File name for the error message.

    Raises
    ------
    gis.errors.CRSError
        The text names no coordinate system beatgrid knows.

    Examples
    --------
    >>> parse_crs("高德").chinese
    'gcj02'
    >>> parse_crs("UTM 50N").name
    'EPSG:32650'
    """
    if isinstance(value, SourceCRS):
        return value
    if isinstance(value, pyproj.CRS):
        return SourceCRS(_crs_name(value), value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _unknown(repr(value), source)
    if isinstance(value, str):
        found = _from_text(value, source)
        if isinstance(found, SourceCRS):
            return found
        value = found
    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise _unknown(str(value), source) from None
    return SourceCRS(_crs_name(crs), crs)


def _from_text(text: str, source: str | None) -> SourceCRS | int | str:
    key = re.sub(r"[\s\-_/.]", "", text.strip().lower())
    if key in _ALIASES:
        return _ALIASES[key]
    if key.isdigit():
        return int(key)
    if key in ("bd09mc", "baidumercator", "bdmc"):
        raise CRSError([Problem(str(_BAIDU_MERCATOR), source, field="crs")])
    if m := _UTM.match(key):
        zone = int(m.group(1))
        if 1 <= zone <= 60:
            return (32600 if m.group(2) == "n" else 32700) + zone
    if m := _GK.match(key):
        width = int(m.group(1) or 3)
        return _gk_code(float(m.group(2)), width=width, exact=True) or text
    return text


def _crs_name(crs: pyproj.CRS) -> str:
    authority = crs.to_authority(min_confidence=70)
    if authority:
        return f"{authority[0]}:{authority[1]}"
    return crs.name if crs.name != "unknown" else crs.to_proj4()[:60]


def _unknown(text: str, source: str | None) -> CRSError:
    message = Text(f"无法识别的坐标系 {text[:80]!r}", f"unknown coordinate system {text[:80]!r}")
    text_all = f"{message}; {_ACCEPTED.en} ({_ACCEPTED.zh})"
    return CRSError([Problem(text_all, source, field="crs")])


# --- Layer conversion ---------------------------------------------------------------------


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
    src = _source_of(gdf, source)
    if src.chinese is not None:
        geoms = convert_geometries(gdf.geometry.array, src=src.chinese, dst="wgs84")
        return _with_geometry(gdf, geoms, WGS84)
    if gdf.crs is not None and not gdf.crs.equals(src.crs):
        warnings.warn(
            f"layer says {_crs_name(gdf.crs)}, treated as {src.name} as stated "
            f"(图层声明 {_crs_name(gdf.crs)}，按指定的 {src.name} 处理)",
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


def _source_of(gdf: gpd.GeoDataFrame, source: CRSLike | None) -> SourceCRS:
    if source is not None:
        return parse_crs(source)
    if gdf.crs is None:
        raise CRSError.single(
            None,
            str(Text("图层没有坐标系，请指定", "the layer has no CRS; state which one it is in")),
            field="crs",
        )
    return parse_crs(gdf.crs)


def _with_geometry(gdf: gpd.GeoDataFrame, geoms: np.ndarray, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    out = gdf.copy()
    name = gdf.geometry.name
    out[name] = gpd.GeoSeries(geoms, index=gdf.index, crs=crs)
    return out.set_geometry(name, crs=crs)


# --- Metric CRS ---------------------------------------------------------------------------

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
    code = _gk_code(float(np.clip(cm, 75.0, 135.0)), width=width, exact=True)
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
    return _epsg(code)


def _gk_code(cm: float, *, width: int, exact: bool) -> int | None:
    """EPSG code of the CGCS2000 GK zone with central meridian ``cm``; None if there is none."""
    if not 75 <= cm <= 135 or (exact and cm % width != (0 if width == 3 else 3)):
        return None
    return int(4534 + (cm - 75) / 3) if width == 3 else int(4502 + (cm - 75) / 6)


def metric_crs(
    gdf_or_bounds: gpd.GeoDataFrame | gpd.GeoSeries | Bounds, *, width: Width = 3
) -> pyproj.CRS:
    """The CRS to measure a layer in, in metres.

    - a layer already in a projected CRS with metre units keeps it, unless it is a
      (Web) Mercator, which distorts lengths (a ``CRSWarning`` says so);
    - in China (the centre of the data in the GCJ-02 region and within 73.5°E-136.5°E): the
      CGCS2000 Gauss-Krüger zone (``width`` 3° or 6°) whose central meridian is nearest;
    - elsewhere: the WGS84 UTM zone of the centre (``pyproj.database.query_utm_crs_info``).

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
                f"{_crs_name(crs)} (Mercator) stretches lengths by 1/cos(latitude); measuring "
                f"in a local CRS instead (墨卡托投影不宜量算，改用本地投影)",
                CRSWarning,
                stacklevel=2,
            )
        bounds = _lonlat_bounds(gdf_or_bounds)
    else:
        bounds = tuple(float(v) for v in gdf_or_bounds)  # type: ignore[assignment]
    west, south, east, north = bounds
    if east < west:  # crosses the antimeridian
        east += 360.0
    if not np.all(np.isfinite(bounds)):
        raise CRSError.single(None, str(_NO_COORDINATES), field="geometry")
    lon, lat = (west + east) / 2.0, (south + north) / 2.0
    lon = (lon + 180.0) % 360.0 - 180.0
    if east - west > 2 * width:
        warnings.warn(
            f"the data spans {east - west:.1f}° of longitude; distances far from the central "
            f"meridian of the chosen zone are distorted (数据跨经度 {east - west:.1f}°)",
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


def _lonlat_bounds(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> Bounds:
    west, south, east, north = frame.total_bounds
    if frame.crs.equals(WGS84):
        return float(west), float(south), float(east), float(north)
    to_lonlat = pyproj.Transformer.from_crs(frame.crs, WGS84, always_xy=True)
    out = to_lonlat.transform_bounds(west, south, east, north, densify_pts=21)
    return float(out[0]), float(out[1]), float(out[2]), float(out[3])


def _utm_crs(lon: float, lat: float) -> pyproj.CRS:
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    wanted = str((32600 if lat >= 0 else 32700) + zone)
    codes = [info.code for info in infos]
    return _epsg(int(wanted if wanted in codes or not codes else codes[0]))


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
            raise CRSError.single(
                None, str(_NOT_METRIC.format(name=_crs_name(target))), field="crs"
            )
    if gdf.crs.equals(target):
        return gdf.copy(), target
    return gdf.to_crs(target), target


from gis.crs_check import check_coordinates  # noqa: E402  (it uses parse_crs)
