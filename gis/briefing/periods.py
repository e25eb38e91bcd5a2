"""The three periods a briefing compares: this one, the one before (环比) and the same
period a year earlier (同比)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from gis.hotspots.counts import Period, period_bounds
from gis.i18n import Text

BriefKind = Literal["day", "week", "month"]

KIND_TITLE = {
    "day": Text("日见面", "daily briefing"),
    "week": Text("周研判", "weekly analysis"),
    "month": Text("月讲评", "monthly review"),
}


@dataclass(frozen=True)
class BriefPeriods:
    """``current`` = [start, end); ``previous`` the period before; ``last_year`` the same
    calendar period one year earlier."""

    kind: BriefKind
    current: Period
    last_year: Period

    @property
    def previous_start(self) -> pd.Timestamp:
        return self.current.previous_start

    def label(self, lang: Literal["zh", "en"] = "zh") -> str:
        """``2025年11月``, ``2025年11月3日至9日``, ``2025年11月3日`` (or English)."""
        s, e = self.current.start, self.current.end - pd.Timedelta(days=1)
        if lang == "en":
            if self.kind == "month":
                return s.strftime("%B %Y")
            if self.kind == "day":
                return s.strftime("%d %B %Y")
            return f"{s:%d %b} – {e:%d %b %Y}"
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "day":
            return f"{s.year}年{s.month}月{s.day}日"
        return f"{s.year}年{s.month}月{s.day}日至{e.month}月{e.day}日"


def brief_periods(kind: BriefKind, *, at: pd.Timestamp | str) -> BriefPeriods:
    """The periods of a ``kind`` briefing for the period containing ``at``.

    >>> brief_periods("month", at="2025-11-20").last_year.start
    Timestamp('2024-11-01 00:00:00')
    """
    current = period_bounds(kind, at=at)
    if kind == "week":
        # the ISO week a year earlier, so that weekdays line up
        year_ago = current.start - pd.Timedelta(weeks=52)
    else:
        year_ago = current.start - pd.DateOffset(years=1)
    last_year = period_bounds(kind, at=year_ago)
    return BriefPeriods(kind, current, last_year)
