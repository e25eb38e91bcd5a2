"""``beatgrid import / info / export`` end to end, on real data and on broken files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely import Polygon, box
from typer.testing import CliRunner

from beatgrid.cli import app

runner = CliRunner()


def _run(*args: object) -> tuple[int, str]:
    done = runner.invoke(app, [str(a) for a in args])
    return done.exit_code, done.output


@pytest.fixture
def grid_file(tmp_path: Path) -> Path:
    """Two 100 m grids with unusual column names::

    +-----+-----+
    | A01 | A02 |
    +-----+-----+
    """
    frame = gpd.GeoDataFrame(
        {"CELL": ["A01", "A02"], "网格名称": ["一格", "二格"], "SQ": ["S1", "S1"]},
        geometry=[box(118.700, 32.0, 118.701, 32.001), box(118.701, 32.0, 118.702, 32.001)],
        crs=4490,
    )
    path = tmp_path / "grids.geojson"
    frame.to_file(path)
    return path


@pytest.mark.parametrize("command", [[], ["import"], ["info"], ["export"]])
def test_help(command: list[str]) -> None:
    code, out = _run(*command, "--help")
    assert code == 0 and "Usage" in out


def test_import_real_beats_then_export_xlsx_gcj02(tmp_path: Path, shared_data: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    code, out = _run(
        "import",
        shared_data / "chicago" / "police_beats.zip",
        "--kind",
        "beat",
        "--repair",
        "-o",
        ws,
    )
    assert code == 0, out
    assert "BEAT_NUM" in out and "DISTRICT" in out and "275" in out
    assert pyogrio.read_info(ws, layer="beat")["features"] == 275
    xlsx = tmp_path / "beats.xlsx"
    code, out = _run("export", ws, "--kind", "beat", "-o", xlsx, "--to-crs", "gcj02")
    assert code == 0, out
    sheet = openpyxl.load_workbook(xlsx, read_only=True)["beat"]
    assert next(sheet.iter_rows(max_row=1, values_only=True))[0] == "id"


def test_import_with_map_options_and_mapping_file(tmp_path: Path, grid_file: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    code, out = _run(
        "import", grid_file, "-k", "grid", "--map", "id=CELL", "--map", "parent_id=SQ", "-o", ws
    )
    assert code == 0, out
    assert "CELL" in out and "网格名称" in out
    frame = gpd.read_file(ws, layer="grid")
    assert frame["id"].tolist() == ["A01", "A02"] and frame["parent_id"].tolist() == ["S1", "S1"]
    mapping = tmp_path / "m.toml"
    mapping.write_text('[grid]\nid = "CELL"\nparent_id = "SQ"\n', encoding="utf-8")
    code, out = _run("import", grid_file, "-k", "grid", "--mapping-file", mapping, "-o", ws)
    assert code == 0, out


def test_import_errors_exit_2_with_location(tmp_path: Path, grid_file: Path) -> None:
    code, out = _run("import", grid_file, "--kind", "grid", "-o", tmp_path / "ws.gpkg")
    assert code == 2
    assert "grids.geojson" in out and "'id'" in out and "--map id=COLUMN" in out
    frame = gpd.read_file(grid_file)
    frame.loc[1, "geometry"] = Polygon(
        [(118.701, 32.0), (118.702, 32.001), (118.702, 32.0), (118.701, 32.001)]
    )
    frame.to_file(grid_file)
    code, out = _run("import", grid_file, "-k", "grid", "-m", "id=CELL", "-o", tmp_path / "w.gpkg")
    assert code == 2 and "row 2 (id A02)" in out and "Self-intersection" in out
    assert not (tmp_path / "w.gpkg").exists()  # nothing half-written
    code, out = _run(
        "import", grid_file, "-k", "grid", "-m", "id=CELL", "--repair", "-o", tmp_path / "w.gpkg"
    )
    assert code == 0 and "repaired" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--kind", "polygon"], "'polygon' is not one of"),
        (["--kind", "grid", "--map", "id"], "FIELD=COLUMN"),
        (["--kind", "grid", "--crs", "marsx"], "marsx"),
    ],
)
def test_bad_options_exit_2(grid_file: Path, args: list[str], fragment: str) -> None:
    code, out = _run("import", grid_file, *args)
    assert code == 2 and fragment in out


def test_info_lists_layers_and_problems(tmp_path: Path, grid_file: Path) -> None:
    gpkg = tmp_path / "two.gpkg"
    gpd.read_file(grid_file).to_file(gpkg, layer="a")
    gpd.read_file(grid_file).to_file(gpkg, layer="b")
    code, out = _run("info", gpkg)
    assert code == 0 and "a  2 features" in out and "b  2 features" in out and "CELL" in out
    code, out = _run("info", grid_file, "--kind", "grid")
    assert code == 1 and "problem" in out and "'id'" in out
    code, out = _run("info", grid_file, "--kind", "grid", "--map", "id=CELL")
    assert code == 0 and "valid: 2 features" in out


def test_info_csv_with_kind(shared_data: Path) -> None:
    code, out = _run(
        "info",
        shared_data / "tracks" / "geolife_beijing_sample.csv",
        "--kind",
        "track",
        "--map",
        "track_id=user_id",
    )
    assert code == 0, out
    assert "tracked_at" in out and "valid: 2293 features" in out


def test_export_csv_round_trip(tmp_path: Path, grid_file: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    assert _run("import", grid_file, "-k", "grid", "-m", "id=CELL", "-o", ws)[0] == 0
    csv = tmp_path / "grids.csv"
    code, out = _run("export", ws, "--kind", "grid", "-o", csv)
    assert code == 0, out
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert (
        table["name"].tolist() == ["一格", "二格"] and table["wkt"].str.startswith("POLYGON").all()
    )


def test_export_missing_layer_exit_2(tmp_path: Path, grid_file: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    assert _run("import", grid_file, "-k", "grid", "-m", "id=CELL", "-o", ws)[0] == 0
    code, out = _run("export", ws, "--kind", "beat", "-o", tmp_path / "b.geojson")
    assert code == 2 and "no layer 'beat'" in out and "grid" in out


def test_district_summary(tmp_path: Path, grid_file: Path) -> None:
    manifest = tmp_path / "manifest.json"
    entry = {"path": "grids.geojson", "mapping": {"id": "CELL"}}
    manifest.write_text(
        json.dumps({"name": "小区", "layers": {"grid": entry}}, ensure_ascii=False), "utf-8"
    )
    code, out = _run("district", tmp_path)
    assert code == 0, out
    assert "小区" in out and "grid" in out and "EPSG:4490" in out
    assert "0.021" in out  # two 0.001° cells at 32°N: 2 x 94.5 m x 110.9 m
    code, out = _run("district", tmp_path / "nowhere")
    assert code == 2 and "no manifest" in out


def test_info_on_xlsx_and_plain_parquet(tmp_path: Path) -> None:
    table = pd.DataFrame({"编号": ["a", "b"], "经度": [118.7, 118.71], "纬度": [32.0, 32.01]})
    table.to_excel(tmp_path / "pts.xlsx", index=False)
    table.to_parquet(tmp_path / "pts.parquet")
    for name in ("pts.xlsx", "pts.parquet"):
        code, out = _run("info", tmp_path / name)
        assert code == 0 and "2 features" in out and "经度" in out, out


def test_import_incidents_lists_rows_not_loaded(tmp_path: Path, shared_data: Path) -> None:
    code, out = _run(
        "import",
        shared_data / "chicago" / "crimes_2016-01_sample.csv",
        "--kind",
        "incident",
        "--crs",
        "EPSG:4326",
        "-o",
        tmp_path / "ws.gpkg",
    )
    assert code == 0, out
    assert "1542" in out and "rows not loaded" in out and "178 more" in out
    assert pyogrio.read_info(tmp_path / "ws.gpkg", layer="incident")["features"] == 1542
