"""Briefing documents read back as a user would: DOCX opened with python-docx, the PDF
printed by Chromium counted in pages, every figure in the text equal to the library's."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from gis.briefing import make_brief
from gis.briefing.document import brief_title
from gis.documents import Letterhead, read_letterhead
from gis.errors import ConfigError
from maps import printing
from maps.brief_document import write_brief
from tests.gis.briefing.conftest import VISITS, tiny_district

AT = "2025-11-12"
HEAD = Letterhead(issuer="示例街道警网融合工作领导小组办公室", number="示警网〔2025〕1号")
# Latin letters allowed in a Chinese document: none (numbers, %, ℃-free units only)
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def docx_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    d = docx.Document(str(path))
    paragraphs = [p.text for p in d.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paragraphs, tables


@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    return make_brief(
        tiny_district(), kind="week", at=AT, visits=VISITS, deadlines={"dispute": 3.0}
    )


def test_week_docx_reads_back_the_library_figures(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = write_brief(week, tmp_path / "周研判.docx", letterhead=HEAD)
    paragraphs, tables = docx_text(out)
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "示警网〔2025〕1号"
    assert paragraphs[1] == brief_title(week) == "示例街道2025年11月10日至11月16日周研判"
    assert "本期共接报警情 6 起，上期 2 起，环比上升 200.0%" in text
    assert "在办 2 起，其中超期 1 起；本期办结率 66.7%" in text
    assert paragraphs[-2:] == ["示例街道警网融合工作领导小组办公室", "2025年11月16日"]
    categories = next(t for t in tables if t[0][:3] == ["类别", "本期", "上期"])
    by_cat = week.incidents.by_category.set_index("label")
    for row in categories[1:-1]:
        assert int(row[1]) == by_cat.loc[row[0], "count"]
        assert int(row[2]) == by_cat.loc[row[0], "previous"]
    assert categories[-1][:3] == ["合计", "6", "2"]
    handling = next(t for t in tables if t[0][0] == "网格" and "办结率" in t[0])
    assert ["第1网格", "3", "2", "1", "1", "66.7%"] in handling
    assert any(t[0][:2] == ["名称", "走访覆盖率"] for t in tables)  # the assessment


def test_chinese_documents_have_no_english_words(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("day", "week", "month"):
        brief = make_brief(tiny_district(), kind=kind, at=AT, visits=VISITS)
        paragraphs, tables = docx_text(
            write_brief(brief, tmp_path / f"{kind}.docx", letterhead=HEAD)
        )
        words = [w for t in [*paragraphs, *(c for tb in tables for r in tb for c in r)]
                 for w in ASCII_WORD.findall(t)]  # fmt: skip
        assert words == [], f"{kind}: {words[:10]}"


def test_english_documents_are_english(tmp_path: Path) -> None:
    brief = make_brief(tiny_district(), kind="week", at=AT, visits=VISITS, lang="en")
    paragraphs, _ = docx_text(write_brief(brief, tmp_path / "week.docx", letterhead=Letterhead()))
    text = "\n".join(paragraphs)
    assert "weekly analysis" in paragraphs[0]
    assert "6 incidents this period against 2 before" in text
    assert not re.search(r"[\u4e00-\u9fff]{2,}", text.replace("示例街道", "").replace("第", ""))


def test_zero_report_says_so(tmp_path: Path) -> None:
    quiet = replace(tiny_district(incidents=False), addresses=None, tracks=None)
    brief = make_brief(quiet, kind="day", at=AT)
    paragraphs, _ = docx_text(write_brief(brief, tmp_path / "零报告.docx", letterhead=HEAD))
    assert paragraphs[1].endswith("日见面零报告")
    assert any("特此零报告" in p for p in paragraphs)


def test_html_is_self_contained(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = write_brief(week, tmp_path / "b.html", letterhead=HEAD).read_text(encoding="utf-8")
    assert "本期共接报警情 6 起" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian chromium")
def test_day_brief_prints_on_one_page(tmp_path: Path) -> None:
    brief = make_brief(tiny_district(), kind="day", at=AT, visits=VISITS)
    pdf = write_brief(brief, tmp_path / "日见面.pdf", letterhead=HEAD)
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages == 1


def test_bad_output_and_bad_letterhead_are_refused(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"\.docx"):
        write_brief(week, tmp_path / "b.txt", letterhead=HEAD)
    with pytest.raises(ConfigError, match="输出目录不存在"):
        write_brief(week, tmp_path / "missing" / "b.docx", letterhead=HEAD)
    bad = tmp_path / "head.toml"
    bad.write_text('issuer = "x"\nsignature = "y"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="signature"):
        read_letterhead(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["head.toml"]  # nothing half-written


def test_maps_have_a_chinese_font_with_every_glyph() -> None:
    family = printing.cjk_font()
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    face = FT2Font(font_manager.findfont(family, fallback_to_default=False))
    for ch in "网格示意图热点巡逻覆盖社区民警辅警网格长图例北千米":
        assert face.get_char_index(ord(ch)), ch


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    printing.cjk_font.cache_clear()
    monkeypatch.setattr(printing, "CJK_FAMILIES", ("No Such Font 不存在",))
    try:
        with pytest.raises(ConfigError, match="未安装中文字体"):
            printing.cjk_font()
    finally:
        printing.cjk_font.cache_clear()


def test_brief_maps_render(week) -> None:  # type: ignore[no-untyped-def]
    from maps.brief_figures import brief_images

    images = brief_images(week)
    assert "attention" in images and "coverage" in images
    for png, caption in images.values():
        assert png.startswith(b"\x89PNG") and caption


def test_pdftotext_reads_the_chinese_back(week, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if not (shutil.which("pdftotext") and shutil.which("chromium")):
        pytest.skip("needs poppler-utils and chromium")
    pdf = write_brief(week, tmp_path / "周研判.pdf", letterhead=HEAD)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "本期共接报警情 6 起" in text.decode("utf-8").replace("\n", "")
