"""Every generated Chinese document is Chinese: no English word that is not a code or id.

The demo district's check report (XLSX, HTML), a report with an invalid polygon (GEOS
reasons translated and located in longitude/latitude) and the demo's change notice.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

from gis.checks import check_district, check_layers
from gis.district import load_district
from gis.redraw import assess_impact, split_grid
from gis.redraw.notice import build_notice
from tests.zh_scan import assert_chinese, english_words

CROWDED = "320105900006010"  # planted in truth.json: 1,113 households


@pytest.fixture(scope="module")
def district(demo_dir: Path):
    return load_district(demo_dir / "manifest.json")


def test_demo_check_report_is_chinese(district, tmp_path: Path) -> None:
    report = check_district(district)
    assert len(report.violations) > 5
    assert_chinese(report.to_xlsx(tmp_path / "report.xlsx"))
    assert_chinese(report.to_html(tmp_path / "report.html"))
    for message in report.findings["message_zh"]:
        assert not english_words(message), message
    sheets = pd.read_excel(tmp_path / "report.xlsx", sheet_name=None)
    areas = sheets["问题清单"]["面积（平方米）"]
    assert (areas.round(1) == areas).all()  # rounded figures
    assert "网格未配备民（辅）警" in set(sheets["问题清单"]["规则"])


def test_geos_reasons_are_translated_and_located_in_lon_lat(tmp_path: Path) -> None:
    bowtie = Polygon([(500000, 3540000), (500100, 3540100), (500100, 3540000), (500000, 3540100)])
    grids = gpd.GeoDataFrame(
        {"id": ["G1", "G2"]}, geometry=[bowtie, box(500100, 3540000, 500200, 3540100)], crs=4549
    )
    report = check_layers({"grid": grids})
    row = report.violations[report.violations["rule"] == "invalid_geometry"].iloc[0]
    assert "自相交（经度 120.0005" in row["message_zh"] and "纬度 31.98" in row["message_zh"]
    assert "Self-intersection" not in row["message_zh"]
    assert "self-intersection at lon 120.0005" in row["message_en"]
    assert_chinese(report.to_xlsx(tmp_path / "bowtie.xlsx"))


def test_demo_notice_is_chinese(district, tmp_path: Path) -> None:
    """Split the demo's crowded grid (as tests/gis/redraw/test_demo.py) and write the notice."""
    grids = district.grids
    shape = grids.set_index("id").loc[CROWDED].geometry
    _, miny, _, maxy = shape.bounds
    x = shape.centroid.x
    edit = split_grid(
        grids,
        CROWDED,
        shapely.LineString([(x, miny - 1e-3), (x, maxy + 1e-3)]),
        communities=district.communities,
    )
    impact = assess_impact(
        grids,
        edit.grids,
        beats=district.beats,
        aux_beats=district.aux_beats,
        joint_points=district.joint_points,
        incidents=district.incidents,
        assignments=district.assignments,
        buildings=district.buildings,
    )
    notice = build_notice(impact, grids, edit.grids, sender="某街道办事处", recipient="某派出所")
    assert len(impact.officers) > 0 and len(impact.aux_beats) > 0
    # only this edit's consequences: the planted older misalignment (grid 320105900009013
    # split between ZRQ08 and ZRQ09) is not re-aligned on its account
    assert "320105900009013" not in notice.html
    assert set(impact.officers["area_id"]) & {"ZRQ08", "ZRQ09"} == set()
    assert_chinese(notice.write_html(tmp_path / "notice.html"))
    assert_chinese(notice.write_xlsx(tmp_path / "notice.xlsx"))


def test_demo_review_workbooks_are_chinese(district, tmp_path: Path) -> None:
    """The hot-spot and coverage workbooks of ``beatgrid hotspots`` / ``coverage``: Chinese
    sheet names, headers and values in zh; English ones with ``lang="en"``."""
    import re

    from beatgrid.commands.analytics import coverage_frames, hotspot_frames
    from gis.coverage import coverage_review
    from gis.hotspots import hotspot_review
    from gis.io import write_workbook
    from gis.labels import review_sheets

    hot = hotspot_review(district)
    cov = coverage_review(district, window="week", hotspots=hot)
    frames, tables = coverage_frames(cov)
    sheets = {**hotspot_frames(hot), "pai": hot.pai, **frames, **tables}
    assert {"emerging", "joint_points", "hotspot_dosage", "grid_visits"} <= set(sheets)
    zh = write_workbook(review_sheets(sheets, "zh"), tmp_path / "zh.xlsx")
    assert_chinese(zh)
    book = pd.read_excel(zh, sheet_name=None)
    assert len(book) == len(sheets)
    patrol = book["网格巡逻覆盖"]["巡逻覆盖率（%）"]
    assert (patrol.round(1) == patrol).all() and patrol.max() > 1  # percentages, rounded
    en = pd.read_excel(
        write_workbook(review_sheets(sheets, "en"), tmp_path / "en.xlsx"), sheet_name=None
    )
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for name, frame in en.items():
        assert not cjk.search(name) and not any(cjk.search(str(c)) for c in frame.columns), name
