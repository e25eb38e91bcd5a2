"""The street editor and the station's side of a grid change, end to end in Chromium, on a
copy of the freshly seeded demo (its own server: these edits do not reach the other
browser tests' inboxes).

The street office is refused a merge across communities (bilingual message, nothing
changed), merges two neighbours, gives a drawn part of a grid to a neighbour in another
beat after seeing the dry run's impact; the station then views the re-aligned beats in the
notice and accepts them as a new beat version.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely

from api import db
from api.app import create_app
from api.settings import Settings
from api.store.query import FeatureQuery, read_features
from tests.browser import Watch, screenshot, serve
from tests.web.conftest import PASSWORD, SCREENSHOTS, Demo
from tests.web.editor_picks import neighbours

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webdemo")]


@pytest.fixture(scope="module")
def editor(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    source = Path(demo.settings.database_url.removeprefix("sqlite:///")).with_name(
        "pristine.sqlite"
    )
    target = tmp_path_factory.mktemp("editor") / "editor.sqlite"
    shutil.copy(source, target)
    settings = Settings(database_url=f"sqlite:///{target}", job_workers=1)
    with serve(create_app(settings)) as base:
        yield Demo(base, settings, demo.logins, demo.manifest)


def _read(demo: Demo, layer: str) -> Any:
    engine = db.make_engine(demo.settings)
    with db.session_factory(engine)() as session:
        frame = read_features(session, layer, FeatureQuery()).frame
    engine.dispose()
    return frame


def _login(browser: Any, demo: Demo, username: str) -> tuple[Any, Watch]:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    watch = Watch(page)
    page.goto(f"{demo.base}/auth/login?next=/app")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    return page, watch


def _zoom_to(page: Any, shape: shapely.Geometry) -> None:
    minx, miny, maxx, maxy = shape.bounds
    page.evaluate(
        "([a, b, c, d]) => bg.leaflet.fitBounds([[b, a], [d, c]], {animate: false})",
        [minx, miny, maxx, maxy],
    )


def _px(page: Any, point: shapely.Point) -> tuple[float, float]:
    x, y = page.evaluate(
        """([lat, lon]) => {
            const m = bg.leaflet, p = m.latLngToContainerPoint([lat, lon]);
            const r = m.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""",
        [point.y, point.x],
    )
    return float(x), float(y)


def _click_grid(page: Any, shape: shapely.Geometry) -> None:
    page.mouse.click(*_px(page, shape.representative_point()))


def test_merge_refused_across_communities_then_merge_neighbours(browser: Any, editor: Demo) -> None:
    grids = _read(editor, "grids").set_index("id", drop=False)
    beats = _read(editor, "beats")
    page, watch = _login(browser, editor, "demo-street")
    version = int(page.inner_text("[data-testid=version]"))
    a, b, _ = neighbours(grids, beats, None, same_community=False, other_beat=None)
    _zoom_to(page, grids.geometry[a].union(grids.geometry[b]))
    _click_grid(page, grids.geometry[a])
    page.click("#merge")
    assert "相邻" in page.inner_text("[data-testid=hint]")
    _click_grid(page, grids.geometry[b])
    message = page.locator("[data-testid=message]")
    page.wait_for_selector("body[data-dry-run='refused']", timeout=120_000)
    text = message.inner_text()
    assert "不同社区" in text and "different communities" in text
    assert page.inner_text("[data-testid=version]") == str(version)

    a, b, _ = neighbours(grids, beats, None, same_community=True, other_beat=False)
    _zoom_to(page, grids.geometry[a].union(grids.geometry[b]))
    _click_grid(page, grids.geometry[a])
    page.click("#merge")
    _click_grid(page, grids.geometry[b])
    page.wait_for_selector("body[data-dry-run='shown']", timeout=120_000)
    assert "不会产生新的拼接问题" in page.inner_text("[data-testid=dry-run]")
    assert "户居民变更网格" in page.inner_text("[data-testid=impact]")
    page.fill("#save-form textarea", "两网格户数过少，合并 / two small grids merged")
    page.click("#save")
    page.wait_for_function(f"document.body.dataset.gridVersion === '{version + 1}'")
    ids = set(_read(editor, "grids")["id"])
    assert a in ids and b not in ids
    assert [e for e in watch.errors if "422" not in e] == []  # the refusal's answer is logged
    assert watch.foreign(editor.base) == []


def test_transfer_then_the_station_accepts_the_realigned_beats(browser: Any, editor: Demo) -> None:
    grids = _read(editor, "grids").set_index("id", drop=False)
    beats = _read(editor, "beats")
    station_area = _read(editor, "stations").geometry.iloc[0]
    a, b, edge = neighbours(grids, beats, station_area, same_community=True, other_beat=True)
    page, watch = _login(browser, editor, "demo-street")
    version = int(page.inner_text("[data-testid=version]"))
    _zoom_to(page, grids.geometry[a].union(grids.geometry[b]))
    _click_grid(page, grids.geometry[a])
    page.click("#transfer")
    _click_grid(page, grids.geometry[b])
    # a box around the middle of the shared edge: its part inside a goes to b
    mid = edge.interpolate(0.5, normalized=True)
    size = 0.25 * min(
        grids.geometry[a].bounds[2] - grids.geometry[a].bounds[0],
        grids.geometry[a].bounds[3] - grids.geometry[a].bounds[1],
    )
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    points = [shapely.Point(mid.x + dx * size, mid.y + dy * size) for dx, dy in corners]
    for p in [*points, points[0]]:
        page.mouse.click(*_px(page, p))
    page.wait_for_selector("body[data-dry-run='shown']", timeout=120_000)
    impact = page.inner_text("[data-testid=impact]")
    assert "需重新对齐的警务区" in impact, impact
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENSHOTS / "street-transfer-dry-run.png")
    page.fill("#save-form textarea", "小区围墙为界 / the estate wall is the boundary")
    page.click("#save")
    page.wait_for_function(f"document.body.dataset.gridVersion === '{version + 1}'")
    assert watch.foreign(editor.base) == []

    station, station_watch = _login(browser, editor, "demo-station")
    station.click("[data-tab=inbox]")
    station.locator("button.view-beats").first.click()
    station.wait_for_selector("body[data-beats-shown]", timeout=120_000)
    summary = station.locator("[data-testid=beats-summary]").first.inner_text()
    assert "涉及警务区" in summary, summary
    form = station.locator("form.accept-beats").first
    form.locator("button[type=submit]").click()
    assert "请填写接受理由" in form.locator(".message").inner_text()
    form.locator("textarea").fill("按新网格调整警务区 / beats follow the new grids")
    screenshot(station, SCREENSHOTS / "station-realigned-beats.png")
    with station.expect_navigation():
        form.locator("button[type=submit]").click()
    station.click("[data-tab=inbox]")
    assert "已接受为警务区第 2 版" in station.inner_text("[data-testid=inbox]")
    assert not station_watch.errors
    assert station_watch.foreign(editor.base) == []


def test_balancing_proposal_beside_the_current_grids_is_adopted(browser: Any, editor: Demo) -> None:
    grids = _read(editor, "grids").set_index("id", drop=False)
    small = grids[grids["households"].astype(float) < 300]
    assert len(small), "the demo plants grids below the band"
    gid = str(small["id"].iloc[0])
    page, watch = _login(browser, editor, "demo-street")
    version = int(page.inner_text("[data-testid=version]"))
    _zoom_to(page, grids.geometry[gid])
    _click_grid(page, grids.geometry[gid])
    page.click("#balance")
    page.wait_for_selector("body[data-balance-shown='1']", timeout=180_000)
    assert page.locator("[data-testid=proposal-map]").is_visible()
    figures = page.inner_text("[data-testid=balance]")
    assert "户数在 300–800 之间的网格" in figures and "→" in figures
    screenshot(page, SCREENSHOTS / "street-balance.png")
    page.fill("#save-form textarea", "户数均衡 / households balanced")
    page.click("#save")
    page.wait_for_function(
        f"document.body.dataset.gridVersion === '{version + 1}'", timeout=180_000
    )
    assert watch.foreign(editor.base) == []
