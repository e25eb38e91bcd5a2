"""The commander's coverage review: patrol, joint points, hot-spot dosage and visits in one call.

``coverage_review(district, start=..., end=...)`` is what ``beatgrid coverage``, the
service's coverage job, the maps and the briefings call.  Steps, each typed and private::

    tracks cleaned once  →  patrol per grid (minutes, metres, reach)
        →  joint-point visits (联防点到点)  →  dosage of the hot cells (when a hotspot
        review or hot cells are given)  →  visit coverage per grid (走访覆盖率, when the
        district has addresses and a visit table)

Period: ``[start, end)``, or the day / week / month containing ``at`` (default the latest
fix) when ``window`` is given, or the whole span of the tracks when neither is.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyproj

from gis.coverage.dosage import Dosage
from gis.coverage.joint_points import JointPointVisits, joint_point_visits
from gis.coverage.patrol import PatrolCoverage, hotspot_dosage, legs_in_period, patrol_coverage
from gis.coverage.visits import VisitCoverage, visit_coverage
from gis.district import District
from gis.errors import ConfigError
from gis.hotspots.counts import Period, period_bounds
from gis.hotspots.review import HotspotReview, ReviewWindow
from gis.io.plain import read_visits


@dataclass(frozen=True)
class CoverageReview:
    """Patrol and visit coverage of one district for one period.

    Attributes
    ----------
    period : Period or None
        The period reviewed (None when a side is open: the span of the tracks).
    start, end : Timestamp or None
        The bounds the legs and visits were filtered by (None: open).
    patrol : PatrolCoverage
        ``patrol.grids``: ``id``, ``patrol_minutes``, ``distance_m``, ``covered_share``,
        ``visits``, ``effective_visits`` per grid; ``patrol.tracks``: the cleaned tracks.
    joint_points : JointPointVisits or None
        ``id``, ``visited``, ``dwell_minutes`` … per joint-defense point (None when the
        district has none).
    dosage : Dosage or None
        Patrol dosage of the hot cells, ``under_patrolled`` (None without hot cells).
    visits : VisitCoverage or None
        Visit coverage per grid and per address (None without addresses or visits).
    roads : bool
        Reach was measured along streets (True) or over area.
    metric_crs : pyproj.CRS
    """

    period: Period | None
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    patrol: PatrolCoverage
    joint_points: JointPointVisits | None
    dosage: Dosage | None
    visits: VisitCoverage | None
    roads: bool
    metric_crs: pyproj.CRS

    @property
    def grids(self) -> gpd.GeoDataFrame:
        """Patrol figures per grid (``patrol.grids``)."""
        return self.patrol.grids

    @property
    def under_patrolled(self) -> gpd.GeoDataFrame | None:
        """The hot cells that got fewer effective visits than the target."""
        return None if self.dosage is None else self.dosage.under_patrolled


def coverage_review(
    district: District,
    *,
    window: ReviewWindow | None = None,
    at: pd.Timestamp | str | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    visits: pd.DataFrame | None = None,
    hotspots: HotspotReview | None = None,
    hot_cells: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    fixes: gpd.GeoDataFrame | None = None,
    within_m: float = 50.0,
    dwell_within_m: float = 30.0,
    min_dwell_minutes: float = 5.0,
    max_speed_kmh: float = 80.0,
    max_gap_s: float = 300.0,
    min_visit_minutes: float = 10.0,
) -> CoverageReview:
    """Patrol coverage per grid, joint points visited, hot-spot dosage and visit coverage.

    Parameters
    ----------
    district : District
        Needs ``grids`` and ``tracks`` (or ``fixes``); ``joint_points``, ``addresses``
        and the ``visit`` table add their parts.
    window, at, start, end
        The period (see the module docstring); ``start``/``end`` may be given alone.
    visits : DataFrame, optional
        Visits (``address_id``, ``time``, ``visitor_role``); default the district's
        ``visit`` table read through :func:`gis.io.read_visits`.
    hotspots : HotspotReview, optional
        Its hot cells (``cells`` with ``hotspot_class > 0``) get a dosage.
    hot_cells : GeoDataFrame, optional
        Hot cells given directly (``id``, ``hotspot_class``), e.g. read back from a file.
    roads : GeoDataFrame, optional
        Street centre lines: reach as a share of street length instead of area.
    fixes : GeoDataFrame, optional
        GPS fixes to use instead of ``district.tracks`` (e.g. an upload to the service).
    within_m, dwell_within_m, min_dwell_minutes, max_speed_kmh, max_gap_s, min_visit_minutes
        Reach distance N, joint-point radius R and dwell M, GPS cleaning limits, and the
        shortest hot-spot visit that counts (Koper curve).
    """
    tracks = _tracks(district, fixes)
    lo, hi, period = _period(tracks, window=window, at=at, start=start, end=end)
    patrol = patrol_coverage(
        tracks, district.grids, start=lo, end=hi, within_m=within_m, roads=roads,
        max_speed_kmh=max_speed_kmh, max_gap_s=max_gap_s,
    )  # fmt: skip
    legs = legs_in_period(patrol.tracks.legs, start=patrol.start, end=patrol.end)
    joints = _joint_points(district, legs, within_m=dwell_within_m, min_dwell=min_dwell_minutes)
    cells = hotspots.cells if hotspots is not None else hot_cells
    dosage = (
        None if cells is None else hotspot_dosage(legs, cells, min_visit_minutes=min_visit_minutes)
    )
    return CoverageReview(
        period=period,
        start=lo,
        end=hi,
        patrol=patrol,
        joint_points=joints,
        dosage=dosage,
        visits=_visits(district, visits, start=lo, end=hi),
        roads=roads is not None,
        metric_crs=patrol.crs,
    )


def _tracks(district: District, fixes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    tracks = fixes if fixes is not None else district.tracks
    if tracks is None or district.grids is None:
        raise ConfigError(
            f"the district needs grids and tracks / 辖区须包含网格和轨迹 ({district.name})"
        )
    return tracks


def _period(
    tracks: gpd.GeoDataFrame,
    *,
    window: ReviewWindow | None,
    at: pd.Timestamp | str | None,
    start: pd.Timestamp | str | None,
    end: pd.Timestamp | str | None,
) -> tuple[pd.Timestamp | None, pd.Timestamp | None, Period | None]:
    """``(start, end, period)``: the bounds the engines filter by (None: open) and the
    period when both bounds are set."""
    if window is None:
        if at is not None:
            raise ConfigError("`at` needs a window (day, week, month) / 指定日期需同时指定时段类型")
        lo = pd.Timestamp(start) if start is not None else None
        hi = pd.Timestamp(end) if end is not None else None
        if lo is None or hi is None:
            return lo, hi, None
        period = period_bounds("custom", start=lo, end=hi)
        return period.start, period.end, period
    if start is not None or end is not None:
        raise ConfigError("give either a window or start/end / 时段类型与起止时间二选一")
    if at is None:
        at = pd.to_datetime(tracks["time"], errors="coerce").max()
        if pd.isna(at):
            raise ConfigError("no GPS fix has a valid time / 没有有效的定位时间")
    period = period_bounds(window, at=at)
    return period.start, period.end, period


def _joint_points(
    district: District, legs: gpd.GeoDataFrame, *, within_m: float, min_dwell: float
) -> JointPointVisits | None:
    if district.joint_points is None:
        return None
    return joint_point_visits(
        legs, district.joint_points, within_m=within_m, min_dwell_minutes=min_dwell
    )


def _visits(
    district: District,
    visits: pd.DataFrame | None,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> VisitCoverage | None:
    if district.addresses is None or district.grids is None:
        return None
    if visits is None:
        path = district.tables.get("visit")
        if path is None:
            return None
        visits = read_visits(path)
    return visit_coverage(district.addresses, visits, district.grids, start=start, end=end)
