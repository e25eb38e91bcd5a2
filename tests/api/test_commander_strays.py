"""The commander's review, density and emerging layers with stray incidents on other
continents (a typo'd coordinate, a test record): the district's answer is unchanged and
nothing fails.

A stray 90° of longitude from the district's Gauss-Krüger meridian projects to infinity;
it once reached SciPy's KD-tree as ``inf`` and answered a 500 (found by the fuzz test).
Each backend gets a database of the module's own (``own_grids``), holding one grid layer
(the review reads the only one stored).
"""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from tests.api.service_fixtures import CELLS

AT = "2025-06-04T12:00:00Z"
"""A moment of the reviewed week (2 June to 9 June 2025)."""
STRAYS = [(30.0, 0.0), (-150.0, 10.0), (-60.0, -30.0)]
"""lon, lat: infinite in the 120°E zone (twice), and finite but half a world away."""


def _incidents(xy: list[tuple[float, float]], day: str, prefix: str) -> dict:
    return {
        "incidents": [
            {"id": f"{prefix}{i}", "time": f"{day}T10:00:00Z", "category": "盗窃",
             "lon": lon, "lat": lat}
            for i, (lon, lat) in enumerate(xy)
        ]
    }  # fmt: skip


def test_strays_change_nothing_in_the_review(own_grids: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = own_grids
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
