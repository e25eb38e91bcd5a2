"""Shared steps of the redraw package: the tiling rules, geometry arrays, point location."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gis.checks.config import Rule
from gis.locate import locate

__all__ = ["TILING_RULES", "geoms", "locate", "polsby_popper"]

TILING_RULES: frozenset[Rule] = frozenset(  # typed: a misspelt rule name fails mypy
    {
        "invalid_geometry",
        "empty_geometry",
        "duplicate_id",
        "overlap",
        "gap",
        "not_covering_parent",
        "crosses_parent",
        "orphan",
    }
)
"""Rules of the consistency engine an edit must not break (tiling and nesting)."""


def geoms(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries of a frame as an object array."""
    return np.asarray(frame.geometry.array, dtype=object)


def polsby_popper(polygons: np.ndarray) -> np.ndarray:
    """Polsby-Popper compactness 4πA/P² (1 for a disc), NaN for empty geometries."""
    area = shapely.area(polygons)
    perimeter = shapely.length(polygons)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 4.0 * np.pi * area / perimeter**2, np.nan)
