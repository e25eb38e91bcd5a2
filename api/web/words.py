"""The bilingual words of the workspaces (pages and their scripts)."""

from __future__ import annotations

from gis.i18n import Lang, Text

STATION: dict[str, Text] = {
    "layers_from": Text("当前图层版本", "current layer versions"),
    "check": Text("边界检查", "Check"),
    "waivers": Text("豁免", "Waivers"),
    "inbox": Text("变更通知", "Notices"),
    "run_check": Text("运行边界一致性检查", "Run the consistency check"),
    "running": Text("检查中…", "checking…"),
    "done": Text("检查完成", "check finished"),
    "failed": Text("检查失败", "the check failed"),
    "counts": Text(
        "问题 {findings} 个：待处理 {open} 个，已豁免 {accepted} 个",
        "{findings} findings: {open} open, {accepted} accepted",
    ),
    "report": Text("下载报告", "Report"),
    "rule": Text("规则", "Rule"),
    "ids": Text("要素", "Features"),
    "message": Text("说明", "Message"),
    "state": Text("状态", "State"),
    "open": Text("待处理", "open"),
    "accepted": Text("已豁免", "accepted"),
    "waive": Text("豁免", "Waive"),
    "reason": Text("理由", "Reason"),
    "by": Text("提交人", "By"),
    "cancel": Text("取消", "Cancel"),
    "revoke": Text("撤销", "Revoke"),
    "revoked": Text("已撤销", "revoked"),
    "ack": Text("确认已阅", "Acknowledge"),
    "acked": Text("已确认", "acknowledged"),
    "none": Text("暂无", "none"),
    "need_reason": Text("请填写豁免理由。", "Please give a reason for the waiver."),
    "view_beats": Text("查看建议调整的警务区", "View the proposed re-aligned beats"),
    "beats_none": Text("此变更不需要调整警务区。", "This change calls for no beat re-alignment."),
    "beats_changes": Text(
        "{n} 个网格的警务区归属需调整，涉及警务区：{ids}",
        "{n} grids change beat; beats concerned: {ids}",
    ),
    "accept_beats": Text("接受为警务区新版本", "Accept as a new beat version"),
    "beats_accepted": Text("已接受为警务区第 {v} 版", "accepted as beat version {v}"),
    "beats_reason": Text("接受理由", "Reason for accepting"),
    "beats_need_reason": Text("请填写接受理由。", "Please give a reason for accepting."),
}

COMMON: dict[str, Text] = {
    "brief": Text("简报（日见面、周研判、月讲评）", "Briefing (daily, weekly, monthly)"),
    "brief_kind": Text("类型", "Kind"),
    "brief_day": Text("日见面", "Daily"),
    "brief_week": Text("周研判", "Weekly"),
    "brief_month": Text("月讲评", "Monthly"),
    "brief_at": Text("日期", "Date"),
    "brief_format": Text("格式", "Format"),
    "brief_make": Text("生成简报", "Make the briefing"),
    "brief_making": Text("正在生成简报…", "making the briefing…"),
    "brief_done": Text("简报已下载", "briefing downloaded"),
    "brief_failed": Text("简报生成失败", "the briefing failed"),
    "grid": Text("网格", "Grids"),
    "beat": Text("警务区", "Officer beats"),
    "aux_beat": Text("辅警责任区", "Auxiliary beats"),
    "joint_point": Text("联防点", "Joint-defense points"),
    "community": Text("社区", "Communities"),
    "street": Text("街道", "Streets"),
    "station": Text("派出所", "Stations"),
    "road": Text("道路", "Roads"),
    "findings": Text("检查问题", "Findings"),
    "proposal": Text("调整方案", "Proposal"),
    "network": Text("网络错误，请重试。", "Network error; please try again."),
    "expired": Text("登录已过期，请重新登录。", "Your login has expired; please log in again."),
}


def texts(table: dict[str, Text], lang: Lang) -> dict[str, str]:
    """One language of a word table (plus the common words)."""
    return {k: v.get(lang) for k, v in {**COMMON, **table}.items()}


STREET: dict[str, Text] = {
    "select": Text("在地图上点击一个网格以选中。", "Click a grid on the map to select it."),
    "selected": Text("已选网格", "Selected grid"),
    "households": Text("户数", "households"),
    "split": Text("沿画线分割", "Split along a line"),
    "draw_hint": Text(
        "在地图上依次点击画出分割线，再次点击最后一点结束。",
        "Click on the map to draw the split line; click the last point again to finish.",
    ),
    "dry_run": Text("预检结果", "Dry run"),
    "no_findings": Text("不会产生新的拼接问题。", "The edit creates no new finding."),
    "findings_n": Text("将产生 {n} 个问题：", "The edit would create {n} findings:"),
    "reason": Text("调整理由", "Reason for the change"),
    "save": Text("保存为新版本", "Save as a new version"),
    "cancel": Text("放弃", "Discard"),
    "saved": Text(
        "已保存为第 {v} 版，相关派出所已收到变更通知。",
        "Saved as version {v}; the stations concerned have been sent the notice.",
    ),
    "conflict": Text(
        "保存失败：其他人已先保存了新版本。请重新加载后再编辑。",
        "Not saved: someone else saved a newer version first. Reload and edit again.",
    ),
    "reload": Text("重新加载", "Reload"),
    "need_reason": Text("请填写调整理由。", "Please give a reason for the change."),
    "need_grid": Text("请先选中一个网格。", "Select a grid first."),
    "version": Text("网格图层版本", "grid layer version"),
    "tools": Text("编辑操作", "Edit"),
    "merge": Text("与相邻网格合并", "Merge with a neighbour"),
    "move": Text("移动共同边界", "Move a shared boundary"),
    "transfer": Text("划转部分给相邻网格", "Give a part to a neighbour"),
    "add": Text("新增网格（未划区域）", "New grid (unassigned land)"),
    "balance": Text("户数均衡方案", "Balancing proposal"),
    "hint_split": Text(
        "在地图上依次点击画出分割线（从网格外穿过到网格外），再次点击最后一点结束。",
        "Draw the split line across the grid, edge to edge; click the last point again to finish.",
    ),
    "hint_merge": Text("请点击要合并的相邻网格。", "Click the neighbouring grid to merge with."),
    "hint_move": Text(
        "请点击相邻网格，再画出新的共同边界（端点会吸附到边和顶点）。",
        "Click the neighbouring grid, then draw the new shared boundary "
        "(points snap to edges and vertices).",
    ),
    "hint_transfer": Text(
        "请点击接收的相邻网格，再画出要划转的区域（点击第一个点闭合）。",
        "Click the neighbour that receives the part, then draw the area "
        "(click the first point to close it).",
    ),
    "hint_add": Text(
        "在未划入网格的区域画出新网格（点击第一个点闭合；与现有网格重叠不得超过 5%）。",
        "Draw the new grid on land no grid covers (click the first point to close it; "
        "at most 5% may overlap existing grids).",
    ),
    "hint_draw": Text("请在地图上绘制。", "Draw on the map."),
    "neighbour": Text("相邻网格", "Neighbour"),
    "computing": Text("正在计算…", "computing…"),
    "impact": Text("影响", "Impact"),
    "households_moving": Text("{n} 户居民变更网格", "{n} households change grid"),
    "addresses_moving": Text("{n} 个标准地址变更网格", "{n} standard addresses change grid"),
    "beats_realign": Text("需重新对齐的警务区：{ids}", "Officer beats to re-align: {ids}"),
    "no_beats": Text("警务区不受影响", "No officer beat is affected"),
    "aux_n": Text("{n} 个辅警责任区需重新生成", "{n} auxiliary beats to regenerate"),
    "points_n": Text("{n} 个联防点变更网格", "{n} joint-defense points change grid"),
    "legend": Text(
        "绿色：调整后的网格；红色：问题；橙色虚线：重新对齐的警务区；圆点：变更网格的地址",
        "green: grids after; red: findings; orange dashes: re-aligned beats; "
        "dots: addresses changing grid",
    ),
    "current": Text("现状网格", "Current grids"),
    "proposed": Text("均衡方案", "Proposal"),
    "in_band": Text(
        "户数在 {lo}–{hi} 之间的网格：{a} → {b}（共 {n} 个）",
        "Grids with {lo}–{hi} households: {a} → {b} (of {n})",
    ),
    "max_dev": Text("最大偏差：{a} → {b}", "Largest deviation: {a} → {b}"),
    "adopt": Text("采纳方案并保存为新版本", "Adopt the proposal as a new version"),
}

COMMANDER: dict[str, Text] = {
    "period": Text("研判周期", "Period"),
    "day": Text("日（日见面）", "Day"),
    "week": Text("周（周研判）", "Week"),
    "month": Text("月（月讲评）", "Month"),
    "computing": Text("统计中…", "computing…"),
    "custom": Text("自定义区间", "Custom range"),
    "start": Text("起", "From"),
    "end": Text("止（不含）", "To (excluded)"),
    "incidents": Text("本期警情", "Incidents"),
    "previous": Text("上期", "Previous period"),
    "change": Text("环比", "Change"),
    "hot": Text("热点网格", "Hot-spot grids"),
    "from_to": Text("统计区间", "Period"),
    "top": Text("警情最多的网格", "Grids with most incidents"),
    "grid": Text("网格", "Grid"),
    "count": Text("警情数", "Incidents"),
    "failed": Text("统计失败", "the review failed"),
    "classes": Text(
        "热点 99% / 95% / 90%；冷点；不显著",
        "hot spot 99% / 95% / 90%; cold spot; not significant",
    ),
    "excluded": Text("止日不含", "end excluded"),
    "closure": Text("事件办结率", "Events closed"),
    "overdue": Text("超期事件", "Overdue events"),
    "closed_of": Text("办结 / 受理", "Closed / received"),
    "layers": Text("图层", "Layers"),
    "layer_classes": Text("热点分级 (Gi*)", "Hot spots (Gi*)"),
    "layer_kde": Text("核密度", "Kernel density"),
    "layer_emerging": Text("时空热点趋势", "Emerging patterns"),
    "no_pattern": Text("截至本期无时空趋势模式", "no emerging pattern up to this period"),
    "hot99": Text("热点 99%", "hot 99%"),
    "cold": Text("冷点", "cold"),
    "ns": Text("不显著", "not significant"),
    "close": Text("关闭", "close"),
    "category": Text("类别", "Category"),
    "trend": Text("走势（最后一栏为本期）", "Trend (last bar: this period)"),
    "events_in_grid": Text("本期事件", "Events of the period"),
    "coverage_note": Text(
        "巡逻覆盖与巡逻不足热点需要轨迹数据：服务端尚不保存 GPS 轨迹。",
        "Patrol coverage and under-patrolled hot spots need tracks, "
        "and the service stores no GPS tracks yet.",
    ),
}

ADMIN: dict[str, Text] = {
    "users": Text("用户与辖区", "Users and jurisdictions"),
    "role": Text("角色", "Role"),
    "area": Text("辖区面积 (km²)", "Jurisdiction (km²)"),
    "layers": Text("图层", "Layers"),
    "kind": Text("类型", "Kind"),
    "version": Text("当前版本", "Current version"),
    "upload": Text("上传图层新版本", "Upload a new layer"),
    "file": Text(
        "文件（GeoJSON、GeoPackage、Shapefile 压缩包）",
        "File (GeoJSON, GeoPackage, zipped shapefile)",
    ),
    "layer_id": Text("图层标识", "Layer id"),
    "reason": Text("理由", "Reason"),
    "send": Text("上传并校验", "Upload and validate"),
    "uploaded": Text(
        "已入库：第 {version} 版，{feature_count} 个要素。",
        "Stored: version {version}, {feature_count} features.",
    ),
    "audit": Text("审计日志（最近 100 条）", "Audit log (latest 100)"),
    "time": Text("时间", "Time"),
    "user": Text("用户", "User"),
    "action": Text("操作", "Action"),
    "target": Text("对象", "Target"),
}
