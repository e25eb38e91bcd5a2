"""read_frame: result files and context layers through gis.io (no layer kind)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point, box

from gis import crs as gcrs
from gis.errors import CRSError, FileFormatError
from gis.io import read_frame, write_layer


def _cells() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["c1", "c2"], "gi_z": [2.5, -0.3]},
        geometry=[box(118.70, 32.00, 118.71, 32.01), box(118.71, 32.00, 118.72, 32.01)],
        crs=4326,
    )


def test_columns_come_back_as_written(tmp_path: Path) -> None:
    path = write_layer(_cells(), tmp_path / "cells.geojson")
    frame = read_frame(path)
    assert list(frame.columns) == ["id", "gi_z", "geometry"] and frame.crs.to_epsg() == 4326


def test_layers_of_a_results_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "results.gpkg"
    write_layer(_cells(), path, layer="grid_counts")
    write_layer(_cells().iloc[:1], path, layer="cell_hotspots")
    assert len(read_frame(path)) == 2  # the first layer
    assert len(read_frame(path, layer="cell_hotspots")) == 1
    with pytest.raises(FileFormatError, match="no layer 'roads'") as err:
        read_frame(path, layer="roads")
    assert err.value.problems[0].field == "layer"
    single = write_layer(_cells(), tmp_path / "cells.parquet")
    assert len(read_frame(single, layer="cell_hotspots")) == 2  # one layer: read as is


def test_gcj02_is_converted_on_read(tmp_path: Path) -> None:
    wgs = gpd.GeoDataFrame({"id": ["p"]}, geometry=[Point(118.75, 32.03)], crs=4326)
    path = write_layer(wgs, tmp_path / "amap.geojson", to_crs="gcj02")
    back = read_frame(path, crs="gcj02")
    assert np.allclose(back.geometry.x, 118.75, atol=1e-7)
    assert np.allclose(back.geometry.y, 32.03, atol=1e-7)
    shifted = read_frame(path)
    assert gcrs.to_metric(shifted)[0].distance(gcrs.to_metric(back)[0]).iloc[0] > 100


@pytest.mark.parametrize(
    ("name", "content", "error", "fragment"),
    [
        ("missing.geojson", None, FileFormatError, "file not found"),
        ("empty.geojson", "", FileFormatError, "empty"),
        ("broken.geojson", "{not json", FileFormatError, "cannot"),
        ("table.csv", "id,lon,lat\na,1,2\n", FileFormatError, "vector file"),
    ],
)
def test_broken_files_are_named(
    tmp_path: Path, name: str, content: str | None, error: type[Exception], fragment: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=fragment) as err:
        read_frame(path)
    assert name in str(err.value)


def test_coordinates_that_contradict_the_crs(tmp_path: Path) -> None:
    far = gpd.GeoDataFrame({"id": ["p"]}, geometry=[Point(-87.6, 41.8)], crs=4326)
    path = write_layer(far, tmp_path / "chicago.geojson")
    with pytest.raises(CRSError, match=r"chicago\.geojson"):
        read_frame(path, crs="gcj02")
