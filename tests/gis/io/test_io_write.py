"""write_layer round trips: every export format reads back to the same layer."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from gis.errors import ConfigError, CRSWarning, FileFormatError
from gis.io import read_layer, write_layer
from gis.io.write import EXCEL_CELL_LIMIT


@pytest.fixture
def grid_layer(tmp_path: Path, grids: gpd.GeoDataFrame):
    path = tmp_path / "source.geojson"
    grids.to_file(path)
    return read_layer(path, kind="grid")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".csv", ".xlsx"])
def test_polygon_round_trip(tmp_path: Path, grid_layer, suffix: str) -> None:
    out = write_layer(grid_layer.gdf, tmp_path / f"out{suffix}")
    crs = 4490 if suffix in (".csv", ".xlsx") else None  # text formats do not carry a CRS
    back = read_layer(out, kind="grid", crs=crs).gdf
    assert back["id"].tolist() == grid_layer.gdf["id"].tolist()
    assert back["name"].tolist() == ["南苑一格", "南苑二格", "北苑一格", "北苑二格"]
    assert back.crs.to_epsg() == 4490
    assert back.geometry.geom_equals_exact(grid_layer.gdf.geometry, tolerance=1e-8).all()
    assert back["户数"].astype(int).tolist() == [310, 280, 295, 330]


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".csv", ".xlsx"])
def test_point_round_trip_keeps_times(
    tmp_path: Path, incidents_frame: pd.DataFrame, suffix: str
) -> None:
    src = tmp_path / "incidents.csv"
    incidents_frame.to_csv(src, index=False)
    layer = read_layer(src, kind="incident", crs=4490)
    out = write_layer(layer.gdf, tmp_path / f"out{suffix}")
    back = read_layer(out, kind="incident", crs=4490 if suffix in (".csv", ".xlsx") else None)
    assert back.gdf["time"].tolist() == layer.gdf["time"].tolist()
    assert back.gdf["category"].tolist() == layer.gdf["category"].tolist()
    np.testing.assert_allclose(
        shapely.get_coordinates(back.gdf.geometry.array),
        shapely.get_coordinates(layer.gdf.geometry.array),
        atol=1e-9,
    )


def test_csv_points_are_lon_lat_columns_and_excel_friendly(tmp_path: Path, incidents_frame) -> None:
    src = tmp_path / "incidents.csv"
    incidents_frame.to_csv(src, index=False)
    layer = read_layer(src, kind="incident", crs=4490)
    out = write_layer(layer.gdf, tmp_path / "out.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Chinese
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert {"lon", "lat"} <= set(table.columns) and "wkt" not in table.columns
    assert table["category"].iloc[0] == "盗窃"


def test_xlsx_keeps_chinese_text(tmp_path: Path, grid_layer) -> None:
    out = write_layer(grid_layer.gdf, tmp_path / "grids.xlsx", layer="网格")
    sheet = openpyxl.load_workbook(out)["网格"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "name", "code", "parent_id"] and header[-1] == "wkt"
    assert sheet.cell(row=2, column=2).value == "南苑一格"


def test_xlsx_refuses_geometry_longer_than_a_cell(tmp_path: Path, grid_layer) -> None:
    frame = grid_layer.gdf.copy()
    frame.loc[2, "geometry"] = shapely.Point(118.7, 32.0).buffer(0.01, quad_segs=2000)
    with pytest.raises(FileFormatError) as err:
        write_layer(frame, tmp_path / "grids.xlsx")
    problem = err.value.problems[0]
    assert (problem.row, problem.field) == (3, "geometry")
    assert f"{EXCEL_CELL_LIMIT:,}" in problem.message


def test_gpkg_appends_and_replaces_layers(tmp_path: Path, grid_layer) -> None:
    path = tmp_path / "workspace.gpkg"
    write_layer(grid_layer.gdf, path, layer="grid")
    write_layer(grid_layer.gdf.iloc[:2], path, layer="community")
    write_layer(grid_layer.gdf.iloc[:3], path, layer="grid")  # replaced, not appended
    names = pyogrio.list_layers(path)[:, 0]
    counts = {str(n): pyogrio.read_info(path, layer=n)["features"] for n in names}
    assert counts == {"grid": 3, "community": 2}


@pytest.mark.parametrize("target", ["gcj02", "bd09"])
def test_export_in_chinese_crs_round_trips(tmp_path: Path, grid_layer, target: str) -> None:
    out = write_layer(grid_layer.gdf, tmp_path / f"grids_{target}.geojson", to_crs=target)
    shifted = gpd.read_file(out)
    wgs84 = grid_layer.gdf.to_crs(4326)
    dx = shifted.geometry.iloc[0].centroid.x - wgs84.geometry.iloc[0].centroid.x
    assert 0.002 < dx < 0.02  # hundreds of metres east, as Amap/Baidu shift Nanjing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CRSWarning)
        back = read_layer(out, kind="grid", crs=target).gdf
    err = shapely.hausdorff_distance(back.geometry.array, wgs84.geometry.array)
    assert float(np.max(err)) < 1e-7  # below 1 cm


def test_export_reprojects_to_epsg(tmp_path: Path, grid_layer) -> None:
    out = write_layer(grid_layer.gdf, tmp_path / "grids.gpkg", to_crs="EPSG:4549")
    back = read_layer(out, kind="grid").gdf
    assert back.crs.to_epsg() == 4549
    assert back.geometry.area.iloc[0] == pytest.approx(94.4 * 111.0, rel=0.05)


def test_table_without_geometry(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "警号": ["001"],
            "姓名": ["张三"],
            "岗位": ["officer"],
            "责任区类型": ["beat"],
            "责任区编码": ["B1"],
        }
    )
    src = tmp_path / "assign.csv"
    table.to_csv(src, index=False)
    layer = read_layer(src, kind="assignment")
    assert list(layer.gdf.columns[:5]) == ["officer_id", "name", "role", "area_kind", "area_id"]
    out = write_layer(layer.gdf, tmp_path / "assign.xlsx")
    assert read_layer(out, kind="assignment").gdf["name"].tolist() == ["张三"]
    with pytest.raises(ConfigError, match="CSV or XLSX"):
        write_layer(layer.gdf, tmp_path / "assign.geojson")


def test_unknown_output_format(tmp_path: Path, grid_layer) -> None:
    with pytest.raises(ConfigError, match="unknown output format"):
        write_layer(grid_layer.gdf, tmp_path / "grids.dwg")
