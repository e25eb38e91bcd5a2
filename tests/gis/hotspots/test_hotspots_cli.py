"""``beatgrid hotspots`` / ``beatgrid coverage`` on the demo district, and on bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from typer.testing import CliRunner

from beatgrid.cli import app

runner = CliRunner()


def test_hotspots_writes_gpkg_and_xlsx(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "hot"
    result = runner.invoke(
        app, ["hotspots", str(demo_dir), "-o", str(out), "--size", "200", "--category", "theft"]
    )
    assert result.exit_code == 0, result.output
    layers = set(pyogrio.list_layers(out / "results.gpkg")[:, 0])
    assert layers == {"grid_counts", "cell_hotspots", "emerging"}
    cells = gpd.read_file(out / "results.gpkg", layer="cell_hotspots")
    assert {"id", "count", "gi_z", "gi_p", "gi_p_fdr", "hotspot_class"} <= set(cells.columns)
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"grid_counts", "cell_hotspots", "emerging", "pai"} <= set(sheets)
    assert "rate_km2" in sheets["grid_counts"].columns


def test_coverage_writes_parquet(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cov"
    result = runner.invoke(
        app,
        [
            "coverage",
            str(demo_dir),
            "-o",
            str(out),
            "--format",
            "parquet",
            "--start",
            "2025-11-01",
            "--end",
            "2025-11-08",
        ],
    )
    assert result.exit_code == 0, result.output
    grids = gpd.read_parquet(out / "grid_patrol.parquet")
    assert {"id", "patrol_minutes", "distance_m", "covered_share"} <= set(grids.columns)
    joints = gpd.read_parquet(out / "joint_points.parquet")
    assert {"id", "visited", "dwell_minutes"} <= set(joints.columns)
    assert "uncovered_addresses" in pd.read_excel(out / "results.xlsx", sheet_name=None)


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["hotspots", str(tmp_path / "nope"), "-o", str(tmp_path)])
    assert missing.exit_code == 2
    bad_choice = runner.invoke(
        app, ["coverage", str(tmp_path), "-o", str(tmp_path), "--format", "shp"]
    )
    assert bad_choice.exit_code == 2 and "--format" in bad_choice.output
