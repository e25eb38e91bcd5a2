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

Figures (2026-12-07, shared 2-core machine, check / overlay in the same run; demo median
of 5, 1k and 5k of 5, 50k one run), before and after the second performance pass
(children millimetres over their parent's edge settled by bounds instead of exact
intersections, ``gis.checks.pairs.settled``; cheaper plumbing), findings compared byte
for byte with the code before it on 1k/2k/5k districts and the demo:

=========  ==============================  ==============================
grids      before: overlay / check / ratio  after: overlay / check / ratio
=========  ==============================  ==============================
demo 118   0.05-0.12 s / 0.39-0.49 s / 3-9  0.071 s / 0.182 s / 2.55
1,000      0.44 s / 1.17 s / 2.64           0.45 s / 0.71 s / 1.58
5,000      2.61 s / 6.53 s / 2.50           2.28 s / 3.69 s / 1.62
50,000     19-31 s / 47-61 s / 2.0-2.4 (11-21)  30.9 s / 50.4 s / 1.63
=========  ==============================  ==============================

Cost exponent from 1,000 to 50,000 grids: check n^1.08, overlay n^1.04.  Where the 5k
check spends its time now, all in GEOS: covered_by relates of grids in beats and in
communities (0.6 s), coverage validation (0.6 s) and unions (0.8 s) of the layers,
inscribed circles of the 141 beat-overlap strips (0.5 s), touches (0.2 s).  The demo's
check is 0.18 s of many small steps against an overlay of 118 × 10 polygons.
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
