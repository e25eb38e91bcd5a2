"""Each role's main job, end to end through the UI of the demo, in Chromium.

The station runs the check, waives a finding with a reason and sees it counted as
accepted; the street office splits a grid by drawing a line, sees the dry run, saves,
and the station then sees the new grids and the notice; the commander switches from a
week to a month; a station cannot reach another's data; bad input changes nothing; no
page asks another host.  Screenshots of each workspace go to ``docs/screenshots/``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from api import db
from api.models import ApiToken, Incident
from api.store.query import FeatureQuery, read_features
from tests.browser import Watch, screenshot
from tests.web.conftest import SCREENSHOTS, Demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("webdemo")]
OPEN = re.compile(r"待处理 (\d+) 个，已豁免 (\d+) 个")


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENSHOTS / f"{name}.png")


def _map_ready(page: Any) -> None:
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)


def _screen(page: Any, lat: float, lon: float) -> tuple[float, float]:
    """Page pixel of a map coordinate (where a user would click)."""
    x, y = page.evaluate(
        """([lat, lon]) => {
            const m = bg.leaflet, p = m.latLngToContainerPoint([lat, lon]);
            const r = m.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""",
        [lat, lon],
    )
    return float(x), float(y)


def _no_foreign(page_watch: Watch, demo: Demo) -> None:
    assert page_watch.foreign(demo.base) == []


def _grid_to_split(demo: Demo) -> tuple[str, float, float, float, float]:
    """The largest grid of the newest version: id, an inside point, its west and east."""
    engine = db.make_engine(demo.settings)
    with db.session_factory(engine)() as session:
        grids = read_features(session, "grids", FeatureQuery()).frame
    engine.dispose()
    metric = grids.to_crs(grids.estimate_utm_crs())
    row = grids.loc[metric.area.idxmax()]
    point = row.geometry.representative_point()
    minx, _, maxx, _ = row.geometry.bounds
    return str(row["id"]), point.y, point.x, minx, maxx


def _counts(page: Any) -> tuple[int, int]:
    page.wait_for_function(
        "() => /已豁免/.test(document.getElementById('counts').textContent)"
        " && !document.getElementById('run-check').disabled",
        timeout=180_000,
    )
    found = OPEN.search(page.inner_text("#counts"))
    assert found, page.inner_text("#counts")
    return int(found[1]), int(found[2])


def test_landing_login_errors_and_docs_are_pages(browser: Any, demo: Demo) -> None:
    page = browser.new_page()
    watch = Watch(page)
    page.goto(f"{demo.base}/")
    assert "警网融合" in page.inner_text("h1")
    page.goto(f"{demo.base}/auth/login")
    page.fill("input[name=username]", "demo-station")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("[data-testid=message]")
    page.goto(f"{demo.base}/auth/login?lang=en")
    page.fill("input[name=username]", "demo-station")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "Wrong user name or password" in page.inner_text("[data-testid=message]")
    answer = page.goto(f"{demo.base}/no/such/page")
    assert answer.status == 404 and "Page not found" in page.inner_text("h1")
    page.goto(f"{demo.base}/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    assert "beatgrid" in page.inner_text(".swagger-ui .info")
    _shot(page, "docs")
    _no_foreign(watch, demo)
    page.close()


def test_station_runs_check_waives_and_revokes(open_as: Any, demo: Demo) -> None:
    page, watch = open_as("demo-station")
    assert page.url.endswith("/app/station")
    _map_ready(page)
    page.click("#run-check")
    open_before, accepted_before = _counts(page)
    assert open_before > 0 and accepted_before == 0
    first = page.locator("#findings tbody tr").first
    rule = first.locator("td").first.inner_text()
    assert rule and not rule.isascii(), rule  # the rule's Chinese label, not its code
    zoom = page.evaluate("bg.leaflet.getZoom()")
    first.click()
    page.wait_for_function(f"bg.leaflet.getZoom() > {zoom}")
    assert rule in page.inner_text(".leaflet-popup-content")  # the map says it the same way
    first.locator("button.waive").click()
    page.fill("#waive-form textarea", "")
    page.click("#waive-form button[type=submit]")
    assert "请填写豁免理由" in page.inner_text("#waive-error")  # no reason: nothing stored
    page.fill("#waive-form textarea", "河道，非网格 / a river, not a grid")
    page.click("#waive-form button[type=submit]")
    page.wait_for_function("!/已豁免 0 个/.test(document.getElementById('counts').textContent)")
    open_after, accepted_after = _counts(page)
    assert (open_after, accepted_after) == (open_before - 1, 1)
    page.wait_for_selector(".progress", state="hidden")  # done: the bar leaves, the words stay
    assert "检查完成" in page.inner_text("#check-status")
    page.evaluate("document.querySelector('.panel').scrollTop = 0")
    _shot(page, "station")
    page.reload()
    page.click("[data-tab=waivers]")
    row = page.locator("[data-waiver]").first
    assert "a river, not a grid" in row.inner_text() and "demo-station" in row.inner_text()
    with page.expect_navigation():
        row.locator("button.revoke").click()
    page.click("[data-tab=waivers]")
    assert "已撤销" in page.locator("[data-waiver]").first.inner_text()
    page.click("[data-tab=check]")
    _map_ready(page)
    page.click("#run-check")
    assert _counts(page) == (open_before, 0)  # revoked: reported again
    assert not watch.errors
    _no_foreign(watch, demo)


def _select_and_draw(page: Any, lat: float, lon: float, line: list[tuple[float, float]]) -> None:
    page.mouse.click(*_screen(page, lat, lon))
    page.wait_for_selector("#split:not([disabled])")
    page.click("#split")
    for point in line:
        page.mouse.click(*_screen(page, *point))
    page.mouse.click(*_screen(page, *line[-1]))  # clicking the last point finishes


SNAP_PX = 20  # the editor's snapping distance (street.js)


def _select_and_cut(page: Any, lat: float, lon: float, minx: float, maxx: float) -> None:
    """Select the grid and draw a line across it, ending well beyond the snapping distance
    outside its west and east (a line ending nearer snaps onto the grid's own edges)."""
    page.mouse.click(*_screen(page, lat, lon))
    page.wait_for_selector("#split:not([disabled])")
    page.click("#split")  # the map zooms to the grid
    (west, y), (east, _) = _screen(page, lat, minx), _screen(page, lat, maxx)
    assert east - west > 8 * SNAP_PX, (west, east)  # the grid fills the map to be drawn on
    for x in (west - 3 * SNAP_PX, east + 3 * SNAP_PX, east + 3 * SNAP_PX):  # the last finishes
        page.mouse.click(x, y)


def test_bad_line_is_refused_with_a_message_and_changes_nothing(open_as: Any, demo: Demo) -> None:
    _, lat, lon, minx, maxx = _grid_to_split(demo)
    page, watch = open_as("demo-street")
    _map_ready(page)
    version = page.inner_text("[data-testid=version]")
    inside = [(lat, lon - (lon - minx) * 0.2), (lat, lon + (maxx - lon) * 0.2)]
    _select_and_draw(page, lat, lon, inside)
    message = page.locator("[data-testid=message]")
    message.wait_for(state="visible")
    assert "未穿过网格" in message.inner_text() and "does not cross" in message.inner_text()
    page.reload()
    _map_ready(page)
    assert page.inner_text("[data-testid=version]") == version
    _no_foreign(watch, demo)


def test_street_splits_a_grid_and_the_station_is_told(open_as: Any, demo: Demo) -> None:
    grid_id, lat, lon, minx, maxx = _grid_to_split(demo)
    page, watch = open_as("demo-street")
    assert page.url.endswith("/app/street")
    _map_ready(page)
    before = int(page.inner_text("[data-testid=version]"))
    _select_and_cut(page, lat, lon, minx, maxx)
    assert grid_id in page.inner_text("[data-testid=selection]")
    page.wait_for_function(  # the dry run's proposal, or the message saying why not
        "!document.querySelector('#proposal').hidden"
        " || document.querySelector('[data-testid=message]').textContent.trim() !== ''"
    )
    assert page.is_visible("#proposal"), page.inner_text("[data-testid=message]")
    assert "不会产生新的拼接问题" in page.inner_text("[data-testid=dry-run]")
    _shot(page, "street-dry-run")
    page.click("#save")
    assert "请填写调整理由" in page.inner_text("[data-testid=message]")
    page.fill("#save-form textarea", "楼盘交付，网格过大 / new estate, grid too big")
    page.click("#save")
    page.wait_for_function(f"document.body.dataset.gridVersion === '{before + 1}'")
    assert f"第 {before + 1} 版" in page.inner_text("[data-testid=message]")
    _no_foreign(watch, demo)

    station, station_watch = open_as("demo-station")
    _map_ready(station)
    assert f"网格 v{before + 1}" in station.inner_text(".panel")  # the kind's label, not its id
    ids = station.evaluate(
        "fetch(bg.config.layers.grid.url).then(r => r.json())"
        ".then(fc => fc.features.map(f => f.properties.id))"
    )
    assert grid_id in ids and len(ids) > 118 - 1
    assert station.inner_text("[data-testid=unread]") == "1"
    station.click("[data-tab=inbox]")
    assert "demo-street" in station.inner_text("[data-testid=inbox]")
    _shot(station, "station-inbox")
    with station.expect_navigation():
        station.click("button.ack")
    assert station.inner_text("[data-testid=unread]") == "0"
    _no_foreign(station_watch, demo)


def _fills(page: Any) -> list[str | None]:
    return page.eval_on_selector_all(
        ".leaflet-overlay-pane path.leaflet-interactive",
        "els => els.map(e => e.getAttribute('fill'))",
    )


def test_commander_switches_week_to_month(open_as: Any, demo: Demo) -> None:
    page, watch = open_as("demo-commander")
    assert page.url.endswith("/app/commander")
    page.wait_for_selector("body[data-window='week']", timeout=120_000)
    week = int(page.inner_text("[data-testid=count]"))
    week_period = page.inner_text("[data-testid=period]")
    # the last complete week of the data, Monday to Monday, not the running one
    engine = db.make_engine(demo.settings)
    with engine.connect() as con:
        latest = pd.Timestamp(str(con.execute(select(func.max(Incident.time))).scalar()))
    engine.dispose()
    start = pd.Timestamp(page.get_attribute("body", "data-period"))
    assert start.day_of_week == 0
    assert start + pd.Timedelta(days=7) <= latest.normalize() + pd.Timedelta(days=1)
    assert start + pd.Timedelta(days=14) > latest.normalize() + pd.Timedelta(days=1)
    assert re.fullmatch(r"\d+\.\d%", page.inner_text("[data-testid=closure]"))
    assert "上期" in page.inner_text("#closure-before")
    week_fills = _fills(page)
    page.click("[data-window=month]")
    page.wait_for_selector("body[data-window='month']", timeout=120_000)
    month = int(page.inner_text("[data-testid=count]"))
    assert month > week > 0
    assert page.inner_text("[data-testid=period]") != week_period
    assert _fills(page) != week_fills  # the map's classes changed with the period
    assert page.locator("#top tbody tr").count() == 10
    _shot(page, "commander")
    # a layer switch: kernel density drawn under the grids, the class legend hidden
    page.click("[data-layer=kde]")
    page.wait_for_selector("body[data-layer='kde']", timeout=120_000)
    assert page.locator(".leaflet-overlay-pane path:not(.leaflet-interactive)").count() > 20
    assert page.locator("#legend-classes").is_hidden()
    _shot(page, "commander-density")
    # drill-down: the busiest grid's categories add up to its count in the table
    row = page.locator("#top tbody tr").first
    grid_id, count = (
        row.locator("td").nth(0).inner_text(),
        int(row.locator("td").nth(1).inner_text()),
    )
    row.click()
    page.wait_for_selector(f"body[data-drill='{grid_id}']", timeout=60_000)
    cells = page.locator("[data-testid=drill-categories] tr td:nth-child(2)").all_inner_texts()
    assert sum(int(c) for c in cells) == count
    assert page.locator("#drill svg.trend rect").count() == 12
    _shot(page, "commander-grid")
    page.click("[data-layer=classes]")
    # a custom range equal to that month gives the month's figures
    start_text, end_text = page.inner_text("[data-testid=period]").split(": ", 1)[1].split(" – ")
    page.fill("input[name=start]", start_text[:10])
    page.fill("input[name=end]", end_text[:10])
    page.click("[data-custom]")
    page.wait_for_selector("body[data-window='custom']", timeout=120_000)
    assert int(page.inner_text("[data-testid=count]")) == month
    assert not watch.errors
    _no_foreign(watch, demo)


def test_admin_sees_users_layers_and_audit(open_as: Any, demo: Demo) -> None:
    page, watch = open_as("demo-admin")
    assert page.url.endswith("/app/admin")
    users = page.inner_text("[data-testid=users]")
    assert "demo-beat-1" in users and "demo-community-2" in users
    page.set_input_files("input[type=file]", str(demo.manifest.parent / "streets.geojson"))
    page.fill("input[name=layer_id]", "streets")
    page.fill("input[name=reason]", "again")
    page.click("#upload button[type=submit]")
    result = page.locator("[data-testid=upload-result] .message")
    result.wait_for()
    assert "already exists" in result.inner_text()  # the server's refusal, shown in the page
    _shot(page, "admin")
    _no_foreign(watch, demo)


def test_a_station_cannot_reach_another_stations_data(open_as: Any, demo: Demo) -> None:
    one, _ = open_as("demo-beat-1")
    two, _ = open_as("demo-beat-2")
    fetch = (
        "fetch(bg.config.layers.grid.url).then(r => r.json())"
        ".then(fc => fc.features.map(f => f.properties.id))"
    )
    _map_ready(one)
    _map_ready(two)
    mine, theirs = set(one.evaluate(fetch)), set(two.evaluate(fetch))
    assert mine and theirs and not theirs <= mine
    for path in ("/app/street", "/app/commander", "/app/admin"):
        answer = one.goto(f"{demo.base}{path}")
        assert answer.status == 403 and "无权访问" in one.inner_text("h1")
    # the other officer's grid layer, asked for directly, holds only the asker's grids
    one.goto(f"{demo.base}/app/station")
    url = two.evaluate("bg.config.layers.grid.url")
    ids = ".then(r => r.json()).then(fc => fc.features.map(f => f.properties.id))"
    asked = set(one.evaluate(f"fetch('{url}'){ids}"))
    assert asked == mine


def test_expired_login_sends_back_to_the_login_with_a_message(open_as: Any, demo: Demo) -> None:
    page, _ = open_as("demo-commander", width=390, height=844)  # a phone
    page.wait_for_selector("body[data-window='week']", timeout=120_000)
    _shot(page, "commander-phone")
    engine = db.make_engine(demo.settings)
    with db.transaction(db.session_factory(engine)) as session:
        session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(1)))
    engine.dispose()
    page.click("[data-window=month]")  # the script's call answers 401: a message, a link
    page.wait_for_selector("#expired a")
    assert "登录已过期" in page.inner_text("#expired")
    page.goto(f"{demo.base}/app/commander")
    assert "/auth/login" in page.url
    assert "登录已过期" in page.inner_text("[data-testid=message]")


def test_commander_downloads_a_month_brief_equal_to_the_library(
    open_as: Any, demo: Demo, tmp_path: Any
) -> None:
    import docx

    from gis.briefing import make_brief
    from gis.district import load_district

    page, watch = open_as("demo-commander")
    page.wait_for_selector("[data-testid=brief]")
    page.select_option("#brief-form select[name=period]", "month")
    page.fill("#brief-form input[name=at]", "2025-11-20")
    with page.expect_download(timeout=300_000) as info:
        page.click("[data-testid=brief-make]")
    path = tmp_path / "月讲评.docx"
    info.value.save_as(str(path))
    page.wait_for_function(
        "() => /简报已下载/.test(document.getElementById('brief-status').textContent)"
    )
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs[0].endswith("2025年11月月讲评")
    library = make_brief(load_district(demo.manifest), kind="month", at="2025-11-20")
    total, before = library.incidents.total, int(library.incidents.by_category["previous"].iloc[-1])
    assert f"本期共接报警情 {total} 起，上期 {before} 起" in "\n".join(paragraphs)
    _shot(page, "commander-brief")
    assert not watch.errors
    _no_foreign(watch, demo)
