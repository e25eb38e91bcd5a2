"""The web application over plain HTTP on the demo: pages for browsers, JSON for scripts,
and the review API (waivers, reports) refusing what a user may not do."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from api import db
from api.auth import get_user
from tests.web.conftest import PASSWORD, Demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("webdemo")]
HTML = {"accept": "text/html,application/xhtml+xml"}


def _token(demo: Demo, username: str) -> dict[str, str]:
    r = httpx.post(f"{demo.base}/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_pages_for_browsers_json_for_scripts(demo: Demo) -> None:
    landing = httpx.get(f"{demo.base}/", headers=HTML)
    assert landing.status_code == 200 and "警网融合" in landing.text
    assert 'name="viewport"' in landing.text
    missing = httpx.get(f"{demo.base}/nowhere", headers=HTML)
    assert missing.status_code == 404 and "页面不存在" in missing.text and "<html" in missing.text
    assert httpx.get(f"{demo.base}/nowhere").json() == {"detail": "Not Found"}
    wrong = httpx.post(
        f"{demo.base}/auth/login", data={"username": "demo-station", "password": "nope"}
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text and "<form" in wrong.text
    english = httpx.post(
        f"{demo.base}/auth/login",
        data={"username": "demo-station", "password": "nope"},
        cookies={"beatgrid_lang": "en"},
    )
    assert "Wrong user name or password" in english.text


def test_docs_are_served_from_vendored_files(demo: Demo) -> None:
    page = httpx.get(f"{demo.base}/docs")
    assert page.status_code == 200
    assert "/maps/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    bundle = httpx.get(f"{demo.base}/maps/static/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


def _check(demo: Demo, headers: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    layers = {
        "grid": "grids", "beat": "beats", "aux_beat": "aux_beats",
        "joint_point": "joint_points", "community": "communities", "street": "streets",
    }  # fmt: skip
    job = httpx.post(f"{demo.base}/checks", json={"layers": layers}, headers=headers).json()
    for _ in range(600):
        state = httpx.get(f"{demo.base}/jobs/{job['id']}", headers=headers).json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state["status"] == "done", state
    result = httpx.get(f"{demo.base}/jobs/{job['id']}/result", headers=headers).json()
    return str(job["id"]), result["findings"]["features"]


def _outside(demo: Demo, username: str, findings: list[dict[str, Any]]) -> str:
    """The id of a finding lying wholly outside ``username``'s jurisdiction."""
    engine = db.make_engine(demo.settings)
    with db.session_factory(engine)() as session:
        area = get_user(session, username).jurisdiction
    engine.dispose()
    return next(
        f["properties"]["id"] for f in findings if not shape(f["geometry"]).intersects(area)
    )


def test_waivers_refuse_what_a_user_may_not_do(demo: Demo) -> None:
    one, two = _token(demo, "demo-station"), _token(demo, "demo-beat-2")
    commander = _token(demo, "demo-commander")
    job, findings = _check(demo, one)
    finding = _outside(demo, "demo-beat-2", findings)
    body = {"job_id": job, "finding_id": finding, "reason": "   "}
    url = f"{demo.base}/waivers"
    assert httpx.post(url, json=body, headers=one).status_code == 422  # blank reason
    assert httpx.post(url, json={**body, "reason": ""}, headers=one).status_code == 422
    ok = {**body, "reason": "已核实 / verified"}
    assert httpx.post(url, json={**ok, "finding_id": "99999"}, headers=one).status_code == 404
    assert httpx.post(url, json=ok, headers=two).status_code == 404  # not their job
    assert httpx.post(url, json=ok, headers=commander).status_code == 403
    for fmt in ("xlsx", "html"):
        assert httpx.get(f"{demo.base}/checks/{job}/report.{fmt}", headers=one).status_code == 200
        assert httpx.get(f"{demo.base}/checks/{job}/report.{fmt}", headers=two).status_code == 404
    made = httpx.post(url, json=ok, headers=one)
    assert made.status_code == 201 and made.json()["author"] == "demo-station"
    waiver = made.json()["id"]
    assert waiver in {w["id"] for w in httpx.get(url, headers=one).json()}
    assert waiver not in {w["id"] for w in httpx.get(url, headers=two).json()}
    assert httpx.post(f"{url}/{waiver}/revoke", headers=two).status_code == 404
    assert httpx.post(f"{url}/{waiver}/revoke", headers=one).status_code == 200
    assert httpx.post(f"{url}/{waiver}/revoke", headers=one).status_code == 409
    audit = httpx.get(f"{demo.base}/audit", headers=_token(demo, "demo-admin")).json()
    actions = {(e["action"], e["target"]) for e in audit}
    assert {("waiver.add", str(waiver)), ("waiver.revoke", str(waiver))} <= actions


def test_the_demo_roads_are_a_stored_line_layer_under_every_map(demo: Demo) -> None:
    import json
    import re

    with httpx.Client(base_url=demo.base) as browser:
        r = browser.post(
            "/auth/login", data={"username": "demo-station", "password": PASSWORD, "next": "/app"}
        )
        assert r.status_code in (200, 303)
        page = browser.get("/app/station", headers=HTML)
        assert page.status_code == 200
        found = re.search(r'<script[^>]*id="config"[^>]*>(.*?)</script>', page.text, re.S)
        assert found is not None
        config = json.loads(found.group(1))
        road = config["layers"]["road"]
        assert road["id"] == "roads" and "road" not in config["check_layers"]
        roads = browser.get(road["url"]).json()
    kinds = {f["geometry"]["type"] for f in roads["features"]}
    assert kinds <= {"LineString", "MultiLineString"} and len(roads["features"]) >= 10
    names = {f["properties"]["name"] for f in roads["features"]}
    assert all(n.endswith(("路", "街", "道", "大道")) for n in names)
    sources = {f["properties"]["source"] for f in roads["features"]}
    assert sources == {"演示生成数据（非真实道路） / generated demo data, not a real road"}
