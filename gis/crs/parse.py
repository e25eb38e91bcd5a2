"""Parse coordinate-system names the way users write them into a :class:`SourceCRS`.

:func:`parse_crs` understands EPSG codes, aliases ("cgcs2000", "gcj02", "高德", "baidu"),
"UTM 50N", "gk3:120", WKT and PROJ strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias

import geopandas as gpd
import pyproj

from gis.errors import CRSError, Problem
from gis.i18n import Text

__all__ = [
    "CGCS2000",
    "WGS84",
    "CRSLike",
    "SourceCRS",
    "crs_name",
    "epsg",
    "gk_code",
    "parse_crs",
    "source_of",
]

WGS84 = pyproj.CRS.from_epsg(4326)
epsg = lru_cache(maxsize=256)(pyproj.CRS.from_epsg)
"""``pyproj.CRS.from_epsg`` with a cache: building a CRS costs ~10 ms."""
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
        return SourceCRS(crs_name(value), value)
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
    return SourceCRS(crs_name(crs), crs)


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
        return gk_code(float(m.group(2)), width=width, exact=True) or text
    return text


def crs_name(crs: pyproj.CRS) -> str:
    """Short name of a CRS: ``"EPSG:4549"`` when it has an authority code, else its name."""
    authority = crs.to_authority(min_confidence=70)
    if authority:
        return f"{authority[0]}:{authority[1]}"
    return crs.name if crs.name != "unknown" else crs.to_proj4()[:60]


def _unknown(text: str, source: str | None) -> CRSError:
    message = Text(f"无法识别的坐标系 {text[:80]!r}", f"unknown coordinate system {text[:80]!r}")
    text_all = f"{message}; {_ACCEPTED.en} ({_ACCEPTED.zh})"
    return CRSError([Problem(text_all, source, field="crs")])


def gk_code(cm: float, *, width: int, exact: bool) -> int | None:
    """EPSG code of the CGCS2000 GK zone with central meridian ``cm``; None if there is none."""
    if not 75 <= cm <= 135 or (exact and cm % width != (0 if width == 3 else 3)):
        return None
    return int(4534 + (cm - 75) / 3) if width == 3 else int(4502 + (cm - 75) / 6)


def source_of(gdf: gpd.GeoDataFrame, source: CRSLike | None) -> SourceCRS:
    """What ``gdf``'s coordinates are: ``source`` when given, else ``gdf.crs``.

    Raises
    ------
    gis.errors.CRSError
        Neither says.
    """
    if source is not None:
        return parse_crs(source)
    if gdf.crs is None:
        raise CRSError.single(
            None,
            str(Text("图层没有坐标系，请指定", "the layer has no CRS; state which one it is in")),
            field="crs",
        )
    return parse_crs(gdf.crs)
