"""Measuring findings and telling digitizing noise from real violations.

Two lines meant to be the same, digitized by different people, differ by a few
metres and leave long thin slivers.  Area alone cannot tell such a sliver (1 m
wide, 800 m long: 800 m²) from a real block left out (30 m × 30 m: 900 m²); its
*width* can.  Width is twice the radius of the maximum inscribed circle
(GEOS ``MaximumInscribedCircle``), i.e. the diameter of the largest disc that
fits inside the area.  All measures are in metres of the metric CRS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from gis.checks.config import CheckConfig


@dataclass(frozen=True)
class Measures:
    """Area (m²), length (m) and width (m) of each finding geometry."""

    area_m2: np.ndarray
    length_m: np.ndarray
    width_m: np.ndarray


def measure(
    geoms: np.ndarray, *, tolerance_m: float, known_widths: Mapping[int, float] | None = None
) -> Measures:
    """Measure finding geometries in a metric CRS.

    ``length_m`` is a line's length, or half the perimeter of an area (the
    length of a sliver); ``width_m`` is the diameter of the maximum inscribed
    circle of an area, 0 for points and lines.

    Parameters
    ----------
    geoms : array of shapely geometries (None allowed)
    tolerance_m : float
        Used to set the precision of the inscribed-circle search (a tenth of it).
    known_widths : mapping, optional
        Widths already measured (same tolerance), by ``id()`` of the geometry object:
        a check that classified its drafts early passes the very objects it measured.
    """
    geoms = np.asarray(geoms, dtype=object)
    area = np.nan_to_num(shapely.area(geoms), nan=0.0)
    length = np.nan_to_num(shapely.length(geoms), nan=0.0)
    kind = shapely.get_type_id(geoms)
    areal = np.isin(kind, (3, 6, 7)) & (area > 0)
    length = np.where(areal, length / 2.0, length)
    width = np.zeros(len(geoms))
    if known_widths:
        seen = np.array([known_widths.get(id(g), np.nan) for g in geoms], dtype=float)
        width = np.where(areal, np.nan_to_num(seen, nan=0.0), 0.0)
        areal &= np.isnan(seen)
    if areal.any():
        precision = max(tolerance_m / 10.0, 0.01)
        width[areal] = 2.0 * shapely.length(_mic(shapely.make_valid(geoms[areal]), precision))
    return Measures(area, length, width)


def _mic(geoms: np.ndarray, precision: float) -> np.ndarray:
    polys = np.asarray(geoms, dtype=object)
    # collections are not accepted by GEOS' MaximumInscribedCircle: keep their areas
    coll = shapely.get_type_id(polys) == 7
    if coll.any():
        from gis.checks.findings import polygonal

        polys = polys.copy()
        polys[coll] = polygonal(polys[coll])
    return shapely.maximum_inscribed_circle(polys, tolerance=precision)


def is_noise(area_m2: np.ndarray, width_m: np.ndarray, *, config: CheckConfig) -> np.ndarray:
    """Whether each area is digitizing noise: at most ``tolerance_m`` wide or a tiny sliver."""
    return (np.asarray(width_m) <= config.tolerance_m) | (
        np.asarray(area_m2) < config.sliver_area_m2
    )
