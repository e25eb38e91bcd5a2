"""Grid edits, impact and notice through the REST API, on both backends.

The four-grid district of ``service_fixtures`` (all in community C1), and for reassign a
community layer with C1 over the four grids and C2 east of them::

    32.02 +------+------+------+
          |  G3  |  G4  |      |
    32.01 +------+------+  C2  |
          |  G1 .|  G2  |      |        the split line: x = 118.705 (the dots)
    32.00 +------+------+------+
        118.70 118.71 118.72 118.73
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import LineString, box, mapping

from tests.api.service_fixtures import CELLS, X0, Y0, D, upload

SPLIT_LINE = LineString([(X0 + D / 2, Y0 - D / 10), (X0 + D / 2, Y0 + D * 1.1)])
"""Top to bottom through G1, from outside to outside."""
MOVE_LINE = LineString([(X0 + D * 0.8, Y0 - D / 10), (X0 + D * 0.8, Y0 + D * 1.1)])
"""A new G1|G2 boundary 0.2 cells west of the old one."""


def _post(client: TestClient, hdr: dict, layer: str, op: str, **body: Any) -> Any:
    body.setdefault("base_version", 1)
    body.setdefault("reason", "test edit")
    return client.post(f"/layers/{layer}/edits/{op}", headers=hdr, json=body)


def _head(client: TestClient, hdr: dict, layer: str) -> int:
    return int(client.get(f"/layers/{layer}", headers=hdr).json()["head_version"])


def _ids(client: TestClient, hdr: dict, layer: str, version: int) -> set[str]:
    r = client.get(f"/layers/{layer}/versions/{version}/features", headers=hdr)
    assert r.status_code == 200, r.text
    return {f["id"] for f in r.json()["features"]}


@pytest.mark.parametrize("line", [SPLIT_LINE.wkt, mapping(SPLIT_LINE)], ids=["wkt", "geojson"])
def test_split_stores_next_version_and_diff_impact_notice_show_it(
    client: TestClient, headers: dict, grids: str, line: Any
) -> None:
    west = headers["west"]  # a street office splitting a grid of its own
    r = _post(client, west, grids, "split", grid_id="G1", line=line, new_ids=["G5"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"]["version"] == 2 and body["version"]["author"] == "west"
    assert body["operation"] == "split" and body["created"] == ["G5"]
    assert "G1" in body["description"]["en"] and "G1" in body["description"]["zh"]
    assert _head(client, headers["admin"], grids) == 2
    assert _ids(client, headers["admin"], grids, 2) == {*CELLS, "G5"}
    diff = client.get(f"/layers/{grids}/diff", params={"a": 1, "b": 2}, headers=west).json()
    assert diff["added"] == ["G5"] and "G1" in diff["geometry_changed"]
    # the two halves tile the old G1: area is conserved
    got = gpd.GeoDataFrame.from_features(
        client.get(f"/layers/{grids}/versions/2/features", headers=west).json()["features"],
        crs=4326,
    ).set_index("id")
    halves = got.loc[["G1", "G5"]].to_crs(32650).area
    assert halves.sum() == pytest.approx(
        gpd.GeoSeries([CELLS["G1"]], crs=4326).to_crs(32650).area.iloc[0], rel=1e-6
    )
    assert halves.iloc[0] == pytest.approx(halves.iloc[1], rel=1e-3)
    impact = client.get(f"/layers/{grids}/versions/1/impact/2", headers=west)
    assert impact.status_code == 200, impact.text
    status = {g["id"]: g["status"] for g in impact.json()["grids"]}
    assert status["G5"] == "added" and status["G1"] == "reshaped"
    assert impact.json()["summary"]["grids_changed"] >= 2
    page = client.get(
        f"/layers/{grids}/versions/1/impact/2/notice.html",
        headers=west,
        params={"sender": "西街道", "recipient": "南派出所"},
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "G5" in page.text and "西街道" in page.text and "<svg" in page.text


def test_split_a_real_seattle_beat_conserves_area(
    client: TestClient, headers: dict, uid: str, shared_data
) -> None:
    """The 51 SPD beats stored as a grid layer (sector letter as community); beat K2 is
    split north-south through its centroid: one new grid, the layer's area unchanged."""
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    beats = beats.assign(id=beats["name"], parent_id=beats["name"].str[0])
    assert upload(client, headers["admin"], beats, layer_id=uid).status_code == 201
    k2 = beats.set_index("id").geometry["K2"]
    line = LineString([(k2.centroid.x, k2.bounds[1] - 0.01), (k2.centroid.x, k2.bounds[3] + 0.01)])
    r = _post(client, headers["admin"], uid, "split", grid_id="K2", line=mapping(line))
    assert r.status_code == 201, r.text
    assert r.json()["created"] == ["K004"] and r.json()["version"]["feature_count"] == 52
    got = client.get(
        f"/layers/{uid}/versions/2/features", headers=headers["admin"], params={"limit": 100}
    ).json()
    after = gpd.GeoDataFrame.from_features(got["features"], crs=4326).set_index("id")
    metric = after.to_crs(32610).area
    before = beats.set_index("id").to_crs(32610).area
    assert metric[["K2", "K004"]].sum() == pytest.approx(before["K2"], rel=1e-6)
    assert metric.sum() == pytest.approx(before.sum(), rel=1e-6)
    assert shapely.coverage_is_valid(after.geometry.to_numpy())
    impact = client.get(f"/layers/{uid}/versions/1/impact/2", headers=headers["admin"]).json()
    status = {g["id"]: g["status"] for g in impact["grids"] if g["status"] != "unchanged"}
    assert status == {"K2": "reshaped", "K004": "added"}


def test_merge_move_draw_each_store_a_version(
    client: TestClient, headers: dict, grids: str
) -> None:
    admin = headers["admin"]
    r = _post(client, admin, grids, "move", first="G1", second="G2", line=MOVE_LINE.wkt)
    assert r.status_code == 201, r.text
    assert set(r.json()["reshaped"]) >= {"G1", "G2"}
    r = _post(client, admin, grids, "merge", base_version=2, grid_ids=["G3", "G4"], new_id="G34")
    assert r.status_code == 201, r.text
    assert _ids(client, admin, grids, 3) == {"G1", "G2", "G34"}
    square = box(X0 + D * 0.2, Y0 + D * 0.2, X0 + D * 0.4, Y0 + D * 0.4)
    r = _post(client, admin, grids, "draw", base_version=3, polygon=square.wkt, new_id="G9")
    assert r.status_code == 201, r.text
    assert r.json()["created"] == ["G9"] and _head(client, admin, grids) == 4
    assert [
        v["version"] for v in client.get(f"/layers/{grids}/versions", headers=admin).json()
    ] == [
        1,
        2,
        3,
        4,
    ]


def test_reassign_to_a_neighbouring_community(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    comm = gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "name": ["社区1", "社区2"], "parent_id": ["S1", "S1"]},
        geometry=[box(X0, Y0, X0 + 2 * D, Y0 + 2 * D), box(X0 + 2 * D, Y0, X0 + 3 * D, Y0 + 2 * D)],
        crs=4326,
    )
    r = upload(client, headers["admin"], comm, layer_id=f"{uid}c", kind="community")
    assert r.status_code == 201, r.text
    r = _post(
        client,
        headers["admin"],
        grids,
        "reassign",
        grid_id="G2",
        community_id="C2",
        communities_layer=f"{uid}c",
        communities_base_version=1,
    )
    assert r.status_code == 201, r.text
    assert r.json()["communities_version"]["version"] == 2
    got = client.get(f"/layers/{grids}/versions/2/features", headers=headers["admin"]).json()
    parents = {f["id"]: f["properties"]["parent_id"] for f in got["features"]}
    assert parents == {"G1": "C1", "G2": "C2", "G3": "C1", "G4": "C1"}
    # both communities were reshaped: C2 now holds G2, C1 the other three, area conserved
    got = client.get(f"/layers/{uid}c/versions/2/features", headers=headers["admin"]).json()
    new = gpd.GeoDataFrame.from_features(got["features"], crs=4326).set_index("id")
    assert new.geometry["C2"].covers(CELLS["G2"].buffer(-1e-9))
    assert not new.geometry["C1"].buffer(-1e-9).intersects(CELLS["G2"].buffer(-1e-9))
    # (in degrees: UTM areas differ by ~40 m² once a straight edge gets a midpoint vertex)
    planar = [shapely.area(f.geometry.to_numpy()).sum() for f in (new, comm)]
    assert planar[0] == pytest.approx(planar[1], rel=1e-12)
    # a stale community base is a conflict too, and writes nothing
    r = _post(
        client,
        headers["admin"],
        grids,
        "reassign",
        base_version=2,
        grid_id="G4",
        community_id="C2",
        communities_layer=f"{uid}c",
        communities_base_version=1,
    )
    assert r.status_code == 409, r.text
    assert _head(client, headers["admin"], grids) == 2


def test_impact_on_beats_and_joint_points(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    """Moving the G1|G3 boundary north splits G1 between beats B1 (bottom) and B2 (top),
    and the joint point in the moved strip changes grid from G3 to G1."""
    admin = headers["admin"]
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["警区1", "警区2"], "parent_id": ["P1", "P1"]},
        geometry=[CELLS["G1"].union(CELLS["G2"]), CELLS["G3"].union(CELLS["G4"])],
        crs=4326,
    )
    point = gpd.GeoDataFrame(
        {"id": ["J1"], "name": ["联防点"]},
        geometry=gpd.points_from_xy([X0 + D / 2], [Y0 + D * 1.1]),
        crs=4326,
    )
    for suffix, frame, kind in (("b", beats, "beat"), ("j", point, "joint_point")):
        r = upload(client, admin, frame, layer_id=f"{uid}{suffix}", kind=kind)
        assert r.status_code == 201, r.text
    north = LineString([(X0 - D / 10, Y0 + D * 1.2), (X0 + D * 1.1, Y0 + D * 1.2)])
    r = _post(client, admin, grids, "move", first="G1", second="G3", line=north.wkt)
    assert r.status_code == 201, r.text
    params = {"beats": f"{uid}b", "joint_points": f"{uid}j"}
    r = client.get(f"/layers/{grids}/versions/1/impact/2", headers=admin, params=params)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["summary"]["beats_misaligned"] == 1 and out["summary"]["joint_points"] == 1
    assert {row["grid_id"] for row in out["beats"]} == {"G1"}
    assert out["joint_points"][0]["id"] == "J1"
    page = client.get(
        f"/layers/{grids}/versions/1/impact/2/notice.html", headers=admin, params=params
    )
    assert page.status_code == 200 and "J1" in page.text
    bad = client.get(
        f"/layers/{grids}/versions/1/impact/2", headers=admin, params={"beats": "Bad Id!"}
    )
    assert bad.status_code == 422


def test_stale_base_version_is_409_and_writes_nothing(
    client: TestClient, headers: dict, grids: str
) -> None:
    admin = headers["admin"]
    assert (
        _post(client, admin, grids, "split", grid_id="G1", line=SPLIT_LINE.wkt).status_code == 201
    )
    for base in (1, 0, 7):
        r = _post(client, admin, grids, "merge", base_version=base, grid_ids=["G3", "G4"])
        assert r.status_code == 409, r.text
        assert "version 2" in r.json()["detail"]
    assert _head(client, admin, grids) == 2


@pytest.mark.parametrize(
    ("op", "body", "needle"),
    [
        ("split", {"grid_id": "G1", "line": "LINESTRING (118.9 32.3, 118.95 32.3)"}, "cross"),
        ("split", {"grid_id": "G404", "line": SPLIT_LINE.wkt}, "G404"),
        ("merge", {"grid_ids": ["G1", "G4"]}, "adjacent"),
        ("move", {"first": "G1", "second": "G4", "line": MOVE_LINE.wkt}, "neighbour"),
        ("draw", {"polygon": box(118.9, 32.3, 118.91, 32.31).wkt}, "overlap"),
        ("merge", {"grid_ids": ["G1", "G3"], "locked": ["G3"]}, "locked"),
    ],
    ids=["line-misses", "unknown-grid", "corner-only", "not-neighbours", "draw-nowhere", "locked"],
)
def test_refused_edit_is_422_bilingual_and_layer_unchanged(
    client: TestClient, headers: dict, grids: str, op: str, body: dict, needle: str
) -> None:
    r = _post(client, headers["admin"], grids, op, **body)
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["zh"] and out["en"] and out["detail"] == f"{out['zh']} / {out['en']}"
    assert needle.lower() in out["en"].lower()
    assert isinstance(out["findings"], list)
    assert _head(client, headers["admin"], grids) == 1
    assert len(client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()) == 1


@pytest.mark.parametrize(
    ("op", "body"),
    [
        ("split", {"grid_id": "G1", "line": "LINESTRING (118.7"}),
        ("split", {"grid_id": "G1", "line": {"type": "Nope", "coordinates": []}}),
        ("split", {"grid_id": "G1", "line": "LINESTRING EMPTY"}),
        ("split", {"grid_id": "G1", "line": None}),
        ("merge", {"grid_ids": ["G1"]}),
        ("merge", {"grid_ids": ["G1", "G2"], "base_version": -1}),
        ("merge", {"grid_ids": ["G1", "G2"], "reason": ""}),
        ("reassign", {"grid_id": "G1", "community_id": "C2"}),
        ("reassign", {"grid_id": "G1", "community_id": "C2", "communities_layer": "x"}),
        (
            "reassign",
            {
                "grid_id": "G1",
                "community_id": "C2",
                "communities_layer": "Bad Id!",
                "communities_base_version": 1,
            },
        ),
        ("draw", {"polygon": {"type": "Polygon", "coordinates": [[[1, 2]]]}}),
    ],
    ids=[
        "bad-wkt",
        "bad-geojson",
        "empty",
        "none",
        "merge-one",
        "negative-base",
        "no-reason",
        "reassign-without-communities",
        "reassign-without-community-base",
        "bad-communities-id",
        "degenerate-polygon",
    ],
)
def test_broken_input_is_422_and_writes_nothing(
    client: TestClient, headers: dict, grids: str, op: str, body: dict
) -> None:
    r = _post(client, headers["admin"], grids, op, **body)
    assert r.status_code == 422, r.text
    assert _head(client, headers["admin"], grids) == 1


def test_edits_on_unknown_or_non_grid_layers(client: TestClient, headers: dict, uid: str) -> None:
    r = _post(client, headers["admin"], uid, "merge", grid_ids=["G1", "G2"])
    assert r.status_code == 404, r.text
    beats = gpd.GeoDataFrame({"id": ["B1"], "name": ["b"]}, geometry=[CELLS["G1"]], crs=4326)
    assert upload(client, headers["admin"], beats, layer_id=uid, kind="beat").status_code == 201
    r = _post(client, headers["admin"], uid, "merge", grid_ids=["G1", "G2"])
    assert r.status_code == 422 and "not a grid layer" in r.json()["detail"]


@pytest.mark.parametrize(
    ("user", "op", "body"),
    [
        ("west", "split", {"grid_id": "G2", "line": SPLIT_LINE.wkt}),  # G2 is not its own
        ("west", "merge", {"grid_ids": ["G1", "G2"]}),
        ("west", "draw", {"polygon": box(X0 + D * 1.2, Y0, X0 + D * 1.5, Y0 + D / 2).wkt}),
        ("south", "split", {"grid_id": "G1", "line": SPLIT_LINE.wkt}),  # a station: no grids
        ("commander", "merge", {"grid_ids": ["G1", "G3"]}),  # reads only
        ("outsider", "split", {"grid_id": "G1", "line": SPLIT_LINE.wkt}),
    ],
)
def test_edit_outside_jurisdiction_or_role_is_403(
    client: TestClient, headers: dict, grids: str, user: str, op: str, body: dict
) -> None:
    r = _post(client, headers[user], grids, op, **body)
    assert r.status_code == 403, r.text
    assert _head(client, headers["admin"], grids) == 1


def test_outsider_sees_no_impact_and_no_token_is_401(
    app: FastAPI, client: TestClient, headers: dict, grids: str
) -> None:
    admin = headers["admin"]
    assert (
        _post(client, admin, grids, "split", grid_id="G1", line=SPLIT_LINE.wkt).status_code == 201
    )
    r = client.get(f"/layers/{grids}/versions/1/impact/2", headers=headers["outsider"])
    assert r.status_code == 200, r.text
    assert "G1" not in r.text and r.json()["summary"]["grids_changed"] == 0
    page = client.get(
        f"/layers/{grids}/versions/1/impact/2/notice.html", headers=headers["outsider"]
    )
    assert page.status_code == 404 and "G1" not in page.text
    anonymous = TestClient(app)  # no token and none of the shared client's cookies
    for path in ("impact/2", "impact/2/notice.html"):
        assert anonymous.get(f"/layers/{grids}/versions/1/{path}").status_code == 401
    r = anonymous.post(f"/layers/{grids}/edits/split", json={"base_version": 2})
    assert r.status_code == 401
    assert client.get(f"/layers/{grids}/versions/1/impact/9", headers=admin).status_code == 404
