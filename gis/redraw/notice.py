"""The grid-change notice (告知书) to the police station (Tonghua 2023, 二(三)2).

When a street office redraws grids it must tell the police station the new boundaries so
the station re-aligns its beats.  :func:`build_notice` assembles, from a
:class:`~gis.redraw.impact.Impact`, a document in the official form (DOMAIN.md): 标题,
文号, 主送, 正文 (the changed grids with areas, households and a before/after map each; the
households moving; the beats to re-align; the auxiliary beats to regenerate; the
assignments, joint-defense points and open incidents concerned), 特此告知, 落款 and date.

- One language per document (``lang``): a Chinese notice has Chinese headers and values,
  an English one English; figures rounded (whole m², shares in per cent).
- It cites no document unless the user configures one (:mod:`gis.redraw.notice_config`).
- It lists only what *this* edit causes: beats already misaligned before it are not
  re-aligned on its account.

:class:`Notice` writes HTML (jinja2, one self-contained printable file) and XLSX (one
sheet per table, full sheet names).  No PDF: print the HTML from a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from gis.i18n import Text
from gis.io import write_workbook
from gis.redraw.impact import Impact
from gis.redraw.notice_config import NoticeConfig
from gis.redraw.notice_template import TEMPLATE
from gis.redraw.notice_words import CELL_WORDS, HEADERS, SECTIONS, WORDS, header
from gis.redraw.svg import before_after_svg, overview_svg

Lang = Literal["zh", "en"]
GRID_COLUMNS = (
    "id",
    "status",
    "old_id",
    "area_before_m2",
    "area_after_m2",
    "gained_m2",
    "lost_m2",
    "households_before",
    "households_after",
)


@dataclass(frozen=True)
class Notice:
    """The change notice: its HTML text and its tables (full sheet name → DataFrame)."""

    html: str
    tables: dict[str, pd.DataFrame]
    lang: Lang = "zh"

    def write_html(self, path: str | Path) -> Path:
        out = Path(path)
        out.write_text(self.html, encoding="utf-8")
        return out

    def write_xlsx(self, path: str | Path) -> Path:
        return write_workbook(self.tables, path)


def build_notice(
    impact: Impact,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    sender: str = "",
    recipient: str = "",
    date: str = "",
    lang: Lang = "zh",
    config: NoticeConfig | None = None,
) -> Notice:
    """Assemble the notice of a grid change from its impact and both grid versions.

    ``sender`` and ``recipient`` override the configuration's; ``date`` is ISO
    (``2026-11-21``) or free text, printed in the document's language.
    """
    config = config or NoticeConfig()
    crs = impact.metric_crs
    b, a = before.to_crs(crs), after.to_crs(crs)
    changed = impact.diff.changed.to_crs(crs)
    grid_table = _localize(pd.DataFrame(changed.drop(columns="geometry")), GRID_COLUMNS, lang)
    sections = _sections(impact, lang)
    sections[1]["svg"] = _beats_svg(impact, a, set(changed["id"].astype(str)))
    sender = sender or config.sender
    words = {k: v.get(lang) for k, v in WORDS.items()}
    html = (
        jinja2.Environment(autoescape=True)
        .from_string(TEMPLATE)
        .render(
            lang="zh-CN" if lang == "zh" else "en",
            w=words,
            number=config.number,
            recipient=recipient or config.recipient,
            opening=_opening(config, sender, lang),
            sender=sender,
            date=_date(date, lang),
            metric_crs=crs,
            summary=_summary(impact, lang),
            grid_headers=list(grid_table.columns),
            grids=_grid_rows(changed, grid_table, b, a),
            sections=sections,
        )
    )
    tables = {WORDS["changed"].get(lang): grid_table}
    tables.update({s["title"]: s["frame"] for s in sections})
    return Notice(html, tables, lang)


def _opening(config: NoticeConfig, sender: str, lang: Lang) -> str:
    who = sender or WORDS["we"].get(lang)
    text = WORDS["opening"].get(lang).format(sender=who)
    basis = config.basis
    if basis is None:
        return text
    cited = WORDS["basis"].get(lang).format(title=basis.title)
    if basis.number:
        cited += f"（{basis.number}）" if lang == "zh" else f" ({basis.number})"
    if basis.clause:
        cited += basis.clause if lang == "zh" else f", {basis.clause}"
    return f"{cited}，{text}" if lang == "zh" else f"{cited}, {text}"


def _date(text: str, lang: Lang) -> str:
    """``2026-11-21`` → ``2026年11月21日`` (zh) or ``21 November 2026`` (en)."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", text or "")
    if not m:
        return text or ("　　年　　月　　日" if lang == "zh" else "")
    y, mo, d = (int(v) for v in m.groups())
    if lang == "zh":
        return f"{y}年{mo}月{d}日"
    return pd.Timestamp(year=y, month=mo, day=d).strftime("%-d %B %Y")


def _localize(
    frame: pd.DataFrame, columns: tuple[str, ...] | list[str], lang: Lang
) -> pd.DataFrame:
    """The columns present, values in the document's language, figures rounded, headers named."""
    cols = [c for c in columns if c in frame.columns]
    out = frame[cols].copy()
    for col in cols:
        words = CELL_WORDS.get(col)
        if words is not None:
            out[col] = out[col].map(lambda v, w=words: _word(w, v, lang))
        elif (
            col.endswith("_m2")
            or col in ("households", "population")
            or col.startswith("households")
        ):
            out[col] = pd.to_numeric(out[col], errors="coerce").round(0).astype("Int64")
        elif col == "share_before":
            out[col] = (pd.to_numeric(out[col], errors="coerce") * 100).round(1)
        else:
            out[col] = out[col].map(lambda v: "" if _missing(v) else str(v))
    return out.rename(columns={c: header(c).get(lang) for c in cols}).reset_index(drop=True)


def _word(words: dict[str, Text], value: object, lang: Lang) -> str:
    if _missing(value):
        return ""
    text = words.get(str(value))
    return text.get(lang) if text is not None else str(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _cells(table: pd.DataFrame) -> list[list[dict]]:
    """Table cells as display text: whole numbers with separators, right-aligned."""
    rows = []
    for rec in table.itertuples(index=False):
        row = []
        for value in rec:
            numeric = isinstance(value, int | float | np.number) and not _missing(value)
            text = "" if _missing(value) else (f"{value:,}" if numeric else str(value))
            row.append({"value": text, "num": numeric})
        rows.append(row)
    return rows


def _grid_rows(
    changed: gpd.GeoDataFrame, table: pd.DataFrame, b: gpd.GeoDataFrame, a: gpd.GeoDataFrame
) -> list[dict]:
    old = dict(zip(b["id"].astype(str), b.geometry, strict=True))
    new = dict(zip(a["id"].astype(str), a.geometry, strict=True))
    context = np.asarray(a.geometry.array, dtype=object)
    rows = []
    cells = _cells(table)
    for rec, row in zip(changed.to_dict("records"), cells, strict=True):  # a handful of grids
        gid = str(rec["id"])
        source = str(rec.get("old_id") or "") or gid
        svg = before_after_svg(old.get(source), new.get(gid), context=context)
        rows.append({"cells": row, "svg": svg})
    return rows


def _beats_svg(impact: Impact, after: gpd.GeoDataFrame, changed: set[str]) -> str:
    """The proposed beats over the new grids, the changed grids filled."""
    if impact.beat_proposal is None:
        return ""
    beats = impact.beat_proposal.layer.to_crs(after.crs)
    grids = np.asarray(after.geometry.array, dtype=object)
    return overview_svg(
        np.asarray(beats.geometry.array, dtype=object),
        grids,
        after["id"].astype(str).isin(changed).to_numpy(),
    )


def _summary(impact: Impact, lang: Lang) -> list[dict]:
    return [
        {"label": SECTIONS[f"count_{k}"].get(lang), "value": f"{v:,}"}
        for k, v in impact.summary().items()
    ]


def current_beat_changes(impact: Impact) -> pd.DataFrame:
    """The beat re-alignments this edit causes: grids it changed or newly misaligned.

    A grid that was already split between beats before the edit is an older problem,
    not a consequence of this one.
    """
    if impact.beat_proposal is None:
        return pd.DataFrame(columns=["grid_id", "from", "to", "share_before"])
    changes = impact.beat_proposal.changes
    mine = set(impact.diff.changed["id"].astype(str)) | set(impact.beats["grid_id"].astype(str))
    return changes[changes["grid_id"].astype(str).isin(mine)].reset_index(drop=True)


def _sections(impact: Impact, lang: Lang) -> list[dict]:
    flows: pd.DataFrame = impact.diff.flows
    if "households" in flows.columns:
        flows = flows.loc[flows["households"] > 0]
    spec = [
        ("flows", flows, ["from_id", "to_id", "area_m2", "households", "population"]),
        ("beats", current_beat_changes(impact), ["grid_id", "from", "to", "share_before"]),
        ("aux_beats", impact.aux_beats, ["aux_beat_id", "grid_id", "reason"]),
        (
            "officers",
            impact.officers,
            ["officer_id", "name", "role", "area_kind", "area_id", "reason"],
        ),
        ("joint_points", impact.joint_points, ["id", "grid_before", "grid_after"]),
        ("open_incidents", impact.incidents, ["id", "grid_before", "grid_after"]),
    ]
    out = []
    for key, frame, columns in spec:
        table = _localize(frame, columns, lang)
        out.append(
            {
                "title": SECTIONS[key].get(lang),
                "headers": list(table.columns),
                "rows": _cells(table),
                "frame": table,
            }
        )
    return out


__all__ = ["HEADERS", "Notice", "build_notice", "current_beat_changes"]
