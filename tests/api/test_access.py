"""Every endpoint: no token → 401; an outsider (jurisdiction in Beijing) sees no data."""

from __future__ import annotations

import re

import mapbox_vector_tile
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.service_fixtures import CELLS, PASSWORD

PUBLIC = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/health", "/auth/token"}
CALLS = [
    ("GET", "/auth/me"),
    ("GET", "/layers"),
    ("POST", "/layers"),
    ("GET", "/layers/{grids}"),
    ("POST", "/layers/{grids}/versions"),
    ("PATCH", "/layers/{grids}/features"),
    ("GET", "/layers/{grids}/versions"),
    ("GET", "/layers/{grids}/versions/1/features"),
    ("GET", "/layers/{grids}/diff?a=1&b=1"),
    ("POST", "/incidents"),
    ("GET", "/incidents"),
    ("POST", "/geocode/point"),
    ("POST", "/geocode/batch"),
    ("POST", "/geocode/address"),
    ("POST", "/checks"),
    ("POST", "/hotspots"),
    ("POST", "/coverage"),
    ("GET", "/jobs/x"),
    ("GET", "/jobs/x/result"),
    ("GET", "/audit"),
    ("GET", "/ogc"),
    ("GET", "/ogc/conformance"),
    ("GET", "/ogc/collections"),
    ("GET", "/ogc/collections/{grids}"),
    ("GET", "/ogc/collections/{grids}/items"),
    ("GET", "/ogc/collections/{grids}/items/G1"),
    ("GET", "/tiles/{grids}/14/13785/6693.pbf"),
]


def test_every_route_answers_401_without_token(client: TestClient, app: FastAPI) -> None:
    """Including routers plugged in later (maps): the factory puts them behind the login."""
    seen = 0
    for template, operations in app.openapi()["paths"].items():
        if template in PUBLIC:
            continue
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in operations:
            r = client.request(method.upper(), path)
            assert r.status_code == 401, f"{method} {template}: {r.status_code}"
            seen += 1
    assert seen >= len(CALLS)


@pytest.mark.parametrize(("method", "path"), CALLS)
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-token", "bad-token"])
def test_no_valid_token_is_401_and_no_data(
    client: TestClient, grids: str, method: str, path: str, token: str | None
) -> None:
    hdr = {} if token is None else {"Authorization": f"Bearer {token}"}
    r = client.request(method, path.format(grids=grids), headers=hdr)
    assert r.status_code == 401, r.text
    assert "G1" not in r.text and "features" not in r.text


def test_outsider_sees_no_data(client: TestClient, headers: dict, grids: str) -> None:
    h = headers["outsider"]
    feats = client.get(f"/layers/{grids}/versions/1/features", headers=h).json()
    assert (feats["features"], feats["numberMatched"]) == ([], 0)
    items = client.get(f"/ogc/collections/{grids}/items", headers=h).json()
    assert (items["features"], items["numberMatched"]) == ([], 0)
    assert client.get(f"/ogc/collections/{grids}/items/G1", headers=h).status_code == 404
    tile = client.get(f"/tiles/{grids}/14/13785/6693.pbf", headers=h)
    assert tile.status_code == 200 and mapbox_vector_tile.decode(tile.content) == {}
    diff = client.get(f"/layers/{grids}/diff", params={"a": 1, "b": 1}, headers=h).json()
    assert diff["added"] == diff["removed"] == diff["changed"] == []
    point = {"lon": 118.705, "lat": 32.005, "layers": [grids]}
    assert client.post("/geocode/point", json=point, headers=h).json()["areas"] == {grids: None}
    batch = {"layer": grids, "lon": [118.705, 118.715], "lat": [32.005, 32.015]}
    assert client.post("/geocode/batch", json=batch, headers=h).json()["ids"] == [None, None]
    assert client.get("/incidents", headers=h).json()["numberMatched"] == 0
    assert client.get("/audit", headers=h).status_code == 403


def test_outsider_cannot_write(client: TestClient, headers: dict, grids: str) -> None:
    h = headers["outsider"]
    edit = {"base_version": 1, "reason": "r", "delete": ["G1"]}
    assert client.patch(f"/layers/{grids}/features", headers=h, json=edit).status_code == 403
    inc = {
        "incidents": [
            {
                "id": "x1",
                "time": "2024-01-01T10:00",
                "category": "theft",
                "lon": 118.705,
                "lat": 32.005,
            }
        ]
    }
    assert client.post("/incidents", headers=h, json=inc).status_code == 403
    assert client.get(f"/layers/{grids}", headers=headers["admin"]).json()["head_version"] == 1


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("admin", set(CELLS)),
        ("commander", set(CELLS)),
        ("west", {"G1", "G3"}),
        ("south", {"G1", "G2"}),
        ("outsider", set()),
    ],
)
def test_each_role_reads_its_jurisdiction(
    client: TestClient, headers: dict, grids: str, who: str, visible: set[str]
) -> None:
    feats = client.get(f"/layers/{grids}/versions/1/features", headers=headers[who]).json()
    items = client.get(f"/ogc/collections/{grids}/items", headers=headers[who]).json()
    assert {f["id"] for f in feats["features"]} == visible
    assert {f["id"] for f in items["features"]} == visible


def test_login_rejects_wrong_password(client: TestClient) -> None:
    for user, pw in (("admin", "wrong password"), ("nobody", "whatever12")):
        r = client.post("/auth/token", data={"username": user, "password": pw})
        assert r.status_code == 401 and "access_token" not in r.text


def test_browser_login_sets_a_cookie_that_opens_pages(client: TestClient) -> None:
    page = client.get("/auth/login", params={"next": "/ogc"})
    assert page.status_code == 200 and 'name="password"' in page.text
    html = {"accept": "text/html"}
    away = client.get("/ogc", headers=html, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/auth/login?next=/ogc"
    form = {"username": "south", "password": PASSWORD, "next": "/ogc"}
    browser = TestClient(client.app)  # its own cookie jar; no lifespan (the app is shared)
    r = browser.post("/auth/login", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ogc"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert browser.get("/auth/me").json()["username"] == "south"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    form = {"username": "south", "password": PASSWORD, "next": target}
    r = TestClient(client.app).post("/auth/login", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/app"
    wrong = client.post("/auth/login", data={**form, "password": "wrong-password"})
    assert wrong.status_code == 401


def test_logins_are_audited_without_passwords(client: TestClient, headers: dict) -> None:
    """Good, wrong-password, unknown-user and browser-form logins each leave one entry."""
    wrong, unknown = "wrong-horse-battery", "m" * 300
    attempts = [
        ("/auth/token", {"username": "south", "password": PASSWORD}, 200),
        ("/auth/token", {"username": "south", "password": wrong}, 401),
        ("/auth/token", {"username": unknown, "password": wrong}, 401),
        ("/auth/login", {"username": "west", "password": PASSWORD, "next": "/x"}, 303),
        ("/auth/login", {"username": "west", "password": wrong}, 401),
    ]
    for url, form, code in attempts:
        assert client.post(url, data=form, follow_redirects=False).status_code == code
    log = client.get("/audit", params={"limit": 5}, headers=headers["admin"])
    assert log.status_code == 200
    newest_first = [(e["action"], e["target"]) for e in log.json()]
    assert newest_first == [
        ("login.failed", "west"),
        ("login", "west"),
        ("login.failed", "m" * 80),
        ("login.failed", "south"),
        ("login", "south"),
    ]
    assert all(e["detail"]["client"] for e in log.json())
    assert PASSWORD not in log.text and wrong not in log.text
