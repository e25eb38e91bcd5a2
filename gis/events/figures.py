"""Closure rate (办结率), overdue events, response and handling times, zero reports.

Input: one row per event with ``received_at``, ``responded_at`` (处置 began), ``closed_at``
(办结), ``due_at`` (the deadline of its current level, or the one it was closed under),
the area ids (``grid_id``, ``community_id``, ``station_id``…) and ``assignees`` (a list
of officer ids).  Zero reports (零报告): one row per day and reporter with ``day``,
``reporter`` and the area ids.

An event counts in the period it was received in (``start`` inclusive, ``end`` exclusive);
it is closed when closed before ``end``; it is overdue when it was not closed by its
deadline and the deadline fell before ``end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd

from gis.errors import ConfigError

By = Literal["grid", "community", "street", "station", "person"]
COLUMNS = ("events", "closed", "closure_rate", "overdue", "mean_response_h", "mean_handling_h")
_NEEDED = ("received_at", "responded_at", "closed_at", "due_at")


@dataclass(frozen=True)
class EventFigures:
    """Figures per group (``table``, one row per group id) and over all (``total``)."""

    by: By
    start: datetime
    end: datetime
    table: pd.DataFrame
    total: pd.Series


def event_figures(
    events: pd.DataFrame,
    *,
    by: By,
    start: datetime,
    end: datetime,
    zero_reports: pd.DataFrame | None = None,
) -> EventFigures:
    """Figures of the events received in ``[start, end)``, grouped ``by`` an area or person.

    ``closure_rate`` is closed / events (NaN without events); times are in hours.  A
    group with zero reports but no events appears with 0 events.
    """
    if end <= start:
        raise ConfigError(f"the period must end after it starts ({start} … {end})")
    key = "assignees" if by == "person" else f"{by}_id"
    missing = [c for c in (*_NEEDED, key) if c not in events.columns]
    if missing:
        raise ConfigError(f"events: missing columns {missing}")
    frame = _in_period(events, "received_at", start, end)
    if by == "person":
        frame = frame.explode("assignees")
    frame = frame.assign(_group=frame[key].astype("string"))
    per_event = _per_event(frame, end)
    table = per_event.groupby("_group", dropna=True).agg(
        events=("closed", "size"),
        closed=("closed", "sum"),
        overdue=("overdue", "sum"),
        mean_response_h=("response_h", "mean"),
        mean_handling_h=("handling_h", "mean"),
    )
    table["closure_rate"] = table["closed"] / table["events"]
    zeros = _zero_counts(zero_reports, by=by, start=start, end=end)
    table = table.join(zeros, how="outer").fillna({"events": 0, "closed": 0, "overdue": 0})
    table["zero_reports"] = table["zero_reports"].fillna(0).astype(int)
    for column in ("events", "closed", "overdue"):
        table[column] = table[column].astype(int)
    table = table[[*COLUMNS, "zero_reports"]].rename_axis(key if by != "person" else "person")
    return EventFigures(by, start, end, table.sort_index(), _total(per_event, zeros))


def _in_period(frame: pd.DataFrame, column: str, start: datetime, end: datetime) -> pd.DataFrame:
    times = pd.to_datetime(frame[column])
    return frame[(times >= pd.Timestamp(start)) & (times < pd.Timestamp(end))]


def _per_event(frame: pd.DataFrame, end: datetime) -> pd.DataFrame:
    received = pd.to_datetime(frame["received_at"])
    responded = pd.to_datetime(frame["responded_at"])
    closed_at = pd.to_datetime(frame["closed_at"])
    due = pd.to_datetime(frame["due_at"])
    edge = pd.Timestamp(end)
    closed = closed_at.notna() & (closed_at < edge)
    late = closed_at.isna() | (closed_at > due) | (closed_at >= edge)
    return pd.DataFrame(
        {
            "_group": frame["_group"],
            "closed": closed,
            "overdue": late & (due < edge),
            "response_h": (responded - received).dt.total_seconds() / 3600,
            "handling_h": (closed_at.where(closed) - received).dt.total_seconds() / 3600,
        }
    )


def _zero_counts(
    zero_reports: pd.DataFrame | None, *, by: By, start: datetime, end: datetime
) -> pd.DataFrame:
    key = "reporter" if by == "person" else f"{by}_id"
    if zero_reports is None or zero_reports.empty:
        return pd.DataFrame({"zero_reports": pd.Series(dtype=int)})
    if key not in zero_reports.columns or "day" not in zero_reports.columns:
        raise ConfigError(f"zero reports: need columns 'day' and {key!r}")
    rows = _in_period(zero_reports, "day", start, end)
    counts = rows.groupby(rows[key].astype("string")).size()
    return pd.DataFrame({"zero_reports": counts})


def _total(per_event: pd.DataFrame, zeros: pd.DataFrame) -> pd.Series:
    # Over all events once (a person table counts shared events twice; the total does not).
    unique = per_event[~per_event.index.duplicated()]
    n = len(unique)
    return pd.Series(
        {
            "events": n,
            "closed": int(unique["closed"].sum()),
            "closure_rate": float(unique["closed"].mean()) if n else float("nan"),
            "overdue": int(unique["overdue"].sum()),
            "mean_response_h": float(unique["response_h"].mean()),
            "mean_handling_h": float(unique["handling_h"].mean()),
            "zero_reports": int(zeros["zero_reports"].sum()),
        }
    )
