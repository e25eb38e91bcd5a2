"""Bad input is refused cleanly: every error names the file, the row and the field, and
nothing is half-loaded (an exception, never a partial Layer)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely import LineString, Point, Polygon, box

from gis.errors import (
    CRSError,
    DataQualityWarning,
    FieldError,
    FileFormatError,
    GeometryError,
    LayerError,
)
from gis.io import read_layer, validate_layer
from gis.io.problems import PER_CHECK

BOWTIE = Polygon([(118.700, 32.000), (118.701, 32.001), (118.701, 32.000), (118.700, 32.001)])
"""Two triangles meeting at (118.7005, 32.0005)::

    +   +
    |\\ /|
    | X |
    |/ \\|
    +   +
"""


def _problem(err: pytest.ExceptionInfo[LayerError], row: int | None, field: str | None):
    """The problem at ``row``/``field``; asserts the message names file, row and field."""
    found = [p for p in err.value.problems if p.row == row and p.field == field]
    assert found, f"no problem at row {row} field {field}: {err.value.problems}"
    text = str(found[0])
    assert found[0].source and found[0].source in text
    if row is not None:
        assert f"row {row}" in text
    if field is not None:
        assert repr(field) in text
    return found[0]


def _geojson(tmp_path: Path, frame: gpd.GeoDataFrame, name: str = "grids.geojson") -> Path:
    path = tmp_path / name
    frame.to_file(path)
    return path


# --- unreadable files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("grids.geojson", b"", r"empty \(0 bytes\)"),
        ("grids.geojson", b"{not json at all", "cannot"),
        ("grids.shp", b"\x00\x01garbage" * 10, "cannot"),
        ("grids.gpkg", b"SQLite format 3\x00 broken", "cannot"),
        ("grids.zip", b"PK not a zip", "not a zip"),
        ("grids.kmz", b"no zip either", "not a KMZ"),
        ("grids.parquet", b"PAR1 broken", "GeoParquet"),
        ("grids.xlsx", b"not a workbook", "XLSX"),
        ("grids.csv", "编码,名称\n".encode(), "no rows"),
        ("grids.dwg", b"AC1015", "unknown format"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=fragment) as err:
        read_layer(path, kind="grid", crs=4490)
    assert str(err.value).startswith(name)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="file not found"):
        read_layer(tmp_path / "none.geojson", kind="grid")


def test_zero_features(tmp_path: Path) -> None:
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    no_features = r"grids\.geojson: 文件没有要素 / the file has no features"
    with pytest.raises(FileFormatError, match=no_features):
        read_layer(path, kind="grid")


def test_kmz_without_kml(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "grids.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(FileFormatError, match=r"no \.kml"):
        read_layer(path, kind="grid")


# --- geometry ---------------------------------------------------------------------------------


def test_wrong_geometry_type(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[2, "geometry"] = LineString([(118.7, 32.0), (118.701, 32.001)])
    with pytest.raises(GeometryError) as err:
        read_layer(_geojson(tmp_path, frame), kind="grid")
    problem = _problem(err, 3, "geometry")
    assert problem.feature_id == "G003" and "LineString" in problem.message


def test_points_allowed_for_joint_points_only(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "联防点编码", "所属社区": "所属网格"})
    frame.loc[0, "geometry"] = Point(118.7005, 32.0005)
    assert len(read_layer(_geojson(tmp_path, frame, "jp.geojson"), kind="joint_point")) == 4
    with pytest.raises(GeometryError, match="Point"):
        read_layer(_geojson(tmp_path, grids.assign(geometry=frame.geometry)), kind="grid")


def test_multipolygon_is_fine(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame["geometry"] = frame.geometry.apply(lambda g: g.union(g.buffer(0)).envelope)
    frame.loc[0, "geometry"] = box(118.7, 32.0, 118.7005, 32.0005).union(
        box(118.7006, 32.0006, 118.701, 32.001)
    )
    layer = read_layer(_geojson(tmp_path, frame), kind="grid")
    assert layer.gdf.geometry.iloc[0].geom_type == "MultiPolygon"


def test_bowtie_reported_with_location(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[1, "geometry"] = BOWTIE
    path = _geojson(tmp_path, frame)
    with pytest.raises(GeometryError) as err:
        read_layer(path, kind="grid")
    problem = _problem(err, 2, "geometry")
    assert problem.feature_id == "G002"
    assert "Self-intersection[118.7005 32.0005]" in problem.message
    assert "--repair" in problem.message


def test_bowtie_repaired_only_when_asked(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[1, "geometry"] = BOWTIE
    with pytest.warns(DataQualityWarning, match="row 2"):
        layer = read_layer(_geojson(tmp_path, frame), kind="grid", repair=True)
    assert layer.gdf.geometry.is_valid.all()
    (repair,) = layer.repairs
    assert (repair.row, repair.feature_id) == (2, "G002")
    assert "Self-intersection" in repair.reason
    # the two triangles are half the square; shapely's area of the bow-tie ring is 0
    assert repair.area_after_m2 == pytest.approx(0.5 * 94.4 * 111.0 * 1000 / 1000, rel=0.05)
    assert repair.area_change_m2 == pytest.approx(repair.area_after_m2 - repair.area_before_m2)
    assert "m²" in str(repair) and any("repaired" in w for w in layer.warnings)


@pytest.mark.parametrize("empty", [None, Polygon()])
def test_null_and_empty_geometry(
    tmp_path: Path, grids: gpd.GeoDataFrame, empty: Polygon | None
) -> None:
    frame = grids.copy()
    frame.loc[3, "geometry"] = empty
    path = tmp_path / "grids.gpkg"
    frame.to_file(path, layer="grids")
    with pytest.raises(GeometryError) as err:
        read_layer(path, kind="grid")
    assert _problem(err, 4, "geometry").feature_id == "G004"


def test_mixed_dimensions(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[0, "geometry"] = Polygon([(x, y, 10.0) for x, y in frame.geometry[0].exterior.coords])
    with pytest.raises(GeometryError) as err:
        validate_layer(
            frame.rename(columns={"网格编码": "id", "所属社区": "parent_id"}),
            "grid",
            source="grids.gpkg",
        )
    assert "mixed dimensions" in _problem(err, 1, "geometry").message


def test_uniform_3d_is_flattened(grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "id", "所属社区": "parent_id"})
    frame["geometry"] = [
        Polygon([(x, y, 5.0) for x, y in g.exterior.coords]) for g in frame.geometry
    ]
    layer = validate_layer(frame, "grid", source="grids.kml")
    assert not layer.gdf.geometry.has_z.any()


# --- fields -----------------------------------------------------------------------------------


def test_duplicate_ids(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[3, "网格编码"] = "G001"
    with pytest.raises(FieldError) as err:
        read_layer(_geojson(tmp_path, frame), kind="grid")
    problem = _problem(err, 4, "id")
    assert "rows 1, 4" in problem.message and problem.feature_id == "G001"
    _problem(err, 1, "id")


def test_duplicate_ids_merged_with_repair(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    """Pieces of one area stored as rows with the same id are merged on request."""
    frame = grids.copy()
    frame.loc[3, "网格编码"] = "G001"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        layer = read_layer(_geojson(tmp_path, frame), kind="grid", repair=True)
    assert layer.gdf["id"].tolist() == ["G001", "G002", "G003"]
    merged = layer.gdf.geometry.iloc[0]
    assert merged.geom_type == "MultiPolygon" and len(merged.geoms) == 2
    (repair,) = layer.repairs
    assert "rows 1, 4" in repair.reason
    assert repair.area_after_m2 == pytest.approx(repair.area_before_m2)


def test_missing_required_field(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = _geojson(tmp_path, grids.drop(columns="网格编码"))
    with pytest.raises(FieldError) as err:
        read_layer(path, kind="grid")
    problem = _problem(err, None, "id")
    assert "--map id=COLUMN" in problem.message and "网格名称" in problem.message


def test_missing_parent_column_is_a_note(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    path = _geojson(tmp_path, grids.drop(columns="所属社区"))
    with pytest.warns(DataQualityWarning, match="parent_id"):
        layer = read_layer(path, kind="grid")
    assert layer.gdf["parent_id"].isna().all()


def test_null_required_value(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.copy()
    frame.loc[2, "网格编码"] = None
    frame.loc[1, "所属社区"] = "  "
    with pytest.raises(FieldError) as err:
        read_layer(_geojson(tmp_path, frame), kind="grid")
    _problem(err, 3, "id")
    assert _problem(err, 2, "parent_id").feature_id == "G002"


def test_bad_datetime(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    frame = incidents_frame.copy()
    frame.loc[3, "报警时间"] = "昨天晚上"
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(FieldError) as err:
        read_layer(path, kind="incident", crs=4490)
    problem = _problem(err, 4, "time")
    assert "昨天晚上" in problem.message and problem.feature_id == "J4"


def test_mixed_datetime_formats_parse(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    frame = incidents_frame.copy()
    frame.loc[1, "报警时间"] = "2024年3月1日 22:40"
    frame.loc[2, "报警时间"] = "2024/03/02 01:05"
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    times = read_layer(path, kind="incident", crs=4490).gdf["time"]
    assert times.iloc[1] == pd.Timestamp("2024-03-01 22:40")
    assert times.iloc[2] == pd.Timestamp("2024-03-02 01:05")


def test_bad_integer(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "建筑编码"}).assign(
        人口=["900", "八百", "750", "1.5"]
    )
    with pytest.raises(FieldError) as err:
        read_layer(_geojson(tmp_path, frame, "b.geojson"), kind="building")
    assert "'八百'" in _problem(err, 2, "population").message
    _problem(err, 4, "population")


def test_problems_are_capped(grids: gpd.GeoDataFrame) -> None:
    many = pd.concat([grids] * 40, ignore_index=True).rename(columns={"网格编码": "id"})
    many["id"] = None
    with pytest.raises(FieldError) as err:
        validate_layer(many, "grid", source="big.gpkg")
    id_problems = [p for p in err.value.problems if p.field == "id"]
    assert len(id_problems) == PER_CHECK + 1 and "110 more rows" in id_problems[-1].message


# --- coordinates and CRS ----------------------------------------------------------------------


def test_swapped_lat_lon_csv(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    frame = incidents_frame.rename(columns={"经度": "纬度", "纬度": "经度"})
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(CRSError) as err:
        read_layer(path, kind="incident", crs=4490)
    assert "swapped" in _problem(err, 1, "纬度").message


def test_zero_zero_rows_are_listed_not_loaded(
    tmp_path: Path, incidents_frame: pd.DataFrame
) -> None:
    frame = incidents_frame.copy()
    frame.loc[1, ["经度", "纬度"]] = 0.0
    frame.loc[3, "经度"] = None
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(DataQualityWarning, match="rows 2, 4"):
        layer = read_layer(path, kind="incident", crs=4490)
    assert layer.gdf["id"].tolist() == ["J1", "J3", "J5"]
    assert layer.rejected["row"].tolist() == [2, 4]
    assert layer.rejected["field"].tolist() == ["经度", "经度"]
    assert "(0, 0)" in layer.rejected["reason"].iloc[0]


def test_all_rows_without_coordinates(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.assign(经度=0.0, 纬度=0.0).to_csv(path, index=False)
    with pytest.raises(FileFormatError, match="no row has usable coordinates"):
        read_layer(path, kind="incident", crs=4490)


def test_bad_wkt(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    table = pd.DataFrame(grids.drop(columns="geometry")).assign(wkt=grids.geometry.to_wkt())
    table.loc[2, "wkt"] = "POLYGON ((1 2, 3"
    path = tmp_path / "grids.csv"
    table.to_csv(path, index=False)
    with pytest.raises(FileFormatError) as err:
        read_layer(path, kind="grid", crs=4490)
    _problem(err, 3, "wkt")


def test_no_coordinate_columns(tmp_path: Path, incidents_frame: pd.DataFrame) -> None:
    path = tmp_path / "incidents.csv"
    incidents_frame.drop(columns=["经度", "纬度"]).to_csv(path, index=False)
    with pytest.raises(FileFormatError, match="--map lon=COL"):
        read_layer(path, kind="incident", crs=4490)


def test_gcj02_declared_outside_china(tmp_path: Path, shared_data: Path) -> None:
    """Chicago beats declared as GCJ-02 cannot be right: refused, row by row."""
    with pytest.raises(CRSError) as err:
        read_layer(
            shared_data / "chicago" / "police_beats_simple.geojson",
            kind="beat",
            crs="gcj02",
            repair=True,
        )
    problem = _problem(err, 1, "geometry")
    assert "China" in problem.message or "中国" in problem.message


def test_shapefile_without_prj(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "WGBM", "所属社区": "SQBM", "网格名称": "WGMC"})
    path = tmp_path / "grids.shp"
    pyogrio.write_dataframe(frame.to_crs(4549), path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"grids\.shp.*--crs") as err:
        read_layer(path, kind="grid")
    assert err.value.problems[0].field == "geometry"
    assert read_layer(path, kind="grid", crs="EPSG:4549").gdf.crs.to_epsg() == 4549


def test_projected_values_in_geographic_crs(grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "id", "所属社区": "parent_id"}).to_crs(4549)
    frame = frame.set_crs(4490, allow_override=True)
    with pytest.raises(CRSError) as err:
        validate_layer(frame, "grid", source="grids.gpkg")
    _problem(err, 1, "geometry")


def test_nothing_half_loaded(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    """One bad row refuses the whole layer: the caller gets an exception, not 3 of 4 grids."""
    frame = grids.copy()
    frame.loc[0, "geometry"] = BOWTIE
    result = None
    with pytest.raises(GeometryError):
        result = read_layer(_geojson(tmp_path, frame), kind="grid")
    assert result is None


@pytest.mark.parametrize("call", ["read", "validate"])
def test_unknown_kind_is_a_config_error(tmp_path: Path, grids: gpd.GeoDataFrame, call: str) -> None:
    from gis.errors import ConfigError

    unknown = r"未知图层类型 / unknown layer kind .grids.; kinds are street"
    with pytest.raises(ConfigError, match=unknown):
        if call == "read":
            read_layer(_geojson(tmp_path, grids), kind="grids")
        else:
            validate_layer(grids, "grids", source="g.geojson")


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".parquet", ".kml"])
def test_zero_features_every_format(tmp_path: Path, grids: gpd.GeoDataFrame, suffix: str) -> None:
    frame = grids.rename(columns={"网格编码": "WGBM", "网格名称": "WGMC", "所属社区": "SQBM"})
    empty = frame.iloc[:0]
    path = tmp_path / f"grids{suffix}"
    if suffix == ".parquet":
        empty.to_parquet(path)
    else:
        driver = "KML" if suffix == ".kml" else None
        pyogrio.write_dataframe(empty.to_crs(4326), path, driver=driver)
    with pytest.raises(FileFormatError, match="no features") as err:
        read_layer(path, kind="grid")
    assert err.value.problems[0].source == path.name


@pytest.mark.parametrize(
    ("name", "content"),
    [("grids.kml", b"<kml><Document><Placemark>"), ("grids.json", b"[1, 2, 3")],
)
def test_broken_kml_and_json(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as err:
        read_layer(path, kind="grid")
    assert str(err.value).startswith(name)


def test_blank_wkt_in_a_polygon_table(tmp_path: Path, grids: gpd.GeoDataFrame) -> None:
    table = pd.DataFrame(grids.drop(columns="geometry")).assign(wkt=grids.geometry.to_wkt())
    table.loc[1, "wkt"] = ""
    path = tmp_path / "grids.csv"
    table.to_csv(path, index=False)
    with pytest.raises(GeometryError) as err:
        read_layer(path, kind="grid", crs=4490)
    assert _problem(err, 2, "geometry").feature_id == "G002"


def test_uniform_3d_with_a_null_row_is_still_one_problem(grids: gpd.GeoDataFrame) -> None:
    frame = grids.rename(columns={"网格编码": "id", "所属社区": "parent_id"})
    frame["geometry"] = [
        Polygon([(x, y, 5.0) for x, y in g.exterior.coords]) for g in frame.geometry
    ]
    frame.loc[2, "geometry"] = None
    with pytest.raises(GeometryError) as err:
        validate_layer(frame, "grid", source="grids.kml")
    assert [(p.row, p.field) for p in err.value.problems] == [(3, "geometry")]
