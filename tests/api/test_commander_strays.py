"""The commander's review, density and emerging layers with stray incidents on other
continents (a typo'd coordinate, a test record): the district's answer is unchanged and
nothing fails.

A stray 90° of longitude from the district's Gauss-Krüger meridian projects to infinity;
it once reached SciPy's KD-tree as ``inf`` and answered a 500 (found by the fuzz test).
Each backend gets a database of its own, holding one grid layer (the review reads the
only one stored).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import create_user
from api.settings import Settings
from tests.api.service_fixtures import (
    BACKENDS,
    CELLS,
    PASSWORD,
    database_of_its_own,
    four_grids,
    upload,
)

AT = "2025-06-04T12:00:00Z"
"""A moment of the reviewed week (2 June to 9 June 2025)."""
STRAYS = [(30.0, 0.0), (-150.0, 10.0), (-60.0, -30.0)]
"""lon, lat: infinite in the 120°E zone (twice), and finite but half a world away."""


@pytest.fixture(scope="module", params=BACKENDS)
def admin(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client and the admin's headers on a fresh database holding the four grids."""
    folder = tmp_path_factory.mktemp("strays")
    with database_of_its_own(request.param, folder, "bgstrays") as (url, schema):
        app = create_app(Settings(database_url=url, db_schema=schema, warm_every_s=0))
        try:
            with app.state.sessions() as session:
                create_user(session, username="admin", password=PASSWORD, role="admin")
                session.commit()
            with TestClient(app) as client:
                r = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
                headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
                assert upload(client, headers, four_grids(), layer_id="grids").status_code == 201
                yield client, headers
        finally:
            app.state.jobs.shutdown()
            app.state.engine.dispose()


def _incidents(xy: list[tuple[float, float]], day: str, prefix: str) -> dict:
    return {
        "incidents": [
            {"id": f"{prefix}{i}", "time": f"{day}T10:00:00Z", "category": "盗窃",
             "lon": lon, "lat": lat}
            for i, (lon, lat) in enumerate(xy)
        ]
    }  # fmt: skip


def test_strays_change_nothing_in_the_review(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = admin
    x0, y0, x1, y1 = CELLS["G1"].union(CELLS["G4"]).bounds
    rng = np.random.default_rng(5)
    inside = [(float(x), float(y)) for x, y in rng.uniform((x0, y0), (x1, y1), (60, 2))]
    for day, part in (("2025-05-28", inside[:20]), ("2025-06-04", inside[20:])):
        r = client.post("/incidents", json=_incidents(part, day, f"in{day}"), headers=headers)
        assert r.status_code == 201, r.text

    def review() -> dict:
        r = client.get(f"/commander/review?at={AT}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    before = review()
    kde = client.get(f"/commander/layers/kde?at={AT}", headers=headers)
    assert kde.status_code == 200, kde.text
    assert kde.json()["cells"]["features"] and kde.json()["max"] > 0
    assert (before["count"], before["previous_count"]) == (40, 20)

    r = client.post("/incidents", json=_incidents(STRAYS, "2025-06-04", "stray"), headers=headers)
    assert r.status_code == 201, r.text
    after = review()
    assert after["cell_size_m"] == before["cell_size_m"]
    assert (after["count"], after["previous_count"]) == (40, 20)
    counts = {f["properties"]["id"]: f["properties"]["count"] for f in after["grids"]["features"]}
    assert counts == {
        f["properties"]["id"]: f["properties"]["count"] for f in before["grids"]["features"]
    }
    again = client.get(f"/commander/layers/kde?at={AT}", headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == kde.json()  # the surface stays over the district
    emerging = client.get(f"/commander/layers/emerging?at={AT}", headers=headers)
    assert emerging.status_code == 200, emerging.text
