"""Geocoding, consistency-check jobs and hotspot jobs through the API."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box

from tests.api.service_fixtures import CELLS, finished_job, upload


@pytest.mark.parametrize(
    ("lon", "lat", "expected", "how"),
    [
        (118.705, 32.005, "G1", {"inside"}),
        (118.715, 32.015, "G4", {"inside"}),
        # on the G1|G2 edge and the corner of all four: the lowest id (after reprojection
        # to metres the point may fall a hair inside G1)
        (118.71, 32.005, "G1", {"inside", "shared"}),
        (118.71, 32.01, "G1", {"inside", "shared"}),
        (118.80, 32.005, None, {"outside"}),
    ],
)
def test_geocode_point(
    client: TestClient, headers: dict, grids: str, lon: float, lat: float, expected, how: set
) -> None:
    body = {"lon": lon, "lat": lat, "layers": [grids]}
    r = client.post("/geocode/point", json=body, headers=headers["admin"])
    assert r.status_code == 200, r.text
    assert r.json()["areas"][grids] == expected and r.json()["how"][grids] in how


def test_geocode_point_tolerance(client: TestClient, headers: dict, grids: str) -> None:
    body = {"lon": 118.7201, "lat": 32.005, "layers": [grids], "tolerance_m": 20}
    got = client.post("/geocode/point", json=body, headers=headers["admin"]).json()
    assert (got["areas"][grids], got["how"][grids]) == ("G2", "tolerance")


def test_geocode_batch_counts_points_near_another_area(
    client: TestClient, headers: dict, grids: str
) -> None:
    """Issue 17.11: a point within the tolerance of a second grid is placed, and counted."""
    body = {
        "layer": grids,
        "lon": [118.705, 118.70999, 118.715],  # G1 centre, 1 m from G2, G2 centre
        "lat": [32.005, 32.005, 32.005],
        "tolerance_m": 5,
    }
    got = client.post("/geocode/batch", json=body, headers=headers["admin"]).json()
    assert got["ids"] == ["G1", "G1", "G2"] and got["near_other_area"] == 1
    strict = client.post(
        "/geocode/batch", json={**body, "tolerance_m": 0}, headers=headers["admin"]
    )
    assert strict.json()["near_other_area"] == 0


def test_geocode_batch_hides_points_outside_jurisdiction(
    client: TestClient, headers: dict, grids: str
) -> None:
    body = {"layer": grids, "lon": [118.705, 118.715, 118.705], "lat": [32.005, 32.005, 32.015]}
    admin = client.post("/geocode/batch", json=body, headers=headers["admin"]).json()
    west = client.post("/geocode/batch", json=body, headers=headers["west"]).json()
    assert admin["ids"] == ["G1", "G2", "G3"] and admin["located"] == 3
    assert west["ids"] == ["G1", None, "G3"] and west["located"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {"layer": "{g}", "lon": [1.0, 2.0], "lat": [1.0]},
        {"layer": "nope", "lon": [1.0], "lat": [1.0]},
        {"layer": "{g}", "lon": ["x"], "lat": [1.0]},
        {"layer": "{g}", "lon": [1.0], "lat": [1.0], "tolerance_m": -1},
    ],
    ids=["unequal", "unknown-layer", "not-numbers", "negative-tolerance"],
)
def test_bad_batches_are_4xx(client: TestClient, headers: dict, grids: str, body: dict) -> None:
    body = {**body, "layer": body["layer"].format(g=grids)}
    r = client.post("/geocode/batch", json=body, headers=headers["admin"])
    assert 400 <= r.status_code < 500, r.text


def test_geocode_chicago_incidents_agree_with_police_records(
    client: TestClient, headers: dict, uid: str, shared_data
) -> None:
    """Real data: ~92 % of the 2016 sample lie strictly in their recorded beat."""
    beats = gpd.read_file(shared_data / "chicago" / "police_beats.zip")
    beats["id"] = beats["BEAT_NUM"].astype(str)
    beats["parent_id"] = beats["DISTRICT"].astype(str)
    beats = beats.dissolve("id", as_index=False)  # beat 3100 etc. come in several pieces
    assert (
        upload(
            client,
            headers["admin"],
            beats[["id", "parent_id", "geometry"]],
            layer_id=uid,
            kind="beat",
        ).status_code
        == 201
    )
    crimes = pd.read_csv(shared_data / "chicago" / "crimes_2016-01_sample.csv")
    crimes = crimes.dropna(subset=["Latitude", "Longitude"])
    body = {
        "layer": uid,
        "lon": crimes.Longitude.tolist(),
        "lat": crimes.Latitude.tolist(),
        "tolerance_m": 1.0,
    }
    got = client.post("/geocode/batch", json=body, headers=headers["admin"]).json()
    ids = pd.Series(got["ids"], index=crimes.index)
    agree = (ids == crimes.Beat.astype(str).str.zfill(4)).mean()
    assert 0.88 < agree < 0.97
    assert got["located"] >= 0.99 * len(crimes)


def test_check_job_finds_the_planted_overlap(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    """A community of the four grids and a beat layer whose B1 cuts G2 in half."""
    communities = gpd.GeoDataFrame(
        {"id": ["C1"], "name": ["社区1"], "parent_id": ["S1"]},
        geometry=[box(118.70, 32.00, 118.72, 32.02)],
        crs=4326,
    )
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["b1", "b2"], "parent_id": ["P1", "P1"]},
        geometry=[box(118.70, 32.00, 118.715, 32.02), box(118.715, 32.00, 118.72, 32.02)],
        crs=4326,
    )
    assert (
        upload(
            client, headers["admin"], communities, layer_id=uid + "c", kind="community"
        ).status_code
        == 201
    )
    assert (
        upload(client, headers["admin"], beats, layer_id=uid + "b", kind="beat").status_code == 201
    )
    layers = {"grid": grids, "community": uid + "c", "beat": uid + "b"}
    r = client.post("/checks", json={"layers": layers}, headers=headers["admin"])
    assert r.status_code == 202, r.text
    state = finished_job(client, headers["admin"], r.json())
    assert state["status"] == "done", state
    result = client.get(state["result_url"], headers=headers["admin"]).json()
    rules = {f["properties"]["rule"] for f in result["findings"]["features"]}
    assert "grid_split_by_beat" in rules and result["ok"] is False
    assert client.get(f"/jobs/{state['id']}", headers=headers["south"]).status_code == 404
    assert client.get(state["result_url"], headers=headers["south"]).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"layers": {"grid": "nope"}},
        {"layers": {"beat": "{g}"}},
        {"layers": {"grid": "{g}"}, "config": {"no_such_option": 1}},
        {"layers": {"grid": "{g}"}, "config": {"tolerance_m": "lots"}},
    ],
    ids=["unknown-layer", "kind-mismatch", "unknown-option", "bad-option"],
)
def test_bad_check_requests_are_4xx(
    client: TestClient, headers: dict, grids: str, body: dict
) -> None:
    body = {
        "layers": {k: v.format(g=grids) for k, v in body["layers"].items()},
        **({"config": body["config"]} if "config" in body else {}),
    }
    r = client.post("/checks", json=body, headers=headers["admin"])
    assert 400 <= r.status_code < 500, r.text


def test_hotspot_job(client: TestClient, headers: dict, grids: str, uid: str) -> None:
    """20 thefts in G1 last week, 1 in each other grid: G1 counts most."""
    rows = [(118.7 + 0.001 * (i % 9 + 1), 32.001 + 0.0005 * i) for i in range(16)]
    rows += [(c.centroid.x, c.centroid.y) for name, c in CELLS.items() if name != "G1"]
    incidents = [
        {
            "id": f"{uid}-{i}",
            "time": f"2025-06-{10 + i % 5:02d}T10:00:00",
            "category": "theft",
            "lon": x,
            "lat": y,
        }
        for i, (x, y) in enumerate(rows)
    ]
    assert (
        client.post(
            "/incidents", json={"incidents": incidents}, headers=headers["admin"]
        ).status_code
        == 201
    )
    body = {"layer": grids, "window": "month", "at": "2025-06-30T00:00:00", "permutations": 0}
    r = client.post("/hotspots", json=body, headers=headers["admin"])
    assert r.status_code == 202, r.text
    state = finished_job(client, headers["admin"], r.json())
    assert state["status"] == "done", state
    cells = client.get(state["result_url"], headers=headers["admin"]).json()["cells"]
    counts = {f["properties"]["id"]: f["properties"]["count"] for f in cells["features"]}
    assert counts["G1"] >= 16 and all(counts[g] >= 1 for g in ("G2", "G3", "G4"))


@pytest.mark.parametrize(
    ("at", "week"),
    [
        ("2025-06-01T18:00:00Z", "2025-06-02T00:00:00"),  # 02:00 on Monday 2 June, Beijing
        ("2025-06-01T18:00:00+08:00", "2025-05-26T00:00:00"),
        ("2025-06-01T18:00:00", "2025-05-26T00:00:00"),  # no zone: local already
    ],
)
def test_hotspot_job_at_a_zoned_moment(
    client: TestClient, headers: dict, grids: str, uid: str, at: str, week: str
) -> None:
    """The week holding ``at`` in local time (a zoned ``at`` once failed the job with a
    TypeError comparing naive incident times with an aware moment)."""
    rows = np.random.default_rng(6).uniform((118.70, 32.00), (118.72, 32.02), (12, 2))
    incidents = [
        {"id": f"{uid}-{i}", "time": f"2025-05-{20 + i:02d}T10:00:00", "category": "theft",
         "lon": float(x), "lat": float(y)}
        for i, (x, y) in enumerate(rows)
    ]  # fmt: skip
    r = client.post("/incidents", json={"incidents": incidents}, headers=headers["admin"])
    assert r.status_code == 201, r.text
    body = {"layer": grids, "window": "week", "at": at, "permutations": 0}
    r = client.post("/hotspots", json=body, headers=headers["admin"])
    assert r.status_code == 202, r.text
    state = finished_job(client, headers["admin"], r.json())
    assert state["status"] == "done", state["error"]
    result = client.get(state["result_url"], headers=headers["admin"]).json()
    assert result["period"]["start"].replace(" ", "T") == week


def _track_csv() -> bytes:
    """One officer walking west→east through G1 for 10 minutes, a fix every 30 s."""
    rows = ["track_id,officer_id,time,lon,lat"]
    for i in range(21):
        rows.append(
            f"T1,JY0001,2025-06-01 10:{i // 2:02d}:{30 * (i % 2):02d},"
            f"{118.7005 + 0.0004 * i:.6f},32.005"
        )
    return ("\n".join(rows) + "\n").encode()


def test_coverage_job_from_uploaded_tracks(client: TestClient, headers: dict, grids: str) -> None:
    r = client.post(
        "/coverage",
        headers=headers["admin"],
        data={"layer": grids, "crs": "EPSG:4326", "within_m": "50"},
        files={"file": ("tracks.csv", _track_csv(), "text/csv")},
    )
    assert r.status_code == 202, r.text
    state = finished_job(client, headers["admin"], r.json())
    assert state["status"] == "done", state
    result = client.get(state["result_url"], headers=headers["admin"]).json()
    minutes = {
        f["properties"]["id"]: f["properties"]["patrol_minutes"]
        for f in result["grids"]["features"]
    }
    assert minutes["G1"] == pytest.approx(10, abs=0.6) and minutes["G4"] == 0
    assert "JY0001" not in str(result)  # per-grid figures only, no officer


def test_coverage_with_a_broken_track_file_is_422(
    client: TestClient, headers: dict, grids: str
) -> None:
    r = client.post(
        "/coverage",
        headers=headers["admin"],
        data={"layer": grids},
        files={"file": ("tracks.csv", b"a,b\n1,2\n", "text/csv")},
    )
    assert r.status_code == 422 and r.json()["problems"], r.text


def test_geocode_addresses_by_the_stored_standard_addresses(
    client: TestClient, headers: dict, grids: str, uid: str
) -> None:
    """Door plates, 小区 names and 附近 through the service; an intersection needs a road
    layer, and is placed where its two centre lines cross once one is named; an address in
    a neighbour's area answers nothing to the reader."""
    from shapely.geometry import LineString, Point

    flats = [
        ("A1", "南京市建邺区清溪路115号1栋1单元101室", Point(118.705, 32.005)),
        ("A2", "南京市建邺区清溪路115号1栋1单元102室", Point(118.705, 32.005)),
        ("A3", "南京市建邺区清溪路117号1栋1单元101室", Point(118.7052, 32.0052)),
        ("A4", "南京市建邺区锦岸路8号1栋1单元101室", Point(118.715, 32.005)),
    ]
    addresses = gpd.GeoDataFrame(
        {"id": [f[0] for f in flats], "address": [f[1] for f in flats]},
        geometry=[f[2] for f in flats],
        crs=4326,
    )
    buildings = gpd.GeoDataFrame(
        {
            "id": ["B1", "B2"],
            "name": ["清洲佳园1栋", "清洲佳园2栋"],
            "households": [10, 12],
            "population": [30, 36],
        },
        geometry=[box(118.704, 32.014, 118.705, 32.015), box(118.706, 32.014, 118.707, 32.015)],
        crs=4326,
    )
    r = upload(client, headers["admin"], addresses, layer_id=f"{uid}a", kind="address")
    assert r.status_code == 201, r.text
    r = upload(client, headers["admin"], buildings, layer_id=f"{uid}b", kind="building")
    assert r.status_code == 201, r.text
    body = {
        "addresses": [
            "清溪路115号",
            "清洲佳园小区",
            "清溪路与柳汀路交叉口",
            "火星路1号",
            "锦岸路8号附近",
        ],
        "gazetteer": f"{uid}a",
        "buildings": f"{uid}b",
        "layers": [grids],
    }
    admin = client.post("/geocode/address", json=body, headers=headers["admin"])
    assert admin.status_code == 200, admin.text
    got = admin.json()
    rows = got["results"]
    assert [r["status"] for r in rows] == [
        "address", "address", "needs_roads", "unmatched", "address"
    ]  # fmt: skip
    assert [r["form"] for r in rows] == ["door_plate", "poi", None, None, "nearby_door_plate"]
    assert [r["areas"][grids] for r in rows] == ["G1", "G3", None, None, "G2"]
    assert rows[0]["lon"] == pytest.approx(118.705) and rows[0]["confidence"] == 0.85
    assert rows[4]["confidence"] < rows[0]["confidence"]  # 附近 is less sure
    assert "道路" in rows[2]["reason_zh"] and "门牌" in rows[0]["reason_zh"]
    assert (got["matched"], got["review"], got["unmatched"]) == (3, 0, 2)
    west = client.post("/geocode/address", json=body, headers=headers["west"]).json()["results"]
    assert west[4]["status"] == "unmatched" and west[4]["lon"] is None  # G2 is not theirs
    assert [r["areas"][grids] for r in west[:2]] == ["G1", "G3"]
    roads = gpd.GeoDataFrame(
        {"id": ["R1", "R2"], "name": ["清溪路", "柳汀路"]},
        geometry=[LineString([(118.700, 32.010), (118.720, 32.010)]),
                  LineString([(118.708, 32.000), (118.708, 32.020)])],
        crs=4326,
    )  # fmt: skip
    r = upload(client, headers["admin"], roads, layer_id=f"{uid}r", kind="road")
    assert r.status_code == 201, r.text
    crossing = client.post(
        "/geocode/address",
        json={**body, "addresses": ["清溪路与柳汀路交叉口"], "roads": f"{uid}r"},
        headers=headers["admin"],
    ).json()["results"][0]
    assert crossing["status"] == "address" and crossing["form"] == "intersection", crossing
    assert (crossing["lon"], crossing["lat"]) == (pytest.approx(118.708), pytest.approx(32.010))
    wrong = client.post(
        "/geocode/address", json={**body, "gazetteer": grids}, headers=headers["admin"]
    )
    assert 400 <= wrong.status_code < 500, wrong.text
