"""The words of the change notice, in Chinese and English (DOMAIN.md, "Words to use")."""

from __future__ import annotations

from gis.i18n import Text

WORDS: dict[str, Text] = {
    "title": Text("关于网格调整的告知书", "Notice of grid changes"),
    "we": Text("我单位", "We"),
    "opening": Text(
        "{sender}对辖区网格进行了调整，现将调整情况告知如下。请据此核对并调整民警责任区与辅警警格，"
        "确保与网格边界一致。",
        "{sender} changed the grids of the area as set out below. Please check the changes and "
        "re-align the officer beats and auxiliary beats with the new grid boundaries.",
    ),
    "basis": Text("根据{title}", "Under {title}"),
    "request": Text(
        "请核对上述建议调整的民警责任区，调整完成后予以回复。",
        "Please review the proposed beats above and reply once they are re-aligned.",
    ),
    "closing": Text("特此告知。", "Yours faithfully,"),
    "crs": Text("面积计算坐标系", "Areas measured in"),
    "summary": Text("一、概况", "1. Summary"),
    "changed": Text("变更网格", "Changed grids"),
    "changed_heading": Text("二、变更网格", "2. Changed grids"),
    "map": Text("示意图", "Map"),
    "none": Text("无", "None"),
    "before": Text("调整前", "before"),
    "after": Text("调整后", "after"),
    "beats_legend": Text(
        "蓝线：建议的民警责任区；绿色：变更网格",
        "blue: proposed officer beats; green: changed grids",
    ),
    "recipient_colon": Text("：", ":"),
}

SECTIONS: dict[str, Text] = {
    "flows": Text("人口流动", "Households moving"),
    "beats": Text("建议调整的民警责任区", "Officer beats to re-align"),
    "aux_beats": Text("需重建的辅警警格", "Auxiliary beats to regenerate"),
    "officers": Text("需调整的警力配置", "Officer assignments to change"),
    "joint_points": Text("变更网格的联防联控点", "Joint points changing grid"),
    "open_incidents": Text("变更网格的未结警情", "Open incidents changing grid"),
    "count_grids_changed": Text("变更网格（个）", "Grids changed"),
    "count_beats_misaligned": Text(
        "与民警责任区不一致的网格（个）", "Grids no longer aligned with beats"
    ),
    "count_aux_beats": Text("需重建的辅警警格（个）", "Auxiliary beats to regenerate"),
    "count_joint_points": Text("变更网格的联防联控点（个）", "Joint-defense points changing grid"),
    "count_addresses": Text("变更网格的标准地址（个）", "Standard addresses changing grid"),
    "count_open_incidents": Text("变更网格的未结警情（起）", "Open incidents changing grid"),
    "count_officers": Text("需调整的警力（人）", "Officers whose assignment changes"),
}

HEADERS: dict[str, Text] = {
    "id": Text("编码", "Id"),
    "status": Text("变更类型", "Change"),
    "old_id": Text("原编码", "Former id"),
    "area_before_m2": Text("原面积（平方米）", "Area before (m²)"),
    "area_after_m2": Text("现面积（平方米）", "Area after (m²)"),
    "gained_m2": Text("增加面积（平方米）", "Gained (m²)"),
    "lost_m2": Text("减少面积（平方米）", "Lost (m²)"),
    "households_before": Text("原户数", "Households before"),
    "households_after": Text("现户数", "Households after"),
    "from_id": Text("原网格", "From grid"),
    "to_id": Text("现网格", "To grid"),
    "area_m2": Text("面积（平方米）", "Area (m²)"),
    "households": Text("户数", "Households"),
    "population": Text("人口", "Population"),
    "grid_id": Text("网格", "Grid"),
    "from": Text("原民警责任区", "Beat before"),
    "to": Text("建议民警责任区", "Proposed beat"),
    "share_before": Text("原占比（%）", "Share before (%)"),
    "aux_beat_id": Text("辅警警格", "Auxiliary beat"),
    "reason": Text("原因", "Reason"),
    "officer_id": Text("警号", "Officer id"),
    "name": Text("姓名", "Name"),
    "role": Text("岗位", "Role"),
    "area_kind": Text("责任区类型", "Area kind"),
    "area_id": Text("责任区", "Area"),
    "grid_before": Text("原网格", "Grid before"),
    "grid_after": Text("现网格", "Grid after"),
}

CELL_WORDS: dict[str, dict[str, Text]] = {
    "status": {
        "added": Text("新增", "added"),
        "removed": Text("撤销", "removed"),
        "reshaped": Text("边界调整", "reshaped"),
        "renamed": Text("更名/改码", "renamed"),
    },
    "reason": {
        "grid_removed": Text("所对应网格已撤销", "its grid was removed"),
        "grid_reshaped": Text("所对应网格边界调整", "its grid was reshaped"),
        "grid_changed": Text("所在网格变更", "the grid changed"),
        "aux_beat_changed": Text("辅警警格需重建", "the auxiliary beat is regenerated"),
        "beat_realigned": Text("民警责任区调整", "the officer beat is re-aligned"),
    },
    "role": {
        "officer": Text("民警", "officer"),
        "auxiliary": Text("辅警", "auxiliary"),
        "grid_worker": Text("网格员", "grid worker"),
    },
    "area_kind": {
        "grid": Text("网格", "grid"),
        "beat": Text("民警责任区", "officer beat"),
        "aux_beat": Text("辅警警格", "auxiliary beat"),
        "community": Text("社区", "community"),
    },
}


def header(column: str) -> Text:
    """The header of a notice column (the column name itself when unknown)."""
    return HEADERS.get(column, Text(column, column))
