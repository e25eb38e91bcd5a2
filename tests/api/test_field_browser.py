"""The phone pages in the system Chromium (Playwright, phone viewport, mocked geolocation):
a grid worker reports an event with a location and a photo; the grid's officer sees it in
their tasks, handles and closes it and the closure rate rises; an overdue event escalates
to the community; a report made offline is kept on the phone and sent when the network
returns.  No console error, no request to another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import create_user
from api.settings import Settings
from tests.api.event_fixtures import G1_POINT, jpeg, login, set_up_events
from tests.api.service_fixtures import PASSWORD
from tests.browser import CHROMIUM, Watch, serve

PHONE = {"width": 390, "height": 844}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FastAPI, TestClient]]:
    path = tmp_path_factory.mktemp("field") / "field.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", rate_limit_per_minute=100_000))
    with app.state.sessions() as session:
        create_user(session, username="admin", password=PASSWORD, role="admin")
        session.commit()
    client = TestClient(app)
    set_up_events(app, client, login(client, "admin"))
    with serve(app) as base:
        yield base, app, client
    app.state.jobs.shutdown()
    app.state.engine.dispose()


def _phone(browser: Any, base: str, user: str, path: str) -> tuple[Any, Any, Watch]:
    """A logged-in phone at G1's point, on ``path``."""
    lon, lat = G1_POINT
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 10},
        permissions=["geolocation"],
        base_url=base,
    )
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"/auth/login?next={path}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return context, page, watch


def _fill_report(page: Any, description: str, photo: Path) -> None:
    page.select_option("select[name=category]", "民生诉求")
    page.fill("textarea[name=description]", description)
    page.set_input_files("input[name=photo]", str(photo))
    page.click("#locate")
    page.wait_for_function("document.querySelector('#where').textContent.includes('32.005')")
    page.click("button[type=submit]")


def _mine(client: TestClient, who: str, description: str) -> list[dict[str, Any]]:
    rows = client.get("/events", headers=login(client, who)).json()["events"]
    return [e for e in rows if e["description"] == description]


def _figures(client: TestClient, who: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    params = {
        "start": (now - timedelta(days=1)).isoformat(),
        "end": (now + timedelta(days=1)).isoformat(),
        "by": "person",
    }
    rows = client.get("/events/figures", params=params, headers=login(client, who)).json()["rows"]
    return next((r for r in rows if r["id"] == who), {"closed": 0, "closure_rate": None})


def test_report_then_the_officer_handles_and_closes_it(
    served: tuple[str, FastAPI, TestClient], browser: Any, tmp_path: Path
) -> None:
    base, _app, client = served
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg(gps=True))
    context, page, watch = _phone(browser, base, "wg1", "/field/report")
    _fill_report(page, "路灯不亮（浏览器）", photo)
    page.wait_for_function("document.querySelector('#msg').textContent.includes('已上报')")
    assert "G1" in page.text_content("#msg")
    page.screenshot(path=str(tmp_path / "report.png"))
    assert watch.errors == [] and watch.foreign(base) == []
    context.close()
    [event] = _mine(client, "JY1", "路灯不亮（浏览器）")
    detail = client.get(f"/events/{event['id']}", headers=login(client, "JY1")).json()
    assert detail["grid_id"] == "G1" and len(detail["attachments"]) == 1
    assert detail["attachments"][0]["gps_kept"] is False
    before = _figures(client, "JY1")

    context, page, watch = _phone(browser, base, "JY1", "/field/tasks")
    item = page.locator(f"li[data-id='{event['id']}']")
    assert "路灯不亮（浏览器）" in item.text_content()
    for action in ("handle", "close"):
        with page.expect_navigation():  # the page reloads after each step
            page.locator(f"li[data-id='{event['id']}'] button[data-action={action}]").click()
    assert page.locator(f"li[data-id='{event['id']}']").count() == 0
    assert watch.errors == [] and watch.foreign(base) == []
    context.close()
    after = _figures(client, "JY1")
    assert after["closed"] == before["closed"] + 1
    assert after["closure_rate"] > (before["closure_rate"] or 0)


def test_an_overdue_event_escalates_to_the_community(
    served: tuple[str, FastAPI, TestClient], browser: Any
) -> None:
    base, _app, client = served
    when = (datetime.now(UTC) - timedelta(hours=80)).isoformat()
    body = {
        "category": "矛盾纠纷",
        "description": "超期纠纷",
        "lon": G1_POINT[0],
        "lat": G1_POINT[1],
        "received_at": when,
    }
    event = client.post("/events", json=body, headers=login(client, "wg1")).json()
    context, page, _ = _phone(browser, base, "sq1", "/field/tasks")
    assert page.locator(f"li[data-id='{event['id']}']").count() == 0
    assert client.post("/events/escalate", headers=login(client, "admin")).json()["escalated"] == [
        event["id"]
    ]
    page.reload()
    item = page.locator(f"li[data-id='{event['id']}']")
    assert "社区级" in item.text_content() and "超期纠纷" in item.text_content()
    context.close()


def test_an_offline_report_is_kept_and_sent_when_the_network_returns(
    served: tuple[str, FastAPI, TestClient], browser: Any, tmp_path: Path
) -> None:
    base, _app, client = served
    photo = tmp_path / "well.jpg"
    photo.write_bytes(jpeg(gps=False))
    context, page, watch = _phone(browser, base, "wg1", "/field/report")
    context.set_offline(True)
    _fill_report(page, "井盖缺失（离线）", photo)
    page.wait_for_function("document.querySelector('#queue').textContent.includes('1')")
    assert not page.locator("#net").is_hidden()
    assert _mine(client, "wg1", "井盖缺失（离线）") == []  # nothing reached the service
    context.set_offline(False)
    page.wait_for_function("document.querySelector('#msg').textContent.includes('已上报')")
    assert page.locator("#queue").is_hidden()
    [event] = _mine(client, "wg1", "井盖缺失（离线）")
    detail = client.get(f"/events/{event['id']}", headers=login(client, "wg1")).json()
    assert len(detail["attachments"]) == 1 and detail["grid_id"] == "G1"
    assert [e for e in watch.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    context.close()
