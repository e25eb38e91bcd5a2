"""Chunked files in, chunked files out: CSV (UTF-8, GBK, broken bytes), XLSX, GeoParquet;
results independent of the chunk size; the CLI with its progress bar and summary."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from gis.errors import FileFormatError
from gis.geocoding.assign import build_area_index
from gis.geocoding.batch import count_rows, geocode_file, read_chunks
from gis.geocoding.match import Gazetteer
from gis.geocoding.pipeline import GeocodeOptions
from tests.gis.geocoding.geocoding_sketch import beats, gazetteer_frame, grids, lonlat

G1 = lonlat(0.5, 0.5)
G4 = lonlat(1.5, 1.5)


@pytest.fixture(scope="module")
def areas():
    return build_area_index({"grid": grids(), "beat": beats()})


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "编号": ["a1", "a2", "a3", "a1", "a5", "a6", "a7"],
            "lon": [G1[0], G4[0], "abc", G1[0], None, 0, G4[1]],
            "lat": [G1[1], G4[1], G1[1], G1[1], None, 0, G4[0]],
            "地址": ["", "", "", "", "应天大街88号", "", ""],
        }
    )


EXPECTED = [
    "ok",
    "ok",
    "non_numeric",
    "duplicate_id",
    "address",
    "zero_coordinates",
    "swapped_lat_lon",
]


def _options() -> GeocodeOptions:
    return GeocodeOptions(
        address="地址", id_column="编号", gazetteer=Gazetteer.from_frame(gazetteer_frame())
    )


@pytest.mark.parametrize("chunk_size", [1, 2, 100])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_same_answers_whatever_the_chunks_and_formats(tmp_path, areas, chunk_size, suffix):
    src = tmp_path / "in.csv"
    _records().to_csv(src, index=False)
    out = tmp_path / f"out{suffix}"
    summary = geocode_file(src, out, areas, options=_options(), chunk_size=chunk_size)
    got = (
        pd.read_excel(out)
        if suffix == ".xlsx"
        else (pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out))
    )
    assert got["status"].tolist() == EXPECTED
    assert got["grid_id"].fillna("-").tolist() == ["G1", "G4", "-", "G1", "G4", "-", "-"]
    assert summary.rows == 7 and summary.chunks == -(-7 // chunk_size)
    assert (summary.matched, summary.low_confidence, summary.unmatched) == (4, 0, 3)
    if suffix == ".parquet":
        frame = gpd.read_parquet(out)
        assert frame.crs.to_epsg() == 4326
        assert frame.geometry.iloc[0].x == pytest.approx(G1[0])


def test_gbk_csv_and_a_row_of_broken_bytes(tmp_path, areas):
    src = tmp_path / "gbk.csv"
    text = "编号,lon,lat,地址\nb1,,,应天大街88号\nb2,,,江东中路110号\n"
    data = text.encode("gb18030")
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    geocode_file(src, out, areas, options=_options())
    assert pd.read_csv(out)["status"].tolist() == ["address", "address"]
    # one row in GBK inside a UTF-8 file: that row's address is garbled, the rest is fine
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(
        "编号,lon,lat,地址\nc1,,,应天大街88号\n".encode()
        + "c2,,,江东中路110号\n".encode("gbk") * 1
        + "c3,,,江东中路110号\n".encode()
    )
    geocode_file(mixed, out, areas, options=_options(), encoding="utf-8")
    assert pd.read_csv(out)["status"].tolist() == ["address", "bad_encoding", "address"]


def test_xlsx_and_geoparquet_inputs(tmp_path, areas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "lon", "lat"])
    sheet.append(["x1", G1[0], G1[1]])
    sheet.append(["x2", "bad", G1[1]])
    sheet.append(["x3"])  # a short row
    book.save(tmp_path / "in.xlsx")
    geocode_file(tmp_path / "in.xlsx", tmp_path / "o.csv", areas, options=_options())
    assert pd.read_csv(tmp_path / "o.csv")["status"].tolist() == [
        "ok",
        "non_numeric",
        "missing_coordinates",
    ]
    points = gpd.GeoDataFrame(
        {"编号": ["p1", "p2"]},
        geometry=gpd.points_from_xy([G1[0], G4[0]], [G1[1], G4[1]]),
        crs=4490,
    )
    points.to_parquet(tmp_path / "in.parquet")
    assert count_rows(tmp_path / "in.parquet") == 2
    geocode_file(tmp_path / "in.parquet", tmp_path / "o2.csv", areas, options=_options())
    assert pd.read_csv(tmp_path / "o2.csv")["grid_id"].tolist() == ["G1", "G4"]


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.csv", None, "not found"),
        ("empty.csv", b"", "empty"),
        ("in.json", b"{}", "unsupported"),
        ("broken.xlsx", b"not a zip", "XLSX"),
        ("broken.parquet", b"not parquet", "Parquet"),
    ],
)
def test_unreadable_inputs_are_domain_errors(tmp_path, areas, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileFormatError, match=match):
        geocode_file(path, tmp_path / "o.csv", areas)


def test_count_rows_and_chunks(tmp_path):
    src = tmp_path / "in.csv"
    _records().to_csv(src, index=False)
    assert count_rows(src) == 7
    assert [len(c) for c in read_chunks(src, chunk_size=3)] == [3, 3, 1]


def test_cli_geocode(tmp_path):
    from beatgrid.cli import app

    grids().to_file(tmp_path / "grids.geojson")
    beats().to_file(tmp_path / "beats.geojson")
    src = tmp_path / "in.csv"
    _records().to_csv(src, index=False)
    gazetteer_frame().to_csv(tmp_path / "gaz.csv", index=False)
    result = CliRunner().invoke(
        app,
        [
            "geocode",
            str(src),
            "-o",
            str(tmp_path / "out.csv"),
            "--grids",
            str(tmp_path / "grids.geojson"),
            "--beats",
            str(tmp_path / "beats.geojson"),
            "--address",
            "地址",
            "--gazetteer",
            str(tmp_path / "gaz.csv"),
            "--id",
            "编号",
            "--chunk-size",
            "3",
            "--tolerance",
            "1",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "matched" in result.output and "duplicate_id" in result.output
    assert pd.read_csv(tmp_path / "out.csv")["status"].tolist() == EXPECTED


@pytest.mark.parametrize(
    "args",
    [
        [],  # no areas at all
        ["--grids", "/nonexistent.geojson"],
        ["--layer", "grid"],  # the layer of a multi-layer file, but no file
    ],
)
def test_cli_bad_options_exit_2(tmp_path, args):
    from beatgrid.cli import app

    src = tmp_path / "in.csv"
    _records().to_csv(src, index=False)
    result = CliRunner().invoke(app, ["geocode", str(src), "-o", str(tmp_path / "o.csv"), *args])
    assert result.exit_code == 2
    assert "error" in result.output


def test_cli_on_the_demo_district(tmp_path, demo_dir):
    from beatgrid.cli import app

    out = tmp_path / "incidents.parquet"
    result = CliRunner().invoke(
        app,
        [
            "geocode",
            str(demo_dir / "incidents.csv"),
            "-o",
            str(out),
            "--areas",
            str(demo_dir),
            "--id",
            "id",
            "--crs",
            "EPSG:4490",
            "--tolerance",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert len(frame) == count_rows(demo_dir / "incidents.csv")
    assert frame["status"].isin(["ok", "tolerance", "outside"]).all()
    assert (frame["status"] == "ok").mean() > 0.99
    assert frame["grid_id"].notna().mean() > 0.99
    assert "input_status" in frame  # the export's own status column is kept


@pytest.mark.slow
def test_cli_dask_on_a_local_cluster(tmp_path):
    from beatgrid.cli import app

    grids().to_file(tmp_path / "grids.geojson")
    folder = tmp_path / "parts"
    folder.mkdir()
    frame = _records().iloc[[0, 1, 3]]
    gpd.GeoDataFrame(
        frame[["编号"]],
        geometry=gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float)),
        crs=4490,
    ).to_parquet(folder / "part.0.parquet")
    result = CliRunner().invoke(
        app,
        [
            "geocode",
            str(folder),
            "-o",
            str(tmp_path / "out"),
            "--dask",
            "--grids",
            str(tmp_path / "grids.geojson"),
            "--id",
            "编号",
            "--crs",
            "cgcs2000",
        ],
    )
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(tmp_path / "out").sort_values("source_row")
    assert got["status"].tolist() == ["ok", "ok", "duplicate_id"]
    assert got["grid_id"].tolist() == ["G1", "G4", "G1"]


def test_gcj02_export_with_chinese_columns_lands_in_the_same_grids(tmp_path, demo_dir):
    """The demo's Amap-style copy (GCJ-02, Chinese column names) gives the WGS84 answers."""
    from gis.district import load_district
    from gis.geocoding.assign import district_areas

    district = load_district(demo_dir / "manifest.json")
    areas = build_area_index(
        {k: v for k, v in district_areas(district).items() if k in ("grid", "beat")}
    )
    gcj = geocode_file(
        demo_dir / "gcj02" / "incidents.csv",
        tmp_path / "gcj.csv",
        areas,
        options=GeocodeOptions(x="经度", y="纬度", id_column="警情编号", source_crs="gcj02"),
        chunk_size=5000,
    )
    wgs = geocode_file(
        demo_dir / "incidents.csv",
        tmp_path / "wgs.csv",
        areas,
        options=GeocodeOptions(id_column="id", source_crs="EPSG:4490"),
    )
    assert gcj.rows == wgs.rows
    a, b = (
        pd.read_csv(tmp_path / "gcj.csv", dtype=str),
        pd.read_csv(tmp_path / "wgs.csv", dtype=str),
    )
    # measured: all 28k identical; the converted points within 0.5 mm of the originals
    assert a["grid_id"].fillna("-").tolist() == b["grid_id"].fillna("-").tolist()
    assert a["beat_id"].fillna("-").tolist() == b["beat_id"].fillna("-").tolist()
    shift = (a["geocode_lon"].astype(float) - b["geocode_lon"].astype(float)).abs().max()
    assert shift < 1e-7  # degrees, ~1 cm
