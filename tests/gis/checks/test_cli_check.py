"""``beatgrid check``: prints the verdict, writes the report, exits 1 on violations."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from beatgrid.cli import app
from gis.checks import RULES
from tests.gis.checks.conftest import make_district

runner = CliRunner()


def _write(tmp_path: Path, **changes: object) -> dict[str, Path]:
    layers = make_district(**changes)
    paths: dict[str, Path] = {}
    for kind in ("community", "grid", "beat"):
        path = tmp_path / f"{kind}s.geojson"
        layers[kind].to_crs(4490).to_file(path)  # type: ignore[union-attr]
        paths[kind] = path
    return paths


def test_consistent_files_exit_zero(tmp_path) -> None:
    paths = _write(tmp_path)
    result = runner.invoke(
        app,
        ["check", "--grids", str(paths["grid"]), "--beats", str(paths["beat"]), "--lang", "en"],
    )
    assert result.exit_code == 0, result.output
    assert "consistent" in result.output


def test_violations_exit_one_and_write_reports(tmp_path) -> None:
    from tests.gis.checks.conftest import frame, sq

    bad = frame(["B1", "B2"], [sq(0, 0, 150, 200), sq(150, 0, 400, 200)])
    paths = _write(tmp_path, beat=bad)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["check", "--grids", str(paths["grid"]), "--beats", str(paths["beat"]), "-o", str(out)],
    )
    assert result.exit_code == 1, result.output
    label = RULES["grid_split_by_beat"].label.zh
    assert label in result.output  # rules named in the chosen language
    assert {p.name for p in out.iterdir()} >= {
        "findings.gpkg",
        "findings.geojson",
        "report.xlsx",
        "report.html",
        "csv",
    }


def test_manifest(demo_dir) -> None:
    result = runner.invoke(app, ["check", str(demo_dir), "--lang", "en"])
    assert result.exit_code == 1
    assert "violations" in result.output


def test_unusable_input_exits_two(tmp_path) -> None:
    missing = tmp_path / "nope.geojson"
    assert runner.invoke(app, ["check", "--grids", str(missing)]).exit_code == 2
    assert runner.invoke(app, ["check"]).exit_code == 2
