"""``hotspots`` and ``coverage`` on raw real files in one command, as a new user runs them,
from single files or the workspace ``beatgrid import`` writes; ``--tz`` decides which local
day the times fall on."""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

from beatgrid.cli import app
from gis.labels import GI_CLASSES
from tests.zh_scan import assert_chinese, xlsx_text

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("BEATGRID_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="module")
def raw() -> Path:
    if not (SHARED / "chicago" / "police_beats.zip").is_file():
        pytest.skip(f"real public data not found at {SHARED} (set BEATGRID_SHARED_DATA)")
    return SHARED


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _plain_point_in_polygon(raw: Path) -> int:
    """Chicago incidents with coordinates inside some beat (plain geopandas)."""
    crimes = pd.read_csv(raw / "chicago" / "crimes_2016-01_sample.csv")
    crimes = crimes.dropna(subset=["Longitude", "Latitude"])
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(crimes["Longitude"], crimes["Latitude"]), crs=4326
    )
    beats = gpd.read_file(raw / "chicago" / "police_beats.zip").to_crs(4326)
    joined = gpd.sjoin(points, beats[["geometry"]], predicate="within")
    return int(joined.index.nunique())


def test_hotspots_on_raw_chicago_files(raw: Path, tmp_path: Path) -> None:
    beats = raw / "chicago" / "police_beats.zip"
    crimes = raw / "chicago" / "crimes_2016-01_sample.csv"
    code, out = _run("hotspots", "--grids", beats, "--incidents", crimes, "-o", tmp_path)
    assert code == 2 and "--map id=COLUMN" in out  # Chicago's beat number is no grid id column
    code, out = _run(
        "hotspots", "--grids", beats, "--incidents", crimes, "--map", "grid:id=BEAT_NUM",
        "--repair", "-o", tmp_path, "--window", "month", "--at", "2016-01-02",
    )  # fmt: skip
    assert code == 0, out
    counts = gpd.read_file(tmp_path / "results.gpkg", layer="grid_counts")
    raw_beats = gpd.read_file(beats)
    assert len(counts) == raw_beats["BEAT_NUM"].nunique() < len(raw_beats)  # --repair merged
    assert int(counts["count"].sum()) == _plain_point_in_polygon(raw)
    assert "note:" in out and "Warning" not in out  # what reading noticed, as notes
    assert_chinese(tmp_path / "results.xlsx")  # headers, classes, sheet names: all Chinese
    sheets = pd.read_excel(tmp_path / "results.xlsx", sheet_name=None)
    assert list(sheets) == [
        "网格警情统计", "格网单元热点", "时空热点模式", "警情密度等值区", "预测精度指数"
    ]  # fmt: skip
    grid = sheets["网格警情统计"]
    assert (grid["面积（平方千米）"].round(1) == grid["面积（平方千米）"]).all()  # rounded
    assert set(grid["热点等级"]) <= {t.zh for t in GI_CLASSES.values()}  # classes in words


def test_hotspots_from_the_import_workspace(raw: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws.gpkg"
    steps = (
        ("police_beats.zip", "grid", ["--map", "id=BEAT_NUM", "--repair"]),
        ("crimes_2016-01_sample.csv", "incident", []),
    )
    for name, kind, extra in steps:
        code, out = _run("import", raw / "chicago" / name, "-k", kind, "-o", ws, *extra)
        assert code == 0, out
    code, out = _run("hotspots", ws, "-o", tmp_path / "out", "--lang", "en")
    assert code == 0, out
    assert not re.search(r"[\u4e00-\u9fff]", out)  # --lang en: an English summary
    book = xlsx_text(tmp_path / "out" / "results.xlsx")
    assert not re.search(r"[\u4e00-\u9fff]", book) and "Grid counts" in book
    counts = gpd.read_file(tmp_path / "out" / "results.gpkg", layer="grid_counts")
    assert int(counts["count"].sum()) == _plain_point_in_polygon(raw)


@pytest.fixture(scope="module")
def beijing_grids(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 × 3 grid over the GeoLife fixes (the tracks are real, the grid is drawn here)."""
    x0, y0, x1, y1 = 116.318, 39.950, 116.368, 39.993
    dx, dy = (x1 - x0) / 3, (y1 - y0) / 3
    cells = [(i, j) for i in range(3) for j in range(3)]
    corners = [(x0 + i * dx, y0 + j * dy) for i, j in cells]
    squares = [box(x, y, x + dx, y + dy) for x, y in corners]
    grids = gpd.GeoDataFrame(
        {"id": [f"G{i}{j}" for i, j in cells], "name": [f"网格{i}{j}" for i, j in cells]},
        geometry=squares,
        crs=4326,
    )
    path = tmp_path_factory.mktemp("beijing") / "grids.geojson"
    grids.to_file(path)
    return path


def _patrol_minutes(raw: Path, grids: Path, out: Path, *args: str) -> float:
    tracks = raw / "tracks" / "geolife_beijing_sample.csv"
    code, text = _run(
        "coverage", "--grids", grids, "--tracks", tracks, "--map", "track_id=user_id",
        "-o", out, "--window", "day", *args,
    )  # fmt: skip
    assert code == 0, text
    frame = gpd.read_file(out / "results.gpkg", layer="grid_patrol")
    return float(frame["patrol_minutes"].sum())


def test_coverage_on_raw_geolife_tracks_counts_local_days(
    raw: Path, beijing_grids: Path, tmp_path: Path
) -> None:
    """GeoLife stamps UTC (``…Z``): 05:59–13:22 Z is one afternoon in Beijing, but spans the
    evening of the 25th and the morning of the 26th in Los Angeles."""
    beijing = _patrol_minutes(raw, beijing_grids, tmp_path / "a", "--at", "2008-10-26")
    assert beijing > 0
    assert _patrol_minutes(raw, beijing_grids, tmp_path / "b", "--at", "2008-10-25") == 0
    la = "America/Los_Angeles"
    day_26 = _patrol_minutes(raw, beijing_grids, tmp_path / "c", "--at", "2008-10-26", "--tz", la)
    day_25 = _patrol_minutes(raw, beijing_grids, tmp_path / "d", "--at", "2008-10-25", "--tz", la)
    assert 0 < day_26 < beijing and 0 < day_25 < beijing
    assert day_25 + day_26 == pytest.approx(beijing, rel=0.02)  # cut at local midnight only


def test_unknown_zone_is_refused_before_reading(raw: Path, tmp_path: Path) -> None:
    code, out = _run(
        "hotspots", "--grids", raw / "chicago" / "police_beats.zip", "--tz", "Mars/Olympus",
        "-o", tmp_path,
    )  # fmt: skip
    assert code == 2 and "Mars/Olympus" in out and "Asia/Shanghai" in out
