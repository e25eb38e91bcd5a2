"""``beatgrid hotspots`` / ``beatgrid coverage`` on the demo district, and on bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from beatgrid.cli import app
from gis.labels import REVIEW_COLUMNS, SHEETS

runner = CliRunner()


def test_hotspots_writes_gpkg_and_xlsx(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "hot"
    result = runner.invoke(
        app, ["hotspots", str(demo_dir), "-o", str(out), "--size", "200", "--category", "theft"]
    )
    assert result.exit_code == 0, result.output
    layers = set(pyogrio.list_layers(out / "results.gpkg")[:, 0])
    assert layers == {"grid_counts", "cell_hotspots", "emerging", "density_contours"}
    cells = gpd.read_file(out / "results.gpkg", layer="cell_hotspots")
    assert {"id", "count", "gi_z", "gi_p", "gi_p_fdr", "hotspot_class"} <= set(cells.columns)
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {SHEETS[k].zh for k in ("grid_counts", "cell_hotspots", "emerging", "pai")} <= set(
        sheets
    )  # the workbook is Chinese by default
    assert REVIEW_COLUMNS["rate_km2"].zh in sheets[SHEETS["grid_counts"].zh].columns


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
    assert SHEETS["uncovered_addresses"].zh in pd.read_excel(out / "results.xlsx", sheet_name=None)


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["hotspots", str(tmp_path / "nope"), "-o", str(tmp_path)])
    assert missing.exit_code == 2
    bad_choice = runner.invoke(
        app, ["coverage", str(tmp_path), "-o", str(tmp_path), "--format", "shp"]
    )
    assert bad_choice.exit_code == 2 and "--format" in bad_choice.output


def _hot_cells(demo_dir: Path, path: Path) -> gpd.GeoDataFrame:
    """The demo grids as 'hot cells': the first five hot (class 3), the rest not."""
    from gis.district import load_district

    grids = load_district(demo_dir).grids
    assert grids is not None
    cells = grids[["id", "geometry"]].copy()
    cells["hotspot_class"] = [3] * 5 + [0] * (len(cells) - 5)
    cells.to_file(path, layer="cell_hotspots", driver="GPKG")
    return cells


def test_coverage_roads_and_hotspot_dosage_match_the_library(
    demo_dir: Path, tmp_path: Path
) -> None:
    from gis.coverage.patrol import hotspot_dosage, legs_in_period, patrol_coverage
    from gis.district import load_district

    cells = _hot_cells(demo_dir, tmp_path / "hot.gpkg")
    out = tmp_path / "cov"
    period = ["--start", "2025-11-03", "--end", "2025-11-05"]
    args = ["coverage", str(demo_dir), "-o", str(out), *period, "--format", "parquet"]
    extra = ["--roads", str(demo_dir / "roads.geojson"), "--hotspots", str(tmp_path / "hot.gpkg")]
    result = runner.invoke(app, [*args, *extra, "--min-visit", "5"])
    assert result.exit_code == 0, result.output
    assert "巡逻与走访覆盖" in result.output  # the summary is Chinese by default
    # the same figures as the library calls the command wraps
    d = load_district(demo_dir)
    roads = gpd.read_file(demo_dir / "roads.geojson")
    lib = patrol_coverage(d.tracks, d.grids, start="2025-11-03", end="2025-11-05", roads=roads)
    grids = gpd.read_parquet(out / "grid_patrol.parquet")
    assert grids["covered_share"].to_numpy() == pytest.approx(
        lib.grids["covered_share"].to_numpy(), nan_ok=True
    )
    by_area = patrol_coverage(d.tracks, d.grids, start="2025-11-03", end="2025-11-05")
    assert not np.allclose(  # street length is not area
        lib.grids["covered_share"].fillna(0), by_area.grids["covered_share"].fillna(0)
    )
    legs = legs_in_period(lib.tracks.legs, start=lib.start, end=lib.end)
    dose = hotspot_dosage(legs, cells, min_visit_minutes=5)
    got = gpd.read_parquet(out / "hotspot_dosage.parquet")
    assert got["id"].tolist() == cells["id"].iloc[:5].tolist()  # only the hot cells
    assert got["patrol_minutes"].to_numpy() == pytest.approx(dose.areas["patrol_minutes"])
    assert got["patrol_minutes"].sum() > 0 and 0 < lib.grids["covered_share"].max() <= 1
    assert got["effective_visits"].tolist() == dose.areas["effective_visits"].tolist()
    visits = pd.read_excel(out / "results.xlsx", sheet_name=SHEETS["hotspot_visits"].zh)
    minutes = REVIEW_COLUMNS["minutes"].zh if "minutes" in REVIEW_COLUMNS else "minutes"
    assert len(visits) == len(dose.visits) and (visits[minutes] >= 0).all()


def test_coverage_bad_roads_and_hotspot_files_exit_2(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cov"
    base = ["coverage", str(demo_dir), "-o", str(out), "--start", "2025-11-01"]
    base += ["--end", "2025-11-02"]
    missing = runner.invoke(app, [*base, "--roads", str(tmp_path / "roads.geojson")])
    assert missing.exit_code == 2 and "roads.geojson" in missing.output
    no_class = tmp_path / "cells.geojson"
    gpd.read_file(demo_dir / "roads.geojson").iloc[:0].to_file(no_class)  # empty, no class
    bad = runner.invoke(app, [*base, "--hotspots", str(no_class)])
    assert bad.exit_code == 2 and "hotspot_class" in bad.output
    polygons = tmp_path / "poly.gpkg"
    _hot_cells(demo_dir, polygons)
    not_lines = runner.invoke(app, [*base, "--roads", str(polygons)])
    assert not_lines.exit_code == 2 and "LineString" in not_lines.output
    garbage = tmp_path / "broken.gpkg"
    garbage.write_bytes(b"not a geopackage")
    broken = runner.invoke(app, [*base, "--hotspots", str(garbage)])
    assert broken.exit_code == 2 and "broken.gpkg" in broken.output


def test_hotspots_cli_writes_what_hotspot_review_computes(demo_dir: Path, tmp_path: Path) -> None:
    """The command only writes the review: the same counts, z-scores and classes."""
    from gis.district import load_district
    from gis.hotspots import hotspot_review

    out = tmp_path / "same"
    args = ["hotspots", str(demo_dir), "-o", str(out), "--size", "200", "--format", "parquet"]
    result = runner.invoke(app, [*args, "--window", "week", "--at", "2025-11-05"])
    assert result.exit_code == 0, result.output
    review = hotspot_review(load_district(demo_dir), window="week", at="2025-11-05", size_m=200)
    for name, frame in (("grid_counts", review.grids), ("cell_hotspots", review.cells)):
        written = gpd.read_parquet(out / f"{name}.parquet")
        assert written["id"].tolist() == frame["id"].tolist()
        for col in ("count", "hotspot_class"):
            assert written[col].tolist() == frame[col].tolist(), (name, col)
        assert written["gi_z"].to_numpy() == pytest.approx(frame["gi_z"].to_numpy())
    assert review.emerging is not None
    emerging = gpd.read_parquet(out / "emerging.parquet")
    assert emerging["pattern"].tolist() == review.emerging["pattern"].tolist()
    pai = pd.read_excel(out / "results.xlsx", sheet_name=SHEETS["pai"].zh)
    got_pai = pai[REVIEW_COLUMNS["pai"].zh].iloc[0]
    assert got_pai == pytest.approx(review.pai["pai"].iloc[0], abs=0.005)  # to 2 decimals
    assert "2025-11-03" in result.output  # the week's Monday heads the summary


def test_hotspots_cli_custom_range_and_bad_window(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "range"
    period = ["--start", "2025-10-01", "--end", "2025-12-01", "--size", "200"]
    result = runner.invoke(app, ["hotspots", str(demo_dir), "-o", str(out), *period])
    assert result.exit_code == 0, result.output
    assert "custom" in result.output
    bad = runner.invoke(app, ["hotspots", str(demo_dir), "-o", str(out), "--window", "year"])
    assert bad.exit_code == 2 and "--window" in bad.output
    half = runner.invoke(app, ["hotspots", str(demo_dir), "-o", str(out), "--start", "2025-10-01"])
    assert half.exit_code == 2 and "start and end" in half.output


def test_hotspots_writes_the_density_and_the_whole_period(demo_dir: Path, tmp_path: Path) -> None:
    """The kernel density as a GeoTIFF and contour polygons; ``--whole-period`` Gi*."""
    import pyproj
    import rasterio

    from gis.district import load_district
    from gis.hotspots import hotspot_review

    out = tmp_path / "density"
    args = ["hotspots", str(demo_dir), "-o", str(out), "--size", "200", "--whole-period"]
    result = runner.invoke(app, [*args, "--window", "week", "--at", "2025-11-05"])
    assert result.exit_code == 0, result.output
    review = hotspot_review(
        load_district(demo_dir), window="week", at="2025-11-05", size_m=200, trends=False,
        density=True, whole_period=True,
    )  # fmt: skip
    assert review.density is not None and review.whole is not None
    with rasterio.open(out / "density.tif") as src:
        assert pyproj.CRS(src.crs.to_wkt()).equals(review.metric_crs)
        assert tuple(src.transform)[:6] == pytest.approx(review.density.transform)
        cell_km2 = src.transform.a * -src.transform.e / 1e6
        assert src.read(1).sum() * cell_km2 == pytest.approx(review.density.n_points, rel=1e-4)
    contours = gpd.read_file(out / "results.gpkg", layer="density_contours")
    assert contours["level"].is_monotonic_increasing and len(contours) == 4
    whole = gpd.read_file(out / "results.gpkg", layer="cell_hotspots_whole")
    assert whole["count"].tolist() == review.whole["count"].tolist()
    assert whole["hotspot_class"].tolist() == review.whole["hotspot_class"].tolist()
