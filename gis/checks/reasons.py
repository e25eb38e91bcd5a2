"""GEOS validity reasons in words a reader can act on, located in longitude/latitude.

GEOS says ``Self-intersection[381333.96 3544208.60]``: English, and in the projected
CRS the check measured in.  A Chinese report must say 自相交（经度 118.73110，纬度
32.01661）, which a user can paste into any map.

>>> import pyproj
>>> explain("Self-intersection[500000 3540000]", pyproj.CRS("EPSG:4549")).zh
'自相交（经度 120.00000，纬度 31.98513）'
"""

from __future__ import annotations

import re

import pyproj

from gis.i18n import Text

_REASONS: dict[str, Text] = {
    "self-intersection": Text("自相交", "self-intersection"),
    "ring self-intersection": Text("环自相交", "ring self-intersection"),
    "too few points in geometry component": Text("组成部分点数过少", "too few points in a part"),
    "interior is disconnected": Text("内部不连通", "interior is disconnected"),
    "hole lies outside shell": Text("内环（洞）在外环之外", "hole lies outside the shell"),
    "holes are nested": Text("内环（洞）相互嵌套", "holes are nested"),
    "nested shells": Text("外环相互嵌套", "nested shells"),
    "duplicate rings": Text("环重复", "duplicate rings"),
    "invalid coordinate": Text("坐标无效", "invalid coordinate"),
    "ring is not closed": Text("环未闭合", "ring is not closed"),
}
_GEOS = re.compile(
    r"^\s*(?P<what>[^\[]+?)\s*(?:\[(?P<x>[-+\deE.]+)\s+(?P<y>[-+\deE.]+)[^\]]*\])?\s*$"
)


def explain(reason: str, crs: pyproj.CRS | None) -> Text:
    """A GEOS ``is_valid_reason`` (or error) text in both languages, located in lon/lat."""
    m = _GEOS.match(reason or "")
    if m is None:
        return Text(f"几何错误：{reason}", f"geometry error: {reason}")
    what = m.group("what").strip()
    words = _REASONS.get(what.lower(), Text(f"几何错误（{what}）", what))
    if m.group("x") is None:
        return words
    lon, lat = _lonlat(float(m.group("x")), float(m.group("y")), crs)
    if lon is None:
        return Text(
            f"{words.zh}（坐标 {m.group('x')} {m.group('y')}）",
            f"{words.en} at {m.group('x')} {m.group('y')}",
        )
    return Text(
        f"{words.zh}（经度 {lon:.5f}，纬度 {lat:.5f}）",
        f"{words.en} at lon {lon:.5f}, lat {lat:.5f}",
    )


def _lonlat(x: float, y: float, crs: pyproj.CRS | None) -> tuple[float | None, float | None]:
    if crs is None:
        return None, None
    crs = pyproj.CRS(crs)
    if crs.is_geographic:
        return x, y
    lon, lat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    return float(lon), float(lat)
