"""Tiles: attribute names are data, never SQL; tiles are cached per layer version and
bounded in cost (simplified to a pixel of their zoom).  Both backends."""

from __future__ import annotations

import mapbox_vector_tile
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.hardening_inputs import dense_polygon
from tests.api.test_tiles import _tile_of

LONG_A = "a" * 70
LONG_B = "a" * 63 + "b" * 7  # the same first 63 bytes: one identifier to PostgreSQL
ODD = {"": "empty", LONG_A: "1", LONG_B: "2", 'q"uote': "3", "x'; DROP TABLE features; --": "4"}


def _tile(client: TestClient, h: dict, layer: str, z: int = 14) -> tuple[dict, str]:
    x, y = _tile_of(118.705, 32.005, z)
    r = client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", headers=h)
    assert r.status_code == 200, r.text
    return mapbox_vector_tile.decode(r.content), r.headers["x-layer-version"]


def _edit(client: TestClient, h: dict, layer: str, base: int, props: dict, geometry=None) -> int:
    feature = {
        "type": "Feature",
        "properties": {"id": "G1", "name": "网格G1", "parent_id": "C1", **props},
        "geometry": geometry or shapely.geometry.mapping(shapely.box(118.70, 32.00, 118.71, 32.01)),
    }
    body = {"base_version": base, "reason": "odd names", "upsert": [feature]}
    r = client.patch(f"/layers/{layer}/features", json=body, headers=h)
    assert r.status_code == 200, r.text
    return int(r.json()["version"])


def test_odd_attribute_names_do_not_break_tiles(client: TestClient, headers: dict, grids: str):
    _edit(client, headers["west"], grids, 1, ODD)
    for who in ("admin", "west", "commander"):
        tile, version = _tile(client, headers[who], grids)
        assert version == "2"
        g1 = next(f for f in tile[grids]["features"] if f["properties"].get("name") == "网格G1")
        for key, value in ODD.items():
            assert g1["properties"].get(key) == value, (who, key, g1["properties"])


def test_tiles_are_cached_per_layer_version(
    client: TestClient, app: FastAPI, headers: dict, grids: str
):
    first, _ = _tile(client, headers["south"], grids, z=13)
    cache = app.state.tile_cache
    hits = cache.hits
    again, _ = _tile(client, headers["south"], grids, z=13)
    assert again == first and cache.hits == hits + 1
    _edit(client, headers["admin"], grids, 1, {"name": "改名"})
    after, version = _tile(client, headers["south"], grids, z=13)
    assert version == "2" and cache.hits == hits + 1  # a new version is a new tile
    names = {f["properties"]["name"] for f in after[grids]["features"]}
    assert "改名" in names and "网格G1" not in names
    other, _ = _tile(client, headers["commander"], grids, z=13)  # another jurisdiction
    assert cache.hits == hits + 1
    assert len(other[grids]["features"]) > len(after[grids]["features"])


@pytest.fixture(scope="module")
def roomy(settings: Settings, app: FastAPI):
    """An app that accepts a 300,000-vertex polygon (the default limit refuses it)."""
    application = create_app(
        settings.model_copy(update={"max_feature_vertices": 400_000, "recover_jobs": False})
    )
    with TestClient(application) as c:
        yield c
    application.state.engine.dispose()


def test_a_dense_polygon_costs_a_simplified_tile(roomy: TestClient, headers: dict, grids: str):
    dense = dense_polygon(300_000)
    assert shapely.get_num_coordinates(dense) >= 300_000
    _edit(roomy, headers["admin"], grids, 1, {}, shapely.geometry.mapping(dense))
    for z in (0, 8, 14):
        x, y = _tile_of(118.705, 32.005, z)
        r = roomy.get(f"/tiles/{grids}/{z}/{x}/{y}.pbf", headers=headers["admin"])
        assert r.status_code == 200
        tile = mapbox_vector_tile.decode(r.content)
        g1 = [
            f
            for f in tile.get(grids, {"features": []})["features"]
            if f["properties"]["id"] == "G1"
        ]
        # Simplified to a pixel: a few thousand vertices at most, not 300,000 (and at
        # zoom 0, where the 800 m circle is smaller than a pixel, nothing or a speck).
        vertices = sum(len(ring) for f in g1 for ring in f["geometry"]["coordinates"])
        assert vertices < 5000, (z, vertices)
        assert z == 0 or vertices > 3, (z, vertices)
        assert len(r.content) < 60_000, (z, len(r.content))
