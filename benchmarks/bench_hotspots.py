"""Benchmarks of gis.hotspots / gis.coverage against the plain way, measured in one run.

    .venv/bin/python benchmarks/bench_hotspots.py [--quick]

1. Gi* with 999 permutations on 10,000 cells: ``gi_star`` (esda, numba) vs. a plain
   NumPy loop over cells (timed on a subset and scaled).
2. KDE over 1,000,000 points: binning + FFT vs. ``scipy.stats.gaussian_kde`` (timed on a
   subset of points and scaled: its cost is linear in the points).
3. Coverage of 100,000 GPS fixes against 5,000 grids: ``clean_tracks`` + ``patrol_dosage``
   vs. ``geopandas.overlay`` of the legs with the grids.
4. Emerging hot spots, 150,000 incidents x 12,000 cells x 120 monthly bins (goal ≤ 15 s):
   ``emerging_hotspots`` (one sparse product for all bins) vs. the replaced way, esda's
   ``G_Local`` on libpysal space-time weights once per window (timed on a few windows and
   scaled to 120), with the z-scores of those windows compared.
5. Cells: clipping hexagons to a detailed extent (the union of Chicago's police beats),
   ``clip_mask`` (``touches`` only on edge cells) vs. ``intersects & ~touches`` on every
   cell, same cells (goal ≥ 2x).

6. A fresh process's first Gi* permutation job against its second (item 7: esda's
   kernels load from numba's disk cache; the first process ever may compile them).

``--only=emerging,cells`` runs a subset.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import stats

from gis.coverage.dosage import patrol_dosage
from gis.coverage.tracks import clean_tracks
from gis.hotspots.cells import _hexagons, clip_mask
from gis.hotspots.emerging import emerging_hotspots
from gis.hotspots.gistar import gi_star
from gis.hotspots.kde import kernel_density
from gis.hotspots.weights import spatial_weights

CRS = "EPSG:32650"
RNG = np.random.default_rng(20161013)


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def lattice(n: int, size: float) -> gpd.GeoDataFrame:
    r, c = np.divmod(np.arange(n * n), n)
    boxes = shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size)
    return gpd.GeoDataFrame({"id": [f"g{i}" for i in range(n * n)]}, geometry=boxes, crs=CRS)


def bench_gi(quick: bool) -> None:
    cells = lattice(100, 100.0).assign(count=RNG.poisson(3, 10_000))
    w = spatial_weights(cells)
    t0 = time.perf_counter()
    gi_star(cells.iloc[:400], permutations=9)  # numba compiles esda's kernel once
    jit = time.perf_counter() - t0
    ours, _ = timed(lambda: gi_star(cells, weights=w, permutations=999), repeat=1 if quick else 3)
    y = cells["count"].to_numpy(float)
    neigh = [
        np.array([w.w.id2i[j] for j in w.w.neighbors[i]] + [w.w.id2i[i]]) for i in w.w.id_order
    ]

    def naive(k: int) -> None:
        rng = np.random.default_rng(0)
        for i in range(k):  # the textbook loop: permute the others, recompute the local sum
            others = np.delete(y, i)
            obs = y[neigh[i]].sum()
            sims = [y[i] + rng.permutation(others)[: len(neigh[i]) - 1].sum() for _ in range(999)]
            _ = (np.sum(np.array(sims) >= obs) + 1) / 1000

    k = 50
    plain, _ = timed(lambda: naive(k), repeat=1)
    plain_full = plain * len(y) / k
    print(
        f"Gi* 999 perm, 10,000 cells: ours {ours:.2f} s (+ {jit:.1f} s one-time numba compile); "
        f"plain loop {plain_full:.0f} s (scaled from {k} cells) → {plain_full / ours:.0f}x"
    )


def bench_kde(quick: bool) -> None:
    n = 1_000_000
    centres = RNG.uniform(0, 20_000, (30, 2))
    xy = np.vstack(
        [RNG.normal(centres[i], 400, (n // 60, 2)) for i in range(30)]
        + [RNG.uniform(0, 20_000, (n - 30 * (n // 60), 2))]
    )
    pts = gpd.GeoSeries(shapely.points(xy), crs=CRS)
    ours, surf = timed(
        lambda: kernel_density(pts, bandwidth_m=300, cell_m=50), repeat=1 if quick else 3
    )
    shape = surf.density.shape  # type: ignore[attr-defined]
    gx = surf.x0 + (np.arange(shape[1]) + 0.5) * 50  # type: ignore[attr-defined]
    gy = surf.y0 - (np.arange(shape[0]) + 0.5) * 50  # type: ignore[attr-defined]
    grid = np.vstack([np.repeat(gx, len(gy)), np.tile(gy, len(gx))])
    m = 2_000
    sub = xy[RNG.choice(n, m, replace=False)].T

    def plain() -> None:
        kde = stats.gaussian_kde(sub, bw_method=300 / sub.std(axis=1).mean())
        kde(grid)

    t_plain, _ = timed(plain, repeat=1)
    plain_full = t_plain * n / m
    print(
        f"KDE 1,000,000 points on {shape[0]}x{shape[1]} cells: ours {ours:.2f} s; "
        f"scipy gaussian_kde {plain_full:.0f} s (scaled from {m:,} points) → "
        f"{plain_full / ours:.0f}x"
    )


def bench_coverage(quick: bool) -> None:
    grids = lattice(71, 200.0).iloc[:5000]
    n_tracks, per = 100, 1000
    rows = []
    for k in range(n_tracks):
        steps = RNG.normal(0, 12, (per, 2)).cumsum(axis=0) + RNG.uniform(500, 13_700, 2)
        t = pd.Timestamp("2025-11-03 08:00") + pd.to_timedelta(np.arange(per) * 15, unit="s")
        rows.append(
            pd.DataFrame({"track_id": f"T{k}", "time": t, "x": steps[:, 0], "y": steps[:, 1]})
        )
    frame = pd.concat(rows, ignore_index=True)
    fixes = gpd.GeoDataFrame(
        frame[["track_id", "time"]], geometry=shapely.points(frame[["x", "y"]].to_numpy()), crs=CRS
    )

    def ours() -> object:
        ct = clean_tracks(fixes, crs=grids.crs)
        return patrol_dosage(ct.legs, grids)

    t_ours, dose = timed(ours, repeat=1 if quick else 3)
    legs = clean_tracks(fixes, crs=grids.crs).legs
    t_dose, _ = timed(lambda: patrol_dosage(legs, grids), repeat=1 if quick else 3)

    def plain() -> pd.Series:
        pieces = gpd.overlay(
            legs[["seconds", "metres", "geometry"]], grids, how="intersection", keep_geom_type=True
        )
        frac = pieces.geometry.length / pieces["metres"].where(pieces["metres"] > 0)
        return (frac * pieces["seconds"] / 60).groupby(pieces["id"]).sum()

    t_plain, minutes = timed(plain, repeat=1)
    mine = dose.areas.set_index("id")["patrol_minutes"]  # type: ignore[attr-defined]
    agree = np.allclose(minutes.reindex(mine.index).fillna(0), mine, atol=1e-6)  # type: ignore[union-attr]
    print(
        f"Coverage 100,000 fixes x 5,000 grids: ours {t_ours:.2f} s with cleaning, "
        f"{t_dose:.2f} s dosage alone (minutes, metres, visits); geopandas.overlay "
        f"{t_plain:.2f} s (minutes only, legs given) → {t_plain / t_dose:.1f}x; "
        f"minutes agree: {agree}"
    )


def bench_emerging(quick: bool) -> None:
    import esda

    from gis.hotspots.spacetime import spacetime_weights

    n_cells, n_bins, n_inc = (3_000, 36, 40_000) if quick else (12_000, 120, 150_000)
    side = int(np.ceil(np.sqrt(n_cells)))
    cells = lattice(side, 100.0).iloc[:n_cells].reset_index(drop=True)
    months = pd.date_range("2015-01-01", periods=n_bins, freq="MS")
    hot = RNG.random(n_inc) < 0.2  # a fifth of the incidents in 40 cells, the rest anywhere
    cell = np.where(hot, RNG.integers(0, 40, n_inc) * 97 % n_cells, RNG.integers(0, n_cells, n_inc))
    t = months[RNG.integers(0, n_bins, n_inc)] + pd.to_timedelta(RNG.integers(0, 27, n_inc), "D")
    incidents = pd.DataFrame({"time": t, "cell": cells["id"].to_numpy()[cell]})
    w = spatial_weights(cells)
    t_ours, result = timed(
        lambda: emerging_hotspots(incidents, cells, area_col="cell", weights=w), repeat=1
    )
    cube = result.cube  # type: ignore[attr-defined]
    z_ours = cube["gi_z"].to_numpy().reshape(n_cells, n_bins)
    counts = cube["count"].to_numpy(dtype=float).reshape(n_cells, n_bins)
    few = [1, n_bins // 2, n_bins - 1]

    def old_window(b: int) -> np.ndarray:
        st = spacetime_weights(w, 2, time_steps=1)  # rebuilt per window, as it was
        y = np.ascontiguousarray(counts[:, b - 1 : b + 1].T).ravel()
        g = esda.G_Local(y, st.w, transform="B", star=True, permutations=0, n_jobs=1)
        return np.asarray(g.Zs)[-n_cells:]

    start = time.perf_counter()
    z_old = [old_window(b) for b in few]
    t_old = (time.perf_counter() - start) / len(few) * n_bins
    same = all(
        np.allclose(z_ours[:, b], z, rtol=1e-12, atol=1e-12)
        for b, z in zip(few, z_old, strict=True)
    )
    print(f"emerging hot spots, {n_inc:,} incidents x {n_cells:,} cells x {n_bins} bins")
    print(f"  ours (whole emerging_hotspots)  {t_ours:8.2f} s   (goal <= 15 s)")
    print(f"  esda G_Local per window         {t_old:8.2f} s   (scaled from {len(few)} windows)")
    print(f"  ratio {t_old / t_ours:.0f}x; z-scores of the sampled windows identical: {same}")


def bench_cells(quick: bool) -> None:
    from pathlib import Path

    path = Path("/work/shared/data/chicago/police_beats.zip")
    if not path.exists():
        print(f"cells: {path} not found, skipped")
        return
    beats = gpd.read_file(path).to_crs(3435)
    union = shapely.union_all(shapely.make_valid(beats.geometry.to_numpy()))
    polys = _hexagons(union.bounds, 1500.0 if quick else 780.0)[0]
    t_plain, plain = timed(
        lambda: shapely.intersects(polys, union) & ~shapely.touches(polys, union), repeat=1
    )
    t_ours, ours = timed(lambda: clip_mask(polys, union), repeat=1 if quick else 3)
    same = np.array_equal(np.asarray(plain), np.asarray(ours))
    print(f"cells: {len(polys):,} hexagons clipped to the union of {len(beats)} Chicago beats")
    print(f"  intersects & ~touches, every cell {t_plain:8.2f} s")
    print(f"  clip_mask (touches on edge cells) {t_ours:8.2f} s   {t_plain / t_ours:5.1f} x")
    print(f"  identical cells: {same} ({int(np.sum(ours)):,} kept)")


_FRESH_JOB = """
import time
import numpy as np
import sys
t0 = time.perf_counter()
from gis.hotspots.gistar import gi_star
from gis.hotspots.kernels import warm_kernels
warm = 0.0
if "--warm" in sys.argv:  # what a service does at start, in the background
    t = time.perf_counter()
    warm_kernels()
    warm = time.perf_counter() - t
import geopandas as gpd, shapely
n = 40
r, c = np.divmod(np.arange(n * n), n)
cells = gpd.GeoDataFrame({"id": [f"g{i}" for i in range(n * n)],
    "count": np.random.default_rng(1).poisson(3, n * n)},
    geometry=shapely.box(c * 200.0, r * 200.0, (c + 1) * 200.0, (r + 1) * 200.0), crs="EPSG:32650")
times = []
for _ in range(2):
    t = time.perf_counter()
    gi_star(cells, value="count", permutations=999)
    times.append(time.perf_counter() - t)
print(f"{warm:.3f} {times[0]:.3f} {times[1]:.3f}")
"""


def bench_fresh(quick: bool) -> None:
    """Item 7: the first permutation job of a fresh process against its second job."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**__import__("os").environ, "PYTHONPATH": str(root)}
    print("fresh processes, Gi* with 999 permutations on 1,600 cells (first job / second job)")
    for run in range(2 if quick else 3):
        for how, argv in (("cold", []), ("warmed at start", ["--warm"])):
            out = subprocess.run(
                [sys.executable, "-c", _FRESH_JOB, *argv],
                capture_output=True, text=True, env=env, cwd=root,
            )  # fmt: skip
            warm, first, second = (float(v) for v in out.stdout.split()[-3:])
            print(
                f"  process {run + 1}, {how:16}: first {first:6.2f} s, second {second:5.2f} s, "
                f"ratio {first / second:5.1f} (goal 1)"
                + (f"; the warm-up itself {warm:.2f} s, off the job's path" if argv else "")
            )


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")), None)
    benches = {
        "gi": bench_gi,
        "kde": bench_kde,
        "coverage": bench_coverage,
        "emerging": bench_emerging,
        "cells": bench_cells,
        "fresh": bench_fresh,
    }
    for name, bench in benches.items():
        if only is None or name in only.split(","):
            bench(quick)
