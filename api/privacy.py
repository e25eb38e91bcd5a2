"""Personal data never leaves the service in map outputs (OGC API items, vector tiles).

Attribute names are matched case-insensitively, in English, pinyin and Chinese.
"""

from __future__ import annotations

import re

import geopandas as gpd

PERSONAL = re.compile(
    r"(phone|mobile|tel(ephone)?$|^tel|e-?mail|person|victim|suspect|witness|officer_?name|"
    r"^contact|id_?card|identity|passport|birth|xingming|dianhua|shouji|电话|手机|姓名|身份证|"
    r"联系人|当事人|嫌疑人|报警人|住址)",
    re.IGNORECASE,
)
PERSONAL_BY_KIND: dict[str, frozenset[str]] = {
    # An incident's address locates a person (the caller, the victim); a standard address
    # (标准地址) is public reference data and stays.
    "incident": frozenset({"address", "persons", "name"}),
    "assignment": frozenset({"name"}),
    "track": frozenset({"officer_id"}),
}


def is_personal(column: str, *, kind: str) -> bool:
    return column in PERSONAL_BY_KIND.get(kind, frozenset()) or bool(PERSONAL.search(column))


def public_frame(gdf: gpd.GeoDataFrame, *, kind: str) -> gpd.GeoDataFrame:
    """The frame without any column holding personal data."""
    drop = [c for c in gdf.columns if c != gdf.geometry.name and is_personal(str(c), kind=kind)]
    return gdf.drop(columns=drop)
