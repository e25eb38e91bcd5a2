"""Private plumbing shared by the hotspot and coverage modules: metric CRS and input guards."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pyproj

from gis.errors import FieldError, GeometryError


def to_metric(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    """Project ``gdf`` to a metric CRS (``gis.crs.to_metric``; UTM until it lands)."""
    if gdf.crs is None:
        raise GeometryError.single(None, "layer has no CRS; metres cannot be computed")
    try:
        from gis.crs import to_metric as _crs_to_metric
    except ImportError:  # pragma: no cover - gis.crs is another module's work
        if gdf.crs.is_projected:
            return gdf, gdf.crs
        crs = gdf.estimate_utm_crs()
        return gdf.to_crs(crs), crs
    return _crs_to_metric(gdf)


def same_crs(gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None) -> gpd.GeoDataFrame:
    """``gdf`` in ``crs`` (no copy when it already is)."""
    if gdf.crs is None or crs is None:
        raise GeometryError.single(None, "layer has no CRS; it cannot be related to the others")
    return gdf if pyproj.CRS(gdf.crs) == pyproj.CRS(crs) else gdf.to_crs(crs)


def require(frame: object, columns: Sequence[str], *, source: str) -> None:
    """Raise :class:`FieldError` naming every missing column of ``frame``."""
    have = set(getattr(frame, "columns", ()))
    missing = [c for c in columns if c not in have]
    if missing:
        raise FieldError.single(source, f"missing column(s) {', '.join(missing)}", field=missing[0])
