"""Incident figures of a briefing: counts by category against the previous period (环比)
and the same period a year earlier (同比), and the handling of what was received
(open, overdue, closed, 办结率) per grid.

An incident is *overdue* when it is not closed and its deadline (``received + deadline
days`` of its category, :data:`DEFAULT_DEADLINE_DAYS` otherwise) fell before the end of
the period.  The closure rate of a grid is closed / received in the period; a grid that
received nothing has no rate (NaN), not 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.briefing.labels import Lang, category_labels, is_closed
from gis.briefing.periods import BriefPeriods
from gis.hotspots.counts import assign_points

DEFAULT_DEADLINE_DAYS = 7.0


@dataclass(frozen=True)
class IncidentFigures:
    """Attributes
    ----------
    by_category : DataFrame
        ``category``, ``label``, ``count``, ``previous``, ``change``, ``change_pct``,
        ``last_year``, ``yoy_pct`` (NaN where there is no data a year earlier), plus a last
        row ``category == "*"`` with the totals.
    by_grid : DataFrame
        ``grid_id``, ``received``, ``closed``, ``open``, ``overdue``, ``closure_rate``.
    open_items : DataFrame
        The incidents of the scope still open at the end of the period (``id``, ``time``,
        ``category``, ``label``, ``grid_id``, ``address``, ``overdue``), oldest first.
    has_last_year : bool
        Whether the data reaches back to the start of the period a year earlier.
    """

    by_category: pd.DataFrame
    by_grid: pd.DataFrame
    open_items: pd.DataFrame
    has_last_year: bool

    @property
    def total(self) -> int:
        return int(self.by_category["count"].iloc[-1])

    @property
    def closure_rate(self) -> float:
        received = self.by_grid["received"].sum()
        return float(self.by_grid["closed"].sum() / received) if received else float("nan")


def incident_figures(
    incidents: gpd.GeoDataFrame,
    grids: gpd.GeoDataFrame,
    periods: BriefPeriods,
    *,
    deadlines: Mapping[str, float] | None = None,
    lang: Lang = "zh",
) -> IncidentFigures:
    """The incident figures of ``periods`` for the incidents inside ``grids``."""
    located = _located(incidents, grids)
    times = located["time"]
    has_last_year = bool(len(times)) and times.min() <= periods.last_year.start
    labels = category_labels(located["category"], zh=located.get("category_zh"), lang=lang)
    located = located.assign(label=labels.to_numpy())
    by_category = _by_category(located, periods, has_last_year)
    overdue = _overdue(located, periods.current.end, deadlines or {})
    located = located.assign(overdue=overdue)
    current = located[_within(times, periods.current.start, periods.current.end)]
    by_grid = _by_grid(current, grids)
    open_items = _open_items(located, periods.current.end)
    return IncidentFigures(by_category, by_grid, open_items, has_last_year)


def _located(incidents: gpd.GeoDataFrame, grids: gpd.GeoDataFrame) -> pd.DataFrame:
    frame = incidents.assign(time=pd.to_datetime(incidents["time"], errors="coerce"))
    frame = frame[frame["time"].notna()]
    grid_id = assign_points(frame, grids)
    frame = pd.DataFrame(frame.drop(columns="geometry")).assign(grid_id=grid_id.to_numpy())
    if "status" not in frame:
        frame["status"] = ""
    return frame[frame["grid_id"].notna()]


def _within(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    return ((times >= start) & (times < end)).to_numpy()


def _by_category(frame: pd.DataFrame, periods: BriefPeriods, has_last_year: bool) -> pd.DataFrame:
    times = frame["time"]
    p = periods.current
    ly = periods.last_year
    spans = {
        "count": (p.start, p.end),
        "previous": (p.previous_start, p.start),
        "last_year": (ly.start, ly.end),
    }
    keys = frame[["category", "label"]].astype(str)
    counted = {
        name: keys[_within(times, lo, hi)].value_counts() for name, (lo, hi) in spans.items()
    }
    table = pd.DataFrame(counted).fillna(0).astype(int)
    table = table[(table["count"] > 0) | (table["previous"] > 0)]
    table = table.sort_values("count", ascending=False).reset_index()
    table.columns = ["category", "label", "count", "previous", "last_year"]
    total = pd.DataFrame(
        [{"category": "*", "label": "*", **table[["count", "previous", "last_year"]].sum()}]
    )
    table = pd.concat([table, total], ignore_index=True)
    table["change"] = table["count"] - table["previous"]
    table["change_pct"] = _pct(table["count"], table["previous"])
    table["yoy_pct"] = _pct(table["count"], table["last_year"])
    if not has_last_year:
        table["last_year"] = np.nan
        table["yoy_pct"] = np.nan
    cols = ["category", "label", "count", "previous", "change", "change_pct", "last_year"]
    return table[[*cols, "yoy_pct"]]


def _pct(now: pd.Series, before: pd.Series) -> pd.Series:
    before = before.astype(float)
    return ((now - before) / before.where(before > 0) * 100).round(1)


def _overdue(frame: pd.DataFrame, end: pd.Timestamp, deadlines: Mapping[str, float]) -> np.ndarray:
    days = frame["category"].astype(str).map(deadlines).fillna(DEFAULT_DEADLINE_DAYS)
    due = frame["time"] + pd.to_timedelta(days.astype(float), unit="D")
    closed = is_closed(frame["status"]).to_numpy()
    return (~closed) & (due < end).to_numpy() & (frame["time"] < end).to_numpy()


def _by_grid(current: pd.DataFrame, grids: gpd.GeoDataFrame) -> pd.DataFrame:
    closed = is_closed(current["status"]).to_numpy()
    parts = pd.DataFrame(
        {
            "grid_id": current["grid_id"].to_numpy(),
            "received": 1,
            "closed": closed.astype(int),
            "open": (~closed).astype(int),
            "overdue": current["overdue"].to_numpy().astype(int),
        }
    )
    table = parts.groupby("grid_id").sum().reindex(grids["id"].astype(str), fill_value=0)
    table["closure_rate"] = table["closed"] / table["received"].where(table["received"] > 0)
    return table.rename_axis("grid_id").reset_index()


def _open_items(frame: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    still_open = ~is_closed(frame["status"]).to_numpy() & (frame["time"] < end).to_numpy()
    cols = [c for c in ("id", "time", "category", "label", "grid_id", "address") if c in frame]
    return frame.loc[still_open, [*cols, "overdue"]].sort_values("time").reset_index(drop=True)
