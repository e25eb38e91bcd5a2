"""Tiny hand-drawn fixtures for the coverage tests (UTM 50N, metres).

Imported by name (``from coverage_fixtures import ...``); the name is unique in the suite.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METRIC = "EPSG:32650"
T0 = pd.Timestamp("2024-05-01 08:00")


def two_squares() -> gpd.GeoDataFrame:
    """Two 100 m squares side by side::

    +--------+--------+
    |   A    |   B    |      A: (0,0)-(100,100)   B: (100,0)-(200,100)
    +--------+--------+
    """
    return gpd.GeoDataFrame(
        {"id": ["A", "B"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
        crs=METRIC,
    )


def fixes(
    xy: Sequence[tuple[float, float]], seconds: Sequence[float], track: str = "T1"
) -> gpd.GeoDataFrame:
    """GPS fixes of one track at the given offsets (s) from ``T0``."""
    return gpd.GeoDataFrame(
        {
            "track_id": track,
            "officer_id": "P" + track,
            "time": [T0 + pd.Timedelta(seconds=s) for s in seconds],
        },
        geometry=shapely.points(np.asarray(xy, dtype=float)),
        crs=METRIC,
    )
