"""Exports of a :class:`~gis.checks.report.CheckReport`: GeoPackage, GeoJSON, XLSX, CSV, HTML."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from gis.checks.config import SEVERITY_LABELS
from gis.i18n import Lang, Text
from gis.io import write_layer, write_workbook
from gis.io.workbook import Sheet
from gis.labels import BOOLEANS, COLUMNS, FIGURES, LAYERS, RULES, SEVERITIES, localize

if TYPE_CHECKING:
    from gis.checks.report import CheckReport


def _plain(findings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Findings with one geometry type family per row a GeoPackage accepts."""
    out = findings.copy()
    out["accepted"] = out["accepted"].astype(bool)
    return out


def to_geopackage(report: CheckReport, path: Path) -> Path:
    """Findings as layer ``findings``; grid and beat summaries as attribute tables."""
    path.unlink(missing_ok=True)
    findings = _plain(report.findings)
    write_layer(findings, path, format="gpkg", layer="findings")
    for name, table in (("grid_summary", report.grids), ("beat_summary", report.beats)):
        if len(table):
            summary = gpd.GeoDataFrame(table.copy(), geometry=[None] * len(table), crs=findings.crs)
            write_layer(summary, path, format="gpkg", layer=name)
    return path


def to_geojson(report: CheckReport, path: Path) -> Path:
    """Findings as GeoJSON in WGS84 (RFC 7946)."""
    findings = _plain(report.findings)
    return write_layer(findings, path, format="geojson", to_crs=4326 if findings.crs else None)


def _table(findings: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(findings.drop(columns="geometry"))
    table["severity_zh"] = table["severity"].map(lambda s: SEVERITY_LABELS[s].zh)
    return table


def _findings(findings: gpd.GeoDataFrame, lang: Lang) -> pd.DataFrame:
    """Findings for a reader: one message column in ``lang``, every value worded."""
    table = pd.DataFrame(findings.drop(columns="geometry"))
    table["message"] = table[f"message_{lang}"]
    table = table.drop(columns=["message_zh", "message_en"])
    return localize(
        table,
        lang,
        values={
            "rule": RULES,
            "severity": SEVERITIES,
            "layer": LAYERS,
            "other_layer": LAYERS,
            "accepted": BOOLEANS,
        },
    )


def _figures(report: CheckReport, lang: Lang) -> pd.DataFrame:
    rows = []
    for key, value in report.figures.items():
        shown = round(100 * value, 1) if key.startswith("share_") else int(value)
        rows.append({"figure": FIGURES[key].get(lang) if key in FIGURES else key, "value": shown})
    return localize(pd.DataFrame(rows, columns=["figure", "value"]), lang)


def _counts(report: CheckReport, lang: Lang) -> pd.DataFrame:
    counts = report.counts().reset_index().rename_axis(columns=None)
    return localize(counts, lang, values={"rule": RULES}).rename(
        columns={"accepted": COLUMNS["accepted"].get(lang)}
    )


def _grids(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    out = table.copy()
    if "beat_share" in out.columns:
        out["beat_share"] = (out["beat_share"].astype(float) * 100).round(1)
    return localize(out, lang, values={"aligned": BOOLEANS})


_SHEETS = {
    "summary": Text("汇总", "Summary"),
    "findings": Text("问题清单", "Findings"),
    "grids": Text("网格", "Grids"),
    "beats": Text("民警责任区", "Officer beats"),
}


def to_xlsx(report: CheckReport, path: Path, *, lang: Lang = "zh") -> Path:
    """Sheets 汇总, 问题清单, 网格, 民警责任区 (or English ones), all in one language."""
    head = pd.DataFrame(
        {
            Text("检查结论", "Result").get(lang): [
                report.summary(lang),
                f"{Text('面积计算坐标系', 'Areas measured in').get(lang)} {report.metric_crs}",
            ]
        }
    )
    sheets: dict[str, Sheet] = {
        "summary": [head, _figures(report, lang), _counts(report, lang)],
        "findings": _findings(report.findings, lang),
        "grids": _grids(report.grids, lang),
        "beats": _grids(report.beats, lang),
    }
    return write_workbook({_SHEETS[k].get(lang): v for k, v in sheets.items()}, path)


def to_csv(report: CheckReport, directory: Path) -> list[Path]:
    """findings.csv (geometry as WKT), grids.csv, beats.csv; UTF-8 with BOM for Excel."""
    directory.mkdir(parents=True, exist_ok=True)
    table = _table(report.findings)
    table["wkt"] = report.findings.geometry.to_wkt().fillna("").to_numpy()
    written = []
    for name, frame in (("findings", table), ("grids", report.grids), ("beats", report.beats)):
        written.append(write_layer(frame, directory / f"{name}.csv", format="csv"))
    return written


def to_html(report: CheckReport, path: Path, *, lang: Lang = "zh") -> Path:
    """A self-contained HTML page in one language: verdict, figures, counts, violations."""
    words = {
        "title": Text("边界一致性检查", "Boundary consistency check"),
        "settings": Text(
            f"面积计算坐标系 {report.metric_crs}；容差 {report.config.tolerance_m:g} 米，"
            f"碎片面积阈值 {report.config.sliver_area_m2:g} 平方米",
            f"Measured in {report.metric_crs}; tolerance {report.config.tolerance_m:g} m, "
            f"sliver threshold {report.config.sliver_area_m2:g} m²",
        ),
        "figures": Text("指标", "Figures"),
        "by_rule": Text("按规则统计", "By rule"),
        "violations": Text("问题清单", "Violations"),
    }
    w = {k: html.escape(v.get(lang)) for k, v in words.items()}
    columns = ["rule", "severity", "layer", "ids", "other_ids", "area_m2", "width_m", "message"]
    violations = _findings(report.violations, lang)
    named = [localize(pd.DataFrame(columns=[c]), lang).columns[0] for c in columns]
    verdict = "ok" if report.ok else "violations"
    summary = html.escape(report.summary(lang)).replace("\n", "<br>")
    code = "zh-CN" if lang == "zh" else "en"
    page = f"""<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><title>{w["title"]}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px}} .ok{{color:#070}} .violations{{color:#b00}}</style>
</head><body>
<h1>{w["title"]}</h1>
<p class="{verdict}">{summary}</p>
<p>{w["settings"]}</p>
<h2>{w["figures"]}</h2>{_figures(report, lang).to_html(index=False)}
<h2>{w["by_rule"]}</h2>{_counts(report, lang).to_html(index=False)}
<h2>{w["violations"]}</h2>{violations[named].to_html(index=False)}
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
