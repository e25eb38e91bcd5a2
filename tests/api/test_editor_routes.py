"""The street editor's operations through the REST API, on both backends: transfer a drawn
part, a new grid on unassigned land, a merge across communities, the dry run's impact,
the balancing proposal adopted; and the station accepting the re-aligned beats a notice
calls for.  The four-grid district of ``service_fixtures`` (sketch in test_redraw_routes).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import LineString, Polygon, box

from tests.api.service_fixtures import CELLS, X0, Y0, D, four_grids, upload

BOWTIE = Polygon([(X0, Y0), (X0 + D, Y0 + D), (X0 + D, Y0), (X0, Y0 + D)])
EAST_STRIP = box(X0 + D * 0.8, Y0 - D / 10, X0 + D * 1.0, Y0 + D * 1.1)
"""The eastern fifth of G1 (and beyond it): what G1 gives to G2."""
NORTH = LineString([(X0 - D / 10, Y0 + D * 1.2), (X0 + D * 1.1, Y0 + D * 1.2)])
"""A new G1|G3 boundary 0.2 cells north of the old one."""


def _post(client: TestClient, hdr: dict, layer: str, op: str, **body: Any) -> Any:
    body.setdefault("base_version", 1)
    body.setdefault("reason", "test edit")
    return client.post(f"/layers/{layer}/edits/{op}", headers=hdr, json=body)


def _head(client: TestClient, hdr: dict, layer: str) -> int:
    return int(client.get(f"/layers/{layer}", headers=hdr).json()["head_version"])


def _frame(client: TestClient, hdr: dict, layer: str, version: int) -> gpd.GeoDataFrame:
    r = client.get(f"/layers/{layer}/versions/{version}/features", headers=hdr)
    assert r.status_code == 200, r.text
    return gpd.GeoDataFrame.from_features(r.json()["features"], crs=4326).set_index("id")


def _refused(r: Any, needle: str) -> None:
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["zh"] and out["en"] and needle in out["en"], out


def test_transfer_gives_the_drawn_part_to_the_neighbour(
    client: TestClient, headers: dict, grids: str
) -> None:
    admin = headers["admin"]
    r = _post(client, admin, grids, "transfer", source="G1", target="G2", area=EAST_STRIP.wkt)
    assert r.status_code == 201, r.text
    assert r.json()["operation"] == "transfer" and set(r.json()["reshaped"]) == {"G1", "G2"}
    got = _frame(client, admin, grids, 2).to_crs(32650)
    cell = gpd.GeoSeries([CELLS["G1"]], crs=4326).to_crs(32650).area.iloc[0]
    assert got.area["G1"] == pytest.approx(0.8 * cell, rel=1e-3)
    assert got.area["G2"] == pytest.approx(1.2 * cell, rel=1e-3)
    assert shapely.coverage_is_valid(got.geometry.to_numpy())


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"source": "G1", "target": "G2", "area": BOWTIE.wkt}, "crosses itself"),
        ({"source": "G1", "target": "G4", "area": EAST_STRIP.wkt}, "not neighbours"),
        ({"source": "G1", "target": "G2", "area": box(119, 33, 119.1, 33.1).wkt}, "outside"),
        ({"source": "G1", "target": "G2", "area": "LINESTRING (118.7 32, 118.71 32.01)"}, "area"),
    ],
    ids=["self-intersecting", "not-neighbours", "outside", "a-line"],
)
def test_bad_transfer_is_refused_and_changes_nothing(
    client: TestClient, headers: dict, grids: str, body: dict, needle: str
) -> None:
    _refused(_post(client, headers["admin"], grids, "transfer", **body), needle)
    assert _head(client, headers["admin"], grids) == 1


def test_new_grid_on_unassigned_land(client: TestClient, headers: dict, uid: str) -> None:
    """G4 is missing: a new grid drawn over its square (a little over G2 and G3) fills it."""
    admin = headers["admin"]
    three = four_grids().iloc[:3]
    assert upload(client, admin, three, layer_id=uid).status_code == 201
    drawn = box(X0 + D * 0.98, Y0 + D * 0.98, X0 + 2 * D, Y0 + 2 * D)
    too_much = box(X0 + D * 0.5, Y0 + D * 0.5, X0 + 2 * D, Y0 + 2 * D)
    _refused(_post(client, admin, uid, "add", polygon=too_much.wkt), "tolerance")
    _refused(_post(client, admin, uid, "add", polygon=BOWTIE.wkt), "crosses itself")
    _refused(_post(client, admin, uid, "add", polygon=box(119, 33, 119.1, 33.1).wkt), "no grid")
    assert _head(client, admin, uid) == 1
    dry = _post(client, admin, uid, "add", polygon=drawn.wkt, dry_run=True)
    assert dry.status_code == 200 and dry.json()["created"] == ["C1001"]
    assert _head(client, admin, uid) == 1
    r = _post(client, admin, uid, "add", polygon=drawn.wkt, new_id="G4", name="新网格")
    assert r.status_code == 201, r.text
    got = _frame(client, admin, uid, 2)
    assert got.geometry["G4"].symmetric_difference(CELLS["G4"]).area < 1e-12
    for gid in ("G1", "G2", "G3"):  # nobody else moved
        assert got.geometry[gid].equals(CELLS[gid])


def test_merge_across_communities_is_refused(client: TestClient, headers: dict, uid: str) -> None:
    admin = headers["admin"]
    split = four_grids(parent_id=["C1", "C2", "C1", "C2"])
    assert upload(client, admin, split, layer_id=uid).status_code == 201
    for dry in (True, False):
        r = _post(client, admin, uid, "merge", grid_ids=["G1", "G2"], dry_run=dry)
        _refused(r, "different communities")
        assert "不同社区" in r.json()["zh"]
    assert _head(client, admin, uid) == 1


def _context(client: TestClient, admin: dict, uid: str) -> dict[str, str]:
    """Beats B1 (bottom row) and B2 (top row), an address in the strip G1 takes from G3,
    a building of 40 households there too."""
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["警区1", "警区2"], "parent_id": ["P1", "P1"]},
        geometry=[CELLS["G1"].union(CELLS["G2"]), CELLS["G3"].union(CELLS["G4"])],
        crs=4326,
    )
    spot = (X0 + D / 2, Y0 + D * 1.1)
    addresses = gpd.GeoDataFrame(
        {"id": ["A1", "A2"], "name": ["门牌1", "门牌2"], "address": ["一号", "二号"]},
        geometry=gpd.points_from_xy([spot[0], X0 + D / 2], [spot[1], Y0 + D / 2]),
        crs=4326,
    )
    buildings = gpd.GeoDataFrame(
        {"id": ["H1"], "name": ["楼"], "households": [40], "population": [100]},
        geometry=[box(spot[0] - D / 50, spot[1] - D / 50, spot[0] + D / 50, spot[1] + D / 50)],
        crs=4326,
    )
    out = {}
    for name, frame, kind in (
        ("beats", beats, "beat"),
        ("addresses", addresses, "address"),
        ("buildings", buildings, "building"),
    ):
        r = upload(client, admin, frame, layer_id=f"{uid}{name[:3]}", kind=kind)
        assert r.status_code == 201, r.text
        out[name] = f"{uid}{name[:3]}"
    return out


def test_dry_run_answers_the_impact_and_stores_nothing(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    admin = headers["admin"]
    context = _context(client, admin, uid)
    r = _post(
        client, admin, grids, "move", first="G1", second="G3", line=NORTH.wkt, dry_run=True,
        impact=context,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    impact = r.json()["impact"]
    summary = impact["summary"]
    assert summary["addresses"] == 1 and summary["households_moving"] == 40
    assert summary["beats_misaligned"] == 1 and summary["beats_to_realign"] == 2
    moved = impact["addresses"]["features"]
    assert [f["properties"]["id"] for f in moved] == ["A1"]
    assert moved[0]["properties"]["grid_before"] == "G3"
    assert moved[0]["properties"]["grid_after"] == "G1"
    assert {f["properties"]["id"] for f in impact["realigned_beats"]["features"]} == {"B1", "B2"}
    assert any(f["from_id"] == "G3" and f["to_id"] == "G1" for f in impact["flows"])
    assert _head(client, admin, grids) == 1
    bad = _post(client, admin, grids, "move", first="G1", second="G3", line=NORTH.wkt,
                dry_run=True, impact={"beats": "Bad Id!"})  # fmt: skip
    assert bad.status_code == 422


def _buildings(uid: str) -> gpd.GeoDataFrame:
    """A 10 x 10 lattice of buildings over the four grids: G1 holds 1,200 households, G2
    100, G3 and G4 400 each (2,100 in all: four grids of 300-800 are possible)."""
    per_cell = {"G1": 48, "G2": 4, "G3": 16, "G4": 16}
    xs = X0 + (np.arange(10) + 0.5) * D / 5
    rows = []
    for i, x in enumerate(xs):
        for j, y in enumerate(X0 * 0 + Y0 + (np.arange(10) + 0.5) * D / 5):
            cell = next(k for k, c in CELLS.items() if c.contains(shapely.Point(x, y)))
            rows.append((f"{uid}-{i}-{j}", per_cell[cell], shapely.Point(x, y).buffer(D / 100)))
    ids, households, shapes = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"id": ids, "name": "楼", "households": households, "population": households},
        geometry=list(shapes),
        crs=4326,
    )


def test_balance_proposal_is_shown_then_adopted(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    admin = headers["admin"]
    assert (
        upload(client, admin, _buildings(uid), layer_id=f"{uid}b", kind="building").status_code
        == 201
    )
    body = {"community_id": "C1", "buildings_layer": f"{uid}b", "scope": "community"}
    dry = _post(client, admin, grids, "balance", dry_run=True, **body)
    assert dry.status_code == 200, dry.text
    shown = dry.json()["balance"]
    assert shown["figures"]["in_band_before"] == 2 and shown["figures"]["in_band_after"] == 4
    assert sorted(g["households"] for g in shown["before"]) == [100, 400, 400, 1200]
    assert all(300 <= g["households"] <= 800 for g in shown["after"])
    assert len(shown["grids"]["features"]) == 4 and _head(client, admin, grids) == 1
    r = _post(client, admin, grids, "balance", **body)
    assert r.status_code == 201, r.text
    assert r.json()["operation"] == "balance" and r.json()["version"]["version"] == 2
    stored = _frame(client, admin, grids, 2)
    adopted = {f["properties"]["id"]: f["geometry"] for f in shown["grids"]["features"]}
    for gid, geometry in adopted.items():  # the adopted grids are the ones shown
        assert (
            stored.geometry[gid].symmetric_difference(shapely.geometry.shape(geometry)).area < 1e-12
        )
    bad = _post(client, admin, grids, "balance", base_version=2, min_households=900,
                max_households=800, **{k: v for k, v in body.items()})  # fmt: skip
    _refused(bad, "lower household bound")
    _refused(
        _post(client, admin, grids, "balance", base_version=2, **{**body, "community_id": "C9"}),
        "no grid",
    )


def test_station_accepts_the_realigned_beats_of_a_notice(
    client: TestClient, headers: dict, uid: str
) -> None:
    """Grids G1, G2 and beats B1 = G1, B2 = G2 (all inside station "south"); the admin moves
    the G1|G2 boundary west; "south" gets the notice, views the re-aligned beats and
    accepts them."""
    admin, south = headers["admin"], headers["south"]
    grids = f"{uid}g"
    assert upload(client, admin, four_grids().iloc[:2], layer_id=grids).status_code == 201
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["警区1", "警区2"], "parent_id": ["P1", "P1"]},
        geometry=[CELLS["G1"], CELLS["G2"]],
        crs=4326,
    )
    layer = f"{uid}b"
    assert upload(client, admin, beats, layer_id=layer, kind="beat").status_code == 201
    west_line = LineString([(X0 + D * 0.8, Y0 - D / 10), (X0 + D * 0.8, Y0 + D * 1.1)])
    r = _post(client, admin, grids, "move", first="G1", second="G2", line=west_line.wkt)
    assert r.status_code == 201, r.text
    inbox = client.get("/notices", headers=south).json()
    notice = next(n for n in inbox if n["layer_id"] == grids)
    assert notice["beats_version"] is None
    url = f"/notices/{notice['id']}/beats"
    shown = client.get(url, headers=south, params={"beats_layer": layer})
    assert shown.status_code == 200, shown.text
    out = shown.json()
    assert out["base_version"] == 1 and {c["to"] for c in out["changes"]} >= {"B2"}
    proposed = {
        f["properties"]["id"]: shapely.geometry.shape(f["geometry"])
        for f in out["proposed"]["features"]
    }
    assert set(proposed) == {"B1", "B2"}
    grids_now = _frame(client, admin, grids, 2)
    assert proposed["B2"].symmetric_difference(grids_now.geometry["G2"]).area < 1e-12
    # refused: no reason, a stale version, a reader who may not edit beats, an outsider
    assert (
        client.post(
            url, headers=south, json={"beats_layer": layer, "base_version": 1, "reason": ""}
        ).status_code
        == 422
    )
    assert (
        client.post(
            url, headers=south, json={"beats_layer": layer, "base_version": 3, "reason": "r"}
        ).status_code
        == 409
    )
    assert (
        client.post(
            url,
            headers=headers["commander"],
            json={"beats_layer": layer, "base_version": 1, "reason": "r"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            url,
            headers=headers["outsider"],
            json={"beats_layer": layer, "base_version": 1, "reason": "r"},
        ).status_code
        == 404
    )
    assert client.get(url, headers=south, params={"beats_layer": grids}).status_code == 422
    assert _head(client, admin, layer) == 1
    r = client.post(
        url,
        headers=south,
        json={"beats_layer": layer, "base_version": 1, "reason": "按新网格调整警务区"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and r.json()["beats"] == ["B1", "B2"]
    stored = _frame(client, admin, layer, 2)
    assert stored.geometry["B2"].symmetric_difference(grids_now.geometry["G2"]).area < 1e-12
    again = next(n for n in client.get("/notices", headers=south).json() if n["id"] == notice["id"])
    assert again["beats_version"] == 2 and again["acknowledged"]
    log = client.get("/audit", headers=admin, params={"limit": 50}).json()
    rows = log if isinstance(log, list) else log.get("entries", log.get("items", []))
    assert any(
        e["action"] == "notice.beats_accept" and e["target"] == str(notice["id"]) for e in rows
    )
    # a second accept on the old version is a conflict: nothing more is stored
    r = client.post(
        url, headers=south, json={"beats_layer": layer, "base_version": 1, "reason": "again"}
    )
    assert r.status_code == 409 and _head(client, admin, layer) == 2
