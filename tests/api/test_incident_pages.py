"""GET /incidents pages by a keyset cursor on (time, id), filtered in the database."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.service_fixtures import X0, Y0, D


def test_keyset_pages_walk_the_station_s_incidents_once_in_order(
    client: TestClient, headers: dict, uid: str
) -> None:
    """Seven incidents in the station's G1 (two at the same time), three in G3 next door."""
    rows = [
        {"id": f"{uid}-{i}", "time": f"2031-01-0{1 + i // 2}T10:00:00", "category": uid,
         "lon": X0 + D / 2, "lat": Y0 + (0.1 + 0.1 * i) * D}
        for i in range(7)
    ] + [
        {"id": f"{uid}-n{i}", "time": "2031-01-02T10:00:00", "category": uid,
         "lon": X0 + D / 2, "lat": Y0 + 1.5 * D}
        for i in range(3)
    ]  # fmt: skip
    r = client.post("/incidents", json={"incidents": rows}, headers=headers["admin"])
    assert r.status_code == 201, r.text
    south = headers["south"]
    seen, after = [], None
    while True:
        params = {"category": uid, "limit": 3, **({"after": after} if after else {})}
        page = client.get("/incidents", params=params, headers=south).json()
        assert page["numberMatched"] == 7
        seen += [i["id"] for i in page["incidents"]]
        after = page["next"]
        if after is None:
            break
    assert seen == [f"{uid}-{i}" for i in range(7)]  # (time, id) order, each once
    admin = client.get("/incidents", params={"category": uid}, headers=headers["admin"]).json()
    assert admin["numberMatched"] == 10
    by_offset = client.get(
        "/incidents", params={"category": uid, "limit": 3, "offset": 3}, headers=south
    ).json()
    assert [i["id"] for i in by_offset["incidents"]] == seen[3:6]
