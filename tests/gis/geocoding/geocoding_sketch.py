"""Shared hand-drawn fixtures of the geocoding tests: four grids in Nanjing and a gazetteer.

::

    northing (km from 3 540 000, EPSG:4549)
    2 +--------+--------+
      |   G3   |   G4   |      beats: W = G1 + G3, E = G2 + G4
    1 +--------+--------+
      |   G1   |   G2   |
    0 +--------+--------+
      0        1        2   easting (km from 500 000, central meridian 120°E)
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyproj
from shapely.geometry import box

METRIC = "EPSG:4549"
E0, N0 = 500_000.0, 3_540_000.0
_TO_LONLAT = pyproj.Transformer.from_crs(METRIC, 4490, always_xy=True)


def lonlat(e_km: float, n_km: float) -> tuple[float, float]:
    lon, lat = _TO_LONLAT.transform(E0 + e_km * 1000, N0 + n_km * 1000)
    return float(lon), float(lat)


def grids() -> gpd.GeoDataFrame:
    cells = {"G1": (0, 0), "G2": (1, 0), "G3": (0, 1), "G4": (1, 1)}
    geoms = [
        box(E0 + i * 1000, N0 + j * 1000, E0 + (i + 1) * 1000, N0 + (j + 1) * 1000)
        for i, j in cells.values()
    ]
    return gpd.GeoDataFrame({"id": list(cells)}, geometry=geoms, crs=METRIC).to_crs(4490)


def beats() -> gpd.GeoDataFrame:
    geoms = [box(E0, N0, E0 + 1000, N0 + 2000), box(E0 + 1000, N0, E0 + 2000, N0 + 2000)]
    return gpd.GeoDataFrame({"id": ["W", "E"]}, geometry=geoms, crs=METRIC).to_crs(4490)


def gazetteer_frame() -> pd.DataFrame:
    rows = [
        ("江苏省南京市建邺区江东中路108号3栋2单元501室", 0.5, 0.5, "B1"),
        ("江苏省南京市建邺区江东中路108号3栋2单元502室", 0.5, 0.5, "B1"),
        ("江苏省南京市建邺区江东中路110号", 1.5, 0.5, "B2"),
        ("江苏省南京市建邺区莫愁湖小区12栋", 0.5, 1.5, "B3"),
        ("江苏省南京市建邺区应天大街88号", 1.5, 1.5, "B4"),
        ("江苏省南京市建邺区应天大街90号", 1.6, 1.5, "B5"),
    ]
    return pd.DataFrame(
        [(a, *lonlat(e, n), b) for a, e, n, b in rows],
        columns=["address", "lon", "lat", "building_id"],
    )
