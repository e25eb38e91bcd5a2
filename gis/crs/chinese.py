"""GCJ-02 and BD-09: the two Chinese consumer-map coordinate systems PROJ does not know.

GCJ-02 (国测局坐标, "Mars coordinates") is used by Amap/Gaode and Tencent maps, BD-09 by
Baidu.  Both are WGS84 longitudes/latitudes pushed by a deliberate, smooth offset of
100-700 m.  The forward formulas are the well-known public ones (Krasovsky ellipsoid,
the ``transformLat``/``transformLon`` polynomials; BD-09 on top of GCJ-02).  The
published converters invert them with one step (``2*p - forward(p)``) and leave 0.4-3.4 m
of error; here every inverse iterates the forward function until the residual is below
``tolerance`` degrees (default 1e-9 °, about 0.1 mm; in practice ~1e-11 °), vectorized.

Where the offset applies ("in China")
-------------------------------------
The offset is applied inside the rough box most converters use, lon 72.004-137.8347,
lat 0.8293-55.8271 (:data:`CHINA_BOX`), which contains all of China's territory with
1.5-2.7 ° to spare on the west, north and east.  Converters switch the offset off at the
box edge, which makes the forward function jump by hundreds of metres there and leaves
points that no inverse can bring back.  Here the offset fades to zero over the innermost
:data:`FADE_DEG` (0.5 °) of the box with a smoothstep, so the transform is continuous
and invertible everywhere; the fade band lies outside China's territory (it runs through
Central Asia, India, Russia, the seas and the equatorial ocean), so inside China the
values are exactly the published ones.  BD-09's extra offset has no region rule, as in
every published converter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

ChineseSystem = Literal["wgs84", "gcj02", "bd09"]
Coords = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]

# Krasovsky 1940 ellipsoid, as in the public GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: (west, south, east, north) of the box where the GCJ-02 offset applies.
CHINA_BOX: tuple[float, float, float, float] = (72.004, 0.8293, 137.8347, 55.8271)
#: Width in degrees of the band inside the box edge where the offset fades to zero.
FADE_DEG = 0.5

#: Default bound (degrees) on ``|forward(inverse(p)) - p|``: 1e-9 ° is about 0.1 mm.
DEFAULT_TOLERANCE = 1e-9
_MAX_ITER = 50
# Upper bound of the offsets' Lipschitz constant (max row sum of the Jacobian of
# forward - identity), measured by finite differences on millions of random points: 0.007
# in China, 0.034 in the GCJ-02 fade band, 0.029 for BD-09 anywhere (0.002 near (0, 0)),
# 0.042 for WGS84 -> BD-09.  Taken as 0.1 for margin.
_LIPSCHITZ = 0.1


def _arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lon and lat differ in shape: {x.shape} vs {y.shape}")
    return x, y


def china_weight(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """How much of the GCJ-02 offset applies at each point: 1 in China, 0 outside the box.

    Between, over the :data:`FADE_DEG` band inside the box edge, a smoothstep (C1).
    """
    x, y = _arrays(lon, lat)
    west, south, east, north = CHINA_BOX
    inside = np.minimum(np.minimum(x - west, east - x), np.minimum(y - south, north - y))
    t = np.clip(inside / FADE_DEG, 0.0, 1.0)
    return np.where(np.isfinite(t), t * t * (3.0 - 2.0 * t), 0.0)


def in_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where GCJ-02 data is plausible: inside :data:`CHINA_BOX` (the offset region)."""
    x, y = _arrays(lon, lat)
    west, south, east, north = CHINA_BOX
    return (x > west) & (x < east) & (y > south) & (y < north)


def _transform(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The public ``transformLat``/``transformLon`` polynomials, sharing their common terms.

    ``sin(6πx)`` comes from ``sin(2πx)`` by the triple-angle identity: 9 sines instead of 12.
    """
    px, py = x * np.pi, y * np.pi
    s2 = np.sin(2.0 * px)
    common = (20.0 * s2 * (3.0 - 4.0 * s2 * s2) + 20.0 * s2) * (2.0 / 3.0)
    xy = 0.1 * x * y
    root = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + xy + 0.2 * root + common
    dlat += (20.0 * np.sin(py) + 40.0 * np.sin(py / 3.0)) * (2.0 / 3.0)
    dlat += (160.0 * np.sin(py / 12.0) + 320.0 * np.sin(py / 30.0)) * (2.0 / 3.0)
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + xy + 0.1 * root + common
    dlon += (20.0 * np.sin(px) + 40.0 * np.sin(px / 3.0)) * (2.0 / 3.0)
    dlon += (150.0 * np.sin(px / 12.0) + 300.0 * np.sin(px / 30.0)) * (2.0 / 3.0)
    return dlat, dlon


def gcj02_offset(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS84 points, already region-weighted."""
    x, y = _arrays(lon, lat)
    with np.errstate(invalid="ignore"):  # NaN/inf in, NaN out, quietly
        dlat, dlon = _transform(x - 105.0, y - 35.0)
        radlat = y / 180.0 * np.pi
        magic = 1.0 - _EE * np.sin(radlat) ** 2
        sqrtmagic = np.sqrt(magic)
        dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
        dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    w = china_weight(x, y)
    return dlon * w, dlat * w


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
    """WGS84 → GCJ-02 (the public forward formula; no offset outside China).

    >>> lon, lat = wgs84_to_gcj02([118.7969], [32.0603])
    >>> round(float(lon[0]), 6), round(float(lat[0]), 6)
    (118.802084, 32.058224)
    """
    x, y = _arrays(lon, lat)
    dlon, dlat = gcj02_offset(x, y)
    return x + dlon, y + dlat


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
    """GCJ-02 → BD-09 (Baidu's public formula)."""
    x, y = _arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
        theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
        return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
    """WGS84 → BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], Coords],
    first: Coords,
    target: Coords,
    tolerance: float,
) -> Coords:
    """Solve ``forward(p) == target`` by fixed-point iteration from ``first``.

    The step is ``p -> p + (target - forward(p))``, i.e. ``p -> target - offset(p)``, a
    contraction with constant ``L`` (< :data:`_LIPSCHITZ`): each step gains about two digits.
    After a step of size ``e`` the residual ``|forward(p) - target|`` is at most ``L * e``,
    so the loop stops once ``_LIPSCHITZ * e < tolerance`` without another evaluation: three
    or four evaluations reach 1e-9 ° (typically ~1e-11 °).  Non-finite inputs stay so.
    """
    tx, ty = target
    x, y = first[0].copy(), first[1].copy()
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = tx - fx, ty - fy
        x += ex
        y += ey
        err = np.maximum(np.abs(ex), np.abs(ey))
        if _LIPSCHITZ * np.max(err, initial=0.0, where=np.isfinite(err)) < tolerance:
            break
    return x, y


def gcj02_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tolerance: float = DEFAULT_TOLERANCE
) -> Coords:
    """GCJ-02 → WGS84, iterated until ``wgs84_to_gcj02`` of the result is within ``tolerance`` °.

    >>> lon, lat = gcj02_to_wgs84(*wgs84_to_gcj02([118.7969], [32.0603]))
    >>> round(float(lon[0]), 10), round(float(lat[0]), 10)
    (118.7969, 32.0603)
    """
    x, y = _arrays(lon, lat)
    dlon, dlat = gcj02_offset(x, y)
    return _invert(wgs84_to_gcj02, (x - dlon, y - dlat), (x, y), tolerance)


def bd09_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tolerance: float = DEFAULT_TOLERANCE
) -> Coords:
    """BD-09 → GCJ-02, iterated from Baidu's published approximate inverse."""
    x, y = _arrays(lon, lat)
    bx, by = x - 0.0065, y - 0.006
    with np.errstate(invalid="ignore"):
        z = np.hypot(bx, by) - 0.00002 * np.sin(by * _X_PI)
        theta = np.arctan2(by, bx) - 0.000003 * np.cos(bx * _X_PI)
        first = (z * np.cos(theta), z * np.sin(theta))
    return _invert(gcj02_to_bd09, first, (x, y), tolerance)


def bd09_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tolerance: float = DEFAULT_TOLERANCE
) -> Coords:
    """BD-09 → WGS84: both inverses in turn, then polished on the composed forward."""
    x, y = _arrays(lon, lat)
    first = gcj02_to_wgs84(*bd09_to_gcj02(x, y, tolerance=tolerance), tolerance=tolerance)
    return _invert(wgs84_to_bd09, first, (x, y), tolerance)


_CONVERTERS: dict[tuple[str, str], Callable[[np.ndarray, np.ndarray], Coords]] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
}


def converter(
    src: ChineseSystem, dst: ChineseSystem
) -> Callable[[np.ndarray, np.ndarray], Coords] | None:
    """The lon/lat converter from ``src`` to ``dst``; None when they are the same system."""
    if src == dst:
        return None
    try:
        return _CONVERTERS[(src, dst)]
    except KeyError:
        raise ValueError(
            f"unknown coordinate system pair {src!r} -> {dst!r}; use 'wgs84', 'gcj02' or 'bd09'"
        ) from None


def convert_geometries(
    geoms: npt.ArrayLike, *, src: ChineseSystem, dst: ChineseSystem
) -> npt.NDArray[np.object_]:
    """Convert shapely geometries of any type between WGS84, GCJ-02 and BD-09.

    Empty geometries stay empty, None stays None, Z values are kept untouched.

    Parameters
    ----------
    geoms
        Array-like of shapely geometries (a GeoSeries' ``.array`` or a list), lon/lat order.
    src, dst
        ``"wgs84"``, ``"gcj02"`` or ``"bd09"``.

    Returns
    -------
    numpy.ndarray
        Object array of converted geometries, same length and order.
    """
    arr = np.asarray(geoms, dtype=object)
    func = converter(src, dst)
    if func is None or arr.size == 0:
        return arr.copy()

    def _apply(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, 0], out[:, 1] = func(coords[:, 0], coords[:, 1])
        return out

    return np.asarray(shapely.transform(arr, _apply, include_z=None), dtype=object)
