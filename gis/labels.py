"""The words of documents and spreadsheets, in Chinese and English.

One vocabulary for everything a person reads — check reports, review workbooks, notices,
maps (``maps.labels`` re-uses it) — following DOMAIN.md, "Words to use in Chinese":
格网单元 (not 格元), 联防联控点巡查/到点 (a GPS dwell; 走访 is a household visit),
热点（置信度 99%）, 未完全覆盖上级区域, 不在任何上级区域内, 网格未配备民（辅）警.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from gis.checks.config import RULES as _RULE_SPECS
from gis.checks.config import SEVERITY_LABELS as _SEVERITY_LABELS
from gis.i18n import Lang, Text

RULES: dict[str, Text] = {name: spec.label for name, spec in _RULE_SPECS.items()}
"""Rule labels: the ones the rules carry (``gis.checks.RULES[name].label``)."""

SEVERITIES: dict[str, Text] = {
    **{str(k): v for k, v in _SEVERITY_LABELS.items()},
    "accepted": Text("已接受例外", "accepted"),
}
"""Severity labels: the checks' own (``gis.checks.SEVERITY_LABELS``) and an accepted exception."""

GI_CLASSES: dict[int, Text] = {
    3: Text("热点（置信度 99%）", "Hot spot, 99% confidence"),
    2: Text("热点（置信度 95%）", "Hot spot, 95% confidence"),
    1: Text("热点（置信度 90%）", "Hot spot, 90% confidence"),
    0: Text("不显著", "Not significant"),
    -1: Text("冷点（置信度 90%）", "Cold spot, 90% confidence"),
    -2: Text("冷点（置信度 95%）", "Cold spot, 95% confidence"),
    -3: Text("冷点（置信度 99%）", "Cold spot, 99% confidence"),
}

PATTERNS: dict[str, Text] = {
    "new": Text("新增的热点", "new hot spot"),
    "consecutive": Text("连续的热点", "consecutive hot spot"),
    "intensifying": Text("加强的热点", "intensifying hot spot"),
    "persistent": Text("持续的热点", "persistent hot spot"),
    "diminishing": Text("减弱的热点", "diminishing hot spot"),
    "sporadic": Text("零星的热点", "sporadic hot spot"),
    "oscillating": Text("振荡的热点", "oscillating hot spot"),
    "historical": Text("历史热点", "historical hot spot"),
    "none": Text("无模式", "no pattern"),
}

LAYERS: dict[str, Text] = {
    "street": Text("街道/乡镇", "street"),
    "community": Text("社区/行政村", "community"),
    "grid": Text("网格", "grid"),
    "joint_point": Text("联防联控点", "joint-defense point"),
    "station": Text("派出所辖区", "station jurisdiction"),
    "beat": Text("民警责任区", "officer beat"),
    "aux_beat": Text("辅警警格", "auxiliary beat"),
    "road": Text("道路", "road"),
    "outside": Text("辖区外区域", "outside area"),
    "parent": Text("上级", "parent"),
    "": Text("", ""),
}

BOOLEANS: dict[bool, Text] = {True: Text("是", "yes"), False: Text("否", "no")}

COLUMNS: dict[str, Text] = {
    "rule": Text("规则", "Rule"),
    "severity": Text("严重程度", "Severity"),
    "layer": Text("图层", "Layer"),
    "ids": Text("涉及要素", "Features"),
    "other_layer": Text("对应图层", "Other layer"),
    "other_ids": Text("对应要素", "Other features"),
    "area_m2": Text("面积（平方米）", "Area (m²)"),
    "length_m": Text("长度（米）", "Length (m)"),
    "width_m": Text("宽度（米）", "Width (m)"),
    "message": Text("说明", "Message"),
    "accepted": Text("已接受例外", "Accepted"),
    "id": Text("编码", "Id"),
    "name": Text("名称", "Name"),
    "community_id": Text("所属社区", "Community"),
    "beat_id": Text("所在民警责任区", "Beat"),
    "beat_share": Text("在该责任区内的比例（%）", "Share in that beat (%)"),
    "n_beats": Text("涉及责任区数", "Beats touched"),
    "aligned": Text("与责任区一致", "Aligned"),
    "aux_beat_id": Text("辅警警格", "Auxiliary beat"),
    "violations": Text("问题数", "Violations"),
    "grids": Text("网格数", "Grids"),
    "split_grids": Text("被分割的网格数", "Split grids"),
    "count": Text("数量", "Count"),
    "error": Text("错误", "Errors"),
    "warning": Text("警告", "Warnings"),
    "noise": Text("数字化误差", "Noise"),
    "figure": Text("指标", "Figure"),
    "value": Text("数值", "Value"),
}

FIGURES: dict[str, Text] = {
    "grids": Text("网格（个）", "grids"),
    "beats": Text("民警责任区（个）", "officer beats"),
    "findings": Text("发现问题（处）", "findings"),
    "violations": Text("不一致（处）", "violations"),
    "noise": Text("数字化误差（处）", "digitizing noise"),
    "accepted": Text("已接受例外（处）", "accepted exceptions"),
    "share_grids_aligned": Text("完整落在一个责任区的网格（%）", "grids wholly in one beat (%)"),
    "share_area_consistent": Text("面积一致（%）", "area consistent (%)"),
}


SHEETS: dict[str, Text] = {
    "grid_counts": Text("网格警情统计", "Grid counts"),
    "cell_hotspots": Text("格网单元热点", "Cell hot spots"),
    "emerging": Text("时空热点模式", "Emerging hot spots"),
    "pai": Text("预测精度指数", "Prediction accuracy index"),
    "grid_patrol": Text("网格巡逻覆盖", "Grid patrol coverage"),
    "joint_points": Text("联防联控点到点", "Joint-defense point visits"),
    "hotspot_dosage": Text("热点巡逻时长", "Hot-spot patrol dosage"),
    "hotspot_visits": Text("热点巡查记录", "Hot-spot visits"),
    "grid_visits": Text("网格走访覆盖", "Grid visit coverage"),
    "uncovered_addresses": Text("未覆盖地址", "Uncovered addresses"),
    "density_contours": Text("警情密度等值区", "Density contours"),
    "cell_hotspots_whole": Text("全时段格网单元热点", "Cell hot spots, whole period"),
}
"""Full sheet names of the hot-spot and coverage workbooks (at most 31 characters)."""

REVIEW_COLUMNS: dict[str, Text] = {
    "previous_count": Text("上期数量", "Previous period"),
    "change": Text("增减", "Change"),
    "change_pct": Text("增减（%）", "Change (%)"),
    "area_km2": Text("面积（平方千米）", "Area (km²)"),
    "rate_km2": Text("每平方千米数量", "Per km²"),
    "rate_1000": Text("每千人数量", "Per 1,000 residents"),
    "population": Text("人口", "Population"),
    "gi_z": Text("热点统计量（标准分）", "Gi* z-score"),
    "gi_p": Text("显著性概率", "p-value"),
    "gi_p_fdr": Text("显著性概率（错误发现率校正）", "p-value (FDR)"),
    "grid_class": Text("网格自身热点等级", "Grid class (Gi* of grid counts)"),
    "hot_share": Text("热点单元面积占比（%）", "Hot cells (% of area)"),
    "cold_share": Text("冷点单元面积占比（%）", "Cold cells (% of area)"),
    "hotspot_class": Text("热点等级", "Hot-spot class"),
    "row": Text("行号", "Row"),
    "col": Text("列号", "Column"),
    "pattern": Text("时空模式", "Pattern"),
    "density_level": Text("密度阈值（起/平方千米）", "Density threshold (per km²)"),
    "share": Text("所含警情比例（%）", "Share of incidents (%)"),
    "contour": Text("范围", "Contour"),
    "trend_z": Text("趋势统计量（标准分）", "Trend z-score"),
    "trend_p": Text("趋势显著性概率", "Trend p-value"),
    "n_hot_bins": Text("热点时段数", "Hot bins"),
    "n_cold_bins": Text("冷点时段数", "Cold bins"),
    "pai": Text("预测精度指数", "PAI"),
    "hit_rate": Text("命中率（%）", "Hit rate (%)"),
    "area_share": Text("标记面积占比（%）", "Area flagged (%)"),
    "n_hit": Text("命中数量", "Hits"),
    "n_total": Text("总数量", "Total"),
    "area_flagged_km2": Text("标记面积（平方千米）", "Area flagged (km²)"),
    "area_total_km2": Text("总面积（平方千米）", "Total area (km²)"),
    "patrol_minutes": Text("巡逻时长（分钟）", "Patrol (min)"),
    "distance_m": Text("巡逻里程（米）", "Distance (m)"),
    "covered_share": Text("巡逻覆盖率（%）", "Reach (%)"),
    "visits": Text("到访次数", "Visits"),
    "effective_visits": Text("有效到访次数", "Effective visits"),
    "longest_visit_minutes": Text("最长停留（分钟）", "Longest visit (min)"),
    "under_patrolled": Text("巡逻不足", "Under-patrolled"),
    "visited": Text("已到访", "Visited"),
    "dwell_minutes": Text("最长停留（分钟）", "Longest dwell (min)"),
    "total_minutes": Text("累计停留（分钟）", "Total dwell (min)"),
    "segment_id": Text("轨迹段", "Track segment"),
    "officer_id": Text("巡逻人员", "Officer"),
    "start": Text("开始时间", "Start"),
    "end": Text("结束时间", "End"),
    "minutes": Text("时长（分钟）", "Minutes"),
    "metres": Text("里程（米）", "Metres"),
    "addresses": Text("地址数", "Addresses"),
    "covered": Text("已覆盖", "Covered"),
    "coverage": Text("走访覆盖率（%）", "Visit coverage (%)"),
    "visited_any": Text("有走访的地址数", "Addresses visited"),
    "key_addresses": Text("重点地址数", "Key addresses"),
    "key_covered": Text("重点地址已覆盖数", "Key addresses covered"),
    "key_coverage": Text("重点地址覆盖率（%）", "Key address coverage (%)"),
    "grid_id": Text("所属网格", "Grid"),
    "level": Text("地址类别", "Level"),
    "joint": Text("联合走访", "Joint visit"),
}
"""Column names of the hot-spot and coverage workbooks (besides :data:`COLUMNS`)."""

LEVELS: dict[str, Text] = {
    "key": Text("重点", "key"),
    "attention": Text("关注", "attention"),
    "ordinary": Text("一般", "ordinary"),
}

_REVIEW_VALUES: dict[str, Mapping[Any, Text]] = {
    "hotspot_class": GI_CLASSES,
    "grid_class": GI_CLASSES,
    "level": LEVELS,
}
_PERCENT = frozenset(
    [
        "hot_share",
        "cold_share",
        "hit_rate",
        "area_share",
        "covered_share",
        "coverage",
        "key_coverage",
        "share",
    ]
)
_DIGITS = {"gi_z": 2, "trend_z": 2, "gi_p": 4, "gi_p_fdr": 4, "trend_p": 4, "pai": 2}


def review_sheets(sheets: Mapping[str, pd.DataFrame], lang: Lang) -> dict[str, pd.DataFrame]:
    """The hot-spot and coverage result frames as a reader's workbook in ``lang``.

    Full sheet names, every column named and every class, level and yes/no worded in
    ``lang``; shares as percentages; figures rounded (z-scores to 2 decimals, p-values to
    4, the rest to 1); the emerging patterns in the library's own words; no geometry.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, frame in sheets.items():
        plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        if name == "density_contours":  # its level is a density, its label the contour's
            plain = plain.rename(columns={"level": "density_level", f"label_{lang}": "contour"})
            plain = plain.drop(columns=["label_zh", "label_en"], errors="ignore")
        elif f"label_{lang}" in plain.columns:  # emerging: the pattern in words, hot or cold
            plain["pattern"] = plain[f"label_{lang}"]
            plain = plain.drop(columns=["label_zh", "label_en", "spot"], errors="ignore")
        for column in _PERCENT & set(plain.columns):
            if plain[column].dtype != bool:
                plain[column] = pd.to_numeric(plain[column], errors="coerce") * 100.0
        flags = {c: BOOLEANS for c in plain.columns if plain[c].dtype == bool}  # yes/no
        title = SHEETS[name].get(lang) if name in SHEETS else name
        out[title] = localize(
            plain, lang, values={**_REVIEW_VALUES, **flags}, columns=REVIEW_COLUMNS, digits=_DIGITS
        )
    return out


def word(table: Mapping[Any, Text], value: object, lang: Lang) -> str:
    """A value in words (itself when the table does not know it: ids, codes)."""
    text = table.get(value)
    if text is not None:
        return text.get(lang)
    missing = value is None or (isinstance(value, float) and value != value)
    return "" if missing else str(value)


def localize(
    frame: pd.DataFrame,
    lang: Lang,
    *,
    values: Mapping[str, Mapping[Any, Text]] | None = None,
    columns: Mapping[str, Text] | None = None,
    digits: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Values worded and columns named in ``lang``; floats rounded to 1 decimal (areas, m)
    unless ``digits`` gives a column's own.

    Columns of ``values`` are mapped through their table; others keep their values.
    """
    out = frame.copy()
    for column, table in (values or {}).items():
        if column in out.columns:
            out[column] = [word(table, v, lang) for v in out[column]]
    for column in out.select_dtypes(include="float").columns:
        out[column] = out[column].round((digits or {}).get(column, 1))
    names = {**COLUMNS, **(columns or {})}
    return out.rename(columns={c: names[c].get(lang) for c in out.columns if c in names})
