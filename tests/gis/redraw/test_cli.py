"""``beatgrid redraw ...`` on the demo district: thin commands, exit codes, outputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from typer.testing import CliRunner

from beatgrid.cli import app

runner = CliRunner()


def _run(*args: object) -> tuple[int, str]:
    done = runner.invoke(app, [str(a) for a in args])
    return done.exit_code, done.output


@pytest.mark.parametrize(
    "command",
    ["split", "merge", "move", "reassign", "draw", "diff", "impact", "balance", "beats", "notice"],
)
def test_every_command_has_help(command: str) -> None:
    code, out = _run("redraw", command, "--help")
    assert code == 0 and "Usage" in out


def test_balance_then_notice_on_demo(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "balanced.geojson"
    code, text = _run("redraw", "balance", demo_dir, "-o", out)
    assert code == 0, text
    assert "320105900006" in text and out.exists()
    assert len(gpd.read_file(out)) == len(gpd.read_file(demo_dir / "grids.geojson"))
    code, text = _run(
        "redraw",
        "notice",
        demo_dir,
        out,
        "-o",
        tmp_path / "notice",
        "--from",
        "禾洲街道",
        "--to",
        "禾洲派出所",
        "--changes-map",
    )
    assert code == 0, text
    html = (tmp_path / "notice" / "notice.html").read_text(encoding="utf-8")
    assert "禾洲派出所" in html and "<svg" in html
    assert openpyxl.load_workbook(tmp_path / "notice" / "notice.xlsx").sheetnames
    assert (tmp_path / "notice" / "changes.html").stat().st_size > 1000
    code, text = _run("redraw", "diff", demo_dir, out, "-o", tmp_path / "diff.csv")
    assert code == 0 and "reshaped" in text


def test_bad_edit_exits_2_with_bilingual_message(demo_dir: Path, tmp_path: Path) -> None:
    code, text = _run(
        "redraw",
        "merge",
        demo_dir,
        "320105900001001",
        "320105900003001",
        "-o",
        tmp_path / "x.geojson",
    )
    flat = " ".join(text.split())  # rich wraps long lines
    assert code == 2
    assert "不同社区" in flat and "different communities" in flat
    assert not (tmp_path / "x.geojson").exists()


def test_draw_and_reassign_on_demo(demo_dir: Path, tmp_path: Path) -> None:
    grids = gpd.read_file(demo_dir / "grids.geojson")
    target = grids.set_index("id").loc["320105900006010"].geometry
    polygon = target.centroid.buffer(0.0005).wkt
    code, text = _run(
        "redraw",
        "draw",
        demo_dir,
        "--polygon",
        polygon,
        "--new-id",
        "NEW",
        "-o",
        tmp_path / "drawn.geojson",
    )
    assert code == 0, text
    assert "NEW" in set(gpd.read_file(tmp_path / "drawn.geojson")["id"])
    code, text = _run(
        "redraw",
        "reassign",
        demo_dir,
        "320105900001001",
        "320105900009",
        "-o",
        tmp_path / "r.geojson",
    )
    assert code == 2 and "does not border" in " ".join(text.split())
