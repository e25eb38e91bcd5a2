"""Vector tiles: ST_AsMVT on PostGIS, shapely + mapbox-vector-tile on SQLite, same content."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import pytest
import shapely
from fastapi.testclient import TestClient

from api.tiles import HALF, degree_tolerance, generalised, pixel_m, tile_bounds_4326


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _decode(client: TestClient, headers: dict, layer: str, z: int, x: int, y: int) -> dict:
    r = client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(r.content)


@pytest.mark.parametrize("z", [10, 14])
def test_tile_holds_the_grids_without_personal_fields(
    client: TestClient, headers: dict, grids: str, z: int
) -> None:
    x, y = _tile_of(118.71, 32.01, z)
    tile = _decode(client, headers["admin"], grids, z, x, y)
    feats = tile[grids]["features"]
    names = sorted(f["properties"]["name"] for f in feats)
    assert names == ["网格G1", "网格G2", "网格G3", "网格G4"]
    assert all("phone" not in f["properties"] for f in feats)
    assert all(set(f["properties"]) <= {"id", "name", "parent_id"} for f in feats)
    extent = tile[grids]["extent"]
    for f in feats:  # clipped to the tile plus its buffer
        for ring in f["geometry"]["coordinates"]:
            for px, py in ring:
                assert -64 <= px <= extent + 64 and -64 <= py <= extent + 64


def test_tile_respects_jurisdiction(client: TestClient, headers: dict, grids: str) -> None:
    x, y = _tile_of(118.71, 32.01, 12)
    tile = _decode(client, headers["west"], grids, 12, x, y)
    assert sorted(f["properties"]["name"] for f in tile[grids]["features"]) == ["网格G1", "网格G3"]


def test_empty_tile_far_away(client: TestClient, headers: dict, grids: str) -> None:
    assert _decode(client, headers["admin"], grids, 14, 0, 0) == {}


@pytest.mark.parametrize("path", ["3/8/0", "3/0/8", "23/0/0", "-1/0/0", "a/0/0"])
def test_bad_tile_addresses_are_4xx(
    client: TestClient, headers: dict, grids: str, path: str
) -> None:
    r = client.get(f"/tiles/{grids}/{path}.pbf", headers=headers["admin"])
    assert 400 <= r.status_code < 500


def test_unknown_layer_is_404(client: TestClient, headers: dict) -> None:
    assert client.get("/tiles/nope/1/0/0.pbf", headers=headers["admin"]).status_code == 404


def test_tile_bounds_of_the_world() -> None:
    assert tile_bounds_4326(0, 0, 0) == pytest.approx((-180, -85.0511287798, 180, 85.0511287798))


@pytest.mark.parametrize("z", [0, 6, 9, 12, 15])
def test_thinning_in_degrees_first_stays_within_two_pixels(shared_data: Path, z: int) -> None:
    """The real districts around Nanjing (hundreds of vertices each): snapped to half a
    pixel in degrees before the one-pixel pass, every outline stays within two pixels of
    the full-resolution one (the plain way, projecting everything and then simplifying,
    within 1.2 here) with no more vertices than the plain way's (give or take a few), and
    none is dropped."""
    districts = gpd.read_file(shared_data / "china" / "districts_amap_wgs84.geojson")
    nanjing = districts[districts.geometry.intersects(shapely.Point(118.78, 32.06))]
    frame = districts[districts.geometry.intersects(nanjing.geometry.iloc[0].buffer(1.0))]
    assert len(frame) >= 10
    centre = frame.geometry.union_all().centroid
    x, y = _tile_of(centre.x, centre.y, z)
    full = frame.to_crs(3857).geometry.to_numpy()
    plain = shapely.simplify(full, pixel_m(z))
    ours = generalised(frame.geometry.to_numpy(), (z, x, y))
    assert max(shapely.hausdorff_distance(full, plain)) <= pixel_m(z) * 1.2
    assert max(shapely.hausdorff_distance(full, ours)) <= pixel_m(z) * 2
    assert not shapely.is_empty(ours).any()
    vertices = shapely.get_num_coordinates(ours).sum()
    assert vertices <= shapely.get_num_coordinates(plain).sum() * 1.15


def test_the_degree_tolerance_is_at_most_half_a_pixel_in_mercator_metres() -> None:
    for z, y in [(0, 0), (4, 2), (10, 300), (10, 700), (16, 26000)]:
        south, north = tile_bounds_4326(z, 0, y)[1::2]
        for lat in (south, north):
            metres_per_degree = HALF / 180 / math.cos(math.radians(lat))  # along a meridian
            assert degree_tolerance(z, y) * metres_per_degree <= pixel_m(z) / 2 * (1 + 1e-9)
