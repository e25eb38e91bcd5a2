"""Field work through the API: nearest addresses, visits and check-ins within a distance,
today's patrol list, and the phone pages rendering; on SQLite and PostGIS."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.event_fixtures import EVENT_USERS, login, set_up_events

Headers = dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def ev(app: FastAPI, client: TestClient, headers: Headers) -> Headers:
    set_up_events(app, client, headers["admin"])
    return {**headers, **{name: login(client, name) for name in EVENT_USERS}}


def test_nearest_addresses_in_my_grid_nearest_first(client: TestClient, ev: Headers) -> None:
    params = {"kind": "address", "lon": 118.70515, "lat": 32.005}
    r = client.get("/field/api/nearby", params=params, headers=ev["wg1"])
    assert r.status_code == 200, r.text
    found = r.json()
    assert [n["id"] for n in found] == ["AD2", "AD1"]  # AD3 lies in G4, not wg1's grid
    assert found[0]["name"] == "和平路3号" and 4 < found[0]["distance_m"] < 6


def test_a_visit_is_logged_near_the_address_and_refused_far_away(
    client: TestClient, ev: Headers
) -> None:
    near = {"target_id": "AD1", "lon": 118.7051, "lat": 32.005, "note": "独居老人"}
    r = client.post("/field/api/visits", json=near, headers=ev["wg1"])
    assert r.status_code == 201 and r.json()["kind"] == "visit" and r.json()["distance_m"] < 15
    far = {**near, "lon": 118.709, "lat": 32.009}  # about 560 m away, still in G1
    r = client.post("/field/api/visits", json=far, headers=ev["wg1"])
    assert r.status_code == 422 and "150" in r.text
    other = client.post("/field/api/visits", json={**near, "target_id": "AD3"}, headers=ev["wg1"])
    assert other.status_code == 422 and "AD3" in other.text


def test_check_in_refused_beyond_the_distance_then_patrol_shows_it(
    client: TestClient, ev: Headers
) -> None:
    far = {"target_id": "J1", "lon": 118.7035, "lat": 32.006}  # ~230 m west of J1
    r = client.post("/field/api/checkins", json=far, headers=ev["wz1"])
    assert r.status_code == 422 and "farther than 150 m" in r.text
    assert [p["checked"] for p in client.get("/field/api/patrol", headers=ev["wz1"]).json()] == [
        False
    ]
    inside = {"target_id": "J1", "lon": 118.706, "lat": 32.006}
    r = client.post("/field/api/checkins", json=inside, headers=ev["wz1"])
    assert r.status_code == 201 and r.json()["distance_m"] == 0
    patrol = client.get("/field/api/patrol", headers=ev["wz1"]).json()
    assert patrol == [{"id": "J1", "name": "西门岗亭", "checked": True}]


@pytest.mark.parametrize(
    ("params", "status"),
    [({"kind": "road", "lon": 1, "lat": 1}, 422), ({"kind": "address", "lon": 200, "lat": 1}, 422)],
)
def test_bad_nearby_queries_are_422(
    client: TestClient, ev: Headers, params: dict, status: int
) -> None:
    assert client.get("/field/api/nearby", params=params, headers=ev["wg1"]).status_code == status


@pytest.mark.parametrize(
    "path", ["/field/", "/field/report", "/field/tasks", "/field/visit", "/field/checkin"]
)
def test_pages_are_small_phone_pages(client: TestClient, ev: Headers, path: str) -> None:
    r = client.get(path, headers=ev["wg1"])
    assert r.status_code == 200 and 'name="viewport"' in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing from another host
    assert len(r.content) < 20_000


def test_static_files_and_login_redirect(client: TestClient, app: FastAPI) -> None:
    assert client.get("/field/static/field.js").status_code == 200
    assert client.get("/field/static/other.js").status_code == 422
    fresh = TestClient(app)  # no lifespan: leaving it would stop the shared app's job pool
    r = fresh.get("/field/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/auth/login")
