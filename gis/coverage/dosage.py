"""Patrol dosage: minutes and metres of patrol in each polygon, visits, under-patrolled hot spots.

Legs (from :func:`gis.coverage.tracks.clean_tracks`) are cut at polygon boundaries with
one bulk :class:`shapely.STRtree` query and one vectorized :func:`shapely.intersection`;
a piece gets the leg's time in proportion to its length (constant speed along a leg).
A stationary leg (two fixes at one place) gives its whole time to the polygon it lies in.

A *visit* is a maximal run of consecutive legs of one segment inside a polygon (leaving
and re-entering within one leg counts as one visit).  The evidence-based target for
hot-spot patrol (the Koper curve: stops of about 10–15 minutes, Koper 1995) makes a visit
of at least ``min_visit_minutes`` an *effective* visit; a hot spot with fewer effective
visits than ``min_visits`` in the period is *under-patrolled*.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.errors import ConfigError
from gis.guard import require, same_crs
from gis.i18n import Text

_EPS = 1e-6


@dataclass(frozen=True)
class Dosage:
    """Patrol dosage per polygon.

    Attributes
    ----------
    areas : GeoDataFrame
        ``id``, ``patrol_minutes``, ``distance_m``, ``visits``, ``effective_visits``,
        ``longest_visit_minutes``, ``under_patrolled``, geometry (input CRS).
    visits : DataFrame
        One row per visit: ``id``, ``segment_id``, ``officer_id``, ``start``, ``end``,
        ``minutes``, ``metres``.
    min_visit_minutes : float
    min_visits : int
    crs : pyproj.CRS
        The metric CRS the figures were measured in.
    """

    areas: gpd.GeoDataFrame
    visits: pd.DataFrame
    min_visit_minutes: float
    min_visits: int
    crs: pyproj.CRS

    @property
    def under_patrolled(self) -> list[str]:
        """Ids of the under-patrolled areas, least patrolled first."""
        bad = self.areas[self.areas["under_patrolled"]]
        return bad.sort_values("patrol_minutes")["id"].astype(str).tolist()


def pieces_in_zones(legs: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Cut legs by zones: one row per (leg, zone) overlap.

    Returns ``leg_row`` (position in ``legs``), ``zone_row`` (position in ``zones``),
    ``metres``, ``minutes``, ``f0``, ``f1`` (where the piece starts and ends along the leg,
    0–1) and ``start``, ``end`` times.  ``zones`` must be in the legs' (metric) CRS.
    Legs lying wholly inside a zone (most of them) skip the intersection.
    """
    lines = legs.geometry.to_numpy()
    polys = zones.geometry.to_numpy()
    li, zi = shapely.STRtree(polys).query(lines, predicate="intersects")
    seconds = legs["seconds"].to_numpy(dtype=float)[li]
    length = legs["metres"].to_numpy(dtype=float)[li]
    moving = length > _EPS
    shapely.prepare(polys)
    inside = shapely.contains_properly(polys[zi], lines[li])
    cut = moving & ~inside
    piece_len = np.where(moving, length, 0.0)
    f0, f1 = np.zeros(len(li)), np.ones(len(li))
    if cut.any():
        piece = shapely.intersection(lines[li[cut]], polys[zi[cut]])
        piece_len[cut] = shapely.length(piece)
        f0[cut], f1[cut] = _fractions(lines[li[cut]], piece, length[cut])
    frac = np.where(moving, piece_len / np.where(moving, length, 1.0), 1.0)
    t0 = legs["t0"].to_numpy()[li]
    span = (legs["t1"].to_numpy()[li] - t0).astype("timedelta64[ms]").astype(float)
    out = pd.DataFrame(
        {
            "leg_row": li,
            "zone_row": zi,
            "metres": piece_len,
            "minutes": frac * seconds / 60.0,
            "f0": f0,
            "f1": f1,
            "start": t0 + (f0 * span).astype("timedelta64[ms]"),
            "end": t0 + (f1 * span).astype("timedelta64[ms]"),
        }
    )
    keep = (out["metres"] > _EPS) | ~moving  # drop legs that only touch a zone
    return _first_zone_for_stationary(out[keep], moving[keep.to_numpy()])


def _fractions(
    lines: np.ndarray, piece: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    first = shapely.get_point(shapely.get_geometry(piece, 0), 0)
    last = shapely.get_point(shapely.get_geometry(piece, -1), -1)
    f0 = shapely.line_locate_point(lines, first) / length
    f1 = shapely.line_locate_point(lines, last) / length
    return np.nan_to_num(np.clip(f0, 0, 1)), np.nan_to_num(np.clip(f1, 0, 1), nan=1.0)


def _first_zone_for_stationary(pieces: pd.DataFrame, moving: np.ndarray) -> pd.DataFrame:
    """A stationary leg on a shared boundary counts once, in the first zone listed."""
    still = pieces[~moving]
    dup = still.duplicated("leg_row", keep="first")
    return pieces.drop(index=still.index[dup.to_numpy()])


def visits_from_pieces(pieces: pd.DataFrame, legs: gpd.GeoDataFrame) -> pd.DataFrame:
    """Group pieces into visits (see module docstring): ``zone_row``, ``segment_id``,
    ``officer_id``, ``start``, ``end``, ``minutes``, ``metres``."""
    cols = ["zone_row", "segment_id", "officer_id", "start", "end", "minutes", "metres"]
    if pieces.empty:
        return pd.DataFrame(columns=cols)
    p = pieces.assign(
        segment_id=legs["segment_id"].to_numpy()[pieces["leg_row"]],
        officer_id=legs["officer_id"].to_numpy()[pieces["leg_row"]],
        leg=legs["leg"].to_numpy()[pieces["leg_row"]],
    ).sort_values(["zone_row", "segment_id", "leg", "f0"])
    prev_same = p["zone_row"].eq(p["zone_row"].shift()) & p["segment_id"].eq(
        p["segment_id"].shift()
    )
    joined = prev_same & (
        (p["leg"].eq(p["leg"].shift()))
        | (p["leg"].eq(p["leg"].shift() + 1) & (p["f1"].shift() >= 1 - _EPS) & (p["f0"] <= _EPS))
    )
    p["visit"] = (~joined).cumsum()
    g = p.groupby("visit")
    return g.agg(
        zone_row=("zone_row", "first"),
        segment_id=("segment_id", "first"),
        officer_id=("officer_id", "first"),
        start=("start", "min"),
        end=("end", "max"),
        minutes=("minutes", "sum"),
        metres=("metres", "sum"),
    ).reset_index(drop=True)[cols]


def patrol_dosage(
    legs: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    min_visit_minutes: float = 10.0,
    min_visits: int | None = None,
) -> Dosage:
    """Minutes, metres and visits of patrol in each of ``areas`` (grids or hot-spot cells).

    Parameters
    ----------
    legs : GeoDataFrame
        ``CleanTracks.legs`` (already limited to the period of interest).
    areas : GeoDataFrame
        Polygons with ``id``.
    min_visit_minutes : float
        Shortest effective visit (Koper curve: 10–15 min).
    min_visits : int, optional
        Effective visits needed in the period; default one per calendar day the legs span.
    """
    require(legs, ["segment_id", "leg", "t0", "t1", "seconds", "metres"], source="legs")
    require(areas, ["id"], source="areas")
    if min_visit_minutes < 0:
        raise ConfigError(str(Text("有效巡逻时长须≥0", "min_visit_minutes must be ≥ 0")))
    zones = same_crs(areas, legs.crs)
    pieces = pieces_in_zones(legs, zones)
    visits = visits_from_pieces(pieces, legs)
    if min_visits is None:
        min_visits = _days(legs)
    out = _area_frame(areas, pieces, visits, min_visit_minutes, min_visits)
    visits = visits.assign(id=areas["id"].astype(str).to_numpy()[visits["zone_row"].astype(int)])
    visits = visits.drop(columns="zone_row")[["id", *visits.columns.drop(["zone_row", "id"])]]
    return Dosage(out, visits, float(min_visit_minutes), int(min_visits), pyproj.CRS(legs.crs))


def _days(legs: gpd.GeoDataFrame) -> int:
    if legs.empty:
        return 1
    first, last = pd.Timestamp(legs["t0"].min()), pd.Timestamp(legs["t1"].max())
    return max(1, (last.normalize() - first.normalize()).days + 1)


def _area_frame(
    areas: gpd.GeoDataFrame,
    pieces: pd.DataFrame,
    visits: pd.DataFrame,
    min_minutes: float,
    min_visits: int,
) -> gpd.GeoDataFrame:
    n = len(areas)
    minutes = np.bincount(pieces["zone_row"], weights=pieces["minutes"], minlength=n)
    metres = np.bincount(pieces["zone_row"], weights=pieces["metres"], minlength=n)
    vz = visits["zone_row"].to_numpy(dtype=int)
    vmin = visits["minutes"].to_numpy(dtype=float)
    n_visits = np.bincount(vz, minlength=n)
    effective = np.bincount(vz, weights=(vmin >= min_minutes).astype(float), minlength=n)
    longest = np.zeros(n)
    np.maximum.at(longest, vz, vmin)
    return gpd.GeoDataFrame(
        {
            "id": areas["id"].astype(str).to_numpy(),
            "patrol_minutes": minutes,
            "distance_m": metres,
            "visits": n_visits,
            "effective_visits": effective.astype(int),
            "longest_visit_minutes": longest,
            "under_patrolled": effective < min_visits,
        },
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    )
