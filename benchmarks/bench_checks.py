"""Benchmark: the full consistency rule set vs. a bare ``geopandas.overlay(grids, beats)``.

Synthetic district from a seeded Voronoi tessellation (EPSG:4549 metres): communities
are Voronoi cells, grids are Voronoi cells of seeds inside each community clipped to it
(so they nest), every edge densified to 10 m (realistic vertex counts: ~40–120 per
grid) and the grid layer noded as a GIS with topology keeps it (``coverage_clean``).
Beats are unions of whole grids with every 20th beat grown by 15 m (the realistic
case), or with ``--worst`` an independent Voronoi tessellation (every beat boundary
cuts grids).  Auxiliary beats copy the grids, one joint point per
grid, one auxiliary assigned per grid, one officer per beat.

Run: ``.venv/bin/python benchmarks/bench_checks.py [--sizes 1000 5000 50000] [--repeat 3]
[--worst]`` (the last line fits the cost exponent of check and overlay over the sizes).

Figures (2026-11-21, shared 2-core machine, check / overlay in the same run; 5k median
of 3, 50k one run).  Before → after the performance pass (covered_by pairs skip exact
copies, touching pairs never intersected, coverage validation once per layer and
shared with a layer of exact copies, grids × beats related once for the split check
and the auxiliary-beat nesting, split widths measured once; same findings):

=========  =======  ==============================  ==============================
grids      aligned  before: overlay / check / ratio  after: overlay / check / ratio
=========  =======  ==============================  ==============================
5,000      yes      3.64 s / 11.92 s / 3.28          2.77 s / 6.27 s / 2.27
5,000      no       1.21 s / 15.24 s / 12.6          1.19 s / 13.35 s / 11.2
50,000     yes      23.7 s / 68.4 s / 2.89           30.7 s / 61.1 s / 1.99
=========  =======  ==============================  ==============================

The machine is noisy: a later quieter 50k run of the new code gave overlay 19.4 s,
check 46.8 s (2.4×).  Where the 50k check spends its time now: intersecting the grids
that stick out of their community by snapping millimetres (12 s; the coverage_clean
of the generator moves grid vertices), the union and coverage validation of each
layer (14 s), grid-in-beat ``covered_by`` relates (4 s), inscribed-circle widths of
the 1,437 beat-overlap strips (4 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.checks import check_layers

CRS = "EPSG:4549"
X0, Y0 = 380_000.0, 3_530_000.0


def _voronoi(points: np.ndarray, extent: shapely.Geometry) -> np.ndarray:
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent)
    )
    cells = shapely.intersection(cells, extent)
    # Voronoi output order is not the seed order: reorder by containment
    seeds = shapely.points(points)
    idx_seed, idx_cell = shapely.STRtree(cells).query(seeds, predicate="intersects")
    out = np.empty(len(points), dtype=object)
    out[idx_seed] = cells[idx_cell]
    return out


def _beats(
    grids: np.ndarray, extent: shapely.Geometry, n: int, rng: np.random.Generator, *, aligned: bool
) -> np.ndarray:
    """Aligned: unions of whole grids (nearest of ``n`` seeds), every 20th beat then
    grown by 15 m (overlaps, split grids: realistic defects).  Not aligned: an
    independent Voronoi tessellation (every beat boundary cuts grids)."""
    x0, y0, x1, y1 = extent.bounds
    seeds = rng.uniform([x0, y0], [x1, y1], (n, 2))
    if not aligned:
        return shapely.segmentize(_voronoi(seeds, extent), 10.0)
    centre = shapely.get_coordinates(shapely.point_on_surface(grids))
    owner = shapely.STRtree(shapely.points(seeds)).query_nearest(shapely.points(centre))[1]
    beats = np.array([shapely.union_all(grids[owner == b]) for b in range(n)], dtype=object)
    grow = np.arange(n) % 20 == 0
    beats[grow] = shapely.intersection(shapely.buffer(beats[grow], 15.0), extent)
    return beats


def make_district(
    n_grids: int, *, n_beats: int, n_communities: int, aligned: bool = True, seed: int = 7
) -> dict:
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(n_grids) * 250.0)  # ~250 m grids
    extent = shapely.box(X0, Y0, X0 + side, Y0 + side)
    communities = _voronoi(
        rng.uniform([X0, Y0], [X0 + side, Y0 + side], (n_communities, 2)), extent
    )
    pts = rng.uniform([X0, Y0], [X0 + side, Y0 + side], (n_grids * 2, 2))
    owner, com = shapely.STRtree(communities).query(shapely.points(pts), predicate="within")
    keep = np.unique(owner)[:n_grids]
    pts, com_of = pts[keep], com[np.searchsorted(owner, keep)]
    grids = np.empty(len(pts), dtype=object)
    for c in range(n_communities):  # one tessellation per community, clipped to it
        mine = np.flatnonzero(com_of == c)
        if len(mine):
            grids[mine] = _voronoi(pts[mine], communities[c]) if len(mine) > 1 else communities[c]
    grids = shapely.segmentize(grids, 10.0)
    communities = shapely.segmentize(communities, 10.0)
    # a grid layer kept in a GIS with topology is noded: neighbours share exact vertices
    grids = shapely.coverage_clean(grids, snapping_distance=0.01)
    beats = _beats(grids, extent, n_beats, rng, aligned=aligned)
    gid = [f"G{i:06d}" for i in range(len(grids))]
    bid = [f"B{i:04d}" for i in range(n_beats)]
    frame = lambda ids, geoms, **kw: gpd.GeoDataFrame({"id": ids, **kw}, geometry=geoms, crs=CRS)  # noqa: E731
    assignments = pd.DataFrame(
        {
            "officer_id": [f"F{i}" for i in range(len(gid))] + [f"P{i}" for i in range(n_beats)],
            "role": ["auxiliary"] * len(gid) + ["officer"] * n_beats,
            "area_kind": ["aux_beat"] * len(gid) + ["beat"] * n_beats,
            "area_id": [f"A{g[1:]}" for g in gid] + bid,
        }
    )
    return {
        "layers": {
            "street": frame(["S"], [extent]),
            "community": frame([f"C{i}" for i in range(n_communities)], communities, parent_id="S"),
            "grid": frame(gid, grids, parent_id=[f"C{c}" for c in com_of]),
            "joint_point": frame(
                [f"J{g[1:]}" for g in gid], shapely.point_on_surface(grids), parent_id=gid
            ),
            "station": frame(["ST"], [extent]),
            "beat": frame(bid, beats, parent_id="ST"),
            "aux_beat": frame([f"A{g[1:]}" for g in gid], grids, parent_id="", grid_id=gid),
        },
        "assignments": assignments,
    }


def _time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _run(n: int, *, aligned: bool, repeat: int) -> tuple[str, float, float]:
    d = make_district(n, n_beats=max(n // 10, 1), n_communities=max(n // 100, 1), aligned=aligned)
    layers, grids, beats = d["layers"], d["layers"]["grid"], d["layers"]["beat"]
    verts = shapely.get_num_coordinates(grids.geometry.array).mean()

    def overlay() -> object:
        return gpd.overlay(grids, beats, how="intersection")

    def check() -> object:
        return check_layers(layers, assignments=d["assignments"])

    t_overlay, _ = _time(overlay, repeat)
    t_check, report = _time(check, repeat)
    counts = report.findings["rule"].value_counts().to_dict()  # type: ignore[attr-defined]
    line = (
        f"{len(grids):>7} {len(beats):>6} {verts:>10.0f} {'yes' if aligned else 'no':>8} "
        f"{t_overlay:>10.2f} {t_check:>9.2f} {t_check / t_overlay:>6.2f}  {counts}"
    )
    return line, t_overlay, t_check


def _demo(manifest: Path | None, repeat: int) -> str:
    """The demo district (generated with its default seed unless a manifest is given):
    ``check_district`` against ``overlay(grids, beats)`` of the layers as loaded."""
    from data.generate import generate_demo
    from gis.checks import check_district
    from gis.district import load_district

    with tempfile.TemporaryDirectory() as tmp:
        district = load_district(manifest or generate_demo(Path(tmp) / "demo", seed=20161013))
    grids, beats = district.grids, district.beats

    def overlay() -> object:
        return gpd.overlay(grids, beats, how="intersection")

    overlay()  # the first overlay of a process pays for imports: not the overlay's cost
    t_overlay, _ = _time(overlay, repeat)
    t_check, report = _time(lambda: check_district(district), repeat)
    counts = report.findings["rule"].value_counts().to_dict()  # type: ignore[attr-defined]
    verts = shapely.get_num_coordinates(grids.geometry.array).mean()
    return (
        f"{len(grids):>7} {len(beats):>6} {verts:>10.0f} {'demo':>8} "
        f"{t_overlay:>10.3f} {t_check:>9.3f} {t_check / t_overlay:>6.2f}  {counts}"
    )


def _exponents(sizes: list[int], overlay: list[float], check: list[float]) -> str:
    """Least-squares slope of log(time) on log(n): cost ~ n^slope (n·log n reads ~1.1)."""
    if len(sizes) < 2:
        return "cost exponent: give two sizes or more (--sizes 1000 5000 50000)"
    logn = np.log(np.asarray(sizes, dtype=float))
    fit = [float(np.polyfit(logn, np.log(t), 1)[0]) for t in (check, overlay)]
    return (
        f"cost exponent from {min(sizes):,} to {max(sizes):,} grids (aligned): "
        f"check n^{fit[0]:.2f}, overlay n^{fit[1]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worst", action="store_true", help="also beats never aligned")
    parser.add_argument("--demo", type=Path, default=None, help="the demo's manifest.json")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo district")
    args = parser.parse_args()
    head = ("grids", "beats", "verts/grid", "aligned", "overlay s", "check s", "ratio")
    print("{:>7} {:>6} {:>10} {:>8} {:>10} {:>9} {:>6}  findings".format(*head))
    if not args.no_demo:
        print(_demo(args.demo, repeat=max(args.repeat, 5)), flush=True)
    overlay, check = [], []
    for n in args.sizes:
        repeat = args.repeat if n <= 10_000 else 1
        line, t_overlay, t_check = _run(n, aligned=True, repeat=repeat)
        print(line, flush=True)
        overlay.append(t_overlay)
        check.append(t_check)
        if args.worst:
            print(_run(n, aligned=False, repeat=repeat)[0], flush=True)
    print(_exponents(args.sizes, overlay, check))


if __name__ == "__main__":
    main()
