"""The grid-change notice to the police station (Tonghua 2023, 二(三)2).

When a street office redraws grids it must tell the police station the new boundaries so
the station re-aligns its beats.  :func:`build_notice` assembles, from a
:class:`~gis.redraw.impact.Impact`, the changed grids (status, areas, households, a small
before/after SVG map each), the households moving, the proposed re-aligned beats, the
auxiliary beats to regenerate, the officer assignments to change, and the joint-defense
points and open incidents changing grid.  :class:`Notice` writes it as HTML (jinja2, one
self-contained file, printable) and XLSX (openpyxl, one sheet per table), in Chinese and
English.  No PDF: no light PDF library is installed; print the HTML from a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from gis.i18n import Text
from gis.redraw.impact import Impact
from gis.redraw.notice_template import TEMPLATE
from gis.redraw.svg import before_after_svg, overview_svg

TITLE = Text("网格调整告知书", "Notice of grid changes")
BASIS = Text(
    "根据《通化市警网融合工作实施方案》（2023）二（三）2，网格调整后应及时告知派出所，"
    "派出所据此调整民警责任区与辅警警格，确保与网格边界一致。",
    "Under Tonghua 2023, II(3)2, the police station is told of every grid change so that "
    "officer beats and auxiliary beats are re-aligned with the grid boundaries.",
)
REQUEST = Text(
    "请派出所核对上述建议调整的责任区，并于调整完成后回复。",
    "The station is asked to review the proposed beats above and to reply once re-aligned.",
)
GRID_HEADERS = (
    ("id", Text("网格编码", "grid id"), False),
    ("status", Text("变更类型", "change"), False),
    ("old_id", Text("原编码", "former id"), False),
    ("area_before_m2", Text("原面积(m²)", "area before (m²)"), True),
    ("area_after_m2", Text("现面积(m²)", "area after (m²)"), True),
    ("gained_m2", Text("增加(m²)", "gained (m²)"), True),
    ("lost_m2", Text("减少(m²)", "lost (m²)"), True),
    ("households_before", Text("原户数", "households before"), True),
    ("households_after", Text("现户数", "households after"), True),
)
STATUS = {
    "added": Text("新增", "added"),
    "removed": Text("撤销", "removed"),
    "reshaped": Text("边界调整", "reshaped"),
    "renamed": Text("更名/改码", "renamed"),
}


@dataclass(frozen=True)
class Notice:
    """The change notice: its HTML text and its tables (sheet name → DataFrame)."""

    html: str
    tables: dict[str, pd.DataFrame]

    def write_html(self, path: str | Path) -> Path:
        out = Path(path)
        out.write_text(self.html, encoding="utf-8")
        return out

    def write_xlsx(self, path: str | Path) -> Path:
        out = Path(path)
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for sheet, table in self.tables.items():
                table.to_excel(writer, sheet_name=sheet[:31], index=False)
        return out


def build_notice(
    impact: Impact,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    sender: str = "",
    recipient: str = "",
    date: str = "",
) -> Notice:
    """Assemble the notice of a grid change from its impact and both grid versions."""
    crs = impact.metric_crs
    b, a = before.to_crs(crs), after.to_crs(crs)
    changed = impact.diff.changed.to_crs(crs)
    rows = _grid_rows(changed, b, a)
    sections = _sections(impact)
    sections[1]["svg"] = _beats_svg(impact, a, set(changed["id"].astype(str)))
    html = (
        jinja2.Environment(autoescape=True)
        .from_string(TEMPLATE)
        .render(
            title=TITLE,
            basis=BASIS,
            request=REQUEST,
            sender=sender,
            recipient=recipient,
            date=date,
            metric_crs=crs,
            summary=_summary(impact),
            grid_headers=[h for _, h, _ in GRID_HEADERS],
            grids=rows,
            sections=sections,
        )
    )
    return Notice(html, _tables(changed, sections))


def _grid_rows(changed: gpd.GeoDataFrame, b: gpd.GeoDataFrame, a: gpd.GeoDataFrame) -> list[dict]:
    old = dict(zip(b["id"].astype(str), b.geometry, strict=True))
    new = dict(zip(a["id"].astype(str), a.geometry, strict=True))
    context = np.asarray(a.geometry.array, dtype=object)
    rows = []
    for rec in changed.to_dict("records"):  # one small map per changed grid (a handful)
        gid = str(rec["id"])
        source = str(rec.get("old_id") or "") or gid
        cells = [{"value": _cell(rec, key), "num": num} for key, _, num in GRID_HEADERS]
        svg = before_after_svg(old.get(source), new.get(gid), context=context)
        rows.append({"cells": cells, "svg": svg})
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


def _cell(rec: dict, key: str) -> str:
    value = rec.get(key)
    if key == "status":
        return str(STATUS.get(str(value), Text(str(value), str(value))))
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:,.0f}" if isinstance(value, float | int | np.number) else str(value)


def _summary(impact: Impact) -> list[dict]:
    labels = {
        "grids_changed": Text("变更网格", "grids changed"),
        "beats_misaligned": Text("不再对齐的网格(责任区)", "grids no longer aligned with beats"),
        "aux_beats": Text("需重建的辅警警格", "auxiliary beats to regenerate"),
        "joint_points": Text("变更网格的联防联控点", "joint-defense points changing grid"),
        "addresses": Text("变更网格的标准地址", "standard addresses changing grid"),
        "open_incidents": Text("变更网格的未结警情", "open incidents changing grid"),
        "officers": Text("需调整的警力", "officers whose assignment changes"),
    }
    return [
        {"zh": labels[k].zh, "en": labels[k].en, "value": v} for k, v in impact.summary().items()
    ]


def _sections(impact: Impact) -> list[dict]:
    beats = impact.beat_proposal.changes if impact.beat_proposal is not None else pd.DataFrame()
    flows: pd.DataFrame = impact.diff.flows
    if "households" in flows.columns:
        flows = flows.loc[flows["households"] > 0]
    spec = [
        (
            Text("人口流动", "Households moving between grids"),
            flows,
            ["from_id", "to_id", "area_m2", "households", "population"],
        ),
        (
            Text("建议调整的民警责任区", "Proposed re-aligned officer beats"),
            beats,
            ["grid_id", "from", "to", "share_before"],
        ),
        (
            Text("需重建的辅警警格", "Auxiliary beats to regenerate"),
            impact.aux_beats,
            ["aux_beat_id", "grid_id", "reason"],
        ),
        (
            Text("需调整的警力配置", "Officer assignments to change"),
            impact.officers,
            ["officer_id", "name", "role", "area_kind", "area_id", "reason"],
        ),
        (
            Text("变更网格的联防联控点", "Joint-defense points changing grid"),
            impact.joint_points,
            ["id", "grid_before", "grid_after"],
        ),
        (
            Text("变更网格的未结警情", "Open incidents changing grid"),
            impact.incidents,
            ["id", "grid_before", "grid_after"],
        ),
    ]
    out = []
    for title, frame, columns in spec:
        cols = [c for c in columns if c in frame.columns]
        table = frame[cols].round(2) if len(frame) else pd.DataFrame(columns=cols)
        out.append(
            {
                "title": title,
                "headers": [_header(c) for c in cols],
                "rows": table.astype(str).to_numpy().tolist(),
                "frame": table,
            }
        )
    return out


HEADERS = {
    "from_id": Text("原网格", "from grid"),
    "to_id": Text("现网格", "to grid"),
    "area_m2": Text("面积(m²)", "area (m²)"),
    "households": Text("户数", "households"),
    "population": Text("人口", "population"),
    "grid_id": Text("网格", "grid"),
    "from": Text("原责任区", "beat before"),
    "to": Text("建议责任区", "proposed beat"),
    "share_before": Text("原占比", "share before"),
    "aux_beat_id": Text("辅警警格", "aux beat"),
    "reason": Text("原因", "reason"),
    "officer_id": Text("警号", "officer id"),
    "name": Text("姓名", "name"),
    "role": Text("岗位", "role"),
    "area_kind": Text("责任区类型", "area kind"),
    "area_id": Text("责任区", "area"),
    "id": Text("编码", "id"),
    "grid_before": Text("原网格", "grid before"),
    "grid_after": Text("现网格", "grid after"),
}


def _header(column: str) -> Text:
    return HEADERS.get(column, Text(column, column))


def _tables(changed: gpd.GeoDataFrame, sections: list[dict]) -> dict[str, pd.DataFrame]:
    grids = pd.DataFrame(changed.drop(columns="geometry"))
    keep = [k for k, _, _ in GRID_HEADERS if k in grids.columns]
    grids = grids[keep].rename(columns={k: str(h) for k, h, _ in GRID_HEADERS})
    out = {"变更网格 Changed grids": grids}
    for section in sections:
        frame = section["frame"].rename(columns=lambda c: str(_header(c)))
        out[f"{section['title'].zh} {section['title'].en}"[:31]] = frame
    return out
