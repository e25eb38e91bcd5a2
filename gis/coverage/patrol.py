"""One call for the commander's patrol questions: per-grid coverage and hot-spot dosage."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyproj

from gis.coverage.dosage import Dosage, patrol_dosage
from gis.coverage.reach import reach
from gis.coverage.tracks import CleanTracks, clean_tracks
from gis.crs import to_metric
from gis.errors import ConfigError
from gis.guard import require
from gis.i18n import Text


@dataclass(frozen=True)
class PatrolCoverage:
    """Patrol coverage per grid: ``id``, ``patrol_minutes``, ``distance_m``,
    ``covered_share``, ``visits``, ``effective_visits``, geometry (input CRS)."""

    grids: gpd.GeoDataFrame
    tracks: CleanTracks
    within_m: float
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    crs: pyproj.CRS


def legs_in_period(
    legs: gpd.GeoDataFrame, *, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> gpd.GeoDataFrame:
    """Legs that start in ``[start, end)`` (a leg is short, so it is kept or left whole)."""
    keep = pd.Series(True, index=legs.index)
    if start is not None:
        keep &= legs["t0"] >= start
    if end is not None:
        keep &= legs["t0"] < end
    return legs[keep.to_numpy()]


def patrol_coverage(
    fixes: gpd.GeoDataFrame | CleanTracks,
    grids: gpd.GeoDataFrame,
    *,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    within_m: float = 50.0,
    roads: gpd.GeoDataFrame | None = None,
    max_speed_kmh: float = 80.0,
    max_gap_s: float = 300.0,
) -> PatrolCoverage:
    """Minutes, metres and reach of patrol per grid in ``[start, end)``.

    Parameters
    ----------
    fixes : GeoDataFrame or CleanTracks
        Raw GPS fixes (cleaned here, in the grids' metric CRS) or already-cleaned tracks.
    grids : GeoDataFrame
        Grid polygons with ``id``.
    within_m : float
        Reach distance N in metres.
    roads : GeoDataFrame, optional
        Street centre lines: reach is then a share of street length.
    """
    require(grids, ["id"], source="grids")
    if len(grids) == 0:
        raise ConfigError(str(Text("没有网格", "no grids")))
    _, crs = to_metric(grids)
    tracks = (
        fixes
        if isinstance(fixes, CleanTracks)
        else clean_tracks(fixes, max_speed_kmh=max_speed_kmh, max_gap_s=max_gap_s, crs=crs)
    )
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    legs = legs_in_period(tracks.legs, start=lo, end=hi)
    dose = patrol_dosage(legs, grids, min_visits=1)
    rch = reach(legs, grids, within_m=within_m, roads=roads)
    frame = dose.areas.drop(columns=["under_patrolled", "longest_visit_minutes"])
    frame.insert(3, "covered_share", rch.areas["covered_share"].to_numpy())
    return PatrolCoverage(frame, tracks, float(within_m), lo, hi, tracks.crs)


def hotspot_dosage(
    legs: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    min_visit_minutes: float = 10.0,
    min_visits: int | None = None,
) -> Dosage:
    """Patrol dosage of the hot cells (``hotspot_class > 0``) of a Gi* result.

    The Koper-curve target: every hot spot gets at least ``min_visits`` visits of at
    least ``min_visit_minutes`` (10–15 min) in the period; ``Dosage.under_patrolled``
    lists those that did not.
    """
    require(hotspots, ["id", "hotspot_class"], source="hotspots")
    hot = hotspots[hotspots["hotspot_class"] > 0]
    return patrol_dosage(legs, hot, min_visit_minutes=min_visit_minutes, min_visits=min_visits)
