"""Chinese and English words for the values a briefing shows (categories, statuses, roles)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from gis.i18n import Text

Lang = Literal["zh", "en"]

CATEGORY = {
    "dispute": Text("矛盾纠纷", "dispute"),
    "theft": Text("盗窃", "theft"),
    "noise": Text("噪音扰民", "noise"),
    "fraud": Text("诈骗", "fraud"),
    "traffic": Text("交通事故", "traffic"),
    "hazard": Text("安全隐患", "safety hazard"),
    "security_hazard": Text("治安隐患", "public-order hazard"),
    "safety_hazard": Text("安全隐患", "safety hazard"),
    "livelihood": Text("民生诉求", "livelihood request"),
    "fight": Text("打架斗殴", "fight"),
    "other": Text("其他", "other"),
}

CLOSED = frozenset({"closed", "done", "已办结", "办结", "已结案", "结案", "已回访", "回访"})

ROLE = {
    "officer": Text("社区民警", "community officer"),
    "auxiliary": Text("辅警", "auxiliary police"),
    "grid_head": Text("网格长", "grid head"),
    "grid_worker": Text("网格员", "grid worker"),
}


def category_labels(categories: pd.Series, *, zh: pd.Series | None, lang: Lang) -> pd.Series:
    """Words for each category code: the file's own Chinese column when it has one, the
    table above, or the value itself (already words, e.g. ``矛盾纠纷``)."""
    codes = categories.astype(str)
    known = codes.map(lambda c: CATEGORY[c].get(lang) if c in CATEGORY else None)
    if lang == "zh" and zh is not None:
        known = zh.astype("string").where(zh.notna(), known)
    return known.fillna(codes).astype(str)


def is_closed(status: pd.Series) -> pd.Series:
    """True where the status says the incident or event is closed."""
    return status.astype("string").str.strip().str.lower().isin(CLOSED).fillna(False)


def rule_label(rule: str, lang: Lang) -> str:
    """The words for a consistency rule (from its spec in :mod:`gis.checks.config`)."""
    from gis.checks.config import RULES

    spec = RULES.get(rule)
    return spec.label.get(lang) if spec is not None and hasattr(spec, "label") else rule
