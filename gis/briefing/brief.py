"""A briefing (日见面、周研判、月讲评) for a scope and a period, in one call.

``make_brief(district, kind="week", at="2025-11-20", scope=("community", "…"))`` is what
``beatgrid brief``, the service's briefing endpoint and its pages call.  Steps::

    scope → its grids  →  periods (this, previous, a year earlier)
        →  incident figures (环比/同比, open, overdue, 办结率 per grid)
        →  hotspot review and coverage review of the scope (gis.hotspots, gis.coverage)
        →  not-done lists (duty)  →  consistency status  →  assessment (week, month)
        →  next steps derived from all of the above

A period with nothing to report (no incident, nothing open, nothing not done) is a zero
report (零报告), and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.briefing.actions import Signals, next_steps
from gis.briefing.assessment import Assessment, Weights, assess, grid_figures, read_weights
from gis.briefing.duty import Duty, duty_lists
from gis.briefing.incidents import IncidentFigures, incident_figures
from gis.briefing.labels import Lang
from gis.briefing.periods import BriefKind, BriefPeriods, brief_periods
from gis.briefing.scope import Scope, ScopeKind, resolve_scope
from gis.checks.report import CheckReport
from gis.coverage.review import CoverageReview, coverage_review
from gis.district import District
from gis.errors import ConfigError
from gis.events.figures import EventFigures, event_figures
from gis.hotspots.counts import assign_points
from gis.hotspots.review import HotspotReview, hotspot_review
from gis.i18n import Text


@dataclass(frozen=True)
class Change:
    """A grid change the caller knows of (the service's versions and notices)."""

    text: Text
    acknowledged: bool


@dataclass(frozen=True)
class Consistency:
    """Open consistency findings touching the scope: ``counts`` rule → number."""

    ok: bool
    counts: Mapping[str, int]
    unstaffed: tuple[str, ...] = ()
    """Grids named by open ``grid_unstaffed`` findings (when counted by the caller)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Brief:
    """Everything a briefing document shows; see the module docstring."""

    kind: BriefKind
    periods: BriefPeriods
    scope: Scope
    lang: Lang
    incidents: IncidentFigures
    events: EventFigures | None
    """事件流转 figures per grid (closure rate, overdue, response and handling hours) when
    the district has events; None otherwise."""
    hotspots: HotspotReview | None
    coverage: CoverageReview | None
    duty: Duty
    consistency: Consistency | None
    changes: tuple[Change, ...]
    trend: pd.DataFrame
    assessment: Assessment | None
    actions: tuple[Text, ...]
    grids: gpd.GeoDataFrame
    """The scope's grids (``id``, ``name``, geometry in the district's CRS)."""

    @property
    def grid_names(self) -> dict[str, str]:
        return _names(self.grids)

    @property
    def attention(self) -> pd.Series:
        """Grid id → how many of the briefing's warning lists name the grid (hot spot,
        overdue items, unvisited key addresses, no patrol, no police), highest first."""
        items = self.incidents.open_items
        named: list[list[str]] = [
            self.hot_grids,
            items.loc[items["overdue"].astype(bool), "grid_id"].astype(str).unique().tolist(),
            self.duty.unvisited_key["grid_id"].astype(str).unique().tolist(),
            self.duty.unpatrolled_grids,
            self.duty.unstaffed_grids,
        ]
        counts = {g: sum(g in grids for grids in named) for g in self.scope.grid_ids}
        score = pd.Series(counts, dtype=int).rename_axis("grid_id")
        return score[score > 0].sort_values(ascending=False, kind="stable")

    @property
    def zero_report(self) -> bool:
        """Nothing happened and nothing is left undone: a 零报告."""
        d = self.duty
        return (
            self.incidents.total == 0
            and self.incidents.open_items.empty
            and d.unvisited_key.empty
            and not d.unstaffed_grids
            and not d.unpatrolled_grids
            and not self.actions
        )

    @property
    def hot_grids(self) -> list[str]:
        """Grids that are Gi* hot spots at 95 % or more, hottest first."""
        if self.hotspots is None:
            return []
        g = self.hotspots.grids
        hot = g[g["hotspot_class"] >= 2].sort_values("gi_z", ascending=False)
        return hot["id"].astype(str).tolist()


def make_brief(
    district: District,
    *,
    kind: BriefKind,
    at: pd.Timestamp | str,
    scope: tuple[ScopeKind, str | None] = ("district", None),
    check: CheckReport | Consistency | None = None,
    changes: Sequence[Change] = (),
    visits: pd.DataFrame | None = None,
    deadlines: Mapping[str, float] | None = None,
    weights: Weights | None = None,
    events: pd.DataFrame | None = None,
    zero_reports: pd.DataFrame | None = None,
    tz: str = "Asia/Shanghai",
    lang: Lang = "zh",
) -> Brief:
    """The briefing of ``kind`` for the period containing ``at`` over ``scope``.

    Parameters
    ----------
    district : District
        Needs grids and incidents; tracks, joint points, addresses (and a visit table),
        beats, communities and assignments add their parts.
    scope : (kind, id)
        ``("station", id)``, ``("street", id)``, ``("community", id)`` or the whole
        ``("district", None)``.
    check : CheckReport or Consistency, optional
        The latest consistency check: its open findings touching the scope are shown (a
        Consistency when the caller has already counted them, as the service does from
        the reader's stored check).
    changes : sequence of Change
        Grid changes and notices the caller knows of (none from plain files).
    deadlines : mapping, optional
        Category → days to close (overdue figures); default 7 days.
    events, zero_reports : DataFrame, optional
        Events (:func:`gis.io.read_events`, or the service's) and 零报告 rows: the
        handling figures, the closure rate and the assessment then come from the events
        (事件流转) instead of the incidents' status.
    tz : str
        The local time zone: event times that carry a zone (the service stores UTC) are
        counted in local days, like the incidents' naive local times.
    """
    if district.incidents is None:
        raise ConfigError(f"{district.name}: no incident layer / 辖区没有警情数据")
    periods = brief_periods(kind, at=at)
    area = resolve_scope(district, kind=scope[0], id=scope[1])
    local = _restrict(district, area)
    assert local.grids is not None and local.incidents is not None
    figures = incident_figures(
        local.incidents, local.grids, periods, deadlines=deadlines, lang=lang
    )
    mine = None if events is None else _local(events, tz, area)
    flow = None if mine is None else _event_figures(mine, periods, zero_reports)
    hotspots = _hotspots(local, periods, figures)
    coverage = _coverage(local, periods, hotspots, visits)
    duty = _duty(local, area, coverage, check, periods)
    consistency = _consistency(check, area)
    assessment = _assessment(local, periods, coverage, weights, mine) if kind != "day" else None
    signals = _signals(figures, flow, hotspots, coverage, duty, consistency, changes, local)
    return Brief(
        kind=kind,
        periods=periods,
        scope=area,
        lang=lang,
        incidents=figures,
        events=flow,
        hotspots=hotspots,
        coverage=coverage,
        duty=duty,
        consistency=consistency,
        changes=tuple(changes),
        trend=_trend(local.incidents, periods) if kind != "day" else pd.DataFrame(),
        assessment=assessment,
        actions=tuple(next_steps(signals)),
        grids=local.grids[["id", "name", "geometry"]] if "name" in local.grids else local.grids,
    )


def _restrict(district: District, scope: Scope) -> District:
    """The district cut to the scope's grids (incidents, addresses and points inside)."""
    grids = district.grids
    assert grids is not None
    mine = grids[grids["id"].astype(str).isin(scope.grid_ids)].reset_index(drop=True)
    return replace(
        district,
        grids=mine,
        incidents=_inside(district.incidents, mine),
        addresses=_inside(district.addresses, mine),
        joint_points=_inside(district.joint_points, mine),
    )


def _inside(frame: gpd.GeoDataFrame | None, grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    if frame is None:
        return None
    points = frame.set_geometry(frame.geometry.representative_point())
    where = assign_points(points, grids)
    return frame.assign(grid_id=where.to_numpy())[where.notna().to_numpy()]


def _hotspots(
    district: District, periods: BriefPeriods, figures: IncidentFigures
) -> HotspotReview | None:
    """The hotspot review of the scope; None when the period has no incident (no map)."""
    if figures.total == 0 or district.grids is None or len(district.grids) < 3:
        return None
    # a day brief shows no map, so it skips the emerging patterns (the slowest step)
    return hotspot_review(
        district, window=periods.kind, at=periods.current.start, trends=periods.kind != "day"
    )


def _coverage(
    district: District,
    periods: BriefPeriods,
    hotspots: HotspotReview | None,
    visits: pd.DataFrame | None,
) -> CoverageReview | None:
    if district.tracks is None:
        return None
    p = periods.current
    visit_from = p.start.replace(day=1) if periods.kind == "day" else p.start
    review = coverage_review(district, start=p.start, end=p.end, hotspots=hotspots, visits=visits)
    if visit_from == p.start or review.visits is None:
        return review
    month = coverage_review(district, start=visit_from, end=p.end, visits=visits)
    return replace(review, visits=month.visits)  # a day brief: visits month to date


def _duty(
    district: District,
    scope: Scope,
    coverage: CoverageReview | None,
    check: CheckReport | Consistency | None,
    periods: BriefPeriods,
) -> Duty:
    unstaffed: list[str] = []
    if isinstance(check, Consistency):
        unstaffed = sorted(check.unstaffed)
    elif check is not None:
        f = check.findings
        rows = f[(f["rule"] == "grid_unstaffed") & ~f["accepted"].astype(bool)]
        unstaffed = sorted({i for ids in rows["ids"].astype(str) for i in ids.split(",")})
    weeks = (periods.current.end - periods.current.start) / pd.Timedelta(weeks=1)
    assert district.grids is not None
    return duty_lists(
        coverage,
        grid_ids=scope.grid_ids,
        grids=district.grids,
        communities=district.communities,
        beats=district.beats,
        assignments=district.assignments,
        unstaffed=unstaffed,
        weeks=float(weeks),
    )


def _consistency(check: CheckReport | Consistency | None, scope: Scope) -> Consistency | None:
    """Open violations (not accepted) whose geometry touches the scope's grids."""
    if check is None or isinstance(check, Consistency):
        return check
    v = check.violations
    v = v[~v["accepted"].astype(bool)]
    touching = v[v.intersects(scope.area)]
    counts = {str(k): int(n) for k, n in touching["rule"].value_counts().items()}
    return Consistency(ok=not counts, counts=counts)


def _assessment(
    district: District,
    periods: BriefPeriods,
    coverage: CoverageReview | None,
    weights: Weights | None,
    events: pd.DataFrame | None,
) -> Assessment:
    assert district.grids is not None and district.incidents is not None
    p = periods.current
    handled = _handled(district.incidents, events, p.end)
    current = handled[(handled["time"] >= p.start) & (handled["time"] < p.end)]
    sums = grid_figures(
        district.grids["id"],
        incidents=current,
        addresses=None if district.addresses is None else pd.DataFrame(district.addresses),
        visit_grids=None if coverage is None or coverage.visits is None else coverage.visits.grids,
        patrol_grids=None if coverage is None else coverage.patrol.grids,
    )
    return assess(
        sums,
        assignments=district.assignments,
        grids_of=_grids_of(district),
        weights=weights or read_weights(),
    )


def _handled(
    incidents: gpd.GeoDataFrame, events: pd.DataFrame | None, end: pd.Timestamp
) -> pd.DataFrame:
    """What the assessment counts as received and closed: the events when there are any
    (closed = closed before the period's end, with their closing time), else incidents."""
    if events is None:
        return pd.DataFrame(incidents.drop(columns="geometry"))
    closed = events["closed_at"].notna() & (events["closed_at"] < end)
    return pd.DataFrame(
        {
            "grid_id": events["grid_id"].astype(str),
            "time": events["received_at"],
            "category": events["category"].astype(str),
            "source": events.get("source", ""),
            "status": closed.map({True: "closed", False: "open"}),
            "closed_time": events["closed_at"].where(closed),
        }
    )


def _local(events: pd.DataFrame, tz: str, scope: Scope) -> pd.DataFrame:
    """The scope's events with every time in naive local time."""
    mine = events[events["grid_id"].astype(str).isin(scope.grid_ids)].copy()
    for column in ("received_at", "responded_at", "closed_at", "due_at"):
        times = pd.to_datetime(mine[column])
        if times.dt.tz is not None:
            times = times.dt.tz_convert(tz).dt.tz_localize(None)
        mine[column] = times
    return mine


def _event_figures(
    events: pd.DataFrame, periods: BriefPeriods, zero_reports: pd.DataFrame | None
) -> EventFigures:
    p = periods.current
    return event_figures(events, by="grid", start=p.start, end=p.end, zero_reports=zero_reports)


def _grids_of(district: District) -> dict[tuple[str, str], list[str]]:
    """(area_kind, area_id) → the grids that area answers for."""
    grids = district.grids
    assert grids is not None
    ids = grids["id"].astype(str).to_numpy()
    out: dict[tuple[str, str], list[str]] = {("grid", g): [g] for g in ids}
    points = grids.set_geometry(grids.geometry.representative_point())
    for kind, layer in (("beat", district.beats), ("aux_beat", district.aux_beats)):
        if layer is None:
            continue
        where = assign_points(points, layer.to_crs(grids.crs)).to_numpy()
        for area in pd.unique(where[pd.notna(where)]):
            out[(kind, str(area))] = ids[where == area].tolist()
    parents = grids["parent_id"].astype(str).to_numpy()
    for c in np.unique(parents):
        out[("community", str(c))] = ids[parents == c].tolist()
    return out


def _signals(
    figures: IncidentFigures,
    flow: EventFigures | None,
    hotspots: HotspotReview | None,
    coverage: CoverageReview | None,
    duty: Duty,
    consistency: Consistency | None,
    changes: Sequence[Change],
    district: District,
) -> Signals:
    names = _names(district.grids)
    hot: list[str] = []
    if hotspots is not None:
        g = hotspots.grids
        hot = [names.get(i, i) for i in g.loc[g["hotspot_class"] >= 2, "id"].astype(str)]
    under = coverage.under_patrolled if coverage is not None else None
    short = duty.officer_hours[duty.officer_hours["short"].astype(bool)]
    overdue, open_items, rate = (
        int(figures.open_items["overdue"].sum()),
        len(figures.open_items),
        figures.closure_rate,
    )
    if flow is not None:  # 事件流转: the events decide what is open and overdue
        t = flow.total
        overdue, open_items = int(t["overdue"]), int(t["events"] - t["closed"])
        rate = float(t["closure_rate"])
    return Signals(
        overdue=overdue,
        open_items=open_items,
        closure_rate=rate,
        hot_grids=hot,
        under_patrolled_cells=0 if under is None else len(under),
        unvisited_key=len(duty.unvisited_key),
        unstaffed=duty.unstaffed_grids,
        short_officers=list(
            zip(short["name"].astype(str), short["hours_per_week"].astype(float), strict=True)
        ),
        unvisited_points=len(duty.unvisited_joint_points),
        unpatrolled=len(duty.unpatrolled_grids),
        violations=0 if consistency is None else consistency.total,
        unacknowledged=sum(not c.acknowledged for c in changes),
        by_category=figures.by_category,
    )


def _trend(incidents: gpd.GeoDataFrame, periods: BriefPeriods) -> pd.DataFrame:
    """Counts per week (last 8 weeks) or per month (last 12 months) up to the period."""
    end = periods.current.end
    if periods.kind == "week":
        start, freq = end - pd.Timedelta(weeks=8), "W-MON"
    else:
        start, freq = (end - pd.DateOffset(months=12)), "MS"
    t = incidents["time"]
    t = t[(t >= start) & (t < end)]
    edges = pd.date_range(start, end, freq=freq, inclusive="left")
    if len(edges) == 0 or edges[0] != start:
        edges = pd.DatetimeIndex([start, *edges])
    counts = pd.cut(t, [*edges, end], right=False).value_counts(sort=False)
    return pd.DataFrame({"start": edges, "count": counts.to_numpy()})


def _names(grids: gpd.GeoDataFrame | None) -> dict[str, str]:
    if grids is None:
        return {}
    name = grids["name"] if "name" in grids else grids["id"]
    return dict(zip(grids["id"].astype(str), name.fillna(grids["id"]).astype(str), strict=True))
