"""read_layer on every format: GeoJSON, Shapefile (.shp/.zip, GBK), GeoPackage, KML/KMZ,
CSV, XLSX, GeoParquet; encodings, layers and CRS settlement."""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from gis.errors import CRSError, CRSWarning, DataQualityWarning, FieldError, FileFormatError
from gis.io import read_layer
from gis.io.encoding import dbf_text_bytes, detect_bytes, shapefile_encoding, text_encoding
from gis.layers import LayerKind

CANONICAL = ["id", "name", "code", "parent_id"]


def _assert_grids(layer, source_columns=("网格编码", "网格名称", "所属社区")) -> None:
    gdf = layer.gdf
    assert layer.kind is LayerKind.GRID
    assert list(gdf.columns[:4]) == CANONICAL
    assert gdf["id"].tolist() == ["G001", "G002", "G003", "G004"]
    assert gdf["name"].tolist() == ["南苑一格", "南苑二格", "北苑一格", "北苑二格"]
    assert gdf["parent_id"].tolist() == ["SQ01", "SQ01", "SQ02", "SQ02"]
    assert "户数" in gdf.columns  # the file's other columns are kept
    fields = {k: v for k, v in layer.column_map.items() if k not in ("lon", "lat", "wkt")}
    assert fields == dict(zip(["id", "name", "parent_id"], source_columns, strict=True))
    assert gdf.geometry.is_valid.all() and len(gdf) == 4


def test_geojson(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.geojson"
    grids.to_file(path)
    layer = read_layer(path, kind="grid")
    _assert_grids(layer)
    assert layer.gdf.crs.to_epsg() == 4490
    assert "EPSG:4490" in layer.crs_note and layer.source == "grids.geojson"


def test_shapefile_with_cpg(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    """UTF-8 field names would be cut at 10 bytes: pinyin abbreviations, as usual."""
    path = tmp_path / "grids.shp"
    pinyin = {"网格编码": "WGBM", "网格名称": "WGMC", "所属社区": "SQBM", "户数": "户数"}
    pyogrio.write_dataframe(grids.rename(columns=pinyin), path, encoding="UTF-8")
    assert path.with_suffix(".cpg").exists()
    layer = read_layer(path, kind="grid")
    _assert_grids(layer, ("WGBM", "WGMC", "SQBM"))
    assert layer.gdf.crs.to_epsg() == 4490


def _gbk_shapefile_without_cpg(folder: Path, frame: gpd.GeoDataFrame, name: str) -> Path:
    """A shapefile as Chinese desktop GIS writes it: GBK attributes, no .cpg, no LDID."""
    path = folder / f"{name}.shp"
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # language driver id: unset, as in most files in the wild
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    return path


def test_gbk_shapefile_without_cpg_is_detected(tmp_path: Path, shared_data: Path) -> None:
    """Real Chinese district names, written as a GBK shapefile without .cpg."""
    districts = gpd.read_file(shared_data / "china" / "districts_amap_wgs84.geojson")
    # shapefile field names hold 10 bytes: short names, as real files have them
    frame = districts[["district_adcode", "district_name", "city_name", "geometry"]].rename(
        columns={"district_adcode": "adcode", "district_name": "name", "city_name": "city"}
    )
    path = _gbk_shapefile_without_cpg(tmp_path, frame, "districts")
    naive = pyogrio.read_dataframe(path)  # what GDAL alone makes of it: mojibake
    assert not naive["name"].isin(districts["district_name"]).any()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layer = read_layer(path, kind="street")
    assert layer.gdf["name"].tolist() == districts["district_name"].tolist()
    assert "南京市" in set(layer.gdf["city"])
    assert any("gb18030" in w for w in layer.warnings)
    assert shapefile_encoding(path) == ("gb18030", "detected")


def test_gbk_shapefile_forced_encoding_and_zip(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = _gbk_shapefile_without_cpg(tmp_path, grids, "grids")
    _assert_grids(read_layer(path, kind="grid", encoding="gbk"))
    archive = tmp_path / "grids.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("grids.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    _assert_grids(read_layer(archive, kind="grid"))


def test_cpg_is_honoured_over_detection(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = _gbk_shapefile_without_cpg(tmp_path, grids, "grids")
    path.with_suffix(".cpg").write_text("936", encoding="ascii")  # ArcGIS writes code pages
    assert shapefile_encoding(path) == ("gbk", "cpg")
    _assert_grids(read_layer(path, kind="grid"))


def test_encoding_detection_units() -> None:
    assert detect_bytes("网格".encode("gb18030")) == "gb18030"
    assert detect_bytes(b"plain ascii") == "utf-8"
    assert detect_bytes(b"\xff\xfe\xfa") == "latin-1"
    assert text_encoding("\ufeffa,b".encode()) == "utf-8-sig"
    assert dbf_text_bytes(b"") == b""


def test_geopackage_layers(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "work.gpkg"
    grids.to_file(path, layer="grids")
    grids.iloc[:2].to_file(path, layer="old_grids")
    with pytest.raises(FileFormatError) as err:
        read_layer(path, kind="grid")
    assert (
        "grids" in str(err.value) and "old_grids" in str(err.value) and "--layer" in str(err.value)
    )
    _assert_grids(read_layer(path, kind="grid", layer="grids"))
    assert len(read_layer(path, kind="grid", layer="old_grids").gdf) == 2
    with pytest.raises(FileFormatError, match="no layer 'nope'; layers are grids, old_grids"):
        read_layer(path, kind="grid", layer="nope")


def test_kml_and_kmz(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.to_crs(4326)
    path = tmp_path / "grids.kml"
    pyogrio.write_dataframe(frame, path, driver="KML")
    layer = read_layer(path, kind="grid")
    _assert_grids(layer)
    assert layer.gdf.crs.to_epsg() == 4326
    kmz = tmp_path / "grids.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(path, "doc.kml")
    _assert_grids(read_layer(kmz, kind="grid"))


def test_geoparquet(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.parquet"
    grids.to_parquet(path)
    layer = read_layer(path, kind="grid")
    _assert_grids(layer)
    assert layer.gdf.crs.to_epsg() == 4490


@pytest.mark.parametrize(
    ("sep", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "gbk"), ("|", "gb18030")]
)
def test_csv_lonlat_points(
    tmp_path: Path, incidents_frame: pd.DataFrame, sep: str, encoding: str
) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.to_csv(path, sep=sep, encoding=encoding, index=False)
    layer = read_layer(path, kind="incident", crs="EPSG:4490")
    gdf = layer.gdf
    assert gdf["id"].tolist() == ["J1", "J2", "J3", "J4", "J5"]
    assert gdf["category"].tolist() == ["盗窃", "纠纷", "盗窃", "诈骗", "纠纷"]
    assert pd.api.types.is_datetime64_any_dtype(gdf["time"])
    assert gdf["time"].iloc[0] == pd.Timestamp("2024-03-01 08:15")
    np.testing.assert_allclose(shapely.get_x(gdf.geometry.array), incidents_frame["经度"])
    assert layer.column_map["lon"] == "经度" and layer.column_map["lat"] == "纬度"
    assert gdf.crs.to_epsg() == 4490 and layer.rejected.empty


def test_csv_without_crs_assumes_wgs84_with_warning(
    tmp_path: Path, incidents_frame: pd.DataFrame
) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.to_csv(path, index=False)
    with pytest.warns(CRSWarning, match="EPSG:4326"):
        layer = read_layer(path, kind="incident")
    assert layer.gdf.crs.to_epsg() == 4326 and "assumed" in layer.crs_note


def test_csv_projected_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    pd.DataFrame(
        {"id": ["a"], "time": ["2024-01-01"], "category": ["x"], "x": [1166811.0], "y": [1853653.0]}
    ).to_csv(path, index=False)
    with pytest.raises(CRSError) as err:
        read_layer(path, kind="incident")
    assert "points.csv" in str(err.value) and "--crs" in str(err.value)
    layer = read_layer(path, kind="incident", crs="EPSG:3435")
    assert layer.gdf.crs.to_epsg() == 3435


def test_csv_wkt_polygons(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.csv"
    table = pd.DataFrame(grids.drop(columns="geometry"))
    table["WKT"] = grids.geometry.to_wkt()
    table.to_csv(path, index=False, encoding="gb18030")
    _assert_grids(read_layer(path, kind="grid", crs=4490))


def test_xlsx_points_and_sheets(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.xlsx"
    with pd.ExcelWriter(path) as writer:
        incidents_frame.to_excel(writer, sheet_name="警情", index=False)
        incidents_frame.head(2).to_excel(writer, sheet_name="旧", index=False)
    layer = read_layer(path, kind="incident", crs="cgcs2000")
    assert len(layer.gdf) == 5 and layer.gdf["address"].iloc[0] == "南苑路1号"
    assert len(read_layer(path, kind="incident", crs=4490, layer="旧").gdf) == 2
    with pytest.raises(FileFormatError, match="no sheet 'x'; sheets are 警情, 旧"):
        read_layer(path, kind="incident", layer="x")


def test_explicit_coordinate_columns(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    frame = incidents_frame.rename(columns={"经度": "东", "纬度": "北"})
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    layer = read_layer(path, kind="incident", crs=4490, lon="东", lat="北")
    assert layer.column_map["lon"] == "东" and len(layer.gdf) == 5


def test_gcj02_is_converted_to_wgs84(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.geojson"
    grids.to_crs(4326).to_file(path)
    layer = read_layer(path, kind="grid", crs="gcj02")
    assert layer.gdf.crs.to_epsg() == 4326 and "GCJ-02" in layer.crs_note
    shift = layer.gdf.geometry.iloc[0].centroid.x - grids.geometry.iloc[0].centroid.x
    assert -0.008 < shift < -0.002  # GCJ-02 sits ~500 m east of WGS84 in Nanjing


def test_user_crs_overrides_the_file(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.geojson"
    grids.to_file(path)
    layer = read_layer(path, kind="grid", crs="EPSG:4326")
    assert layer.gdf.crs.to_epsg() == 4326 and "stated by the user" in layer.crs_note


def test_unsupported_mapping_column_in_file(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grids.geojson"
    grids.rename(columns={"网格编码": "CELL"}).to_file(path)
    layer = read_layer(path, kind="grid", mapping={"id": "CELL"})
    assert layer.column_map["id"] == "CELL" and layer.gdf["id"].iloc[0] == "G001"


def test_gdal_kml_copy_does_not_touch_the_source(tmp_path: Path, shared_data: Path) -> None:
    src = shared_data / "seattle" / "spd-precincts.geojson"
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    before = copy.read_bytes()
    read_layer(copy, kind="station", mapping={"id": "name"})
    assert copy.read_bytes() == before


def test_plain_parquet_table_with_lonlat(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.parquet"
    incidents_frame.to_parquet(path)
    layer = read_layer(path, kind="incident", crs=4490)
    assert len(layer.gdf) == 5 and layer.column_map["lon"] == "经度"


def test_chinese_enumerations_become_canonical(tmp_path: Path) -> None:
    path = tmp_path / "assign.csv"
    pd.DataFrame(
        {
            "警号": ["1", "2"],
            "岗位": ["民警", "辅警"],
            "责任区类型": ["责任区", "警格"],
            "责任区编码": ["B1", "A1"],
        }
    ).to_csv(path, index=False)
    layer = read_layer(path, kind="assignment")
    assert layer.gdf["role"].tolist() == ["officer", "auxiliary"]
    assert layer.gdf["area_kind"].tolist() == ["beat", "aux_beat"]


def test_forced_wrong_encoding_is_explained(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(FileFormatError, match="cannot decode the file as utf-8") as err:
        read_layer(path, kind="incident", crs=4490, encoding="utf-8")
    assert "--encoding gbk" in str(err.value)


def test_layer_records_its_path_and_source(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = tmp_path / "work.gpkg"
    grids.to_file(path, layer="网格")
    layer = read_layer(path, kind="grid", layer="网格")
    assert layer.path == path and layer.source == "work.gpkg::网格"


def test_zip_with_two_shapefiles_lists_them(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    pinyin = grids.rename(columns={"网格编码": "WGBM", "网格名称": "WGMC", "所属社区": "SQBM"})
    for name in ("a", "b"):
        pyogrio.write_dataframe(pinyin, tmp_path / f"{name}.shp", encoding="UTF-8")
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.iterdir():
            if part.stem in ("a", "b"):
                zf.write(part, part.name)
    with pytest.raises(FileFormatError, match=r"2 layers: (a, b|b, a)"):
        read_layer(archive, kind="grid")
    assert len(read_layer(archive, kind="grid", layer="b").gdf) == 4


def test_full_width_and_spaced_numbers(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    """Hand-typed spreadsheets: full-width digits and stray spaces in coordinates."""
    frame = incidents_frame.astype({"经度": str, "纬度": str})
    frame.loc[0, "经度"] = " １１８．７００５ "
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    layer = read_layer(path, kind="incident", crs=4490)
    assert layer.gdf.geometry.iloc[0].x == pytest.approx(118.7005)


def test_times_with_zone_stay_local(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    frame = incidents_frame.assign(报警时间="2024-03-01T08:15:00+08:00")
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(DataQualityWarning, match="time zone"):
        layer = read_layer(path, kind="incident", crs=4490)
    assert layer.gdf["time"].iloc[0] == pd.Timestamp("2024-03-01 08:15")  # Asia/Shanghai
    utc = read_layer(path, kind="incident", crs=4490, tz="UTC").gdf
    assert utc["time"].iloc[0] == pd.Timestamp("2024-03-01 00:15")


def test_bd09_is_converted(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.to_csv(path, index=False)
    layer = read_layer(path, kind="incident", crs="baidu")
    assert "BD-09" in layer.crs_note and layer.gdf.crs.to_epsg() == 4326
    dx = incidents_frame["经度"].iloc[0] - layer.gdf.geometry.iloc[0].x
    assert 0.005 < dx < 0.02  # Baidu sits ~1 km east of WGS84 here


def test_describe_reports_detected_encoding(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    from gis.io.describe import describe

    path = _gbk_shapefile_without_cpg(tmp_path, grids, "grids")
    (info,) = describe(path)
    assert info.encoding == "gb18030" and "网格编码" in info.fields and info.count == 4


def test_xlsx_title_rows_above_the_header(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    """A ledger as offices keep it: a title row and a blank row above the real header."""
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["南苑街道警情台账（2024年3月）"])
    sheet.append([])
    sheet.append(list(incidents_frame.columns))
    for record in incidents_frame.itertuples(index=False):
        sheet.append(list(record))
    sheet["B5"] = "昨天"  # a bad time in the second data row
    wb.save(path)
    with pytest.raises(FieldError) as err:
        read_layer(path, kind="incident", crs=4490)
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "time")]
    sheet["B5"] = "2024-03-01 22:40:00"
    wb.save(path)
    layer = read_layer(path, kind="incident", crs=4490)
    assert layer.gdf["id"].tolist() == ["J1", "J2", "J3", "J4", "J5"]
    assert any("header found on sheet row 3" in w for w in layer.warnings)
