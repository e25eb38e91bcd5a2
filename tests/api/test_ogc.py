"""OGC API - Features: the JSON documents, paging, bbox, datetime, and a real GDAL client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pyogrio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.settings import Settings
from tests.api.service_fixtures import CELLS, four_grids, upload

ROOT = Path(__file__).resolve().parents[2]


def test_landing_conformance_collections(client: TestClient, headers: dict, grids: str) -> None:
    h = headers["admin"]
    landing = client.get("/ogc", headers=h).json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conf = client.get("/ogc/conformance", headers=h).json()["conformsTo"]
    assert any(c.endswith("/conf/geojson") for c in conf)
    ids = [c["id"] for c in client.get("/ogc/collections", headers=h).json()["collections"]]
    assert grids in ids and "incidents" in ids
    one = client.get(f"/ogc/collections/{grids}", headers=h).json()
    assert one["extent"]["spatial"]["bbox"][0] == pytest.approx([118.70, 32.00, 118.72, 32.02])
    assert client.get("/ogc/collections/nope", headers=h).status_code == 404


def test_items_paging_follows_next_links(client: TestClient, headers: dict, grids: str) -> None:
    url: str | None = f"/ogc/collections/{grids}/items?limit=3"
    seen: list[str] = []
    pages: list[dict] = []
    while url:
        r = client.get(url, headers=headers["admin"])
        assert r.headers["content-type"].startswith("application/geo+json")
        page = r.json()
        assert page["numberReturned"] == len(page["features"])
        pages.append(page)
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        assert url is None or ("after=" in url and "offset=" not in url)  # keyset, not offsets
    assert seen == sorted(CELLS)
    assert pages[0]["numberMatched"] == 4  # counted once, on the first page
    assert all("numberMatched" not in p for p in pages[1:])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"bbox": "118.705,32.005,118.706,32.006"}, ["G1"]),
        ({"bbox": "118.715,32.0,118.725,32.02"}, ["G2", "G4"]),
        ({"bbox": "0,0,1,1"}, []),
        ({"offset": 3}, ["G4"]),
        ({"offset": 10}, []),
        ({"datetime": "2000-01-01T00:00:00Z"}, []),
        ({"datetime": "2999-01-01T00:00:00Z"}, sorted(CELLS)),
        ({"datetime": "../2999-01-01T00:00:00Z"}, sorted(CELLS)),
    ],
)
def test_items_filters(
    client: TestClient, headers: dict, grids: str, params: dict, expected: list
) -> None:
    r = client.get(f"/ogc/collections/{grids}/items", params=params, headers=headers["admin"])
    assert [f["id"] for f in r.json()["features"]] == expected


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "3,3,1,1"},
        {"bbox": "a,b,c,d"},
        {"limit": 0},
        {"limit": 100001},
        {"offset": -1},
        {"datetime": "yesterday"},
        {"datetime": "1/2/3"},
        {"f": "xml"},
    ],
)
def test_bad_item_queries_are_4xx(
    client: TestClient, headers: dict, grids: str, params: dict
) -> None:
    r = client.get(f"/ogc/collections/{grids}/items", params=params, headers=headers["admin"])
    assert 400 <= r.status_code < 500, r.text


def test_one_item_without_personal_fields(client: TestClient, headers: dict, grids: str) -> None:
    r = client.get(f"/ogc/collections/{grids}/items/G3", headers=headers["west"])
    body = r.json()
    assert (body["type"], body["id"], body["properties"]["name"]) == ("Feature", "G3", "网格G3")
    assert "phone" not in body["properties"] and "13800000000" not in r.text
    assert (
        client.get(f"/ogc/collections/{grids}/items/G4", headers=headers["west"]).status_code == 404
    )


def test_datetime_selects_the_version_current_then(
    client: TestClient, headers: dict, grids: str
) -> None:
    """``datetime`` picks the version current then; ``numberMatched`` follows the version
    (the count cached for version 1 is not the new version's)."""
    time.sleep(0.05)
    before = client.get(f"/ogc/collections/{grids}/items", headers=headers["admin"]).json()
    between = client.get(f"/layers/{grids}/versions", headers=headers["admin"]).json()[0]
    edit = {"base_version": 1, "reason": "merge", "delete": ["G4"]}
    client.patch(f"/layers/{grids}/features", headers=headers["admin"], json=edit)
    then = between["created_at"]
    old = client.get(
        f"/ogc/collections/{grids}/items", params={"datetime": then}, headers=headers["admin"]
    ).json()
    now = client.get(f"/ogc/collections/{grids}/items", headers=headers["admin"]).json()
    assert len(old["features"]) == 4 and len(now["features"]) == 3
    assert (before["numberMatched"], old["numberMatched"], now["numberMatched"]) == (4, 4, 3)


@pytest.fixture(scope="module")
def server(app: FastAPI, settings: Settings) -> Iterator[str]:
    """The service in a uvicorn subprocess on a free loopback port, on the same database.

    A subprocess, not a thread: GDAL holds the GIL while it fetches.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "BEATGRID_DATABASE_URL": settings.database_url,
        "BEATGRID_RECOVER_JOBS": "false",  # the test session's own service runs the jobs
    }
    if settings.db_schema:
        env["BEATGRID_DB_SCHEMA"] = settings.db_schema
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # a guard against a hang, not a speed check
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_gdal_oapif_driver_reads_the_service(
    client: TestClient, headers: dict, server: str, uid: str, shared_data
) -> None:
    """Real Seattle precincts, uploaded, then read back by GDAL's OAPIF driver."""
    assert "OAPIF" in pyogrio.list_drivers()
    precincts = gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson")
    precincts["id"] = precincts["name"]
    assert (
        upload(client, headers["admin"], precincts, layer_id=uid, kind="station").status_code == 201
    )
    token = headers["admin"]["Authorization"]
    auth = {"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token.removeprefix("Bearer ")}
    pyogrio.set_gdal_config_options(auth)
    try:
        layers = pyogrio.list_layers(f"OAPIF:{server}/ogc")
        got = pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer=uid)
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(auth))
    assert uid in layers[:, 0]
    got = got.sort_values("name").reset_index(drop=True)
    want = precincts.sort_values("name").reset_index(drop=True)
    assert list(got["name"]) == list(want["name"])
    assert got.geometry.geom_equals_exact(want.geometry, tolerance=1e-9).all()


def test_gdal_without_token_gets_nothing(server: str) -> None:
    with pytest.raises(pyogrio.errors.DataSourceError):
        pyogrio.read_dataframe(f"OAPIF:{server}/ogc", layer="anything")


def test_incidents_collection_hides_addresses(client: TestClient, headers: dict) -> None:
    inc = {
        "incidents": [
            {
                "id": "ogc-1",
                "time": "2024-03-01T08:30:00",
                "category": "dispute",
                "address": "建邺区江东中路 88 号 3 单元",
                "persons": "张三 13912345678",
                "lon": 118.705,
                "lat": 32.005,
            }
        ]
    }
    assert client.post("/incidents", json=inc, headers=headers["admin"]).status_code == 201
    r = client.get(
        "/ogc/collections/incidents/items",
        params={"datetime": "2024-03-01T00:00:00/2024-03-02T00:00:00"},
        headers=headers["south"],
    )
    ids = [f["id"] for f in r.json()["features"]]
    assert "ogc-1" in ids
    assert "江东中路" not in r.text and "张三" not in r.text and "13912345678" not in r.text
    inst = client.get(
        "/ogc/collections/incidents/items",
        params={"datetime": "2024-03-01T08:30:00"},
        headers=headers["admin"],
    )
    assert "ogc-1" in [f["id"] for f in inst.json()["features"]]
    assert four_grids is not None


def test_one_incident_by_id_within_your_jurisdiction(client: TestClient, headers: dict) -> None:
    """ogc-2 lies in G1: south (G1 ∪ G2) may read it, the Beijing outsider may not."""
    inc = {
        "incidents": [
            {
                "id": "ogc-2",
                "time": "2024-03-02T09:00:00",
                "category": "theft",
                "address": "建邺区江东中路 99 号",
                "persons": "李四 13900000000",
                "lon": 118.705,
                "lat": 32.005,
            }
        ]
    }
    assert client.post("/incidents", json=inc, headers=headers["admin"]).status_code == 201
    r = client.get("/ogc/collections/incidents/items/ogc-2", headers=headers["south"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    feature = r.json()
    assert feature["type"] == "Feature" and feature["id"] == "ogc-2"
    assert feature["geometry"]["coordinates"] == pytest.approx([118.705, 32.005])
    assert feature["properties"]["category"] == "theft"
    assert "江东中路" not in r.text and "李四" not in r.text and "13900000000" not in r.text
    page = client.get(
        "/ogc/collections/incidents/items",
        params={"datetime": "2024-03-02T09:00:00"},
        headers=headers["south"],
    ).json()
    assert [f for f in page["features"] if f["id"] == "ogc-2"] == [feature]


@pytest.mark.parametrize(
    ("who", "fid"), [("outsider", "ogc-2"), ("admin", "no-such-incident"), ("south", "OGC-2")]
)
def test_one_incident_missing_or_outside_is_404(
    client: TestClient, headers: dict, who: str, fid: str
) -> None:
    r = client.get(f"/ogc/collections/incidents/items/{fid}", headers=headers[who])
    assert r.status_code == 404, r.text
