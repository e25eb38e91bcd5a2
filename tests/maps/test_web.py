"""The /maps router in a bare FastAPI app: landing page, map pages, assets."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from maps.assets import VENDOR_DIR
from maps.pages import district_pages
from maps.web import maps_router

pytestmark = pytest.mark.skipif(
    not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file(),
    reason="assets not vendored: run `python -m maps.vendor`",
)


@pytest.fixture()
def client(results) -> TestClient:  # type: ignore[no-untyped-def]
    app = FastAPI()
    app.include_router(maps_router(district_pages(results), district="建邺区"))
    return TestClient(app)


@pytest.mark.parametrize(("lang", "word"), [("zh", "警网边界一致性"), ("en", "Beat–grid align")])
def test_landing_page_links_every_map(client: TestClient, lang: str, word: str) -> None:
    page = client.get("/maps/", params={"lang": lang})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for name in ("alignment", "hotspots", "coverage", "changes"):
        assert f'href="{name}?lang={lang}"' in page.text
    assert word in page.text and "建邺区" in page.text


@pytest.mark.parametrize("name", ["alignment", "hotspots", "coverage", "changes"])
def test_each_map_page_and_its_assets_are_served(client: TestClient, name: str) -> None:
    page = client.get(f"/maps/{name}", params={"lang": "en"})
    assert page.status_code == 200 and "L.map(" in page.text
    assert 'href="?lang=zh"' in page.text  # the language switch
    for url in ("/maps/static/vendor/leaflet/leaflet.js", "/maps/static/beatgrid.css"):
        assert url in page.text
        asset = client.get(url)
        assert asset.status_code == 200 and asset.headers["cache-control"].startswith("public")


def test_pages_are_cached_per_language(client: TestClient) -> None:
    zh1, zh2 = client.get("/maps/hotspots").text, client.get("/maps/hotspots").text
    assert zh1 == zh2 and zh1 != client.get("/maps/hotspots?lang=en").text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/maps/nowhere", 404),
        ("/maps/alignment?lang=fr", 422),
        ("/maps/static/../web.py", 404),
        ("/maps/static/%2e%2e/web.py", 404),
        ("/maps/static/assets.lock.json", 404),
        ("/maps/static/vendor/leaflet/nothing.js", 404),
    ],
)
def test_bad_requests_are_refused(client: TestClient, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_pages_can_come_from_a_callable(results) -> None:  # type: ignore[no-untyped-def]
    found: list[str] = []

    def pages():  # type: ignore[no-untyped-def]
        return district_pages(results) if found else []

    app = FastAPI()
    app.include_router(maps_router(pages))
    client = TestClient(app)
    assert "暂无地图" in client.get("/maps/").text
    found.append("now")
    assert client.get("/maps/coverage").status_code == 200


def test_landing_page_for_a_folder_of_files(results) -> None:  # type: ignore[no-untyped-def]
    from maps.web import landing_html

    def href(name: str, lang: str) -> str:
        return f"{name or 'index'}-{lang}.html"

    page = landing_html(district_pages(results), district="d", lang="en", href=href)
    assert 'href="coverage-en.html"' in page and 'href="index-zh.html"' in page
    assert "http" not in page
