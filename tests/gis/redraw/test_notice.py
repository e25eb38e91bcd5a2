"""The change notice: HTML and XLSX, bilingual, with maps, areas, beats and assignments."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

from gis.redraw import assess_impact, move_boundary
from gis.redraw.notice import build_notice
from gis.redraw.svg import before_after_svg, overview_svg
from tests.gis.redraw.conftest import CRS, line, square


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
    return build_notice(
        impact, grids, after, sender="街道办", recipient="派出所<测试>", date="2026-11-21"
    )


def test_html_lists_changed_grids_with_maps_beats_and_officers(notice, tmp_path) -> None:
    html = notice.html
    assert "网格调整告知书" in html and "Notice of grid changes" in html
    assert "K1001" in html and "K1002" in html and "K2001" not in html.split("Changed grids")[1]
    assert html.count("<svg") == 3  # a before/after map per changed grid, the beats map
    assert "13,000" in html and "3,000" in html  # area after and gained, m²
    beats = html.split("Proposed re-aligned officer beats")[1].split("<h2>")[0]
    assert "K1001" in beats and "Z1" in beats
    assert "张三" in html and "O1" in html
    assert "派出所&lt;测试&gt;" in html  # autoescaped
    path = notice.write_html(tmp_path / "notice.html")
    assert path.read_text(encoding="utf-8") == html


def test_xlsx_has_one_bilingual_sheet_per_table(notice, tmp_path) -> None:
    path = notice.write_xlsx(tmp_path / "notice.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "变更网格 Changed grids"
    sheet = book["变更网格 Changed grids"]
    header = [c.value for c in sheet[1]]
    assert "网格编码 / grid id" in header
    ids = {sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)}
    assert ids == {"K1001", "K1002"}
    assert len(book.sheetnames) == len(notice.tables)


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
