"""Shapefile (.cpg, UTF-8 or GBK, 10-byte field names) and KML/KMZ exports read back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from gis.errors import ConfigError, FileFormatError
from gis.io import read_layer, write_layer


@pytest.fixture
def grid_layer(tmp_path: Path, grids: gpd.GeoDataFrame):
    path = tmp_path / "source.geojson"
    grids.to_file(path)
    return read_layer(path, kind="grid")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_shapefile_round_trip_with_cpg(tmp_path: Path, grid_layer, encoding: str) -> None:
    frame = grid_layer.gdf.assign(所属社区名称全称=["南苑社区"] * 4)
    out = write_layer(frame, tmp_path / "grids.shp", encoding=encoding)  # type: ignore[arg-type]
    cpg = out.with_suffix(".cpg").read_text(encoding="ascii")
    assert cpg == ("UTF-8" if encoding == "utf-8" else "GBK")
    assert {p.suffix for p in tmp_path.glob("grids.*")} >= {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    raw = (tmp_path / "grids.dbf").read_bytes()
    assert "南苑一格".encode(encoding) in raw  # the attribute table really is in that encoding
    back = read_layer(out, kind="grid").gdf
    assert back["id"].tolist() == grid_layer.gdf["id"].tolist()
    assert back["name"].tolist() == ["南苑一格", "南苑二格", "北苑一格", "北苑二格"]
    assert back.crs.to_epsg() == 4490
    original = grid_layer.gdf.geometry.normalize()  # shapefiles wind outer rings clockwise
    assert back.geometry.normalize().geom_equals_exact(original, tolerance=1e-8).all()
    names = pyogrio.read_info(out, encoding=encoding.upper())["fields"].tolist()
    assert all(len(n.encode(encoding)) <= 10 for n in names)
    assert len(set(names)) == len(names)
    assert any(n.startswith("所属社") for n in names)  # shortened on a character boundary


def test_shapefile_refuses_mixed_geometry_naming_the_row(tmp_path: Path, grid_layer) -> None:
    frame = grid_layer.gdf.copy()
    frame.loc[frame.index[2], "geometry"] = shapely.Point(118.7, 32.0)
    with pytest.raises(FileFormatError, match="row 3"):
        write_layer(frame, tmp_path / "mixed.shp")
    with pytest.raises(ConfigError):
        write_layer(grid_layer.gdf, tmp_path / "x.shp", encoding="latin1")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_kml_and_kmz_are_lon_lat_with_names(tmp_path: Path, grid_layer, suffix: str) -> None:
    metric = grid_layer.gdf.to_crs(4549)
    out = write_layer(metric, tmp_path / f"grids{suffix}")
    if suffix == ".kmz":
        with zipfile.ZipFile(out) as archive:
            assert archive.namelist() == ["doc.kml"]
            text = archive.read("doc.kml").decode("utf-8")
    else:
        text = out.read_text(encoding="utf-8")
    assert "<name>南苑一格</name>" in text
    back = gpd.read_file(f"/vsizip/{out}/doc.kml" if suffix == ".kmz" else out)
    assert len(back) == 4
    minx, miny, _, _ = back.total_bounds
    assert 100 < minx < 130 and 20 < miny < 50  # longitude/latitude, not metres
    assert shapely.equals_exact(
        back.geometry.iloc[0].normalize(),
        grid_layer.gdf.geometry.iloc[0].normalize(),
        tolerance=1e-6,
    )
