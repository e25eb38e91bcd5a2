"""No answer tells whether an id exists outside the caller's jurisdiction.  Both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_incident_routes import _incidents, incidents  # noqa: F401  (fixture)


def _batch(*ids: str) -> dict:
    one = {"time": "2024-05-01T09:00:00", "category": "theft", "lon": 118.705, "lat": 32.005}
    return {"incidents": [{**one, "id": i} for i in ids]}


def test_a_repeated_id_answers_the_same_whether_or_not_it_exists(
    client: TestClient,
    headers: dict,
    incidents: str,  # noqa: F811
):
    hidden = f"{incidents}-3"  # stored, in G4: outside the station's jurisdiction
    ghost = f"{incidents}-ghost"  # stored nowhere
    answers = []
    for i in (hidden, ghost):
        r = client.post("/incidents", json=_batch(i, i), headers=headers["south"])
        answers.append((r.status_code, r.json()["detail"].replace(i, "ID")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422 and "repeated" in answers[0][1]


def test_an_id_used_outside_the_jurisdiction_is_not_named(
    client: TestClient,
    headers: dict,
    incidents: str,  # noqa: F811
):
    hidden = f"{incidents}-3"
    r = client.post("/incidents", json=_batch(hidden), headers=headers["south"])
    assert r.status_code == 409 and hidden not in r.text, r.text
    own = f"{incidents}-1"  # in G1: the station may see it, so it is named
    r = client.post("/incidents", json=_batch(own), headers=headers["south"])
    assert r.status_code == 409 and own in r.text, r.text
    assert client.get("/incidents", headers=headers["admin"]).status_code == 200
