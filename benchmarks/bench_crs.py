"""GCJ-02 → WGS84 for 1,000,000 points: beatgrid (vectorized, iterative) vs. the usual way.

"The usual way" is the per-point converter most Python projects copy (coordTransform_py
style): a one-step inverse ``2*g - forward(g)`` in a Python loop.  It is timed on a
20,000-point subset and scaled to 1,000,000.  For each, the round-trip error
``forward(inverse(g))`` vs. ``g`` and ``inverse(forward(p))`` vs. ``p`` is measured in metres
(pyproj.Geod on WGS84).  Also timed: a GeoDataFrame of 100,000 points through
``gis.crs.to_wgs84`` vs. ``GeoSeries.apply`` with the per-point function.

Run: ``.venv/bin/python benchmarks/bench_crs.py`` (a few seconds; medians of 3 runs).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gis import crs as gcrs

GEOD = pyproj.Geod(ellps="WGS84")
N, SUBSET, REPEAT = 1_000_000, 20_000, 3


# --- the common published converter, one point at a time ----------------------------------

_A, _EE, _PI = 6378245.0, 0.00669342162296594323, 3.1415926535897932384626


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * _PI) + 40.0 * math.sin(y / 3.0 * _PI)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * _PI) + 320 * math.sin(y * _PI / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * _PI) + 40.0 * math.sin(x / 3.0 * _PI)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * _PI) + 300.0 * math.sin(x / 30.0 * _PI)) * 2.0 / 3.0
    return ret


def _out_of_china(lng: float, lat: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _delta(lng: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * _PI
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * _PI)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * _PI)
    return dlng, dlat


def naive_wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def naive_gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _delta(lng, lat)
    return lng * 2 - (lng + dlng), lat * 2 - (lat + dlat)


# --- measurement ------------------------------------------------------------------------------


def _median_time(func: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _metres(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.asarray(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _loop(func: Callable[[float, float], tuple[float, float]], lon: np.ndarray, lat: np.ndarray):
    out = [func(x, y) for x, y in zip(lon.tolist(), lat.tolist(), strict=True)]
    arr = np.asarray(out)
    return arr[:, 0], arr[:, 1]


def main() -> None:
    rng = np.random.default_rng(20161013)
    lon, lat = rng.uniform(73.7, 135.0, N), rng.uniform(18.0, 53.5, N)
    glon, glat = gcrs.wgs84_to_gcj02(lon, lat)
    sub = slice(0, SUBSET)

    t_ours = _median_time(lambda: gcrs.gcj02_to_wgs84(glon, glat))
    t_naive = _median_time(lambda: _loop(naive_gcj02_to_wgs84, glon[sub], glat[sub]))
    t_naive *= N / SUBSET

    ours = gcrs.gcj02_to_wgs84(glon, glat)
    naive = _loop(naive_gcj02_to_wgs84, glon[sub], glat[sub])
    err_ours = _metres(ours, (lon, lat))
    err_ours_fwd = _metres(gcrs.wgs84_to_gcj02(*ours), (glon, glat))
    err_naive = _metres(naive, (lon[sub], lat[sub]))
    err_naive_fwd = _metres(_loop(naive_wgs84_to_gcj02, *naive), (glon[sub], glat[sub]))

    print(f"GCJ-02 -> WGS84, {N:,} random points in China (lon 73.7-135, lat 18-53.5)")
    print(f"{'':34}{'time (s)':>10}{'pts/s':>14}{'max err m':>12}{'median m':>11}")
    rows = [
        ("beatgrid (numpy, iterative)", t_ours, err_ours),
        (f"per-point loop, one step (x{N // SUBSET})", t_naive, err_naive),
    ]
    for name, t, err in rows:
        print(f"{name:34}{t:10.2f}{N / t:14,.0f}{err.max():12.2e}{np.median(err):11.2e}")
    print(f"speed-up: {t_naive / t_ours:.0f}x")
    print(
        f"round trip wgs84->gcj02->wgs84: ours max {err_ours.max():.1e} m, "
        f"one-step max {err_naive.max():.2f} m (median {np.median(err_naive):.2f} m)"
    )
    print(
        f"round trip gcj02->wgs84->gcj02: ours max {err_ours_fwd.max():.1e} m, "
        f"one-step max {err_naive_fwd.max():.2f} m"
    )
    _frame_benchmark(glon[:100_000], glat[:100_000])


def _frame_benchmark(glon: np.ndarray, glat: np.ndarray) -> None:
    frame = gpd.GeoDataFrame(geometry=shapely.points(glon, glat), crs=4326)

    def apply_naive() -> gpd.GeoSeries:
        return frame.geometry.apply(
            lambda p: shapely.Point(naive_gcj02_to_wgs84(p.x, p.y)) if p is not None else None
        )

    t_ours = _median_time(lambda: gcrs.to_wgs84(frame, source="gcj02"))
    t_apply = _median_time(apply_naive)
    print(
        f"GeoDataFrame of {len(frame):,} points: to_wgs84 {t_ours:.2f} s, "
        f"GeoSeries.apply(per-point) {t_apply:.2f} s ({t_apply / t_ours:.0f}x)"
    )


if __name__ == "__main__":
    main()
