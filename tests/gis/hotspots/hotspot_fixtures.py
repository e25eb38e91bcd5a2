"""Tiny hand-drawn fixtures for the hot-spot tests (metric CRS, UTM 50N, metres).

Imported by name (``from hotspot_fixtures import lattice``): pytest puts this folder on
``sys.path`` (rootdir import mode), and the name is unique across the suite.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

METRIC = "EPSG:32650"


def lattice(n: int = 3, size: float = 100.0) -> gpd.GeoDataFrame:
    """``n`` x ``n`` squares of ``size`` m, ids "r{row}c{col}", row 0 at the bottom::

    +------+------+------+
    | r2c0 | r2c1 | r2c2 |
    +------+------+------+
    | r1c0 | r1c1 | r1c2 |
    +------+------+------+
    | r0c0 | r0c1 | r0c2 |
    +------+------+------+
    """
    rows = [(r, c) for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame(
        {"id": [f"r{r}c{c}" for r, c in rows]},
        geometry=[shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size) for r, c in rows],
        crs=METRIC,
    )
