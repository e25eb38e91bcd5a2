"""Run ``gis``'s analyses on a district with their defaults, for its map pages.

The builders compute nothing; this module only calls ``gis.checks``, ``gis.hotspots`` and
``gis.coverage`` in the order the maps need and bundles their results (``make demo``
and the service's landing page).  Each analysis that cannot run on the district's data
(no incidents, no tracks) leaves its map out instead of failing the others.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely

from gis.errors import BeatgridError, DataQualityWarning
from maps.pages import DistrictResults

PERIODS: dict[Literal["day", "week", "month"], int] = {"day": 7, "week": 8, "month": 12}
"""How many of the latest days, weeks and months the time filter offers."""


def district_results(
    district: Any, *, at: pd.Timestamp | str | None = None, permutations: int = 0
) -> DistrictResults:
    """Everything the four maps of ``district`` show.

    Parameters
    ----------
    district : gis.district.District
        Loaded layers (``grids`` required; beats, joint points, incidents, tracks optional).
    at : Timestamp, optional
        The day the hot-spot periods end on; default the latest incident.
    permutations : int
        Gi* inference for the month's hot spots: 0 (default) is the normal approximation,
        999 esda's conditional permutations (the first call then compiles esda's numba
        code, about a minute on a busy machine).  Period frames always use 0.
    """
    grids = district.grids
    layers = {
        kind: frame
        for kind, frame in (
            ("grid", grids),
            ("beat", district.beats),
            ("aux_beat", district.aux_beats),
            ("joint_point", district.joint_points),
        )
        if frame is not None
    }
    parts: dict[str, Any] = {"name": district.name, "layers": layers}
    parts["findings"] = _attempt("checks", _findings, district)
    if district.incidents is not None and len(district.incidents):
        found = _attempt("hotspots", _hotspots, district, at, permutations)
        parts |= found or {}
    if district.tracks is not None and len(district.tracks):
        hot = parts.get("cells")
        parts |= _attempt("coverage", _coverage, district, hot) or {}
    return DistrictResults(**parts)


def _attempt(what: str, step: Any, *args: Any) -> Any:
    try:
        return step(*args)
    except BeatgridError as exc:
        warnings.warn(f"{what}: {exc}; its map is left out", DataQualityWarning, stacklevel=3)
        return None


def _findings(district: Any) -> gpd.GeoDataFrame:
    from gis.checks.run import check_district

    return check_district(district).findings


def _hotspots(district: Any, at: Any, permutations: int) -> dict[str, Any]:
    from gis.hotspots.kde import kernel_density
    from gis.hotspots.review import hotspot_review, hotspot_series

    # the month's classes: the same review as `beatgrid hotspots` and POST /hotspots
    month = hotspot_review(district, window="month", at=at, permutations=permutations, trends=False)
    end = month.period.end
    periods = {
        window: {
            _label(window, review.period.start): review.grids[
                ["id", "count", "rate_km2", "hotspot_class"]
            ]
            for review in hotspot_series(district, window=window, ats=_starts(window, end, n))
        }
        for window, n in PERIODS.items()
    }
    return {"cells": month.grids, "periods": periods, "kde": kernel_density(district.incidents)}


def _starts(window: str, end: pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """The start of each of the ``n`` periods before ``end``, oldest first."""
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[window]
    last = (end - pd.Timedelta(seconds=1)).floor("D")
    return list(pd.date_range(end=last, periods=n, freq=freq))


def _label(window: str, start: pd.Timestamp) -> str:
    return {
        "day": start.strftime("%Y-%m-%d"),
        "week": f"{start.isocalendar().year}-W{start.isocalendar().week:02d}",
        "month": start.strftime("%Y-%m"),
    }[window]


def _coverage(district: Any, hot: gpd.GeoDataFrame | None) -> dict[str, Any]:
    from gis.coverage.joint_points import joint_point_visits
    from gis.coverage.patrol import hotspot_dosage, patrol_coverage
    from gis.coverage.reach import reach
    from gis.coverage.tracks import segment_lines

    patrol = patrol_coverage(district.tracks, district.grids)
    legs = patrol.tracks.legs
    tracks = segment_lines(patrol.tracks.fixes)[["track_id", "geometry"]]
    zone = reach(legs, district.grids, within_m=patrol.within_m)
    metric_grids = district.grids.to_crs(zone.crs)
    whole = shapely.union_all(metric_grids.geometry.array)
    covered = shapely.intersection(zone.coverage, whole)
    out: dict[str, Any] = {
        "coverage_grids": patrol.grids,
        "tracks": tracks,
        "coverage_parts": {
            "covered": gpd.GeoDataFrame(geometry=[covered], crs=zone.crs),
            "uncovered": gpd.GeoDataFrame(
                geometry=[shapely.difference(whole, covered)], crs=zone.crs
            ),
        },
    }
    if district.joint_points is not None and len(district.joint_points):
        out["visits"] = joint_point_visits(legs, district.joint_points).points
    if hot is not None:
        out["dosage"] = hotspot_dosage(legs, hot).areas
    return out
