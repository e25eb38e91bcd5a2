"""Joint-defense points (联防联控点) visited: a patrol dwelt ≥ M minutes within R metres.

Each point (or polygon) is grown by ``within_m``; the legs are cut by these zones as for
patrol dosage, consecutive pieces form visits, and a point counts as visited when one
visit lasted at least ``min_dwell_minutes``.  Stationary fixes inside the zone count.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.coverage.dosage import pieces_in_zones, visits_from_pieces
from gis.errors import ConfigError
from gis.guard import require, same_crs
from gis.i18n import Text


@dataclass(frozen=True)
class JointPointVisits:
    """Per joint-defense point: ``id``, ``visited``, ``dwell_minutes`` (longest visit),
    ``total_minutes``, ``visits`` (visits of at least the minimum dwell), geometry."""

    points: gpd.GeoDataFrame
    visits: pd.DataFrame
    within_m: float
    min_dwell_minutes: float
    crs: pyproj.CRS

    @property
    def visited_share(self) -> float:
        return float(self.points["visited"].mean()) if len(self.points) else float("nan")


def joint_point_visits(
    legs: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    within_m: float = 50.0,
    min_dwell_minutes: float = 5.0,
) -> JointPointVisits:
    """Which joint-defense points were visited (see module docstring).

    Parameters
    ----------
    legs : GeoDataFrame
        ``CleanTracks.legs`` limited to the period of interest.
    points : GeoDataFrame
        Joint-defense points (points or polygons) with ``id``.
    within_m : float
        R: how close counts as being at the point.
    min_dwell_minutes : float
        M: the shortest stay that counts as a visit.
    """
    require(points, ["id"], source="joint_points")
    if within_m < 0 or min_dwell_minutes < 0:
        raise ConfigError(
            str(Text("距离和停留时长须≥0", "within_m and min_dwell_minutes must be ≥ 0"))
        )
    metric = same_crs(points, legs.crs)
    zones = metric.set_geometry(shapely.buffer(metric.geometry.to_numpy(), within_m, quad_segs=8))
    pieces = pieces_in_zones(legs, zones)
    visits = visits_from_pieces(pieces, legs)
    n = len(points)
    vz = visits["zone_row"].to_numpy(dtype=int)
    vmin = visits["minutes"].to_numpy(dtype=float)
    longest = np.zeros(n)
    np.maximum.at(longest, vz, vmin)
    total = np.bincount(pieces["zone_row"], weights=pieces["minutes"], minlength=n)
    good = np.bincount(vz, weights=(vmin >= min_dwell_minutes).astype(float), minlength=n)
    frame = gpd.GeoDataFrame(
        {
            "id": points["id"].astype(str).to_numpy(),
            "visited": good > 0,
            "dwell_minutes": longest,
            "total_minutes": total,
            "visits": good.astype(int),
        },
        geometry=points.geometry.to_numpy(),
        crs=points.crs,
    )
    visits = visits.assign(id=frame["id"].to_numpy()[vz]).drop(columns="zone_row")
    return JointPointVisits(frame, visits, float(within_m), float(min_dwell_minutes), legs.crs)
