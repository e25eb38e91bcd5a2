"""POST /briefs: the briefing of stored data, through the reader's policy, on both backends.

The four grids of ``service_fixtures`` in two communities: west (G1 ∪ G3) and east
(G2 ∪ G4).  Incidents in the week of 2031-03-10: three in G1 (one still open), one in
G3; the week before, one in G1.
"""

from __future__ import annotations

import io
import uuid

import docx
import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from gis.briefing.labels import is_closed
from tests.api.service_fixtures import CELLS, four_grids, upload

WEEK = [("1", "2031-03-10T09:00:00", "G1", "closed"), ("2", "2031-03-11T10:00:00", "G1", "closed"),
        ("3", "2031-03-12T11:00:00", "G1", "open"), ("4", "2031-03-13T12:00:00", "G3", "closed"),
        ("5", "2031-03-04T08:00:00", "G1", "closed")]  # fmt: skip


@pytest.fixture(scope="module")
def stored(client: TestClient, headers: dict) -> dict[str, str]:
    """Stored once per backend: the incidents must not be counted twice."""
    uid = f"b{uuid.uuid4().hex[:10]}"
    grids = f"{uid}g"
    r = upload(client, headers["admin"], four_grids(), layer_id=grids)
    assert r.status_code == 201, r.text
    communities = gpd.GeoDataFrame(
        {"id": [f"{uid}W", f"{uid}E"], "name": ["西社区", "东社区"]},
        geometry=[CELLS["G1"].union(CELLS["G3"]), CELLS["G2"].union(CELLS["G4"])],
        crs=4326,
    )
    r = upload(client, headers["admin"], communities, layer_id=f"{uid}c", kind="community")
    assert r.status_code == 201, r.text
    rows = [
        {"id": f"{uid}-{i}", "time": t, "category": "theft", "status": s,
         "lon": CELLS[g].centroid.x, "lat": CELLS[g].centroid.y}
        for i, t, g, s in WEEK
    ]  # fmt: skip
    r = client.post("/incidents", json={"incidents": rows, "grid_layer": grids},
                    headers=headers["admin"])  # fmt: skip
    assert r.status_code == 201, r.text
    return {"grid": grids, "community": f"{uid}c"}


def _brief(client: TestClient, headers: dict, layers: dict, **extra: object):  # type: ignore[no-untyped-def]
    body = {"period": "week", "at": "2031-03-12", "layers": layers, **extra}
    return client.post("/briefs", json=body, headers=headers)


def _open_before(client: TestClient, headers: dict, end: str) -> int:
    """Incidents the reader sees before ``end`` (however old) and not closed, by the
    incident list."""
    params = {"end": end, "limit": 10_000}
    r = client.get("/incidents", params=params, headers=headers)
    assert r.status_code == 200, r.text
    statuses = pd.Series([i["status"] for i in r.json()["incidents"]], dtype=object)
    assert len(statuses) < 10_000
    return int((~is_closed(statuses)).sum())


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_commander_gets_the_weeks_figures(client: TestClient, headers: dict, stored) -> None:  # type: ignore[no-untyped-def]
    r = _brief(client, headers["commander"], stored)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = _text(r.content)
    assert "本期共接报警情 4 起，上期 1 起" in text
    # open at the period's end: this module's one, and any other module's open incidents
    # in the commander's district, however old (the database is shared)
    open_now = _open_before(client, headers["commander"], "2031-03-17")
    assert f"在办 {open_now} 起" in text


def test_a_community_brief_counts_only_its_grids(client: TestClient, headers: dict, stored) -> None:  # type: ignore[no-untyped-def]
    scope = {"kind": "community", "id": stored["community"][:-1] + "W"}
    r = _brief(client, headers["west"], stored, scope=scope)
    assert r.status_code == 200, r.text
    assert "本期共接报警情 4 起" in _text(r.content)


def test_a_scope_outside_the_jurisdiction_is_403(client: TestClient, headers: dict, stored) -> None:  # type: ignore[no-untyped-def]
    east = {"kind": "community", "id": stored["community"][:-1] + "E"}
    r = _brief(client, headers["west"], stored, scope=east)
    assert r.status_code == 403
    assert "辖区" in r.text


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"scope": {"kind": "community", "id": "nowhere"}}, 404),
        ({"period": "year"}, 422),
        ({"at": "not a date"}, 422),
        ({"format": "exe"}, 422),
        ({"scope": {"kind": "province", "id": "x"}}, 422),
    ],
)
def test_bad_requests(client: TestClient, headers: dict, stored, change: dict, status: int) -> None:  # type: ignore[no-untyped-def]
    r = _brief(client, headers["commander"], stored, **change)
    assert r.status_code == status, r.text


def test_a_brief_needs_a_login(client: TestClient) -> None:
    r = TestClient(client.app).post("/briefs", json={"period": "day", "at": "2031-03-12"})
    assert r.status_code == 401


def test_the_readers_check_and_notices_are_in_the_brief(
    client: TestClient, headers: dict, stored
) -> None:  # type: ignore[no-untyped-def]
    """A finished check of the commander's (one open overlap, one accepted gap, one noise)
    and a notice of the week: the brief counts the open finding only and lists the notice
    as not acknowledged."""
    from datetime import datetime

    from api.models import Job, Notice

    def finding(rule: str, severity: str, accepted: bool) -> dict:
        return {"type": "Feature", "geometry": None, "properties": {
            "rule": rule, "severity": severity, "accepted": accepted, "ids": "G1"}}  # fmt: skip

    result = {"findings": {"type": "FeatureCollection", "features": [
        finding("overlap", "error", False), finding("gap", "error", True),
        finding("overlap", "noise", False)]}}  # fmt: skip
    tag = uuid.uuid4().hex[:8]
    with client.app.state.sessions() as session:
        session.add(Job(id=str(uuid.uuid4()), kind="check", status="done", owner="commander",
                        params={}, result=result, finished_at=datetime(2031, 3, 20)))  # fmt: skip
        session.add(Notice(layer_id=stored["grid"], from_version=1, to_version=2,
                           sender="west", summary_zh=f"第一网格拆分{tag}",
                           summary_en=f"grid one split {tag}", reason="调整",
                           created_at=datetime(2031, 3, 11, 2), acknowledged={},
                           area=CELLS["G1"]))  # fmt: skip
        session.commit()
    r = _brief(client, headers["commander"], stored)
    assert r.status_code == 200, r.text
    text = _text(r.content)
    assert "边界一致性待处理问题 1 项" in text, text[text.find("五、") :][:300]
    assert f"第一网格拆分{tag}（未确认）" in text
