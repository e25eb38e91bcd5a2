"""Layer upload, versions, edits, diff through the REST API, on both backends."""

from __future__ import annotations

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, mapping

from tests.api.service_fixtures import CELLS, four_grids, upload


def _feature(fid: str, geom, **props) -> dict:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": mapping(geom)}


def test_upload_read_and_privacy(client: TestClient, headers: dict, grids: str) -> None:
    r = client.get(f"/layers/{grids}/versions/1/features", headers=headers["admin"])
    body = r.json()
    assert body["numberMatched"] == 4
    assert {f["id"] for f in body["features"]} == set(CELLS)
    assert "13800000000" not in r.text and "phone" not in r.text
    meta = client.get(f"/layers/{grids}", headers=headers["admin"]).json()
    assert (meta["kind"], meta["head_version"]) == ("grid", 1)


def test_real_seattle_beats_round_trip(
    client: TestClient, headers: dict, uid: str, shared_data
) -> None:
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    beats["id"] = beats["name"]
    r = upload(client, headers["admin"], beats, layer_id=uid, kind="beat")
    assert r.status_code == 201, r.text
    assert r.json()["feature_count"] == 51
    got = client.get(
        f"/layers/{uid}/versions/1/features", headers=headers["admin"], params={"limit": 100}
    ).json()
    back = gpd.GeoDataFrame.from_features(got["features"], crs=4326)
    assert sorted(back["name"]) == sorted(beats["name"])
    area_in = beats.to_crs(32610).area.sum()
    assert back.to_crs(32610).area.sum() == pytest.approx(area_in, rel=1e-9)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("grids.geojson", b"", "empty"),
        ("grids.txt", b"hello", "unsupported file type"),
        ("grids.geojson", b"{not json", ""),
        (
            "grids.geojson",
            four_grids().assign(id=["G1", "G1", "G3", "G4"]).to_json().encode(),
            "g1",
        ),
    ],
    ids=["empty", "wrong-suffix", "garbage", "duplicate-ids"],
)
def test_bad_uploads_answer_422_with_located_problems(
    client: TestClient, headers: dict, uid: str, name: str, content: bytes, needle: str
) -> None:
    r = client.post(
        "/layers",
        headers=headers["admin"],
        data={"layer_id": uid, "kind": "grid", "reason": "x"},
        files={"file": (name, content, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["problems"], body
    assert needle.lower() in body["detail"].lower()
    if needle == "g1":  # located: the rows and the field
        assert body["problems"][0]["row"] in (1, 2) and body["problems"][0]["field"] == "id"
    assert client.get(f"/layers/{uid}", headers=headers["admin"]).status_code == 404


@pytest.mark.parametrize(
    "form",
    [
        {"layer_id": "Bad Id!", "kind": "grid", "reason": "x"},
        {"layer_id": "ok", "kind": "volcano", "reason": "x"},
        {"layer_id": "ok", "kind": "grid", "reason": ""},
    ],
    ids=["bad-id", "bad-kind", "no-reason"],
)
def test_bad_upload_forms_answer_422(client: TestClient, headers: dict, form: dict) -> None:
    files = {"file": ("g.geojson", four_grids().to_json().encode(), "application/geo+json")}
    r = client.post("/layers", headers=headers["admin"], data=form, files=files)
    assert r.status_code == 422, r.text


def test_new_version_upload_and_stale_conflict(
    client: TestClient, headers: dict, grids: str
) -> None:
    def post(base: int, gdf: gpd.GeoDataFrame):
        return client.post(
            f"/layers/{grids}/versions",
            headers=headers["admin"],
            data={"base_version": str(base), "reason": "redraw"},
            files={"file": ("g.geojson", gdf.to_json().encode(), "application/geo+json")},
        )

    first = post(1, four_grids().iloc[:3])
    second = post(1, four_grids().iloc[:2])  # edited from the same version: too late
    assert first.status_code == 201 and first.json()["removed"] == 1
    assert second.status_code == 409
    assert "version 2" in second.json()["detail"]
    versions = client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()
    assert [v["version"] for v in versions] == [1, 2]


def test_street_office_edits_only_its_grids(client: TestClient, headers: dict, grids: str) -> None:
    mine = {
        "base_version": 1,
        "reason": "fix G1",
        "upsert": [_feature("G1", CELLS["G1"].buffer(-0.0005), name="G1 fixed", parent_id="C1")],
    }
    theirs = {
        "base_version": 2,
        "reason": "grab G2",
        "upsert": [_feature("G2", CELLS["G2"].buffer(-0.0005), name="G2", parent_id="C1")],
    }
    delete_theirs = {"base_version": 2, "reason": "drop G4", "delete": ["G4"]}
    ok = client.patch(f"/layers/{grids}/features", headers=headers["west"], json=mine)
    assert ok.status_code == 200, ok.text
    assert (ok.json()["version"], ok.json()["changed"]) == (2, 1)
    for edit in (theirs, delete_theirs):
        r = client.patch(f"/layers/{grids}/features", headers=headers["west"], json=edit)
        assert r.status_code == 403, r.text
    for who in ("south", "commander", "outsider"):
        r = client.patch(f"/layers/{grids}/features", headers=headers[who], json=theirs)
        assert r.status_code == 403, (who, r.text)
    assert client.get(f"/layers/{grids}", headers=headers["admin"]).json()["head_version"] == 2


def test_edit_of_stale_version_is_409(client: TestClient, headers: dict, grids: str) -> None:
    edit = {"base_version": 1, "reason": "r", "delete": ["G1"]}
    assert (
        client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=edit).status_code
        == 200
    )
    again = client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=edit)
    assert again.status_code == 409


@pytest.mark.parametrize(
    "edit",
    [
        {"base_version": 1, "reason": "r", "delete": ["nope"]},
        {"base_version": 1, "reason": "r", "upsert": [{"type": "Feature", "geometry": None}]},
        {"base_version": 1, "reason": "r", "upsert": [{"bad": 1}]},
        {"base_version": -1, "reason": "r"},
    ],
    ids=["unknown-id", "null-geometry", "not-geojson", "negative-base"],
)
def test_bad_edits_are_4xx(client: TestClient, headers: dict, grids: str, edit: dict) -> None:
    r = client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=edit)
    assert 400 <= r.status_code < 500, r.text
    assert client.get(f"/layers/{grids}", headers=headers["admin"]).json()["head_version"] == 1


def test_station_sees_exactly_what_changed_in_its_jurisdiction(
    client: TestClient, headers: dict, grids: str
) -> None:
    """The street office moves G1's east edge and renames G3; the admin drops G4."""
    moved = box(118.70, 32.00, 118.7105, 32.01)
    edit = {
        "base_version": 1,
        "reason": "realign",
        "upsert": [
            _feature("G1", moved, name="网格G1", parent_id="C1"),
            _feature("G3", CELLS["G3"], name="renamed", parent_id="C1"),
        ],
    }
    assert (
        client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=edit).status_code
        == 200
    )
    drop = {"base_version": 2, "reason": "merge", "delete": ["G4"]}
    assert (
        client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=drop).status_code
        == 200
    )
    full = client.get(
        f"/layers/{grids}/diff", params={"a": 1, "b": 3}, headers=headers["admin"]
    ).json()
    south = client.get(
        f"/layers/{grids}/diff", params={"a": 1, "b": 3}, headers=headers["south"]
    ).json()
    assert (full["changed"], full["removed"], full["geometry_changed"]) == (
        ["G1", "G3"],
        ["G4"],
        ["G1"],
    )
    assert (south["changed"], south["removed"], south["geometry_changed"]) == (["G1"], [], ["G1"])
    assert [f["id"] for f in south["changes"]["features"]] == ["G1"]
    assert south["changes"]["features"][0]["properties"]["changed_area_m2"] == pytest.approx(
        0.0005 * 94_400 * 1109, rel=0.05
    )
