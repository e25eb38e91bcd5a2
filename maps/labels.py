"""Every word a map shows, in Chinese and English (layer names, legends, fields).

Rule and severity labels live with the rules: ``gis.checks.RULES[name].label``,
``gis.checks.SEVERITY_LABELS``.
"""

from __future__ import annotations

from gis.i18n import Lang, Text

LAYERS: dict[str, Text] = {
    "grid": Text("网格", "Grids"),
    "beat": Text("民警责任区", "Officer beats"),
    "aux_beat": Text("辅警警格", "Auxiliary beats"),
    "joint_point": Text("联防联控点", "Joint-defense points"),
    "findings": Text("不一致问题", "Misalignments"),
    "choropleth": Text("警情数量/密度", "Incident counts / rates"),
    "gi": Text("热点分析 (Gi*)", "Hot spots (Gi*)"),
    "kde": Text("核密度热力图", "Kernel density heat"),
    "tracks": Text("巡逻轨迹", "Patrol tracks"),
    "covered": Text("已巡逻区域", "Covered"),
    "uncovered": Text("未巡逻区域", "Not covered"),
    "visits": Text("联防联控点走访", "Joint-point visits"),
    "under_patrolled": Text("巡逻不足的热点", "Under-patrolled hot spots"),
    "old_grids": Text("原网格", "Old grids"),
    "new_grids": Text("新网格", "New grids"),
    "affected_beats": Text("受影响责任区", "Affected beats"),
}

TITLES: dict[str, Text] = {
    "alignment": Text("警网边界一致性", "Beat–grid alignment"),
    "hotspots": Text("警情热点", "Incident hot spots"),
    "coverage": Text("巡逻覆盖", "Patrol coverage"),
    "changes": Text("网格调整", "Grid changes"),
    "index": Text("地图", "Maps"),
}

FIELDS: dict[str, Text] = {
    "id": Text("编码", "id"),
    "name": Text("名称", "name"),
    "rule": Text("规则", "rule"),
    "severity": Text("严重程度", "severity"),
    "ids": Text("涉及要素", "features"),
    "other_ids": Text("对应要素", "other features"),
    "area_m2": Text("面积 (m²)", "area (m²)"),
    "length_m": Text("长度 (m)", "length (m)"),
    "width_m": Text("宽度 (m)", "width (m)"),
    "message": Text("说明", "message"),
    "accepted": Text("已认可的例外", "accepted exception"),
    "count": Text("警情数", "incidents"),
    "rate_km2": Text("每平方公里", "per km²"),
    "rate_1000": Text("每千人", "per 1,000 people"),
    "gi_z": Text("Gi* z 值", "Gi* z-score"),
    "gi_p_fdr": Text("p 值 (FDR)", "p-value (FDR)"),
    "hotspot_class": Text("热点类别", "hot-spot class"),
    "pattern": Text("时空模式", "trend pattern"),
    "patrol_minutes": Text("巡逻时长 (分钟)", "patrol minutes"),
    "distance_m": Text("巡逻里程 (m)", "patrol distance (m)"),
    "covered_share": Text("覆盖比例", "covered share"),
    "visited": Text("已走访", "visited"),
    "dwell_minutes": Text("停留 (分钟)", "dwell minutes"),
    "under_patrolled": Text("巡逻不足", "under-patrolled"),
    "track_id": Text("轨迹", "track"),
    "change": Text("变化", "change"),
    "period": Text("时段", "period"),
}

GI_CLASSES: dict[int, Text] = {
    3: Text("热点 99% 置信", "Hot spot, 99% confidence"),
    2: Text("热点 95% 置信", "Hot spot, 95% confidence"),
    1: Text("热点 90% 置信", "Hot spot, 90% confidence"),
    0: Text("不显著", "Not significant"),
    -1: Text("冷点 90% 置信", "Cold spot, 90% confidence"),
    -2: Text("冷点 95% 置信", "Cold spot, 95% confidence"),
    -3: Text("冷点 99% 置信", "Cold spot, 99% confidence"),
}

CHANGES: dict[str, Text] = {
    "added": Text("新增", "added"),
    "removed": Text("撤销", "removed"),
    "changed": Text("边界调整", "reshaped"),
    "unchanged": Text("未变", "unchanged"),
}

WORDS: dict[str, Text] = {
    "yes": Text("是", "yes"),
    "no": Text("否", "no"),
    "all": Text("全部", "all"),
    "day": Text("日", "day"),
    "week": Text("周", "week"),
    "month": Text("月", "month"),
    "legend": Text("图例", "Legend"),
    "layers": Text("图层", "Layers"),
    "low_high": Text("低 → 高", "low → high"),
    "language": Text("English", "中文"),
    "no_maps": Text("暂无地图", "No maps yet"),
    "basemap": Text("底图", "Basemap"),
    "fullscreen": Text("全屏", "Full screen"),
    "exit_fullscreen": Text("退出全屏", "Exit full screen"),
}


def label(table: dict[str, Text], key: str, lang: Lang) -> str:
    """The label of ``key`` in ``lang``; an unknown key shows as itself, never fails."""
    text = table.get(key)
    return key if text is None else text.get(lang)
