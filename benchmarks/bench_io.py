"""Import speed: ``gis.io.read_layer`` vs. the plain geopandas way, measured in one run.

Cases:
* 100 000 incidents in a CSV (lon/lat, Chinese column names, a time column);
  plain way: ``pd.read_csv`` + a ``Point`` per row + ``pd.to_datetime`` (what scripts do);
  also the vectorized plain way (``gpd.points_from_xy``) for reference;
* Chicago police beats shapefile (zip): ``gpd.read_file`` vs. ``read_layer`` (which adds
  encoding detection, recognition and full validation).
* The demo district: ``load_district`` vs. ``gpd.read_file`` of the same layer files, and
  vs. ``gpd.read_file`` plus :func:`gis.io.validate.validate_layer` on each (goal: ≤ 1.2x
  the latter; each file is read once).

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


def bench_district() -> None:
    """load_district on a freshly generated demo vs. the plain reads of its layer files."""
    import json

    from data.generate import generate_demo
    from gis.district import load_district
    from gis.io.validate import validate_layer
    from gis.layers import kind_named
    from gis.manifest import read_manifest

    with tempfile.TemporaryDirectory() as tmp:
        generate_demo(Path(tmp), seed=20161013)
        manifest = read_manifest(Path(tmp) / "manifest.json")
        files = {
            kind: Path(tmp) / entry.path
            for key, entry in manifest.layers.items()
            if (kind := kind_named(key)) is not None
        }
        geo = {k: f for k, f in files.items() if f.suffix.lower() not in (".csv", ".xlsx")}

        def plain(validate: bool) -> None:
            for kind, file in geo.items():
                frame = gpd.read_file(file)
                if validate:
                    validate_layer(frame, kind, source=file.name)
            for file in set(files.values()) - set(geo.values()):
                pd.read_csv(file)  # the point tables: a plain read

        ours = _median(lambda: load_district(tmp), repeats=3)
        read = _median(lambda: plain(False), repeats=3)
        checked = _median(lambda: plain(True), repeats=3)
        sizes = json.dumps({k.value: f.suffix for k, f in files.items()})
        print(f"demo district, {len(files)} layers {sizes} (median of 3)")
        print(f"  load_district (every layer and table):            {ours:6.3f} s")
        print(f"  gpd.read_file / pd.read_csv of the same files:    {read:6.3f} s")
        print(f"  the same + validate_layer of the vector layers:   {checked:6.3f} s")
        print(f"  ratio {ours / read:.2f}x read_file, {ours / checked:.2f}x read_file + validation")


if __name__ == "__main__":
    main()
    bench_district()
