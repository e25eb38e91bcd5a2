"""Exports of a :class:`~gis.checks.report.CheckReport`: GeoPackage, GeoJSON, XLSX, CSV, HTML."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from gis.checks.config import SEVERITY_LABELS
from gis.io import write_layer

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
    if findings.crs is not None:
        findings = findings.to_crs(4326)
    path.write_text(findings.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")
    return path


def _table(findings: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(findings.drop(columns="geometry"))
    table["severity_zh"] = table["severity"].map(lambda s: SEVERITY_LABELS[s].zh)
    return table


def to_xlsx(report: CheckReport, path: Path) -> Path:
    """Sheets 汇总 summary, 问题 findings, 网格 grids, 责任区 beats."""
    figures = pd.DataFrame({"figure": list(report.figures), "value": list(report.figures.values())})
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame(
            {"summary": [report.summary("zh"), report.summary("en"), report.metric_crs]}
        ).to_excel(book, sheet_name="汇总 summary", index=False)
        figures.to_excel(book, sheet_name="汇总 summary", index=False, startrow=5)
        report.counts().to_excel(book, sheet_name="汇总 summary", startrow=6 + len(figures) + 2)
        _table(report.findings).to_excel(book, sheet_name="问题 findings", index=False)
        report.grids.to_excel(book, sheet_name="网格 grids", index=False)
        report.beats.to_excel(book, sheet_name="责任区 beats", index=False)
    return path


def to_csv(report: CheckReport, directory: Path) -> list[Path]:
    """findings.csv (geometry as WKT), grids.csv, beats.csv; UTF-8 with BOM for Excel."""
    directory.mkdir(parents=True, exist_ok=True)
    table = _table(report.findings)
    table["wkt"] = report.findings.geometry.to_wkt().fillna("").to_numpy()
    written = []
    for name, frame in (("findings", table), ("grids", report.grids), ("beats", report.beats)):
        target = directory / f"{name}.csv"
        frame.to_csv(target, index=False, encoding="utf-8-sig")
        written.append(target)
    return written


def to_html(report: CheckReport, path: Path) -> Path:
    """A self-contained HTML page: verdict, figures, counts per rule, the violations."""
    violations = _table(report.violations)[
        [
            "rule",
            "severity",
            "layer",
            "ids",
            "other_ids",
            "area_m2",
            "width_m",
            "message_zh",
            "message_en",
        ]
    ]
    figures = pd.DataFrame({"figure": list(report.figures), "value": list(report.figures.values())})
    verdict = "ok" if report.ok else "violations"
    page = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>边界一致性检查 / boundary consistency</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px}} .ok{{color:#070}} .violations{{color:#b00}}</style>
</head><body>
<h1 class="{verdict}">{html.escape(report.summary("zh"))}</h1>
<p class="{verdict}">{html.escape(report.summary("en"))}</p>
<p>metric CRS: {html.escape(report.metric_crs)}; tolerance {report.config.tolerance_m} m,
sliver {report.config.sliver_area_m2} m²</p>
<h2>指标 / figures</h2>{figures.to_html(index=False)}
<h2>按规则 / by rule</h2>{report.counts().to_html()}
<h2>问题 / violations</h2>{violations.to_html(index=False)}
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
