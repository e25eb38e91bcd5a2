"""What a briefing lists as not done: key and attention addresses not visited, grids never
patrolled, community officers under their hours, grids without police, joint-defense
points never reached.

Community officers must spend at least 20 hours a week in their community (Nanjing 2016
§11).  An officer's community is every community holding a grid of the officer's beat;
the hours are the officer's GPS time inside those communities, scaled to a week.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.coverage.dosage import pieces_in_zones
from gis.coverage.review import CoverageReview

WEEKLY_HOURS = 20.0


@dataclass(frozen=True)
class Duty:
    """Attributes
    ----------
    unvisited_key : DataFrame
        Key (重点类) and attention (关注类) addresses not covered in the visit window:
        ``id``, ``grid_id``, ``level``, ``visits``.
    unpatrolled_grids : list of str
        Grids with no patrol minute in the period (empty when there is no GPS data).
    officer_hours : DataFrame
        ``officer_id``, ``name``, ``beat_id``, ``hours``, ``hours_per_week``,
        ``short`` (under :data:`WEEKLY_HOURS`).
    unstaffed_grids : list of str
        Grids with no officer or auxiliary assigned (一村（格）一警).
    unvisited_joint_points : list of str
    has_tracks : bool
        Whether any GPS fix fell in the period (else patrol lists say nothing).
    """

    unvisited_key: pd.DataFrame
    unpatrolled_grids: list[str]
    officer_hours: pd.DataFrame
    unstaffed_grids: list[str]
    unvisited_joint_points: list[str]
    has_tracks: bool


def duty_lists(
    coverage: CoverageReview | None,
    *,
    grid_ids: tuple[str, ...],
    grids: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame | None,
    beats: gpd.GeoDataFrame | None,
    assignments: pd.DataFrame | None,
    unstaffed: list[str],
    weeks: float,
) -> Duty:
    """The not-done lists of a briefing over the scope's ``grid_ids``."""
    wanted = set(grid_ids)
    has_tracks = coverage is not None and bool(
        coverage.patrol.tracks.legs["t0"]
        .between(coverage.start or pd.Timestamp.min, coverage.end or pd.Timestamp.max)
        .any()
    )
    return Duty(
        unvisited_key=_unvisited_key(coverage, wanted),
        unpatrolled_grids=_unpatrolled(coverage, wanted) if has_tracks else [],
        officer_hours=_officer_hours(coverage, grids, communities, beats, assignments, weeks)
        if has_tracks
        else _empty_hours(),
        unstaffed_grids=[g for g in unstaffed if g in wanted],
        unvisited_joint_points=_unvisited_points(coverage) if has_tracks else [],
        has_tracks=has_tracks,
    )


def _unvisited_key(coverage: CoverageReview | None, wanted: set[str]) -> pd.DataFrame:
    cols = ["id", "grid_id", "level", "visits"]
    if coverage is None or coverage.visits is None:
        return pd.DataFrame(columns=cols)
    todo = coverage.visits.uncovered
    todo = todo[todo["level"].isin(["key", "attention"]) & todo["grid_id"].isin(wanted)]
    return todo[cols].reset_index(drop=True)


def _unpatrolled(coverage: CoverageReview | None, wanted: set[str]) -> list[str]:
    if coverage is None:
        return []
    g = coverage.patrol.grids
    idle = g[(g["patrol_minutes"] <= 0) & g["id"].astype(str).isin(wanted)]
    return idle["id"].astype(str).tolist()


def _unvisited_points(coverage: CoverageReview | None) -> list[str]:
    if coverage is None or coverage.joint_points is None:
        return []
    pts = coverage.joint_points.points
    return pts.loc[~pts["visited"].astype(bool), "id"].astype(str).tolist()


def _empty_hours() -> pd.DataFrame:
    cols = ["officer_id", "name", "beat_id", "hours", "hours_per_week", "short"]
    return pd.DataFrame(columns=cols)


def _officer_hours(
    coverage: CoverageReview | None,
    grids: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame | None,
    beats: gpd.GeoDataFrame | None,
    assignments: pd.DataFrame | None,
    weeks: float,
) -> pd.DataFrame:
    if coverage is None or communities is None or beats is None or assignments is None:
        return _empty_hours()
    officers = assignments[
        (assignments["role"].astype(str) == "officer")
        & (assignments["area_kind"].astype(str) == "beat")
    ]
    zones = _officer_zones(officers, grids, communities, beats)
    if zones.empty:
        return _empty_hours()
    legs = coverage.patrol.tracks.legs
    legs = legs[
        legs["t0"].between(coverage.start or legs["t0"].min(), coverage.end or legs["t0"].max())
    ]
    zones = zones.to_crs(legs.crs)
    pieces = pieces_in_zones(legs, zones)
    own = (
        legs["officer_id"].astype(str).to_numpy()[pieces["leg_row"]]
        == zones["officer_id"].to_numpy()[pieces["zone_row"]]
    )
    minutes = np.bincount(
        pieces["zone_row"][own], weights=pieces["minutes"][own], minlength=len(zones)
    )
    out = pd.DataFrame(zones.drop(columns="geometry"))
    out["hours"] = (minutes / 60).round(1)
    out["hours_per_week"] = (minutes / 60 / max(weeks, 1 / 7)).round(1)
    out["short"] = out["hours_per_week"] < WEEKLY_HOURS
    return out.reset_index(drop=True)


def _officer_zones(
    officers: pd.DataFrame,
    grids: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """One zone per officer: the union of the communities holding a grid of the beat."""
    points = shapely.point_on_surface(grids.geometry.to_numpy())
    beats = beats.to_crs(grids.crs)
    gi, bi = shapely.STRtree(beats.geometry.to_numpy()).query(points, predicate="within")
    beat_of = pd.Series(beats["id"].astype(str).to_numpy()[bi], index=gi)
    community_of = grids["parent_id"].astype(str).to_numpy()
    shapes = dict(
        zip(communities["id"].astype(str), communities.to_crs(grids.crs).geometry, strict=True)
    )
    rows = []
    for _, o in officers.iterrows():  # a few dozen officers: a loop reads best here
        beat = str(o["area_id"])
        mine = {community_of[g] for g in beat_of.index[beat_of.to_numpy() == beat]}
        parts = [shapes[c] for c in sorted(mine) if c in shapes]
        if parts:
            rows.append(
                {
                    "officer_id": str(o["officer_id"]),
                    "name": str(o.get("name", "")),
                    "beat_id": beat,
                    "geometry": shapely.union_all(parts),
                }
            )
    return (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=grids.crs) if rows else gpd.GeoDataFrame()
    )
