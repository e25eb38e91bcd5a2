"""The maps of a briefing as PNG images: hotspot classes, emerging patterns, patrol coverage
with the under-patrolled hot spots, and the grids most in need of attention.

Styling only: every class, pattern and figure comes from the :class:`gis.briefing.Brief`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gis.briefing import Brief
from gis.crs import to_metric
from maps.labels import GI_CLASSES
from maps.printing import figure, legend, north_arrow, scale_bar, to_png
from maps.styles import GI_COLOURS, SEQUENTIAL, class_breaks, classify, fills

PATTERNS: Mapping[str, tuple[str, str, str]] = {
    "new": ("新增的热点", "new", "#b30000"),
    "consecutive": ("连续的热点", "consecutive", "#e34a33"),
    "intensifying": ("加强的热点", "intensifying", "#fc8d59"),
    "persistent": ("持续的热点", "persistent", "#fdbb84"),
    "diminishing": ("减弱的热点", "diminishing", "#fdd49e"),
    "sporadic": ("零星的热点", "sporadic", "#fee8c8"),
    "oscillating": ("振荡的热点", "oscillating", "#d4b9da"),
    "historical": ("历史的热点", "historical", "#c994c7"),
}
WIDTH_CM, HEIGHT_CM = 15.0, 11.0


def brief_images(brief: Brief) -> dict[str, tuple[bytes, str]]:
    """``name → (png, caption)`` for the maps the briefing has data for."""
    zh = brief.lang == "zh"
    grids = _grids(brief)
    out: dict[str, tuple[bytes, str]] = {}
    if brief.hotspots is not None:
        out["hotspots"] = (
            _hotspots(brief, grids),
            "热点分布（按置信度）" if zh else "Hot spots by confidence (Gi*)",
        )
        emerging = brief.hotspots.emerging
        if emerging is not None and emerging["pattern"].isin(PATTERNS).any():
            cap = "时空热点模式" if zh else "Emerging hot-spot patterns"
            out["emerging"] = (_emerging(brief, grids), cap)
    if brief.coverage is not None and brief.duty.has_tracks:
        cap = "巡逻覆盖与巡逻不足的热点" if zh else "Patrol coverage, under-patrolled hot spots"
        out["coverage"] = (_coverage(brief, grids), cap)
    cap = "重点关注网格" if zh else "Grids most in need of attention"
    out["attention"] = (_attention(brief, grids), cap)
    return out


def _grids(brief: Brief) -> gpd.GeoDataFrame:
    metric, _ = to_metric(brief.grids)
    return metric


def _base(grids: gpd.GeoDataFrame) -> tuple[Figure, Axes]:
    fig, ax = figure(width_cm=WIDTH_CM, height_cm=HEIGHT_CM)
    grids.boundary.plot(ax=ax, color="#555555", linewidth=0.4)
    return fig, ax


def _finish(fig: Figure, ax: Axes, entries: list[tuple[str, str]], title: str) -> bytes:
    scale_bar(ax)
    north_arrow(ax)
    if entries:
        legend(ax, entries, title=title)
    return to_png(fig)


def _hotspots(brief: Brief, grids: gpd.GeoDataFrame) -> bytes:
    assert brief.hotspots is not None
    cells = brief.hotspots.cells.to_crs(grids.crs)
    lang = brief.lang
    fig, ax = _base(grids)
    colours = cells["hotspot_class"].astype(int).map(GI_COLOURS)
    shown = cells["hotspot_class"] != 0
    if shown.any():
        cells[shown].plot(ax=ax, color=colours[shown], linewidth=0, alpha=0.85)
    grids.boundary.plot(ax=ax, color="#555555", linewidth=0.4)
    present = sorted(set(cells.loc[shown, "hotspot_class"].astype(int)), reverse=True)
    entries = [(GI_CLASSES[c].get(lang), GI_COLOURS[c]) for c in present]
    return _finish(fig, ax, entries, "图例" if lang == "zh" else "Legend")


def _emerging(brief: Brief, grids: gpd.GeoDataFrame) -> bytes:
    assert brief.hotspots is not None and brief.hotspots.emerging is not None
    cells = brief.hotspots.emerging.to_crs(grids.crs)
    cells = cells[cells["pattern"].isin(PATTERNS)]
    i = 0 if brief.lang == "zh" else 1
    fig, ax = _base(grids)
    cells.plot(ax=ax, color=cells["pattern"].map(lambda p: PATTERNS[p][2]), linewidth=0)
    grids.boundary.plot(ax=ax, color="#555555", linewidth=0.4)
    entries = [(PATTERNS[p][i], PATTERNS[p][2]) for p in PATTERNS if p in set(cells["pattern"])]
    return _finish(fig, ax, entries, "图例" if i == 0 else "Legend")


def _coverage(brief: Brief, grids: gpd.GeoDataFrame) -> bytes:
    assert brief.coverage is not None
    zh = brief.lang == "zh"
    patrol = brief.coverage.grids.set_index(brief.coverage.grids["id"].astype(str))
    hours = patrol["patrol_minutes"].reindex(grids["id"]).fillna(0) / 60
    breaks = class_breaks(hours)
    fig, ax = _base(grids)
    grids.plot(ax=ax, color=fills(classify(hours, breaks), SEQUENTIAL[: len(breaks)]), alpha=0.8)
    under = brief.coverage.under_patrolled
    if under is not None and len(under):
        under.to_crs(grids.crs).boundary.plot(ax=ax, color="#1a237e", linewidth=1.2)
    grids.boundary.plot(ax=ax, color="#555555", linewidth=0.4)
    entries = [
        (f"≤ {b:.1f} 小时" if zh else f"≤ {b:.1f} h", c)
        for b, c in zip(breaks, SEQUENTIAL[: len(breaks)], strict=True)
    ]
    entries.append(("巡逻不足的热点" if zh else "under-patrolled hot spot", "#1a237e"))
    return _finish(fig, ax, entries, "巡逻时长" if zh else "Patrol hours")


def _attention(brief: Brief, grids: gpd.GeoDataFrame) -> bytes:
    zh = brief.lang == "zh"
    top = brief.attention.head(10)
    fig, ax = _base(grids)
    mine = grids[grids["id"].astype(str).isin(top.index)]
    if len(mine):
        mine.plot(ax=ax, color="#f03b20", alpha=0.6)
        for g in mine.itertuples():
            p = g.geometry.representative_point()
            ax.text(p.x, p.y, brief.grid_names.get(str(g.id), str(g.id)), fontsize=6, ha="center")
    entry = ("重点关注网格" if zh else "grid needing attention", "#f03b20")
    return _finish(fig, ax, [entry], "图例" if zh else "Legend")
