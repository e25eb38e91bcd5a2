"""Incidents: create (located in a grid layer), query by bbox, time, category, grid."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def _incidents(prefix: str) -> list[dict]:
    """Three incidents: two in G1 (a theft and a dispute), one in G4."""
    return [
        {
            "id": f"{prefix}-1",
            "time": "2024-05-01T09:00:00",
            "category": "theft",
            "address": "某路 1 号",
            "persons": "李四",
            "lon": 118.705,
            "lat": 32.005,
        },
        {
            "id": f"{prefix}-2",
            "time": "2024-05-02T21:30:00",
            "category": "dispute",
            "lon": 118.706,
            "lat": 32.004,
        },
        {
            "id": f"{prefix}-3",
            "time": "2024-05-03T12:00:00+08:00",
            "category": "theft",
            "lon": 118.715,
            "lat": 32.015,
        },
    ]


@pytest.fixture
def incidents(client: TestClient, headers: dict, grids: str, uid: str) -> str:
    body = {"incidents": _incidents(uid), "grid_layer": grids}
    r = client.post("/incidents", json=body, headers=headers["admin"])
    assert r.status_code == 201 and r.json() == {"created": 3}, r.text
    return uid


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grid_id": "G1"}, [1, 2]),
        ({"grid_id": "G4"}, [3]),
        ({"category": "theft", "grid_id": "G1"}, [1]),
        ({"start": "2024-05-02T00:00:00", "end": "2024-05-03T00:00:00"}, [2]),
        ({"start": "2024-05-03T12:00:00", "end": "2024-05-03T12:00:01"}, [3]),
        ({"bbox": "118.714,32.014,118.716,32.016"}, [3]),
        ({"bbox": "118.704,32.003,118.7055,32.006"}, [1]),
    ],
)
def test_query(
    client: TestClient, headers: dict, incidents: str, params: dict, expected: list
) -> None:
    r = client.get("/incidents", params={**params, "limit": 10_000}, headers=headers["admin"])
    mine = [i["id"] for i in r.json()["incidents"] if i["id"].startswith(incidents)]
    assert mine == [f"{incidents}-{n}" for n in expected]


def test_a_zoned_time_is_kept_as_local_wall_clock_time(
    client: TestClient, headers: dict, uid: str
) -> None:
    """18:00 UTC on 1 June is 02:00 on 2 June in Asia/Shanghai: stored, filtered and
    answered as that, as the layer readers convert zoned times in files."""
    body = {"incidents": [
        {"id": f"{uid}-z", "time": "2025-06-01T18:00:00Z", "category": "theft",
         "lon": 118.705, "lat": 32.005},
    ]}  # fmt: skip
    assert client.post("/incidents", json=body, headers=headers["admin"]).status_code == 201

    def find(**params: str) -> list[str]:
        r = client.get("/incidents", params={**params, "limit": 10_000}, headers=headers["admin"])
        assert r.status_code == 200, r.text
        return [i["time"] for i in r.json()["incidents"] if i["id"] == f"{uid}-z"]

    assert find() == ["2025-06-02T02:00:00"]
    assert find(start="2025-06-02T00:00:00", end="2025-06-03T00:00:00") == ["2025-06-02T02:00:00"]
    assert find(start="2025-06-01T17:59:00Z", end="2025-06-01T18:01:00Z") == ["2025-06-02T02:00:00"]
    assert find(start="2025-06-01T18:00:01Z") == []


def test_station_sees_only_its_incidents(client: TestClient, headers: dict, incidents: str) -> None:
    south = client.get("/incidents", params={"limit": 10_000}, headers=headers["south"]).json()
    mine = sorted(i["id"] for i in south["incidents"] if i["id"].startswith(incidents))
    assert mine == [f"{incidents}-1", f"{incidents}-2"]
    first = next(i for i in south["incidents"] if i["id"] == f"{incidents}-1")
    assert first["grid_id"] == "G1" and first["address"] == "某路 1 号"


def test_duplicate_ids_conflict_and_nothing_is_written(
    client: TestClient, headers: dict, incidents: str
) -> None:
    again = [*_incidents(incidents)[:1], {**_incidents(incidents)[1], "id": f"{incidents}-new"}]
    r = client.post("/incidents", json={"incidents": again}, headers=headers["admin"])
    assert r.status_code == 409
    got = client.get("/incidents", params={"limit": 10_000}, headers=headers["admin"]).json()
    assert f"{incidents}-new" not in {i["id"] for i in got["incidents"]}


@pytest.mark.parametrize(
    "bad",
    [
        {"incidents": []},
        {"incidents": [{"id": "x", "time": "not a time", "category": "c", "lon": 1, "lat": 1}]},
        {"incidents": [{"id": "x", "time": "2024-01-01", "category": "c", "lon": 200, "lat": 1}]},
        {"incidents": [{"id": "", "time": "2024-01-01", "category": "c", "lon": 1, "lat": 1}]},
        {
            "incidents": [
                {"id": "x", "time": "2024-01-01", "category": "c", "lon": 118.705, "lat": 32.005}
            ],
            "grid_layer": "no-such-layer",
        },
    ],
    ids=["empty", "bad-time", "lon-out-of-range", "empty-id", "unknown-grid-layer"],
)
def test_bad_incident_input_is_4xx(client: TestClient, headers: dict, bad: dict) -> None:
    r = client.post("/incidents", json=bad, headers=headers["admin"])
    assert 400 <= r.status_code < 500, r.text


def test_outside_jurisdiction_is_403(client: TestClient, headers: dict, uid: str) -> None:
    far = [{**_incidents(uid)[2]}]  # in G4: not the southern station's
    assert (
        client.post("/incidents", json={"incidents": far}, headers=headers["south"]).status_code
        == 403
    )
    assert (
        client.post("/incidents", json={"incidents": far}, headers=headers["west"]).status_code
        == 403
    )
