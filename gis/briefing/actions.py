"""What to do next, derived from a briefing's figures: one line per rule that fires,
each quoting the figure that fired it (no free text is invented)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from gis.i18n import Text

RISING_PCT = 30.0
"""A category is "rising" when it grew by more than this share vs the previous period…"""
RISING_MIN = 5
"""…and has at least this many incidents in the period."""


@dataclass(frozen=True)
class Signals:
    """The figures the rules read (all already computed by the briefing)."""

    overdue: int
    open_items: int
    closure_rate: float
    hot_grids: Sequence[str]
    under_patrolled_cells: int
    unvisited_key: int
    unstaffed: Sequence[str]
    short_officers: Sequence[tuple[str, float]]
    unvisited_points: int
    unpatrolled: int
    violations: int
    unacknowledged: int
    by_category: pd.DataFrame


def next_steps(s: Signals) -> list[Text]:
    """The to-do list, most urgent first."""
    out: list[Text] = []
    say = out.append
    if s.overdue:
        say(
            Text(
                f"督办超期未办结事项 {s.overdue} 件，逐件明确责任人和办结时限。",
                f"Chase the {s.overdue} overdue items; name an owner and a date for each.",
            )
        )
    if s.open_items and s.closure_rate == s.closure_rate and s.closure_rate < 1:
        pct = f"{s.closure_rate * 100:.1f}"
        say(
            Text(
                f"本期办结率 {pct}%，未达 100% 目标，推动在办事项办结。",
                f"Closure rate {pct}% is below the 100% target: close the open items.",
            )
        )
    if s.hot_grids:
        zh, en = "、".join(s.hot_grids[:5]), ", ".join(s.hot_grids[:5])
        say(
            Text(
                f"加强热点网格（置信度 95% 以上）的巡逻防控：{zh}。",
                f"Step up patrols in the hot grids (95%+ confidence): {en}.",
            )
        )
    out.extend(_rising(s.by_category))
    if n := s.under_patrolled_cells:
        say(
            Text(
                f"{n} 个热点格网单元巡逻不足，按每次 10–15 分钟增加到点巡逻。",
                f"{n} hot cells were under-patrolled: add 10–15 minute stops.",
            )
        )
    if n := s.unvisited_key:
        say(
            Text(
                f"重点类、关注类地址 {n} 处未走访，由民警与网格员联合走访。",
                f"{n} key or attention addresses were not visited: visit them jointly.",
            )
        )
    if n := len(s.unstaffed):
        say(
            Text(
                f"{n} 个网格未配备民（辅）警，落实“一村（格）一警”。",
                f"{n} grids have no officer or auxiliary: assign one per grid.",
            )
        )
    if s.short_officers:
        zh = "、".join(f"{name}（{h:.1f} 小时）" for name, h in s.short_officers)
        en = ", ".join(f"{name} ({h:.1f} h)" for name, h in s.short_officers)
        say(
            Text(
                f"社区民警每周在社区工作不足 20 小时：{zh}，落实驻社区工作时间。",
                f"Community officers under 20 h a week in their community: {en}.",
            )
        )
    if n := s.unvisited_points:
        say(
            Text(
                f"{n} 个联防联控点本期无人到点巡查，安排到点。",
                f"{n} joint-defense points had no patrol stop: schedule them.",
            )
        )
    if n := s.unpatrolled:
        say(
            Text(
                f"{n} 个网格本期无巡逻轨迹，安排巡查。",
                f"{n} grids had no patrol track: schedule patrols.",
            )
        )
    if n := s.violations:
        say(
            Text(
                f"边界一致性问题 {n} 项待处理，会同街道核对网格与责任区边界。",
                f"{n} boundary-consistency findings are open: align beats with the grids.",
            )
        )
    if n := s.unacknowledged:
        say(
            Text(
                f"{n} 份网格调整告知书尚未确认，及时确认并调整警务责任区。",
                f"{n} grid-change notices are unacknowledged: acknowledge, realign beats.",
            )
        )
    return out


def _rising(by_category: pd.DataFrame) -> list[Text]:
    rows = by_category[
        (by_category["category"] != "*")
        & (by_category["count"] >= RISING_MIN)
        & (by_category["change_pct"] > RISING_PCT)
    ]
    return [
        Text(
            f"{r.label}类警情环比上升 {r.change_pct:.1f}%（{r.previous}→{r.count}），研判原因。",
            f"{r.label} rose {r.change_pct:.1f}% ({r.previous}→{r.count}): find out why.",
        )
        for r in rows.itertuples()
    ]
