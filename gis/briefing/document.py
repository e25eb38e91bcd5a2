"""A :class:`Brief` as document blocks, in Chinese or English, and its files.

Figures are written as people write them (integers, percentages and hours to one
decimal); grids and people by name, categories and rules by their words, never by code.
The maps come in as PNG images made by the caller (``maps.brief_figures``), so this module
draws nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from gis.briefing.brief import Brief
from gis.briefing.labels import ROLE, rule_label
from gis.briefing.periods import KIND_TITLE
from gis.documents import Heading, Image, Paragraph, Table
from gis.documents.blocks import Block

ASSESS_HEADERS = {
    "zh": ("名称", "走访覆盖率", "办结率", "巡逻小时", "采集登记率", "隐患发现",
           "网格工作", "警务工作", "综合", "排名"),
    "en": ("name", "visit coverage", "closure", "patrol h", "registration", "hazards",
           "grid work", "police work", "total", "rank"),
}  # fmt: skip
SECTIONS = {
    "summary": ("总体情况", "Overview"),
    "hotspots": ("热点研判", "Hot spots"),
    "patrol": ("巡防与走访", "Patrols and visits"),
    "handling": ("事件办理", "Handling of incidents"),
    "grids": ("网格调整与边界一致性", "Grid changes and boundary consistency"),
    "assessment": ("考核排名", "Assessment and ranking"),
    "next": ("下步工作", "Next steps"),
}
NUMERALS = "一二三四五六七八九十"
DAY_SECTIONS = ("summary", "handling", "patrol", "next")


def brief_title(brief: Brief) -> str:
    lang = brief.lang
    kind = KIND_TITLE[brief.kind].get(lang)
    zero = ("零报告" if lang == "zh" else " (zero report)") if brief.zero_report else ""
    if lang == "zh":
        return f"{brief.scope.title('zh')}{brief.periods.label('zh')}{kind}{zero}"
    return f"{brief.scope.title('en')}, {kind}, {brief.periods.label('en')}{zero}"


def brief_date(brief: Brief) -> str:
    """The document date: the last day of the period."""
    day = brief.periods.current.end - pd.Timedelta(days=1)
    return f"{day.year}年{day.month}月{day.day}日" if brief.lang == "zh" else f"{day:%d %B %Y}"


def brief_blocks(brief: Brief, images: Mapping[str, tuple[bytes, str]]) -> list[Block]:
    """The body of the briefing."""
    zh = brief.lang == "zh"
    if brief.zero_report:
        return [_zero(brief)]
    order = DAY_SECTIONS if brief.kind == "day" else tuple(SECTIONS)
    sec = {
        key: Heading(f"{NUMERALS[i]}、{SECTIONS[key][0]}" if zh else f"{i + 1}. {SECTIONS[key][1]}")
        for i, key in enumerate(order)
    }
    blocks: list[Block] = [sec["summary"], *_summary(brief)]
    if brief.kind == "day":
        blocks += [sec["handling"], *_events(brief, table=False), *_open_items(brief, limit=5)]
        blocks += [sec["patrol"], _duty_counts(brief)]
        blocks += [sec["next"], *_actions(brief, limit=5)]
        return blocks
    blocks += [sec["hotspots"], *_hotspots(brief), *_images(images, "hotspots", "emerging")]
    blocks += [sec["patrol"], *_patrol(brief), *_images(images, "coverage")]
    blocks += [sec["handling"], *_events(brief), *_handling(brief), *_open_items(brief, limit=15)]
    blocks += [sec["grids"], *_grids(brief)]
    blocks += [sec["assessment"], *_assessment(brief)]
    blocks += [sec["next"], *_images(images, "attention"), *_actions(brief, limit=20)]
    return blocks


def _t(brief: Brief, zh: str, en: str) -> str:
    return zh if brief.lang == "zh" else en


def _n(value: Any) -> str:
    return str(round(value))


def _pct(value: Any) -> str:
    return "—" if pd.isna(value) else f"{value:.1f}%"


def _signed(value: Any) -> str:
    return "—" if pd.isna(value) else f"{value:+.1f}%"


def _zero(brief: Brief) -> Paragraph:
    return Paragraph(
        _t(
            brief,
            f"{brief.periods.label('zh')}，{brief.scope.title('zh')}无警情、无在办和超期事项、"
            "无未落实工作，特此零报告。",
            f"{brief.periods.label('en')}: no incident, nothing open or overdue and nothing "
            f"left undone in {brief.scope.title('en')}. Zero report.",
        ),
        emphasis=True,
    )


def _summary(brief: Brief) -> list[Block]:
    table = brief.incidents.by_category
    total: dict[Any, Any] = table.iloc[-1].to_dict()
    items = brief.incidents.open_items
    overdue = int(items["overdue"].sum())
    rate = brief.incidents.closure_rate
    trend = _t(brief, "上升", "up") if total["change"] > 0 else _t(brief, "下降", "down")
    zh = (
        f"本期共接报警情 {_n(total['count'])} 起，上期 {_n(total['previous'])} 起，"
        f"环比{trend if total['change'] else '持平'}"
        f"{'' if not total['change'] else ' ' + _pct(abs(total['change_pct']))}"
    )
    en = f"{_n(total['count'])} incidents this period against {_n(total['previous'])} before"
    if brief.incidents.has_last_year:
        zh += f"；去年同期 {_n(total['last_year'])} 起，同比 {_signed(total['yoy_pct'])}"
        en += f"; {_n(total['last_year'])} a year earlier ({_signed(total['yoy_pct'])})"
    zh += f"。截至期末在办 {len(items)} 起，其中超期 {overdue} 起；本期办结率 {_pct(rate * 100)}。"
    en += f". {len(items)} still open, {overdue} overdue; closure rate {_pct(rate * 100)}."
    return [Paragraph(_t(brief, zh, en)), _category_table(brief)]


def _category_table(brief: Brief) -> Table:
    t = brief.incidents.by_category
    headers = (
        ["类别", "本期", "上期", "环比", "去年同期", "同比"]
        if brief.lang == "zh"
        else ["category", "this period", "previous", "change", "a year earlier", "year on year"]
    )
    rows = []
    for r in t.to_dict("records"):
        label = _t(brief, "合计", "total") if r["category"] == "*" else str(r["label"])
        last = "—" if pd.isna(r["last_year"]) else _n(r["last_year"])
        rows.append(
            [
                label,
                _n(r["count"]),
                _n(r["previous"]),
                _signed(r["change_pct"]),
                last,
                _signed(r["yoy_pct"]),
            ]
        )
    return Table(headers, rows, _t(brief, "警情分类统计", "Incidents by category"))


def _hotspots(brief: Brief) -> list[Block]:
    names = brief.grid_names
    hot = [names.get(g, g) for g in brief.hot_grids]
    blocks: list[Block] = []
    if hot:
        more = "等" if len(hot) > 12 else ""
        blocks.append(Paragraph(_t(
            brief,
            f"热点（置信度 95% 以上）网格 {len(hot)} 个：{'、'.join(hot[:12])}{more}。",
            f"{len(hot)} grids are hot spots at 95%+ confidence: {', '.join(hot[:12])}.",
        )))  # fmt: skip
    else:
        none = _t(brief, "本期未发现置信度 95% 以上的热点网格。", "No grid is a 95% hot spot.")
        blocks.append(Paragraph(none))
    if brief.hotspots is not None:
        cls = brief.hotspots.cells["hotspot_class"]
        size = f"{brief.hotspots.cell_size_m:.0f}"
        blocks.append(Paragraph(_t(
            brief,
            f"按边长 {size} 米的格网单元分析，热点格网单元 {int((cls > 0).sum())} 个，"
            f"其中置信度 99% 的 {int((cls == 3).sum())} 个。",
            f"On {size} m cells: {int((cls > 0).sum())} hot cells, "
            f"{int((cls == 3).sum())} of them at 99% confidence.",
        )))  # fmt: skip
    return blocks


def _images(images: Mapping[str, tuple[bytes, str]], *names: str) -> list[Block]:
    return [Image(images[n][0], images[n][1]) for n in names if n in images]


def _duty_counts(brief: Brief) -> Paragraph:
    d = brief.duty
    short = int(d.officer_hours["short"].astype(bool).sum()) if len(d.officer_hours) else 0
    return Paragraph(
        _t(
            brief,
            f"重点类、关注类地址本月未走访 {len(d.unvisited_key)} 处；无巡逻网格 "
            f"{len(d.unpatrolled_grids)} 个；未到点联防联控点 {len(d.unvisited_joint_points)} 个；"
            f"未配备民（辅）警网格 {len(d.unstaffed_grids)} 个；"
            f"在社区工作不足 20 小时的社区民警 {short} 人。",
            f"{len(d.unvisited_key)} key or attention addresses not visited this month; "
            f"{len(d.unpatrolled_grids)} grids without patrol; {len(d.unvisited_joint_points)} "
            f"joint points not reached; {len(d.unstaffed_grids)} grids without police; {short} "
            "community officers under 20 h a week.",
        )
    )


def _patrol(brief: Brief) -> list[Block]:
    d = brief.duty
    blocks: list[Block] = [_duty_counts(brief)]
    if not d.has_tracks:
        blocks.append(Paragraph(_t(brief, "本期无巡逻定位数据。", "No GPS data this period.")))
        return blocks
    if len(d.officer_hours):
        headers = (
            ["社区民警", "本期小时", "折合每周小时", "是否达标"]
            if brief.lang == "zh"
            else ["community officer", "hours", "hours a week", "meets 20 h"]
        )
        yes, no = _t(brief, "达标", "yes"), _t(brief, "不足", "no")
        rows = [
            [
                str(r["name"]),
                f"{r['hours']:.1f}",
                f"{r['hours_per_week']:.1f}",
                no if r["short"] else yes,
            ]
            for r in d.officer_hours.to_dict("records")
        ]
        blocks.append(
            Table(
                headers,
                rows,
                _t(brief, "社区民警在社区工作时长", "Community officers' hours in their community"),
            )
        )
    return blocks


def _handling(brief: Brief) -> list[Block]:
    g = brief.incidents.by_grid
    g = g[g["received"] > 0].sort_values(["closure_rate", "overdue"], ascending=[True, False])
    names = brief.grid_names
    headers = (
        ["网格", "接报", "办结", "在办", "超期", "办结率"]
        if brief.lang == "zh"
        else ["grid", "received", "closed", "open", "overdue", "closure rate"]
    )
    rows = [
        [
            names.get(r["grid_id"], r["grid_id"]),
            _n(r["received"]),
            _n(r["closed"]),
            _n(r["open"]),
            _n(r["overdue"]),
            _pct(r["closure_rate"] * 100),
        ]
        for r in g.head(15).to_dict("records")
    ]
    caption = _t(brief, "办结率最低的网格", "Grids with the lowest closure rate")
    return [Table(headers, rows, caption)] if rows else []


def _events(brief: Brief, *, table: bool = True) -> list[Block]:
    """事件流转: received, closed, 办结率, overdue, response and handling hours."""
    flow = brief.events
    if flow is None:
        return []
    t = flow.total
    zh = (
        f"本期受理事件 {_n(t['events'])} 件，办结 {_n(t['closed'])} 件，"
        f"办结率 {_pct(t['closure_rate'] * 100)}；超期 {_n(t['overdue'])} 件；"
        f"平均响应 {_hours(t['mean_response_h'])}，平均办结 {_hours(t['mean_handling_h'])}。"
    )
    en = (
        f"{_n(t['events'])} events received, {_n(t['closed'])} closed "
        f"({_pct(t['closure_rate'] * 100)}), {_n(t['overdue'])} overdue; mean response "
        f"{_hours(t['mean_response_h'], 'en')}, handling {_hours(t['mean_handling_h'], 'en')}."
    )
    blocks: list[Block] = [Paragraph(_t(brief, zh, en))]
    rows = flow.table.reset_index()
    rows = rows[rows["events"] > 0].sort_values(
        ["closure_rate", "overdue"], ascending=[True, False]
    )
    if table and len(rows):
        names = brief.grid_names
        key = rows.columns[0]
        headers = (
            ["网格", "事件", "办结", "办结率", "超期", "平均办结用时"]
            if brief.lang == "zh"
            else ["grid", "events", "closed", "closure rate", "overdue", "mean handling"]
        )
        body = [[names.get(str(r[key]), str(r[key])), _n(r["events"]), _n(r["closed"]),
                 _pct(r["closure_rate"] * 100), _n(r["overdue"]),
                 _hours(r["mean_handling_h"], brief.lang)]
                for r in rows.head(15).to_dict("records")]  # fmt: skip
        caption = _t(brief, "事件流转办理情况（办结率最低的网格）", "Event handling by grid")
        blocks.append(Table(headers, body, caption))
    return blocks


def _hours(value: Any, lang: str = "zh") -> str:
    if pd.isna(value):
        return "—"
    return f"{value:.1f} 小时" if lang == "zh" else f"{value:.1f} h"


def _open_items(brief: Brief, *, limit: int) -> list[Block]:
    items = brief.incidents.open_items
    if items.empty:
        return [Paragraph(_t(brief, "无在办事项。", "Nothing is open."))]
    items = items.sort_values(["overdue", "time"], ascending=[False, True]).head(limit)
    names = brief.grid_names
    yes, no = _t(brief, "超期", "overdue"), _t(brief, "在办", "open")
    headers = (
        ["接报时间", "类别", "网格", "状态"]
        if brief.lang == "zh"
        else ["received", "category", "grid", "state"]
    )
    rows = [
        [
            f"{r['time']:%m-%d %H:%M}",
            str(r["label"]),
            names.get(r["grid_id"], r["grid_id"]),
            yes if r["overdue"] else no,
        ]
        for r in items.to_dict("records")
    ]
    return [Table(headers, rows, _t(brief, "在办与超期事项", "Open and overdue items"))]


def _grids(brief: Brief) -> list[Block]:
    blocks: list[Block] = []
    for change in brief.changes:
        state = (
            _t(brief, "已确认", "acknowledged")
            if change.acknowledged
            else _t(brief, "未确认", "not acknowledged")
        )
        blocks.append(Paragraph(f"{change.text.get(brief.lang)}（{state}）"))
    if not brief.changes:
        blocks.append(Paragraph(_t(brief, "本期无网格调整记录。", "No grid change recorded.")))
    c = brief.consistency
    if c is None:
        blocks.append(Paragraph(_t(brief, "本期未进行边界一致性检查。", "No consistency check.")))
    elif c.ok:
        blocks.append(Paragraph(_t(brief, "边界一致性检查通过。", "Boundaries are consistent.")))
    else:
        parts = [
            f"{rule_label(r, brief.lang)} {n} 项"
            if brief.lang == "zh"
            else f"{rule_label(r, 'en')}: {n}"
            for r, n in c.counts.items()
        ]
        sep = "、" if brief.lang == "zh" else "; "
        blocks.append(
            Paragraph(
                _t(
                    brief,
                    f"边界一致性待处理问题 {c.total} 项：{sep.join(parts)}。",
                    f"{c.total} consistency findings open: {sep.join(parts)}.",
                )
            )
        )
    return blocks


def _assessment(brief: Brief) -> list[Block]:
    a = brief.assessment
    if a is None:
        return []
    headers = list(ASSESS_HEADERS[brief.lang])
    names = brief.grid_names

    def rows(frame: pd.DataFrame, label: pd.Series) -> list[list[str]]:
        return [
            [
                str(n),
                _pct(r["visit_coverage"] * 100),
                _pct(r["closure_rate"] * 100),
                f"{r['patrol_hours']:.1f}",
                _pct(r["registration_rate"] * 100),
                _n(r["hazards"]),
                _score(r["grid_score"]),
                _score(r["police_score"]),
                _score(r["total_score"]),
                "—" if pd.isna(r["rank"]) else str(r["rank"]),
            ]
            for n, r in zip(label, frame.to_dict("records"), strict=True)
        ]

    grids = a.grids.head(10)
    blocks: list[Block] = [
        Table(
            headers,
            rows(grids, grids["grid_id"].map(lambda g: names.get(g, g))),
            _t(brief, "网格考核排名（前十）", "Grid ranking (top ten)"),
        )
    ]
    for role, people in a.people.groupby("role", sort=False):
        word = ROLE[str(role)].get(brief.lang) if str(role) in ROLE else str(role)
        top = people.head(10)
        caption = _t(brief, f"{word}考核排名", f"Ranking of {word}s")
        if len(people) > len(top):
            caption += _t(brief, f"（前十，共 {len(people)} 人）", f" (top ten of {len(people)})")
        blocks.append(Table(headers, rows(top, top["name"].astype(str)), caption))
    return blocks


def _score(value: Any) -> str:
    return "—" if pd.isna(value) else f"{value:.1f}"


def _actions(brief: Brief, *, limit: int) -> list[Block]:
    if not brief.actions:
        return [Paragraph(_t(brief, "各项工作均已落实。", "Nothing is left to do."))]
    return [
        Paragraph(f"{i}. {a.get(brief.lang)}" if brief.lang == "en" else f"（{i}）{a.zh}")
        for i, a in enumerate(brief.actions[:limit], start=1)
    ]
