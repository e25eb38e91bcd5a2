"""Import speed: ``gis.io.read_layer`` vs. the plain geopandas way, measured in one run.

Cases:
* 100 000 incidents in a CSV (lon/lat, Chinese column names, a time column);
  plain way: ``pd.read_csv`` + a ``Point`` per row + ``pd.to_datetime`` (what scripts do);
  also the vectorized plain way (``gpd.points_from_xy``) for reference;
* Chicago police beats shapefile (zip): ``gpd.read_file`` vs. ``read_layer`` (which adds
  encoding detection, recognition and full validation).
* The demo district: ``load_district`` vs. ``gpd.read_file`` / ``pd.read_csv`` of the same
  files, and vs. the same plus :func:`gis.io.validate.validate_layer` on each (goal: ≤ 1.2x
  the latter; each file is read once).

Run: ``.venv/bin/python benchmarks/bench_io.py [DEMO_FOLDER] [--district-only]`` (the
demo is generated into a temporary folder when none is given).  Prints medians of a few
repeats.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _district_files(folder: Path) -> dict[Any, Path]:
    """Layer kind → file, for every layer and table of a manifest that is a layer kind."""
    from gis.layers import kind_named
    from gis.manifest import read_manifest

    manifest = read_manifest(folder / "manifest.json")
    files = {}
    for section in (manifest.layers, manifest.tables):
        for key, entry in section.items():
            if (kind := kind_named(key)) is not None:
                files[kind] = folder / entry.path
    return files


def _plain_district(files: dict[Any, Path], crs: object, *, validate: bool) -> float:
    """Read each file the plain way (and validate it); the seconds spent validating."""
    from gis.io.validate import validate_layer
    from gis.layers import spec

    spent = 0.0
    for kind, file in files.items():
        if file.suffix.lower() == ".csv":
            frame = pd.read_csv(file)
            if spec(kind).geometry != "none":
                xy = gpd.points_from_xy(frame["lon"], frame["lat"])
                frame = gpd.GeoDataFrame(frame, geometry=xy, crs=crs)
        else:
            frame = gpd.read_file(file)
        if validate:
            start = time.perf_counter()
            validate_layer(frame, kind, source=file.name)
            spent += time.perf_counter() - start
    return spent


class _Stopwatch:
    """Time spent in one function of a module while the ``with`` block runs."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name, self.seconds = module, name, 0.0

    def __enter__(self) -> _Stopwatch:
        original = getattr(self.module, self.name)
        self.original, self.seconds = original, 0.0

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.module, self.name, self.original)


def bench_district(folder: Path | None = None, repeats: int = 5) -> None:
    """load_district vs. the plain reads of the same files, interleaved in one run.

    The plain way: ``gpd.read_file`` of each vector layer, ``pd.read_csv`` of each table
    (with ``gpd.points_from_xy`` for the point tables, as a script would), then, for the
    second figure, :func:`gis.io.validate.validate_layer` of every layer (the validation a
    district gets).  Rounds alternate the three ways, so load on a shared machine hits them
    alike; medians are printed, and the fastest round of each way (the least disturbed).
    """
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            from data.generate import generate_demo

            generate_demo(Path(tmp), seed=20161013)
            bench_district(Path(tmp), repeats)
        return
    import gis.io.read
    from gis.district import load_district
    from gis.manifest import read_manifest

    warnings.simplefilter("ignore")
    manifest = read_manifest(folder / "manifest.json")
    files = _district_files(folder)

    def plain(validate: bool) -> float:
        return _plain_district(files, manifest.crs, validate=validate)

    ours_validating = _Stopwatch(gis.io.read, "validate_layer")
    load_district(folder)  # warm: imports, pyproj's database, GDAL drivers
    plain(True)
    times: dict[str, list[float]] = {k: [] for k in ("ours", "read", "checked", "share", "own")}
    for _ in range(repeats):
        for way in ("ours", "read", "checked"):
            start = time.perf_counter()
            if way == "ours":
                with ours_validating as spent_ours:
                    load_district(folder)
                times["own"].append(spent_ours.seconds)
            else:
                spent = plain(way == "checked")
            times[way].append(time.perf_counter() - start)
            if way == "checked":
                times["share"].append(spent)
    ours, read, checked, share, own = (statistics.median(times[k]) for k in times)
    kinds = ", ".join(f"{k.value}{f.suffix}" for k, f in files.items())
    print(f"demo district, {len(files)} layers ({kinds}); median of {repeats} interleaved rounds")
    print(f"  load_district (read, recognise, validate, check CRS): {ours:6.3f} s")
    print(f"    of which validate_layer:                            {own:6.3f} s")
    print(f"  gpd.read_file / pd.read_csv of the same files:        {read:6.3f} s")
    print(f"  the same + validate_layer of every layer:             {checked:6.3f} s")
    print(f"    of which validate_layer:                            {share:6.3f} s")
    print(
        f"  ratio {ours / read:.2f}x plain read, {ours / checked:.2f}x read + validation "
        "(goal <= 1.2x)"
    )
    best = {k: min(v) for k, v in times.items()}  # the least disturbed round of each way
    print(
        f"  fastest rounds: {best['ours']:.3f} / {best['read']:.3f} / {best['checked']:.3f} s, "
        f"ratio {best['ours'] / best['read']:.2f}x plain read, "
        f"{best['ours'] / best['checked']:.2f}x read + validation"
    )


if __name__ == "__main__":
    import sys

    if "--district-only" not in sys.argv:
        main()
    given = [a for a in sys.argv[1:] if not a.startswith("--")]
    bench_district(Path(given[0]) if given else None)
