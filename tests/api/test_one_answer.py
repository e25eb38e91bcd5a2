"""One answer everywhere: every data-returning route, seen by a station, agrees.

The station "south" holds G1 ∪ G2 (the bottom row).  Its neighbours' grids G3 and G4 only
touch its boundary (the line y = 32.01), so by the jurisdiction rule (``api.policy``)
they are not the station's: they, their incidents, their findings, their hotspot cells and
their coverage must be absent from *every* route, REST, OGC, tiles and job results alike;
G1 and G2 present everywhere::

    32.02 +------+------+
          | G3 x | G4   |     x  an incident inside a neighbour's grid
    32.01 +--b---+------+     b  an incident exactly on the station's boundary
          | G1 x | G2 x |
    32.00 +------+------+
        118.70 118.71 118.72
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, mapping

from api.app import create_app
from api.settings import Settings
from tests.api.service_fixtures import CELLS, X0, Y0, D, finished_job, upload

OWN = {"G1", "G2"}
NEIGHBOURS = {"G3", "G4"}


@pytest.fixture(scope="module")
def jobs_client(settings: Settings) -> Iterator[TestClient]:
    """A client of a second app on the same database, with its own job threads.

    Other modules (the schemathesis fuzz test) run the shared app's lifespan, whose end
    shuts the shared job pool down; this module's jobs must not depend on test order.
    """
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def _shrunk(grid: str) -> Any:
    """The grid with a 0.001° strip cut off its west side (the edit of version 2)."""
    minx, miny, maxx, maxy = CELLS[grid].bounds
    return box(minx + 0.001, miny, maxx, maxy)


def _wait(client: TestClient, hdr: dict, job: dict) -> Any:
    """The job's result, once done."""
    state = finished_job(client, hdr, job)
    assert state["status"] == "done", state["error"]
    return client.get(state["result_url"], headers=hdr).json()


def _ids(features: list[dict]) -> set[str]:
    return {str(f.get("id", f.get("properties", {}).get("id"))) for f in features}


@pytest.fixture
def district(client: TestClient, headers: dict, grids: str, uid: str) -> dict[str, str]:
    """The four grids (version 1 and 2), a beat layer cutting G1 and G3, incidents."""
    admin = headers["admin"]
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "name": ["b1", "b2"], "parent_id": ["P1", "P1"]},
        geometry=[box(X0, Y0, X0 + D / 2, Y0 + 2 * D), box(X0 + D / 2, Y0, X0 + 2 * D, Y0 + 2 * D)],
        crs=4326,
    )
    assert upload(client, admin, beats, layer_id=uid + "b", kind="beat").status_code == 201
    edit = {
        "base_version": 1,
        "reason": "rename",
        "upsert": [
            {"type": "Feature", "id": g, "properties": {"id": g, "name": f"new {g}"},
             "geometry": mapping(_shrunk(g))}
            for g in ("G1", "G3")
        ],
    }  # fmt: skip
    r = client.patch(f"/layers/{grids}/features", json=edit, headers=admin)
    assert r.status_code == 200, r.text
    points = {
        "in-G1": (X0 + D / 2, Y0 + D / 2),
        "in-G2": (X0 + 1.5 * D, Y0 + D / 2),
        "in-G3": (X0 + D / 2, Y0 + 1.5 * D),
        "on-boundary": (X0 + D / 4, Y0 + D),
    }
    incidents = [
        {"id": f"{uid}-{name}", "time": f"2025-06-1{i}T10:00:00", "category": uid,
         "lon": x, "lat": y}
        for i, (name, (x, y)) in enumerate(points.items())
    ]  # fmt: skip
    assert (
        client.post("/incidents", json={"incidents": incidents}, headers=admin).status_code == 201
    )
    h = D / 2  # a finer 4 × 4 grid (C<row><col>) for the hotspot job: Gi* needs 3+ cells
    fine = gpd.GeoDataFrame(
        {"id": [f"C{r}{c}" for r in range(4) for c in range(4)], "parent_id": ["X"] * 16},
        geometry=[box(X0 + c * h, Y0 + r * h, X0 + (c + 1) * h, Y0 + (r + 1) * h)
                  for r in range(4) for c in range(4)],
        crs=4326,
    )  # fmt: skip
    assert upload(client, admin, fine, layer_id=uid + "f").status_code == 201
    return {"grids": grids, "beats": uid + "b", "incidents": uid, "fine": uid + "f"}


def test_a_station_sees_its_grids_and_nothing_of_its_neighbours_anywhere(
    client: TestClient, jobs_client: TestClient, headers: dict, district: dict[str, str]
) -> None:
    south = headers["south"]
    grids, prefix = district["grids"], district["incidents"]
    seen: dict[str, set[str]] = {}

    for v in (1, 2):
        r = client.get(f"/layers/{grids}/versions/{v}/features", headers=south)
        seen[f"features v{v}"] = _ids(r.json()["features"])
        assert r.json()["numberMatched"] == 2
    diff = client.get(f"/layers/{grids}/diff", params={"a": 1, "b": 2}, headers=south).json()
    seen["diff changed"] = set(diff["changed"])
    seen["diff changes"] = _ids(diff["changes"]["features"])
    r = client.get(f"/layers/{grids}/versions/1/impact/2", headers=south)
    assert r.status_code == 200 and "grids" in r.json(), r.text
    impact = r.json()
    seen["impact"] = {g["id"] for g in impact["grids"]}
    items = client.get(f"/ogc/collections/{grids}/items", headers=south).json()
    seen["ogc items"] = _ids(items["features"])
    assert items["numberMatched"] == 2
    for g in NEIGHBOURS:
        assert client.get(f"/ogc/collections/{grids}/items/{g}", headers=south).status_code == 404
    seen["tiles"] = _tile_ids(client, south, grids)
    hot, seen["coverage"] = _job_ids(jobs_client, south, grids, district["fine"], prefix)
    assert {f"C{r}{c}" for r in (0, 1) for c in range(4)} == hot  # the bottom two rows

    for where, ids in seen.items():
        assert ids & {"G1", "G2"}, where  # the station's own grids are there …
        assert not ids & NEIGHBOURS, f"{where}: {sorted(ids)}"  # … its neighbours' are not
    assert seen["diff changed"] == {"G1"} and seen["diff changes"] == {"G1"}

    mine = {f"{prefix}-in-G1", f"{prefix}-in-G2"}
    rest = client.get("/incidents", headers=south).json()
    ogc = client.get("/ogc/collections/incidents/items", headers=south).json()
    assert {i["id"] for i in rest["incidents"] if i["id"].startswith(prefix)} == mine
    assert {f["id"] for f in ogc["features"] if str(f["id"]).startswith(prefix)} == mine
    for hidden in (f"{prefix}-in-G3", f"{prefix}-on-boundary"):
        url = f"/ogc/collections/incidents/items/{hidden}"
        assert client.get(url, headers=south).status_code == 404
    assert rest["numberMatched"] == ogc["numberMatched"]


def test_geocoding_and_checks_agree_with_the_rule(
    client: TestClient, jobs_client: TestClient, headers: dict, district: dict[str, str]
) -> None:
    south = headers["south"]
    grids = district["grids"]
    where = {"G1": (X0 + D / 2, Y0 + D / 2), "G3": (X0 + D / 2, Y0 + 1.5 * D)}
    for grid, (lon, lat) in where.items():
        body = {"lon": lon, "lat": lat, "layers": [grids]}
        got = client.post("/geocode/point", json=body, headers=south).json()["areas"][grids]
        assert got == (grid if grid in OWN else None)
    batch = {"layer": grids, "lon": [p[0] for p in where.values()],
             "lat": [p[1] for p in where.values()]}  # fmt: skip
    assert client.post("/geocode/batch", json=batch, headers=south).json()["ids"] == ["G1", None]

    layers = {"grid": grids, "beat": district["beats"]}
    r = jobs_client.post("/checks", json={"layers": layers}, headers=south)
    assert r.status_code == 202, r.text
    findings = _wait(jobs_client, south, r.json())["findings"]["features"]
    admin = jobs_client.post("/checks", json={"layers": layers}, headers=headers["admin"])
    everything = _wait(jobs_client, headers["admin"], admin.json())["findings"]["features"]
    # B1|B2 cuts G1 and G3: the station sees the split of its G1, not the one next door
    assert {"G1", "G3"} <= _split(everything)
    assert _split(findings) == _split(everything) - NEIGHBOURS


def _split(findings: list[dict]) -> set[str]:
    return {
        f["properties"]["ids"] for f in findings if f["properties"]["rule"] == "grid_split_by_beat"
    }


def _tile_ids(client: TestClient, hdr: dict, layer: str) -> set[str]:
    z = 12
    n = 2**z
    lon, lat = X0 + D, Y0 + D
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    r = client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", headers=hdr)
    assert r.status_code == 200, r.text
    tile = mapbox_vector_tile.decode(r.content)
    return {str(f["properties"]["id"]) for f in tile.get(layer, {}).get("features", [])} | {
        str(f.get("id"))
        for f in tile.get(layer, {}).get("features", [])
        if "id" not in f["properties"]
    }


def _job_ids(
    client: TestClient, hdr: dict, grids: str, fine: str, category: str
) -> tuple[set[str], set[str]]:
    body = {"layer": fine, "window": "month", "at": "2025-06-30T00:00:00", "category": [category]}
    hot = _wait(client, hdr, client.post("/hotspots", json=body, headers=hdr).json())
    counts = {f["properties"]["id"]: f["properties"]["count"] for f in hot["cells"]["features"]}
    assert sum(counts.values()) == 2  # in-G1 and in-G2; not in-G3, not the boundary one
    track = "track_id,time,lon,lat\n" + "".join(
        f"T1,2025-06-01 10:{i:02d}:00,{X0 + D / 2:.6f},{Y0 + 0.1 * D * i:.6f}\n"
        for i in range(20)
    )  # fmt: skip
    r = client.post(
        "/coverage",
        headers=hdr,
        data={"layer": grids, "crs": "EPSG:4326"},
        files={"file": ("t.csv", track.encode(), "text/csv")},
    )
    assert r.status_code == 202, r.text
    cov = _wait(client, hdr, r.json())
    return set(counts), _ids(cov["grids"]["features"])
