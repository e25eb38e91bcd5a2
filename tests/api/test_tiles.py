"""Vector tiles: ST_AsMVT on PostGIS, shapely + mapbox-vector-tile on SQLite, same content."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from api.tiles import tile_bounds_4326


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
