"""The change notice: a 告知书 in HTML and XLSX, one language each, with maps, areas, beats
and assignments; no cited document unless configured; only this edit's consequences."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from gis.errors import ConfigError
from gis.redraw import assess_impact, move_boundary
from gis.redraw.notice import build_notice
from gis.redraw.notice_config import load_notice_config
from gis.redraw.svg import before_after_svg, overview_svg
from tests.gis.redraw.conftest import CRS, line, square
from tests.zh_scan import assert_chinese


@pytest.fixture
def notice(grids, buildings):
    after = move_boundary(grids, "K1001", "K1002", line((130, -5), (130, 105))).grids
    beats = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"], "parent_id": "P"},
        geometry=[square(0, 0, 100, 200), square(100, 0, 200, 200).union(square(200, 0))],
        crs=CRS,
    )
    assignments = pd.DataFrame(
        {
            "officer_id": ["O1"],
            "name": ["张三"],
            "role": ["officer"],
            "area_kind": ["grid"],
            "area_id": ["K1002"],
        }
    )
    impact = assess_impact(grids, after, beats=beats, assignments=assignments, buildings=buildings)
    return impact, grids, after


def _zh(notice_parts, **options):
    impact, grids, after = notice_parts
    return build_notice(
        impact,
        grids,
        after,
        sender="街道办",
        recipient="派出所<测试>",
        date="2026-11-21",
        **options,
    )


def test_html_is_a_notice_in_official_form(notice, tmp_path) -> None:
    html = _zh(notice).html
    assert "<title>关于网格调整的告知书</title>" in html
    assert "派出所&lt;测试&gt;：" in html  # 主送, autoescaped
    assert html.index("特此告知。") < html.index("街道办<br>2026年11月21日")  # 落款 and date
    assert "《" not in html and "通化" not in html  # no document cited unless configured
    assert "K1001" in html and "K1002" in html
    assert html.count("<svg") == 3  # a before/after map per changed grid, the beats map
    assert "13,000" in html and "3,000" in html  # area after and gained, whole m²
    beats = html.split("建议调整的民警责任区")[1].split("<h2>")[0]
    assert "K1001" in beats and "Z1" in beats
    assert "张三" in html and "O1" in html and "民警" in html and "所在网格变更" in html
    path = _zh(notice).write_html(tmp_path / "notice.html")
    assert path.read_text(encoding="utf-8") == html
    assert_chinese(path)
    assert_chinese(_zh(notice).write_xlsx(tmp_path / "notice.xlsx"))


def test_configured_basis_and_number_are_cited(notice, tmp_path) -> None:
    config_file = tmp_path / "notice.toml"
    config_file.write_text(
        'number = "建邺街发〔2026〕5号"\n[basis]\ntitle = "《建邺区警网融合实施方案》"\n'
        'number = "建政办发〔2025〕12号"\n',
        encoding="utf-8",
    )
    html = _zh(notice, config=load_notice_config(config_file)).html
    assert "建邺街发〔2026〕5号" in html
    assert "根据《建邺区警网融合实施方案》（建政办发〔2025〕12号），" in html
    config_file.write_text("[basis]\nnumber = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="title"):
        load_notice_config(config_file)
    config_file.write_text("cite = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys"):
        load_notice_config(config_file)


def test_english_notice_is_english(notice) -> None:
    html = _zh(notice, lang="en").html
    assert "<title>Notice of grid changes</title>" in html
    assert "21 November 2026" in html and "officer" in html
    mine = html.replace("张三", "").replace("街道办", "").replace("派出所&lt;测试&gt;", "")
    assert not re.search(r"[\u4e00-\u9fff]", mine)


def test_xlsx_has_one_sheet_per_table_with_full_chinese_names(notice, tmp_path) -> None:
    result = _zh(notice)
    path = result.write_xlsx(tmp_path / "notice.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "变更网格",
        "人口流动",
        "建议调整的民警责任区",
        "需重建的辅警警格",
        "需调整的警力配置",
        "变更网格的联防联控点",
        "变更网格的未结警情",
    ]
    sheet = book["变更网格"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["编码", "变更类型", "原编码"]
    ids = {sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)}
    assert ids == {"K1001", "K1002"}
    assert {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)} == {"边界调整"}
    english = openpyxl.load_workbook(_zh(notice, lang="en").write_xlsx(tmp_path / "en.xlsx"))
    assert all(len(name) <= 31 for name in english.sheetnames)
    assert english.sheetnames[0] == "Changed grids"


def test_svg_of_nothing_is_empty() -> None:
    assert before_after_svg(None, None) == ""
    svg = before_after_svg(square(0, 0), None)
    assert svg.startswith("<svg") and "stroke-dasharray" in svg


def test_overview_svg_keeps_the_aspect_ratio() -> None:
    empty = np.asarray([], dtype=object)
    assert overview_svg(empty, empty, np.asarray([], dtype=bool)) == ""
    svg = overview_svg(
        np.asarray([square(0, 0, 200, 100)], dtype=object),
        np.asarray([square(0, 0), square(100, 0)], dtype=object),
        np.asarray([True, False]),
        size=400,
    )
    assert 'width="400" height="200"' in svg and svg.count("<path") == 3
