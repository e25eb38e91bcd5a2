"""The workspace maps' layer cache belongs to one service: two services in one process (two
databases, the same layer id and version) answer each from its own database.

This is how the editor's browser tests and the workspace tests share a worker; a cache
shared by the process served one's merged grids to the other's station.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import create_user
from api.settings import Settings
from tests.api.conftest import LENIENT
from tests.api.service_fixtures import PASSWORD, four_grids, upload


def _client(path: Path) -> TestClient:
    app = create_app(Settings(database_url=f"sqlite:///{path}", **LENIENT))
    with app.state.sessions() as session:
        create_user(session, username="admin", password=PASSWORD, role="admin", jurisdiction=None)
        session.commit()
    return TestClient(app)


def _ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    r = client.get("/app/layers/g.geojson?version=1", headers=headers)
    assert r.status_code == 200, r.text
    return sorted(f["properties"]["id"] for f in r.json()["features"])


def test_two_services_in_one_process_answer_from_their_own_databases(tmp_path: Path) -> None:
    grids = four_grids()
    with _client(tmp_path / "one.db") as one, _client(tmp_path / "two.db") as two:
        answers = []
        for client, frame in ((one, grids), (two, gpd.GeoDataFrame(grids.iloc[:2]))):
            token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert upload(client, headers, frame, layer_id="g").status_code == 201
            answers.append((client, headers))
        assert _ids(*answers[0]) == ["G1", "G2", "G3", "G4"]
        assert _ids(*answers[1]) == ["G1", "G2"]  # not the first service's cached answer
        assert _ids(*answers[0]) == ["G1", "G2", "G3", "G4"]
