"""Metadata across jurisdictions: collection extents cut to the reader's jurisdiction; an
edit that changes nothing creates no version (and still says nothing about features the
author may not touch).  Both backends."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.models import Feature
from tests.api.service_fixtures import X0, Y0, D, finished_job, four_grids, upload


def _stored(app: FastAPI, layer: str, fid: str) -> dict:
    """The feature exactly as stored (all properties, personal ones too)."""
    with app.state.sessions() as s:
        row = s.scalars(
            select(Feature).where(
                Feature.layer_id == layer, Feature.fid == fid, Feature.version_to.is_(None)
            )
        ).one()
        return {
            "type": "Feature",
            "properties": {"id": fid, **row.properties},
            "geometry": row.geom.__geo_interface__,
        }


def _versions(client: TestClient, headers: dict, layer: str) -> list[int]:
    r = client.get(f"/layers/{layer}/versions", headers=headers["admin"])
    return [v["version"] for v in r.json()]


def test_an_edit_that_changes_nothing_creates_no_version(
    client: TestClient, app: FastAPI, headers: dict, grids: str
):
    same = _stored(app, grids, "G1")
    body = {"base_version": 1, "reason": "nothing", "upsert": [same]}
    r = client.patch(f"/layers/{grids}/features", json=body, headers=headers["west"])
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["reason"] != "nothing"
    assert _versions(client, headers, grids) == [1]
    # The next real edit still starts from version 1.
    changed = {**same, "properties": {**same["properties"], "name": "新"}}
    body = {"base_version": 1, "reason": "rename", "upsert": [changed]}
    r = client.patch(f"/layers/{grids}/features", json=body, headers=headers["west"])
    assert r.status_code == 200 and r.json()["version"] == 2, r.text


def test_a_no_op_edit_outside_the_jurisdiction_is_still_refused(
    client: TestClient, app: FastAPI, headers: dict, grids: str
):
    body = {"base_version": 1, "reason": "probe", "upsert": [_stored(app, grids, "G4")]}
    r = client.patch(f"/layers/{grids}/features", json=body, headers=headers["west"])
    assert r.status_code == 403, r.text
    assert _versions(client, headers, grids) == [1]


def test_uploading_the_same_content_creates_no_version(
    client: TestClient, headers: dict, grids: str
):
    r = client.post(
        f"/layers/{grids}/versions",
        headers=headers["admin"],
        data={"base_version": "1", "reason": "again"},
        files={"file": ("g.geojson", four_grids().to_json().encode(), "application/geo+json")},
    )
    assert r.status_code in (200, 201) and r.json()["version"] == 1, r.text
    assert _versions(client, headers, grids) == [1]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", [X0, Y0, X0 + 2 * D, Y0 + 2 * D]),
        ("south", [X0, Y0, X0 + 2 * D, Y0 + D]),  # the bottom row only
        ("west", [X0, Y0, X0 + D, Y0 + 2 * D]),  # the left column only
    ],
)
def test_collection_extents_stop_at_the_jurisdiction(
    client: TestClient, headers: dict, grids: str, who: str, expected: list[float]
):
    for path in (f"/ogc/collections/{grids}", "/ogc/collections"):
        body = client.get(path, headers=headers[who]).json()
        one = body if "extent" in body else next(c for c in body["collections"] if c["id"] == grids)
        assert one["extent"]["spatial"]["bbox"][0] == pytest.approx(expected), (who, path)


def test_a_check_jobs_ok_covers_only_the_readers_jurisdiction(
    client: TestClient, headers: dict, grids: str, uid: str
):
    """Beat B1 cuts G2 and G4 in half: every reader whose area meets them sees findings
    and ``ok`` false; a reader elsewhere (Beijing) sees no finding and ``ok`` true (before,
    ``ok`` was the whole district's, telling them of violations they may not see)."""
    import geopandas as gpd
    from shapely.geometry import box

    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["b1", "b2"], "parent_id": ["P1", "P1"]},
        geometry=[box(118.70, 32.00, 118.715, 32.02), box(118.715, 32.00, 118.72, 32.02)],
        crs=4326,
    )
    r = upload(client, headers["admin"], beats, layer_id=uid + "b", kind="beat")
    assert r.status_code == 201, r.text
    ok = {}
    for who in ("admin", "south", "outsider"):
        r = client.post("/checks", json={"layers": {"grid": grids, "beat": uid + "b"}},
                        headers=headers[who])  # fmt: skip
        assert r.status_code == 202, r.text
        state = finished_job(client, headers[who], r.json())
        assert state["status"] == "done", state
        result = client.get(state["result_url"], headers=headers[who]).json()
        ok[who] = (result["ok"], len(result["findings"]["features"]))
    assert ok["admin"][0] is False and ok["south"][0] is False
    assert ok["outsider"] == (True, 0), ok


def test_version_authors_and_reasons_only_where_the_version_touched(
    client: TestClient, app: FastAPI, headers: dict, grids: str
):
    g1, g4 = _stored(app, grids, "G1"), _stored(app, grids, "G4")
    edits = [("west", g1, "west renames G1"), ("admin", g4, "admin renames G4")]
    for base, (who, feature, reason) in enumerate(edits, start=1):
        renamed = {**feature, "properties": {**feature["properties"], "name": reason}}
        body = {"base_version": base, "reason": reason, "upsert": [renamed]}
        r = client.patch(f"/layers/{grids}/features", json=body, headers=headers[who])
        assert r.status_code == 200, r.text
    seen = {}
    for who in ("admin", "commander", "south", "west", "outsider"):
        listed = client.get(f"/layers/{grids}/versions", headers=headers[who]).json()
        seen[who] = [v["reason"] for v in listed]
    hidden = "（不可见）hidden"
    assert seen["admin"] == seen["commander"] == ["first import", *(e[2] for e in edits)]
    assert seen["south"] == ["first import", "west renames G1", hidden]  # G4 is not south's
    assert seen["west"] == ["first import", "west renames G1", hidden]
    assert seen["outsider"] == [hidden] * 3
