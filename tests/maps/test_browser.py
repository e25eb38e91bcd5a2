"""Every map page in the system chromium: no console error, no request to another host,
layers toggle, a popup opens on a click on a polygon, a screenshot is kept.

Drives the system Chromium (``browser``, tests/browser.py) against the pages served by
uvicorn on 127.0.0.1.
Screenshots go to ``artifacts/screenshots/`` (git-ignored, kept by CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from maps.assets import VENDOR_DIR
from maps.pages import district_pages
from maps.web import maps_router
from tests.browser import CHROMIUM, Watch, serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: apt-get install -y chromium chromium-driver",
    ),
    pytest.mark.skipif(
        not (VENDOR_DIR / "leaflet" / "leaflet.js").is_file(),
        reason="assets not vendored: run `python -m maps.vendor`",
    ),
]

# The folium map object, whatever its generated name.
_MAP = "Object.values(window).find((v) => v instanceof L.Map)"


@pytest.fixture()
def service(results) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = FastAPI()
    app.include_router(maps_router(district_pages(results), district="sketch"))
    with serve(app) as base:
        yield base


def _open(browser: Any, url: str) -> tuple[Any, Watch]:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    watch = Watch(page)
    page.goto(url, wait_until="load")
    page.wait_for_function(f"() => window.L && {_MAP} && Object.keys({_MAP}._layers).length > 3")
    return page, watch


def _layer_count(page: Any) -> int:
    return int(page.evaluate(f"() => Object.keys({_MAP}._layers).length"))


def _toggle_first_overlay(page: Any) -> None:
    boxes = page.locator(".leaflet-control-layers-overlays input[type=checkbox]")
    assert boxes.count() >= 2
    first = boxes.nth(0)
    was_on, before = first.is_checked(), _layer_count(page)
    first.click()
    assert first.is_checked() != was_on
    assert (_layer_count(page) < before) if was_on else (_layer_count(page) > before)
    first.click()
    assert _layer_count(page) == before


_POLYGON_AT_CENTRE = f"""() => {{
    const map = {_MAP};
    const centre = map.getCenter();
    const polygons = [];
    map.eachLayer((group) => {{
        if (!(group instanceof L.GeoJSON) || !group.getPopup()) return;
        group.eachLayer((l) => {{ if (l instanceof L.Polygon) polygons.push(l); }});
    }});
    const off = (l) => l.getBounds().getCenter().distanceTo(centre);
    polygons.sort((a, b) => off(a) - off(b));
    const p = map.latLngToContainerPoint(polygons[0].getBounds().getCenter());
    const box = map.getContainer().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["alignment", "hotspots", "coverage", "changes"])
def test_map_page_in_chromium(browser: Any, service: str, name: str, lang: str) -> None:
    page, watch = _open(browser, f"{service}/maps/{name}?lang={lang}")
    try:
        _toggle_first_overlay(page)
        x, y = page.evaluate(_POLYGON_AT_CENTRE)
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=5000)
        assert popup.inner_text().strip()
        page.wait_for_timeout(400)  # let the popup finish fading in before the screenshot
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"))
        assert watch.errors == [], watch.errors
        assert watch.foreign(service) == [], watch.foreign(service)
    finally:
        page.close()


def test_time_filter_restyles_cells(browser: Any, service: str) -> None:
    page, watch = _open(browser, f"{service}/maps/hotspots?lang=en")
    try:
        fills = f"""() => {{ const out = []; {_MAP}.eachLayer((l) => {{
            if (l.feature && l.feature.properties.fid !== undefined && l.options.fillColor)
                out.push(l.options.fillColor); }}); return out; }}"""
        before = page.evaluate(fills)
        page.select_option(".bg-granularity", "week")
        assert page.locator(".bg-filter").get_attribute("data-shown") == "week:2024-W03"
        page.select_option(".bg-period", "2024-W01")
        assert page.evaluate(fills) != before
        page.select_option(".bg-granularity", "all")
        assert page.evaluate(fills) == before
        assert watch.errors == [] and watch.foreign(service) == []
    finally:
        page.close()


def test_landing_page_links_work(browser: Any, service: str) -> None:
    page = browser.new_page()
    watch = Watch(page)
    try:
        page.goto(f"{service}/maps/?lang=en")
        page.click("text=Patrol coverage")
        page.wait_for_function(f"() => window.L && {_MAP}")
        assert page.url.endswith("/maps/coverage?lang=en")
        page.click("a.bg-lang")
        page.wait_for_function(f"() => window.L && {_MAP}")
        assert page.url.endswith("/maps/coverage?lang=zh")
        assert watch.errors == [] and watch.foreign(service) == []
    finally:
        page.close()


def test_standalone_file_needs_nothing_else(browser: Any, tmp_path: Path, results) -> None:  # type: ignore[no-untyped-def]
    from maps.base import MapOptions, render_html

    (alignment,) = [p for p in district_pages(results) if p.name == "alignment"]
    file = tmp_path / "alignment.html"
    opts = MapOptions()
    file.write_text(render_html(alignment.build(opts, None), inline=True, options=opts), "utf-8")
    page, watch = _open(browser, file.as_uri())
    try:
        assert watch.requests == [file.as_uri()]
        assert watch.errors == []
    finally:
        page.close()
