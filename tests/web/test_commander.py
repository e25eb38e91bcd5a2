"""The command centre's dashboard API on the demo: the last complete period by default,
answers cached until the data change, the events' closure rate, layers and a grid's detail.
"""

from __future__ import annotations

from typing import Any

import httpx
import pandas as pd
import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from api import db
from api.models import Incident
from api.services import dashboard
from gis.hotspots.counts import complete_period
from tests.web.conftest import Demo
from tests.web.test_pages_http import _token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("webdemo")]
TIMEOUT = 300.0


def _get(demo: Demo, who: dict[str, str], path: str) -> httpx.Response:
    return httpx.get(f"{demo.base}{path}", headers=who, timeout=TIMEOUT)


def _latest(demo: Demo) -> pd.Timestamp:
    engine = db.make_engine(demo.settings)
    try:
        with engine.connect() as con:
            return pd.Timestamp(str(con.execute(select(func.max(Incident.time))).scalar()))
    finally:
        engine.dispose()


@pytest.mark.parametrize("window", ["day", "week", "month"])
def test_the_dashboard_opens_on_the_last_complete_period(demo: Demo, window: str) -> None:
    who = _token(demo, "demo-commander")
    r = _get(demo, who, f"/commander/review?window={window}")
    assert r.status_code == 200, r.text
    period = r.json()["period"]
    start, end = pd.Timestamp(period["start"]), pd.Timestamp(period["end"])
    latest = _latest(demo)
    # whole: it ends by the end of the latest incident's day, and is the latest that does
    assert end <= latest.normalize() + pd.Timedelta(days=1)
    assert start == complete_period(window, latest=latest).start  # type: ignore[arg-type]
    assert end > latest.normalize() - {"day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7),
                                       "month": pd.Timedelta(days=31)}[window]  # fmt: skip
    if window == "week":
        assert start.day_of_week == 0 and end - start == pd.Timedelta(days=7)


def _settled(demo: Demo) -> None:
    """Wait for the service's warm-up at start: computing in its own thread, it would
    count cache misses of its own while a test counts the misses of its requests."""
    assert demo.app is not None
    assert demo.app.state.warmer.started.wait(timeout=900)


def test_the_review_is_cached_until_an_incident_is_added(demo: Demo) -> None:
    _settled(demo)
    who = _token(demo, "demo-commander")
    first = _get(demo, who, "/commander/review?window=week").json()
    misses = dashboard.CACHE.misses
    again = _get(demo, who, "/commander/review?window=week").json()
    assert again["grids"] == first["grids"] and dashboard.CACHE.misses == misses
    # a new incident in the hottest grid of that week: the next load recomputes and counts it
    top = max(first["grids"]["features"], key=lambda f: f["properties"]["count"])
    point = shape(top["geometry"]).representative_point()
    at = pd.Timestamp(first["period"]["start"]) + pd.Timedelta(hours=30)
    admin = _token(demo, "demo-admin")
    body = {
        "grid_layer": "grids",
        "incidents": [{"id": "CMDR-CACHE-1", "time": at.isoformat(), "category": "theft",
                       "lon": point.x, "lat": point.y}],
    }  # fmt: skip
    assert httpx.post(f"{demo.base}/incidents", json=body, headers=admin).status_code == 201
    after = _get(demo, who, "/commander/review?window=week").json()
    assert dashboard.CACHE.misses > misses
    assert after["count"] == first["count"] + 1
    grid = {f["properties"]["id"]: f["properties"]["count"] for f in after["grids"]["features"]}
    assert grid[top["properties"]["id"]] == top["properties"]["count"] + 1


def test_the_warmer_recomputes_the_opening_reviews_after_new_incidents(demo: Demo) -> None:
    _settled(demo)
    engine = db.make_engine(demo.settings)
    warmer = dashboard.Warmer(db.session_factory(engine), every_s=0)
    try:
        warmer.tick()  # whatever the state, it is now warm
        assert warmer.tick() is False  # nothing changed: nothing recomputed
        top = _get(demo, _token(demo, "demo-commander"), "/commander/review?window=month").json()
        grid = max(top["grids"]["features"], key=lambda f: f["properties"]["count"])
        point = shape(grid["geometry"]).representative_point()
        at = pd.Timestamp(top["period"]["start"]) + pd.Timedelta(hours=30)
        body = {
            "grid_layer": "grids",
            "incidents": [{"id": "CMDR-WARM-1", "time": at.isoformat(), "category": "theft",
                           "lon": point.x, "lat": point.y}],
        }  # fmt: skip
        admin = _token(demo, "demo-admin")
        assert httpx.post(f"{demo.base}/incidents", json=body, headers=admin).status_code == 201
        assert warmer.tick() is True
        misses = dashboard.CACHE.misses
        after = _get(demo, _token(demo, "demo-commander"), "/commander/review?window=month")
        assert dashboard.CACHE.misses == misses  # the first open after the batch: a cache hit
        assert after.json()["count"] == top["count"] + 1
    finally:
        engine.dispose()


def test_closure_rate_and_overdue_are_the_event_figures(demo: Demo) -> None:
    who = _token(demo, "demo-commander")
    review = _get(demo, who, "/commander/review?window=month").json()
    period = review["period"]
    for key, start, end in (("now", period["start"], period["end"]),
                            ("before", period["previous_start"], period["start"])):  # fmt: skip
        utc = [pd.Timestamp(t).tz_localize("Asia/Shanghai").tz_convert("UTC") for t in (start, end)]
        params = {"start": utc[0].isoformat(), "end": utc[1].isoformat()}
        total = httpx.get(
            f"{demo.base}/events/figures", params=params, headers=who, timeout=TIMEOUT
        ).json()["total"]
        figures = review["events"][key]
        assert figures["events"] == total["events"] > 0
        assert figures["overdue"] == total["overdue"]
        assert figures["closure_rate"] == pytest.approx(total["closure_rate"], abs=1e-4)


def test_layers_and_a_grids_detail(demo: Demo) -> None:
    who = _token(demo, "demo-commander")
    review = _get(demo, who, "/commander/review?window=month").json()
    kde = _get(demo, who, "/commander/layers/kde?window=month").json()
    assert kde["max"] > 0 and kde["cells"]["features"]
    assert all(
        f["properties"]["density"] >= 0.15 * kde["max"] - 0.1 for f in kde["cells"]["features"]
    )
    emerging = _get(demo, who, "/commander/layers/emerging?window=month&lang=en").json()
    patterns = {f["properties"]["pattern"] for f in emerging["cells"]["features"]}
    assert patterns and "none" not in patterns
    assert all(f["properties"]["label"].isascii() for f in emerging["cells"]["features"])
    top: dict[str, Any] = max(review["grids"]["features"], key=lambda f: f["properties"]["count"])
    grid_id = top["properties"]["id"]
    detail = _get(demo, who, f"/commander/grids/{grid_id}?window=month").json()
    assert sum(c["count"] for c in detail["categories"]) == top["properties"]["count"]
    assert (
        sum(c["previous_count"] for c in detail["categories"])
        == top["properties"]["previous_count"]
    )
    assert detail["trend"][-1]["count"] == top["properties"]["count"]
    assert len(detail["trend"]) == dashboard.TREND_BINS["month"]
    assert all(
        set(e) == {"id", "category", "state", "received_at", "due_at"} for e in detail["events"]
    )
    assert _get(demo, who, "/commander/grids/nowhere?window=month").status_code == 404


def test_only_the_command_centre_reads_the_dashboard(demo: Demo) -> None:
    station = _token(demo, "demo-station")
    assert _get(demo, station, "/commander/review?window=week").status_code == 403
