"""Import speed: ``gis.io.read_layer`` vs. the plain geopandas way, measured in one run.

Cases:
* 100 000 incidents in a CSV (lon/lat, Chinese column names, a time column);
  plain way: ``pd.read_csv`` + a ``Point`` per row + ``pd.to_datetime`` (what scripts do);
  also the vectorized plain way (``gpd.points_from_xy``) for reference;
* Chicago police beats shapefile (zip): ``gpd.read_file`` vs. ``read_layer`` (which adds
  encoding detection, recognition and full validation).

Run: ``.venv/bin/python benchmarks/bench_io.py``.  Prints medians of a few repeats.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from gis.io import read_layer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _median(fn: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _incidents(path: Path, n: int) -> None:
    rng = np.random.default_rng(1)
    start = np.datetime64("2024-01-01T00:00")
    pd.DataFrame(
        {
            "警情编号": [f"J{i:06d}" for i in range(n)],
            "报警时间": (start + rng.integers(0, 525_600, n).astype("timedelta64[m]")).astype(str),
            "警情类别": rng.choice(["盗窃", "纠纷", "诈骗", "交通"], n),
            "经度": 118.70 + rng.random(n) * 0.05,
            "纬度": 32.00 + rng.random(n) * 0.05,
        }
    ).to_csv(path, index=False)


def _plain_loop(path: Path) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path)
    frame["time"] = pd.to_datetime(frame["报警时间"])
    geometry = [Point(x, y) for x, y in zip(frame["经度"], frame["纬度"], strict=True)]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4490)


def _plain_vectorized(path: Path) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path)
    frame["time"] = pd.to_datetime(frame["报警时间"])
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["经度"], frame["纬度"]), crs=4490
    )


def main() -> None:
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        _incidents(csv, 100_000)
        ours = _median(lambda: read_layer(csv, kind="incident", crs=4490))
        loop = _median(lambda: _plain_loop(csv))
        vec = _median(lambda: _plain_vectorized(csv))
        print("100 000 incidents CSV (median of 5)")
        print(f"  read_layer (recognise + validate + check CRS): {ours:6.3f} s")
        print(f"  pandas + Point per row:                         {loop:6.3f} s")
        print(f"  pandas + points_from_xy (no validation):        {vec:6.3f} s")
    beats = SHARED / "chicago" / "police_beats.zip"
    if beats.exists():
        ours = _median(lambda: read_layer(beats, kind="beat", repair=True))
        plain = _median(lambda: gpd.read_file(beats))
        print("Chicago police beats shapefile zip, 277 polygons (median of 5)")
        print(f"  read_layer (detect encoding, validate, repair): {ours:6.3f} s")
        print(f"  gpd.read_file (nothing checked):                {plain:6.3f} s")


if __name__ == "__main__":
    main()
