"""Accepted exceptions (kept beside the layer, honoured later) and the report's exports."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gis.checks import (
    ExceptionRegister,
    check_layers,
    load_exceptions,
    save_exceptions,
    sidecar_path,
)
from gis.checks.exceptions import load_sidecars, save_sidecars
from gis.errors import ConfigError, FileFormatError
from tests.gis.checks.conftest import GRID_BOXES, frame, sq
from tests.gis.checks.helpers import run
from tests.zh_scan import assert_chinese


def _overlapping(district) -> dict[str, object]:
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms["G2"] = sq(90, 100, 200, 200)
    return district(grid=frame(list(geoms), list(geoms.values())), aux_beat=None, assignments=None)


def test_accepted_finding_stays_listed_but_is_not_a_violation(district, tmp_path) -> None:
    report = run(_overlapping(district))
    assert not report.ok
    overlap = report.findings[report.findings["rule"] == "overlap"]
    register = ExceptionRegister().accept_findings(overlap, reason="市场跨网格，已报备 / market")
    grids_file = tmp_path / "grids.geojson"
    save_sidecars(register, {"grid": grids_file})
    assert sidecar_path(grids_file) == tmp_path / "grids.exceptions.json"
    again = _overlapping(district)
    later = check_layers(
        {k: v for k, v in again.items() if k != "assignments"},  # type: ignore[misc]
        exceptions=load_sidecars({"grid": grids_file}),
    )
    accepted = later.findings[later.findings["accepted"]]
    assert list(accepted["rule"]) == ["overlap"]
    assert later.figures["accepted"] == 1
    assert "overlap" not in set(later.violations["rule"])


def test_exception_key_ignores_id_order_and_needs_a_reason(tmp_path) -> None:
    register = ExceptionRegister().accept(rule="gap", layer="grid", ids="G2,G1", reason="river")
    assert register.matches("gap", "grid", "G1,G2", "")
    assert not register.matches("gap", "beat", "G1,G2", "")
    path = save_exceptions(register, tmp_path / "x.exceptions.json")
    assert load_exceptions(path).items == register.items
    with pytest.raises(ConfigError):
        register.accept(rule="gap", layer="grid", ids="G3", reason="  ")


def test_broken_sidecar_is_a_file_format_error(tmp_path) -> None:
    bad = tmp_path / "grids.exceptions.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"grids\.exceptions\.json"):
        load_exceptions(bad)
    assert len(load_exceptions(tmp_path / "missing.json")) == 0


def test_exports_round_trip(district, tmp_path: Path) -> None:
    report = run(_overlapping(district))
    gpkg = report.to_geopackage(tmp_path / "findings.gpkg")
    back = gpd.read_file(gpkg, layer="findings")
    assert len(back) == len(report.findings)
    assert set(back["rule"]) == set(report.findings["rule"])
    geojson = json.loads(report.to_geojson(tmp_path / "f.geojson").read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(report.findings)
    xlsx = report.to_xlsx(tmp_path / "report.xlsx")
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["汇总", "问题清单", "网格", "民警责任区"]
    assert len(sheets["问题清单"]) == len(report.findings)
    assert set(sheets["问题清单"]["规则"]) == {"重叠"}
    assert_chinese(xlsx)
    english = pd.read_excel(report.to_xlsx(tmp_path / "en.xlsx", lang="en"), sheet_name=None)
    assert list(english) == ["Summary", "Findings", "Grids", "Officer beats"]
    assert set(english["Findings"]["Rule"]) == {"overlap"}
    csvs = report.to_csv(tmp_path / "csv")
    table = pd.read_csv(csvs[0], encoding="utf-8-sig")
    assert table["wkt"].str.startswith("POLYGON").any()
    page = report.to_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "重叠" in page and "<script" not in page
    assert_chinese(tmp_path / "r.html")
    page = report.to_html(tmp_path / "en.html", lang="en").read_text(encoding="utf-8")
    assert "overlap" in page and "重叠" not in page


def test_report_is_frozen_and_bilingual(district) -> None:
    report = run(_overlapping(district))
    with pytest.raises(AttributeError):
        report.findings = None  # type: ignore[misc]
    row = report.violations.iloc[0]
    assert row["message_zh"] != row["message_en"]
    assert (
        "重叠"
        in report.violations.loc[report.violations["rule"] == "overlap", "message_zh"].iloc[0]
    )
    assert "不一致" in report.summary("zh") and "violations" in report.summary("en")
    assert report.counts().loc["overlap", "error"] == 1
