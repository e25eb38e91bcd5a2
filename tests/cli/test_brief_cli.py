"""``beatgrid brief``, ``assess`` and ``wallmap`` on the demo district, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from beatgrid.cli import app

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_week_brief_assessment_and_wall_map_of_the_demo(demo_dir: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "周研判.docx"
    code, out = run("brief", demo_dir, "--period", "week", "--at", "2025-11-12",
                    "--scope", "community", "320105900001", "-o", out_file)  # fmt: skip
    assert code == 0, out
    d = docx.Document(str(tmp_path / "周研判.docx"))
    assert d.paragraphs[0].text.endswith("2025年11月10日至11月16日周研判")
    assert d.inline_shapes, "the maps are in the document"

    code, out = run("assess", demo_dir, "--period", "month", "--at", "2025-11-12",
                    "-o", tmp_path / "考核.xlsx")  # fmt: skip
    assert code == 0, out
    book = openpyxl.load_workbook(tmp_path / "考核.xlsx")
    assert book.sheetnames == ["网格考核", "民警辅警网格长考核"]
    headers = [c.value for c in book["网格考核"][1]]
    assert headers[:5] == ["名称", "标准地址数", "已走访覆盖", "走访覆盖率(%)", "接报"]
    assert headers[-4:] == ["网格工作得分", "警务工作得分", "综合得分", "排名"]
    assert book["网格考核"].max_row == 119  # 118 grids and the header

    code, out = run("wallmap", demo_dir, "320105900001", "-o", tmp_path / "示意图.png")
    assert code == 0, out
    assert (tmp_path / "示意图.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--period", "week", "--at", "next tuesday"], "日期格式错误"),
        (["--period", "year", "--at", "2025-11-12"], "year"),
        (["--period", "week", "--at", "2025-11-12", "--letterhead", "nowhere.toml"], "文头"),
    ],
)
def test_bad_brief_options_are_named(demo_dir: Path, tmp_path: Path, args, words) -> None:  # type: ignore[no-untyped-def]
    code, out = run("brief", demo_dir, "-o", tmp_path / "b.docx", *args)
    assert code == 2
    assert words in out
    assert list(tmp_path.iterdir()) == []


def test_wrong_output_suffix_is_refused_before_any_work(demo_dir: Path, tmp_path: Path) -> None:
    code, out = run("brief", demo_dir, "--period", "day", "--at", "2025-11-12",
                    "-o", tmp_path / "b.txt")  # fmt: skip
    assert code == 2 and ".docx" in out
    code, out = run("assess", demo_dir, "--period", "day", "--at", "2025-11-12",
                    "-o", tmp_path / "a.xlsx")  # fmt: skip
    assert code == 2 and "考核按周或按月" in out
    assert list(tmp_path.iterdir()) == []


def test_unknown_scope_is_named(demo_dir: Path, tmp_path: Path) -> None:
    code, out = run("brief", demo_dir, "--period", "day", "--at", "2025-11-12", "--no-check",
                    "--scope", "community", "999", "-o", tmp_path / "b.docx")  # fmt: skip
    assert code == 2 and "999" in out and "社区" in out
    assert list(tmp_path.iterdir()) == []
