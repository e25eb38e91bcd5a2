"""Geocoding benchmarks: the fast path vs geopandas.sjoin, and batch peak memory.

Run: ``python benchmarks/bench_geocode.py [--points 1000000] [--polygons 5000] [--repeat 3]``
(add ``--memory`` for the peak-RSS comparison of a 200k- and a 1M-row CSV).

1. **Point in polygon.**  ``--polygons`` grid cells (Voronoi cells of random seeds in a
   20 km square, densified to ~50-200 vertices) and ``--points`` random points.  Times
   (median of ``--repeat``) of ``geopandas.sjoin(predicate="within")`` and
   ``predicate="intersects"`` and of ``gis.geocoding.fastpath.locate`` on a prebuilt
   index, the build time, the speedup, and the identity check: wherever sjoin
   "intersects" finds exactly one polygon we must find the same one; where it finds
   several (a point on a shared boundary) we must find the lowest-ranked of them.
   1% of the points are polygon vertices, exactly on shared boundaries.
2. **Batch memory.**  ``geocode_file`` of a 200k-row and a 1M-row CSV (2,000 grids) with
   100k-row chunks, each in a fresh process that only reads it; peak RSS of each.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.geocoding import fastpath  # noqa: E402

SIZE = 20_000.0
CRS = "EPSG:4549"
E0, N0 = 500_000.0, 3_530_000.0


def tiling(n: int, seed: int = 7) -> np.ndarray:
    """Voronoi cells of ``n`` random seeds, densified and jittered to 50-200 vertices."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(0, 0, SIZE, SIZE)
    seeds = shapely.multipoints(rng.uniform(0, SIZE, (n, 2)))
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame
    )
    per_cell = rng.integers(50, 200, len(cells))
    cells = np.array(
        [shapely.segmentize(c, shapely.length(c) / k) for c, k in zip(cells, per_cell, strict=True)]
    )
    return shapely.transform(cells, lambda xy: xy + np.array([E0, N0]))


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def bench_pip(n_points: int, n_polygons: int, repeat: int) -> None:
    cells = tiling(n_polygons)
    vertices = shapely.get_num_coordinates(cells)
    rng = np.random.default_rng(11)
    x = rng.uniform(E0 - 200, E0 + SIZE + 200, n_points)
    y = rng.uniform(N0 - 200, N0 + SIZE + 200, n_points)
    corners = shapely.get_coordinates(shapely.boundary(cells))  # 1%: exactly on boundaries
    pick = rng.choice(len(corners), n_points // 100, replace=False)
    x[: len(pick)], y[: len(pick)] = corners[pick, 0], corners[pick, 1]
    print(
        f"{n_points:,} points, {len(cells):,} polygons "
        f"({int(vertices.min())}-{int(vertices.max())} vertices, mean {vertices.mean():.0f})"
    )
    polys = gpd.GeoDataFrame({"pid": np.arange(len(cells))}, geometry=cells, crs=CRS)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)
    t_within, _ = timed(lambda: gpd.sjoin(points, polys, predicate="within"), repeat)
    t_inter, joined = timed(lambda: gpd.sjoin(points, polys, predicate="intersects"), repeat)
    t_build, index = timed(lambda: fastpath.build_polygon_index(cells, np.arange(len(cells))), 1)
    assert isinstance(index, fastpath.PolygonIndex)
    t_ours, located = timed(lambda: fastpath.locate(index, x, y), repeat)
    assert isinstance(located, tuple)
    poly, _, exact = located
    print(f"  geopandas.sjoin within      {t_within:8.3f} s")
    print(f"  geopandas.sjoin intersects  {t_inter:8.3f} s")
    print(
        f"  ours: build index (once)    {t_build:8.3f} s   raster cells needing a test: "
        f"{index.exact_share:.1%}"
    )
    print(
        f"  ours: locate                {t_ours:8.3f} s   points tested exactly: {exact.mean():.1%}"
    )
    print(
        f"  speedup vs sjoin within     {t_within / t_ours:8.1f} x  "
        f"(with the build: {t_within / (t_ours + t_build):.1f} x)"
    )
    print(f"  speedup vs sjoin intersects {t_inter / t_ours:8.1f} x")
    _check_identity(joined, poly, n_points)


def _check_identity(joined: object, poly: np.ndarray, n: int) -> None:
    assert isinstance(joined, pd.DataFrame)
    pairs = joined["pid"]
    count = pairs.groupby(level=0).size().reindex(range(n), fill_value=0).to_numpy()
    lowest = pairs.groupby(level=0).min().reindex(range(n), fill_value=-1).to_numpy()
    one = count == 1
    same_one = np.array_equal(poly[one], lowest[one])
    same_none = bool(np.all(poly[count == 0] == fastpath.NONE))
    same_ties = bool(np.all(poly[count > 1] == lowest[count > 1]))
    print(
        f"  identical assignments: {same_one and same_none} "
        f"({int(one.sum()):,} in one polygon, {int((count == 0).sum()):,} in none); "
        f"{int((count > 1).sum()):,} on shared boundaries, lowest id: {same_ties}"
    )


def bench_memory() -> None:
    """Write the inputs here, geocode each in a fresh process that only reads it."""
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(3)
        rows = 1_000_000
        lonlat = gpd.GeoSeries(
            gpd.points_from_xy(rng.uniform(E0, E0 + SIZE, rows), rng.uniform(N0, N0 + SIZE, rows)),
            crs=CRS,
        ).to_crs(4490)
        frame = pd.DataFrame(
            {"id": np.arange(rows), "lon": lonlat.x.round(7), "lat": lonlat.y.round(7)}
        )
        for n in (200_000, 1_000_000):
            src = Path(tmp) / f"in_{n}.csv"
            frame.head(n).to_csv(src, index=False)
            cmd = [sys.executable, __file__, "--memory-child", str(src)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            print(out.stdout.strip())


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent through fork/exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(src: str) -> None:
    """One batch run in a fresh process; prints its peak RSS."""
    from gis.geocoding.assign import build_area_index
    from gis.geocoding.batch import geocode_file

    cells = tiling(2000)
    layer = gpd.GeoDataFrame(
        {"id": [f"G{i:05d}" for i in range(len(cells))]}, geometry=cells, crs=CRS
    )
    areas = build_area_index({"grid": layer})
    before = _peak_rss_mb()
    t = time.perf_counter()
    summary = geocode_file(src, Path(src).with_suffix(".out.csv"), areas, chunk_size=100_000)
    peak = _peak_rss_mb()
    print(
        f"  {summary.rows:>9,} rows: {time.perf_counter() - t:6.1f} s, {summary.chunks} chunks, "
        f"peak RSS {peak:5.0f} MB (after imports and the area index: {before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--memory-child")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if not args.memory_only:
        bench_pip(args.points, args.polygons, args.repeat)
    if args.memory or args.memory_only:
        print("batch peak memory (100k-row chunks):")
        bench_memory()


if __name__ == "__main__":
    main()
