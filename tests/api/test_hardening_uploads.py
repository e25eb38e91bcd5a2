"""Uploads an attacker or an ordinary user might send: zip bombs, too many members, too
many vertices, broken rings, GBK attributes, non-finite numbers.  Each answers a 4xx that
names the file, row and field; none answers 500 or reads an archive before judging it.
Both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.hardening_inputs import (
    SQUARE,
    dense_polygon,
    feature_collection,
    many_members,
    nanjing_streets,
    ring,
    shapefile_zip,
    zip_bomb,
)

SMALL = {
    "max_archive_mb": 2.0,
    "max_archive_members": 20,
    "max_feature_vertices": 1000,
    "max_layer_vertices": 3000,
    "recover_jobs": False,
}


@pytest.fixture(scope="module")
def small(settings: Settings, app: FastAPI) -> Iterator[TestClient]:
    """A second app on the same database with small input limits."""
    application = create_app(settings.model_copy(update=SMALL))
    with TestClient(application) as c:
        yield c
    application.state.engine.dispose()


def _post(client: TestClient, h: dict[str, str], name: str, data: bytes, uid: str) -> Any:
    return client.post(
        "/layers",
        headers=h,
        data={"layer_id": uid, "kind": "street", "reason": "hardening"},
        files={"file": (name, data, "application/octet-stream")},
    )


def _problem(r: Any) -> dict[str, Any]:
    body = r.json()
    assert body["problems"], body
    return dict(body["problems"][0])


def test_a_zip_bomb_is_refused_from_its_directory(small: TestClient, headers: dict, uid: str):
    bomb = zip_bomb(megabytes=64)
    assert len(bomb) < 200_000  # 64 MB of zeros packed small
    r = _post(small, headers["admin"], "bomb.zip", bomb, uid)
    assert r.status_code == 413, r.text
    assert "bomb.zip" in r.text and "layer.dbf" in r.text and "limit" in r.text
    assert small.get(f"/layers/{uid}", headers=headers["admin"]).status_code == 404


def test_an_archive_of_too_many_members_is_refused(small: TestClient, headers: dict, uid: str):
    r = _post(small, headers["admin"], "many.zip", many_members(21), uid)
    assert r.status_code == 413 and "21 members" in r.text, r.text


def test_an_xlsx_is_an_archive_too(small: TestClient, headers: dict, uid: str):
    r = _post(small, headers["admin"], "sheet.xlsx", zip_bomb(member="xl/a.xml", megabytes=8), uid)
    assert r.status_code == 413, r.text


def test_vertices_per_feature_are_limited(small: TestClient, headers: dict, uid: str):
    big = shapely.geometry.mapping(dense_polygon(2000))
    r = _post(small, headers["admin"], "dense.geojson", feature_collection(big), uid)
    assert r.status_code == 413, r.text
    p = _problem(r)
    assert (p["source"], p["row"], p["field"]) == ("dense.geojson", 1, "geometry")
    assert "vertices" in p["message"]


def test_vertices_per_layer_are_limited(small: TestClient, headers: dict, uid: str):
    parts = [shapely.geometry.mapping(dense_polygon(800)) for _ in range(5)]
    r = _post(small, headers["admin"], "many.geojson", feature_collection(*parts), uid)
    assert r.status_code == 413 and "per layer" in r.text, r.text


def test_vertices_of_an_edit_are_limited(
    small: TestClient, headers: dict, grids: str, client: TestClient
):
    feature = {
        "type": "Feature",
        "properties": {"id": "G1", "name": "x", "parent_id": "C1"},
        "geometry": shapely.geometry.mapping(dense_polygon(4000)),
    }
    body = {"base_version": 1, "reason": "dense", "upsert": [feature]}
    r = small.patch(f"/layers/{grids}/features", headers=headers["admin"], json=body)
    assert r.status_code == 413, r.text
    versions = client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()
    assert [v["version"] for v in versions] == [1]


BROKEN = {
    "unclosed.geojson": ring(*SQUARE[:-1]),
    "short.geojson": ring(SQUARE[0], SQUARE[1], SQUARE[0]),
    "two_points.geojson": ring(SQUARE[0], SQUARE[1]),
    "multi.geojson": {"type": "MultiPolygon", "coordinates": [[[list(SQUARE[0])]]]},
    "multi_flat.geojson": {"type": "MultiPolygon", "coordinates": [list(SQUARE[0])]},
    "unclosed_hole.geojson": {
        "type": "Polygon",
        "coordinates": [[list(p) for p in SQUARE], [[118.702, 32.002], [118.703, 32.002]]],
    },
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_rings_are_422_naming_file_row_field(
    client: TestClient, headers: dict, uid: str, name: str
):
    good = ring(*SQUARE)
    r = _post(client, headers["admin"], name, feature_collection(good, BROKEN[name]), uid)
    assert r.status_code == 422, r.text
    p = _problem(r)
    assert (p["source"], p["row"], p["field"]) == (name, 2, "geometry"), p


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_ring_sent_by_patch_gets_the_uploads_422(
    client: TestClient, headers: dict, grids: str, uid: str, name: str
):
    """shapely would close an open ring silently; the edit is refused as the upload is."""
    upload = _problem(_post(client, headers["admin"], name, feature_collection(BROKEN[name]), uid))
    good = {"type": "Feature", "properties": {"id": "G1", "name": "x", "parent_id": "C1"},
            "geometry": ring(*SQUARE)}  # fmt: skip
    bad = {"type": "Feature", "properties": {"id": "G9", "name": "y", "parent_id": "C1"},
           "geometry": BROKEN[name]}  # fmt: skip
    body = {"base_version": 1, "reason": "broken", "upsert": [good, bad]}
    r = client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=body)
    assert r.status_code == 422, r.text
    p = _problem(r)
    assert (p["row"], p["field"]) == (2, "geometry"), p
    assert upload["field"] == "geometry"  # the upload names the same field, with a 422 too
    assert "a polygon ring needs at least 4 points and must end where it starts" in p["message"]
    versions = client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()
    assert [v["version"] for v in versions] == [1]


def test_a_nan_coordinate_in_a_file_is_422(client: TestClient, headers: dict, uid: str):
    text = feature_collection(ring(*SQUARE)).replace(b"118.7,", b"NaN,", 1)
    r = _post(client, headers["admin"], "nan.geojson", text, uid)
    assert r.status_code == 422 and json.loads(r.content)


@pytest.mark.parametrize("cpg", [True, False])
def test_gbk_attributes_of_a_zipped_shapefile_are_read(
    client: TestClient, headers: dict, uid: str, cpg: bool
):
    streets = nanjing_streets()
    data = shapefile_zip(streets, encoding="GBK", keep_cpg=cpg)
    r = _post(client, headers["admin"], "nanjing.zip", data, uid)
    assert r.status_code == 201, r.text
    page = client.get(f"/layers/{uid}/versions/1/features", headers=headers["admin"]).json()
    assert sorted(f["properties"]["name"] for f in page["features"]) == sorted(streets["name"])


def test_gbk_csv_is_read(client: TestClient, headers: dict, uid: str):
    streets = nanjing_streets().head(3)
    table = streets.assign(wkt=streets.geometry.to_wkt()).drop(columns="geometry")
    data = table.to_csv(index=False).encode("gbk")
    r = _post(client, headers["admin"], "nanjing.csv", data, uid)
    assert r.status_code == 201, r.text


def test_gbk_bytes_in_a_geojson_are_4xx_not_500(client: TestClient, headers: dict, uid: str):
    data = feature_collection(ring(*SQUARE), props={"name": "玄武区"}).decode().encode("gbk")
    r = _post(client, headers["admin"], "gbk.geojson", data, uid)
    assert r.status_code in (201, 422), r.text


@pytest.mark.parametrize("who", ["admin", "south"])
@pytest.mark.parametrize("bbox", ["-1e999,0,1,1", "0,0,1e999,1", "nan,0,1,1", "1,1,inf,inf"])
def test_non_finite_bbox_is_422(client: TestClient, headers: dict, grids: str, who, bbox):
    r = client.get(
        f"/layers/{grids}/versions/1/features", params={"bbox": bbox}, headers=headers[who]
    )
    assert r.status_code == 422, r.text
    r = client.get(f"/ogc/collections/{grids}/items", params={"bbox": bbox}, headers=headers[who])
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-2E+400"])
def test_non_finite_json_literals_are_422_with_a_json_answer(
    client: TestClient, headers: dict, grids: str, literal: bytes
):
    body = (
        b'{"base_version": 1, "reason": "x", "upsert": [{"type": "Feature", '
        b'"properties": {"id": "G1", "name": "n", "parent_id": "C1", "v": ' + literal + b"}, "
        b'"geometry": {"type": "Point", "coordinates": [' + literal + b", 32.0]}}]}"
    )
    h = {**headers["admin"], "content-type": "application/json"}
    r = client.patch(f"/layers/{grids}/features", headers=h, content=body)
    assert r.status_code == 422
    assert "finite" in json.loads(r.content)["detail"]
    versions = client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()
    assert len(versions) == 1


def test_a_nan_in_a_query_number_answers_valid_json(client: TestClient, headers: dict):
    r = client.get("/layers", params={"limit": "nan"}, headers=headers["admin"])
    assert r.status_code < 500 and json.loads(r.content) is not None


@pytest.mark.parametrize(
    ("crs", "words"),
    [("EPSG:3857", "look like longitude/latitude"), ("EPSG:4978", "geocentric")],
)
def test_wrong_crs_for_lonlat_data_is_422(
    client: TestClient, headers: dict, uid: str, crs: str, words: str
):
    data = shapefile_zip(nanjing_streets())
    r = client.post(
        "/layers",
        headers=headers["admin"],
        data={"layer_id": uid, "kind": "street", "reason": "x", "crs": crs},
        files={"file": ("nanjing.zip", data, "application/zip")},
    )
    assert r.status_code == 422, r.text
    assert words in r.text and "nanjing.zip" in r.text
    assert client.get(f"/layers/{uid}", headers=headers["admin"]).status_code == 404


WORLD = ring((-170, -80), (170, -80), (170, 80), (-170, 80), (-170, -80))


def test_a_world_sized_grid_is_refused(client: TestClient, headers: dict, uid: str, grids: str):
    r = _post(client, headers["admin"], "world.geojson", feature_collection(WORLD), uid)
    assert r.status_code == 413 and "spans" in r.text, r.text
    assert _problem(r)["row"] == 1
    feature = {"type": "Feature", "properties": {"id": "G1", "parent_id": "C1"}, "geometry": WORLD}
    body = {"base_version": 1, "reason": "world", "upsert": [feature]}
    r = client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=body)
    assert r.status_code == 413 and "spans" in r.text, r.text
