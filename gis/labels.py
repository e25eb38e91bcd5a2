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

SEVERITIES: dict[str, Text] = {**_SEVERITY_LABELS, "accepted": Text("已接受例外", "accepted")}
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
) -> pd.DataFrame:
    """Values worded and columns named in ``lang``; floats rounded to 1 decimal (areas, m).

    Columns of ``values`` are mapped through their table; others keep their values.
    """
    out = frame.copy()
    for column, table in (values or {}).items():
        if column in out.columns:
            out[column] = [word(table, v, lang) for v in out[column]]
    for column in out.select_dtypes(include="float").columns:
        out[column] = out[column].round(1)
    names = {**COLUMNS, **(columns or {})}
    return out.rename(columns={c: names[c].get(lang) for c in out.columns if c in names})
