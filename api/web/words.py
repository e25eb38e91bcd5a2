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
}

COMMON: dict[str, Text] = {
    "grid": Text("网格", "Grids"),
    "beat": Text("警务区", "Officer beats"),
    "aux_beat": Text("辅警责任区", "Auxiliary beats"),
    "joint_point": Text("联防点", "Joint-defense points"),
    "community": Text("社区", "Communities"),
    "street": Text("街道", "Streets"),
    "station": Text("派出所", "Stations"),
    "findings": Text("检查问题", "Findings"),
    "proposal": Text("调整方案", "Proposal"),
    "network": Text("网络错误，请重试。", "Network error; please try again."),
    "expired": Text("登录已过期，请重新登录。", "Your login has expired; please log in again."),
}


def texts(table: dict[str, Text], lang: Lang) -> dict[str, str]:
    """One language of a word table (plus the common words)."""
    return {k: v.get(lang) for k, v in {**COMMON, **table}.items()}
