"""Event flow through the API: report, route, tasks, transitions, 409s, photos, escalation,
zero reports, figures and privacy; on SQLite and PostGIS (the ``settings`` fixture)."""

from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from api.settings import Settings
from gis.crs import wgs84_to_gcj02
from tests.api.event_fixtures import EVENT_USERS, G1_POINT, jpeg, login, set_up_events

Headers = dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def ev(app: FastAPI, client: TestClient, headers: Headers) -> Headers:
    """Set up routing once per backend; bearer headers of the event users and the others."""
    set_up_events(app, client, headers["admin"])
    return {**headers, **{name: login(client, name) for name in EVENT_USERS}}


def _report(client: TestClient, who: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {
        "category": "民生诉求",
        "description": "路灯不亮",
        "lon": G1_POINT[0],
        "lat": G1_POINT[1],
    }
    r = client.post("/events", json={**body, **extra}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()


def _act(
    client: TestClient, who: dict[str, str], event: dict[str, Any], action: str, **kw: Any
) -> Any:
    body = {"action": action, "base_version": event["version"], **kw}
    return client.post(f"/events/{event['id']}/transitions", json=body, headers=who)


def test_a_report_is_routed_to_its_grid_and_people(client: TestClient, ev: Headers) -> None:
    event = _report(client, ev["wg1"])
    assert event["state"] == "routed" and event["level"] == "grid" and event["version"] == 2
    areas = [
        event[f"{k}_id"] for k in ("grid", "community", "street", "beat", "aux_beat", "station")
    ]
    assert areas == ["G1", "C1", "S1", "B1", "A1", "P1"]
    assert event["assignees"] == ["FJ1", "JY1", "wg1", "wz1"]  # 一格一警, then the grid's workers
    dispute = _report(client, ev["wg1"], category="矛盾纠纷", description="邻里噪音纠纷")
    assert dispute["assignees"][:2] == ["wz1", "JY1"]  # 1+1+N: grid head and community officer
    got = client.get(f"/events/{event['id']}", headers=ev["JY1"]).json()
    assert [(t["action"], t["actor"]) for t in got["transitions"]] == [
        ("receive", "wg1"),
        ("route", "system"),
    ]


def test_phone_coordinates_in_gcj02_are_converted(client: TestClient, ev: Headers) -> None:
    lon, lat = wgs84_to_gcj02(*G1_POINT)
    event = _report(client, ev["wg1"], lon=float(lon), lat=float(lat), crs="gcj02")
    assert abs(event["lon"] - G1_POINT[0]) < 1e-6 and abs(event["lat"] - G1_POINT[1]) < 1e-6
    assert abs(float(lon) - G1_POINT[0]) > 1e-3  # the offset was real (hundreds of metres)


def test_the_officer_handles_and_closes_and_the_worker_follows_up(
    client: TestClient, ev: Headers
) -> None:
    event = _report(client, ev["wg1"])
    tasks = [t["id"] for t in client.get("/events/tasks", headers=ev["JY1"]).json()]
    assert event["id"] in tasks
    assert event["id"] not in [
        t["id"] for t in client.get("/events/tasks", headers=ev["outsider"]).json()
    ]
    for who, action in (("JY1", "handle"), ("JY1", "close"), ("wg1", "follow_up")):
        r = _act(client, ev[who], event, action, reason="已处理")
        assert r.status_code == 200, r.text
        event = r.json()
    assert event["state"] == "followed_up" and event["closed_at"] is not None
    assert event["id"] not in [
        t["id"] for t in client.get("/events/tasks", headers=ev["JY1"]).json()
    ]
    r = _act(client, ev["JY1"], event, "close")
    assert (
        r.status_code == 409
        and "回访" in r.json()["detail"]
        and "followed up" in r.json()["detail"]
    )


def test_tasks_are_sorted_by_deadline(client: TestClient, ev: Headers) -> None:
    _report(client, ev["wg1"], category="民生诉求")  # 240 h
    _report(client, ev["wg1"], category="矛盾纠纷", description="纠纷")  # 72 h
    dues = [t["due_at"] for t in client.get("/events/tasks", headers=ev["JY1"]).json()]
    assert dues == sorted(dues) and len(dues) >= 2


def test_a_stale_base_version_is_409_and_nothing_changes(client: TestClient, ev: Headers) -> None:
    event = _report(client, ev["wg1"])
    assert _act(client, ev["JY1"], event, "handle").status_code == 200
    r = _act(client, ev["wz1"], event, "return", reason="不属本网格")  # read version 2, now 3
    assert r.status_code == 409 and "version 2" in r.json()["detail"]
    after = client.get(f"/events/{event['id']}", headers=ev["JY1"]).json()
    assert after["state"] == "handling" and len(after["transitions"]) == 3


def test_concurrent_transitions_of_one_event_one_wins(client: TestClient, ev: Headers) -> None:
    event = _report(client, ev["wg1"])
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(
            pool.map(lambda _: _act(client, ev["JY1"], event, "handle").status_code, range(4))
        )
    assert codes == [200, 409, 409, 409]
    after = client.get(f"/events/{event['id']}", headers=ev["JY1"]).json()
    assert [t["seq"] for t in after["transitions"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"category": "偷瓜"}, 422, "unknown event category"),
        ({"severity": "很大"}, 422, "unknown severity"),
        ({"lon": 118.75}, 403, "outside your jurisdiction"),
        ({"crs": "bd09"}, 422, "crs"),
        ({"lon": "east"}, 422, "lon"),
        ({"received_at": "2099-01-01T00:00:00Z"}, 422, "future"),
        ({"client_id": "x"}, 422, "client_id"),
    ],
)
def test_bad_reports_are_4xx(
    client: TestClient, ev: Headers, body: dict, status: int, words: str
) -> None:
    base = {"category": "民生诉求", "description": "d", "lon": G1_POINT[0], "lat": G1_POINT[1]}
    r = client.post("/events", json={**base, **body}, headers=ev["wg1"])
    assert r.status_code == status and words in r.text


def test_a_point_outside_every_grid_is_422_for_the_admin(client: TestClient, ev: Headers) -> None:
    body = {"category": "民生诉求", "description": "d", "lon": 118.80, "lat": 32.0}
    r = client.post("/events", json=body, headers=ev["admin"])
    assert r.status_code == 422 and "lies in no grid" in r.text


def test_an_offline_report_sent_twice_is_one_event(client: TestClient, ev: Headers) -> None:
    when = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    first = _report(client, ev["wg1"], client_id="phone-abc-123", received_at=when)
    again = _report(client, ev["wg1"], client_id="phone-abc-123", received_at=when)
    assert first["id"] == again["id"] and first["received_at"][:19] == when[:19]


def test_photo_gps_is_stripped_unless_kept(client: TestClient, ev: Headers) -> None:
    event = _report(client, ev["wg1"])
    url = f"/events/{event['id']}/attachments"
    r = client.post(url, files={"file": ("a.jpg", jpeg(gps=True), "image/jpeg")}, headers=ev["wg1"])
    assert r.status_code == 201 and r.json()["gps_kept"] is False
    data = client.get(f"{url}/{r.json()['id']}", headers=ev["JY1"]).content
    exif = Image.open(io.BytesIO(data)).getexif()
    assert 0x8825 not in exif and exif[0x010F] == "TestPhone"  # GPS gone, the rest kept
    kept = client.post(
        url,
        files={"file": ("b.jpg", jpeg(gps=True), "image/jpeg")},
        data={"keep_gps": "true"},
        headers=ev["wg1"],
    )
    data = client.get(f"{url}/{kept.json()['id']}", headers=ev["JY1"]).content
    assert kept.json()["gps_kept"] is True and Image.open(io.BytesIO(data)).getexif().get_ifd(
        0x8825
    )
    assert client.get(f"{url}/{kept.json()['id']}", headers=ev["outsider"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "payload", "words"),
    [
        ("a.gif", b"GIF89a" + b"\0" * 40, "not"),
        ("a.txt", b"hello", "not a readable image"),
        ("a.jpg", b"", "empty"),
    ],
)
def test_bad_photos_are_422(
    client: TestClient, ev: Headers, name: str, payload: bytes, words: str
) -> None:
    event = _report(client, ev["wg1"])
    r = client.post(
        f"/events/{event['id']}/attachments", files={"file": (name, payload)}, headers=ev["wg1"]
    )
    assert r.status_code == 422 and words in r.text


def test_a_gif_is_refused_by_format(client: TestClient, ev: Headers) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    event = _report(client, ev["wg1"])
    r = client.post(
        f"/events/{event['id']}/attachments",
        files={"file": ("a.gif", out.getvalue())},
        headers=ev["wg1"],
    )
    assert r.status_code == 422 and "GIF" in r.text


def test_an_overdue_event_escalates_to_the_community(client: TestClient, ev: Headers) -> None:
    when = (datetime.now(UTC) - timedelta(hours=80)).isoformat()  # disputes: 72 h
    event = _report(client, ev["wg1"], category="矛盾纠纷", description="纠纷", received_at=when)
    assert event["overdue"] is True
    assert event["id"] not in [
        t["id"] for t in client.get("/events/tasks", headers=ev["sq1"]).json()
    ]
    r = client.post("/events/escalate", headers=ev["admin"])
    assert r.status_code == 200 and event["id"] in r.json()["escalated"]
    after = client.get(f"/events/{event['id']}", headers=ev["sq1"]).json()
    assert after["level"] == "community" and after["assignees"][0] == "sq1"
    assert (
        after["transitions"][-1]["actor"] == "system" and "72" in after["transitions"][-1]["reason"]
    )
    assert after["overdue"] is False  # a new deadline at the new level
    assert event["id"] in [t["id"] for t in client.get("/events/tasks", headers=ev["sq1"]).json()]


def test_the_service_clock_escalates_an_overdue_event_in_one_process(
    client: TestClient, ev: Headers, settings: Settings
) -> None:
    import time

    from api.app import create_app
    from api.escalation import EscalationClock

    when = (datetime.now(UTC) - timedelta(hours=80)).isoformat()  # disputes: 72 h
    event = _report(client, ev["wg1"], category="矛盾纠纷", description="钟", received_at=when)
    assert event["overdue"] is True
    timed = settings.model_copy(
        update={"escalate_every_s": 0.2, "auto_migrate": False, "recover_jobs": False}
    )
    service = create_app(timed)
    rival = EscalationClock(timed, service.state.engine, service.state.sessions)
    try:
        with TestClient(service):  # its lifespan starts the clock
            level = event["level"]
            deadline = time.monotonic() + 30
            while level != "community" and time.monotonic() < deadline:
                time.sleep(0.2)
                level = client.get(f"/events/{event['id']}", headers=ev["sq1"]).json()["level"]
            assert level == "community"
            assert service.state.escalation.runs >= 1
            assert rival.tick() is None  # a second process on the database waits its turn
        assert rival.tick() is not None  # the first one stopped: the lease is free again
    finally:
        rival.stop()
    after = client.get(f"/events/{event['id']}", headers=ev["sq1"]).json()
    assert after["transitions"][-1]["actor"] == "system"
    assert after["level"] == "community"  # one level per deadline, not once per turn


def test_the_clock_is_off_unless_asked(app: FastAPI) -> None:
    assert app.state.settings.escalate_every_s == 0
    assert app.state.escalation.runs == 0 and not app.state.escalation.lease.held


def test_zero_reports_once_a_day_and_only_grid_workers(client: TestClient, ev: Headers) -> None:
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    r = client.post("/events/zero-reports", json={"day": day}, headers=ev["wz1"])
    assert r.status_code == 201 and r.json()["grid_id"] == "G1"
    assert (
        client.post("/events/zero-reports", json={"day": day}, headers=ev["wz1"]).status_code == 409
    )
    assert client.post("/events/zero-reports", json={}, headers=ev["commander"]).status_code == 403
    bad = client.post("/events/zero-reports", json={"grid_id": "G4"}, headers=ev["wg1"])
    assert bad.status_code == 403 and "G4" in bad.text
    start = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    f = client.get(
        "/events/figures",
        params={"start": start, "end": end, "by": "community"},
        headers=ev["commander"],
    ).json()
    c1 = next(row for row in f["rows"] if row["id"] == "C1")
    assert c1["zero_reports"] >= 1


def test_zero_report_days_are_beijing_days_around_midnight(
    client: TestClient, ev: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.routes.events as routes

    # 16:30 UTC on 10 March is 00:30 on 11 March in Beijing: the worker's today is the 11th
    monkeypatch.setattr(routes, "_now", lambda: datetime(2024, 3, 10, 16, 30, tzinfo=UTC))
    r = client.post("/events/zero-reports", json={}, headers=ev["wz1"])
    assert r.status_code == 201 and r.json()["day"] == "2024-03-11"

    def c1(start: str, end: str) -> int:
        params = {"start": start, "end": end, "by": "community"}
        rows = client.get("/events/figures", params=params, headers=ev["commander"]).json()
        return next((row["zero_reports"] for row in rows["rows"] if row["id"] == "C1"), 0)

    assert c1("2024-03-11T00:00:00+08:00", "2024-03-12T00:00:00+08:00") == 1  # its local day
    assert c1("2024-03-10T00:00:00+08:00", "2024-03-11T00:00:00+08:00") == 0  # not the UTC day
    assert c1("2024-03-11T00:00:00+00:00", "2024-03-12T00:00:00+00:00") == 0  # starts 16:00Z


def test_closure_rate_rises_when_an_event_is_closed(client: TestClient, ev: Headers) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    event = _report(client, ev["wg1"])
    params = {
        "start": start.isoformat(),
        "end": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "by": "person",
    }

    def jy1() -> dict[str, Any]:
        rows = client.get("/events/figures", params=params, headers=ev["JY1"]).json()["rows"]
        return next(r for r in rows if r["id"] == "JY1")

    before = jy1()
    for action in ("handle", "close"):
        event = _act(client, ev["JY1"], event, action).json()
    after = jy1()
    assert after["events"] == before["events"] and after["closed"] == before["closed"] + 1
    assert after["closure_rate"] > (before["closure_rate"] or 0)
    assert after["mean_handling_h"] is not None


def test_events_never_leave_as_points_on_maps(client: TestClient, ev: Headers) -> None:
    mark = uuid.uuid4().hex[:10]  # other tests' layers may carry any common name or number
    _report(client, ev["wg1"], address=f"某小区 3 栋 502 {mark}", description=f"张三家漏水 {mark}")
    day = datetime.now(UTC)
    params = {
        "start": (day - timedelta(days=1)).isoformat(),
        "end": (day + timedelta(days=1)).isoformat(),
    }
    body = client.get("/events/by-grid", params=params, headers=ev["commander"]).json()
    assert body["counts"] and set(body["counts"][0]) == {"grid_id", "category", "events"}
    collections = client.get("/ogc/collections", headers=ev["admin"]).text
    assert "event" not in collections.lower()
    layers = client.get("/layers", headers=ev["admin"]).text
    assert mark not in layers


def test_setup_refuses_bad_layers_and_non_admins(client: TestClient, ev: Headers) -> None:
    r = client.put("/events/setup", json={"layers": {"beat": "x"}}, headers=ev["admin"])
    assert r.status_code == 422 and "grid" in r.text
    r = client.put("/events/setup", json={"layers": {"grid": "x"}}, headers=ev["commander"])
    assert r.status_code == 403
    assert client.get("/events/nope", headers=ev["outsider"]).status_code == 404


def test_one_offline_report_sent_twice_at_once_is_one_event(
    client: TestClient, ev: Headers
) -> None:
    body = {
        "category": "民生诉求", "description": "同时重发", "lon": G1_POINT[0], "lat": G1_POINT[1],
        "client_id": f"race-{datetime.now(UTC).timestamp():.0f}-x",
    }  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: client.post("/events", json=body, headers=ev["wg1"]), range(4))
        )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    rows = client.get("/events", headers=ev["wg1"]).json()["events"]
    assert [e["description"] for e in rows].count("同时重发") == 1
