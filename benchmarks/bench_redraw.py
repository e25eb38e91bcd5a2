"""Benchmark of the redraw diff and impact steps on the demo district.

1. Area flows between two grid versions (118 grids, 3 communities rebalanced):
   ``gis.redraw.diff_grids`` (one STRtree query + one vectorized intersection) vs. the
   plain way, ``geopandas.overlay(before, after, how="intersection")``.
2. Standard addresses changing grid (59,853 points, both versions): ``gis.redraw`` bulk
   point location vs. two ``geopandas.sjoin`` calls.
3. ``propose_balance`` on one community and ``propose_beats`` on the district (no plain
   equivalent: timing only).

Run: ``.venv/bin/python benchmarks/bench_redraw.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from data.generate import generate_demo
    from gis.redraw import diff_grids
    from gis.redraw._common import locate
    from gis.redraw.balance import Band, balance_district, propose_balance
    from gis.redraw.beats import propose_beats

    demo = ROOT / "data" / "demo"
    if not (demo / "manifest.json").exists():
        demo = Path(tempfile.mkdtemp(prefix="bench-redraw-"))
        generate_demo(demo, seed=20161013)
    grids = gpd.read_file(demo / "grids.geojson").to_crs(4549)
    buildings = gpd.read_file(demo / "buildings.geojson").to_crs(4549)
    addresses = gpd.read_file(demo / "addresses.geojson").to_crs(4549)
    band = Band()
    after, _ = balance_district(grids, buildings, band=band, steps=60)
    after = after.to_crs(4549)

    ours = _median(lambda: diff_grids(grids, after))
    plain = _median(
        lambda: (
            gpd.overlay(
                grids[["id", "geometry"]],
                after[["id", "geometry"]],
                how="intersection",
                keep_geom_type=True,
            ).area
        )
    )
    print(
        f"area flows, 118 x {len(after)} grids: ours {ours * 1e3:.1f} ms, "
        f"geopandas.overlay {plain * 1e3:.1f} ms ({plain / ours:.1f}x)"
    )

    pts = np.asarray(addresses.geometry.array, dtype=object)

    def ours_moves() -> np.ndarray:
        b = locate(pts, np.asarray(grids.geometry.array, dtype=object))
        a = locate(pts, np.asarray(after.geometry.array, dtype=object))
        return grids["id"].to_numpy()[b] != after["id"].to_numpy()[a]

    def plain_moves() -> pd.Series:
        b = gpd.sjoin(addresses[["id", "geometry"]], grids[["id", "geometry"]], predicate="within")
        a = gpd.sjoin(addresses[["id", "geometry"]], after[["id", "geometry"]], predicate="within")
        b = b[~b.index.duplicated()]["id_right"]
        a = a[~a.index.duplicated()]["id_right"]
        return b.reindex(addresses.index) != a.reindex(addresses.index)

    ours = _median(ours_moves)
    plain = _median(plain_moves)
    print(
        f"addresses changing grid, {len(pts):,} points x 2 versions: ours {ours * 1e3:.1f} ms, "
        f"2x geopandas.sjoin {plain * 1e3:.1f} ms ({plain / ours:.1f}x); "
        f"{int(ours_moves().sum()):,} move"
    )

    t = _median(
        lambda: propose_balance(grids, buildings, community_id="320105900006", band=band), repeat=3
    )
    print(f"propose_balance, one community (14 grids): {t:.2f} s")
    beats = gpd.read_file(demo / "beats.geojson")
    t = _median(lambda: propose_beats(grids, beats, buildings), repeat=3)
    print(f"propose_beats, 10 beats from 118 grids: {t:.2f} s")


if __name__ == "__main__":
    main()
