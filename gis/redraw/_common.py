"""Shared steps of the redraw package: metric frames, guards and point location."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis import crs as gcrs
from gis.checks.config import Rule
from gis.errors import CRSError, FieldError, Problem
from gis.locate import locate

__all__ = ["TILING_RULES", "geoms", "guard_layer", "locate", "metric", "polsby_popper"]

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


def guard_layer(frame: object, name: str, *, fields: tuple[str, ...] = ("id",)) -> None:
    """Raise a FieldError/CRSError naming the layer when it is unusable."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise FieldError.single(name, f"expected a GeoDataFrame, got {type(frame).__name__}")
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        raise FieldError([Problem("missing column", name, field=f) for f in missing])
    if frame.crs is None:
        raise CRSError.single(name, "layer has no coordinate system")


def metric(frame: gpd.GeoDataFrame, crs: pyproj.CRS | None) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """The frame in ``crs`` (or ``gis.crs.to_metric``'s choice), ids as strings."""
    out, chosen = gcrs.to_metric(frame, crs=crs)
    out = out.copy()
    out["id"] = out["id"].astype(str)
    return out, pyproj.CRS(chosen)


def geoms(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries of a frame as an object array."""
    return np.asarray(frame.geometry.array, dtype=object)


def polsby_popper(polygons: np.ndarray) -> np.ndarray:
    """Polsby-Popper compactness 4πA/P² (1 for a disc), NaN for empty geometries."""
    area = shapely.area(polygons)
    perimeter = shapely.length(polygons)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 4.0 * np.pi * area / perimeter**2, np.nan)
