"""The demo's year of events: valid histories, the planted delays in the truth, the
library's figures against the truth, and the events seeded into the service."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from gis.events import apply, event_figures, load_rules, new_event
from gis.events.states import OPEN


@pytest.fixture(scope="module")
def truth(demo_dir: Path) -> dict[str, Any]:
    return json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))["events"]


@pytest.fixture(scope="module")
def events(demo_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(demo_dir / "events.csv", dtype={"grid_id": str, "community_id": str})
    for column in ("received_at", "responded_at", "closed_at", "due_at"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601", utc=True)
    return frame


@pytest.fixture(scope="module")
def steps(demo_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(demo_dir / "event_transitions.csv", keep_default_na=False)
    frame["at"] = pd.to_datetime(frame["at"], format="ISO8601", utc=True)
    return frame


def test_a_year_of_routed_events_from_every_source(events: pd.DataFrame, truth: dict) -> None:
    assert len(events) == truth["events"] == 1800 and events.id.is_unique
    assert events.grid_id.notna().all() and events.community_id.notna().all()
    assert set(events.source) == {"网格员上报", "110", "12345", "走访发现", "巡查发现", "其他"}
    assert set(events.category) == set(load_rules().categories)
    assert events.received_at.dt.year.eq(2025).all()


def test_every_history_replays_through_the_state_machine(
    events: pd.DataFrame, steps: pd.DataFrame
) -> None:
    records: list[dict[str, Any]] = steps.to_dict("records")  # type: ignore[assignment]
    by_event: dict[str, list[dict[str, Any]]] = {}
    for step in sorted(records, key=lambda r: (r["event_id"], r["seq"])):
        by_event.setdefault(step["event_id"], []).append(step)
    for row in events.itertuples():
        first, *rest = by_event[str(row.id)]
        ev = new_event(
            str(row.id),
            category=str(row.category),
            actor=first["actor"],
            at=first["at"].to_pydatetime(),
            level=first["to_level"],
        )
        for s in rest:
            ev = apply(
                ev, s["action"], actor=s["actor"], at=s["at"].to_pydatetime(), reason=s["reason"]
            )
        assert (ev.state, ev.level, len(ev.history)) == (row.state, row.level, row.version)


def test_planted_delays_are_in_the_truth(
    events: pd.DataFrame, steps: pd.DataFrame, truth: dict
) -> None:
    escalated = set(steps.event_id[steps.action == "escalate"])
    assert escalated == set(truth["escalated"]) and 50 <= len(escalated) <= 250
    assert set(steps.event_id[steps.action == "return"]) == set(truth["returned"])
    never = events[events.id.isin(truth["never_handled"])]
    assert len(never) == 8 and never.responded_at.isna().all() and never.state.isin(OPEN).all()
    end = pd.Timestamp("2026-01-01", tz="UTC")
    open_late = events[events.state.isin(OPEN) & (events.due_at < end)]
    assert sorted(open_late.id) == truth["overdue_open_at_year_end"] and len(open_late) >= 3


def test_library_figures_match_the_truth(events: pd.DataFrame, truth: dict) -> None:
    events = events.assign(assignees=events.assignees.str.split(";"))
    figures = event_figures(
        events,
        by="community",
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert figures.total["events"] == truth["events"] and figures.total["closed"] == truth["closed"]
    assert figures.total["closure_rate"] == pytest.approx(truth["closure_rate"], abs=1e-6)
    for community, want in truth["per_community"].items():
        assert figures.table.loc[community, "events"] == want["events"]
        assert figures.table.loc[community, "closed"] == want["closed"]


@pytest.mark.slow
def test_the_demo_seeds_events_and_the_field_users_see_them(
    demo_dir: Path, tmp_path: Path, truth: dict
) -> None:
    from api.app import create_app
    from api.demo import seed_demo
    from api.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path}/demo.db")
    logins: dict[str, Any] = {x.role: x for x in seed_demo(settings, demo_dir / "manifest.json")}
    with TestClient(create_app(settings)) as client:

        def token(role: str) -> dict[str, str]:
            login = logins[role]
            r = client.post(
                "/auth/token", data={"username": login.username, "password": login.password}
            )
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        params = {"start": "2025-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z", "by": "community"}
        f = client.get("/events/figures", params=params, headers=token("commander")).json()
        assert f["total"]["events"] == truth["events"] and f["total"]["closed"] == truth["closed"]
        worker = token("grid_worker")
        body = {"category": "民生诉求", "description": "路灯不亮", "lon": 0.0, "lat": 0.0}
        grid = client.get("/events", params={"limit": 1}, headers=worker).json()["events"]
        assert grid and grid[0]["grid_id"] == logins["grid_worker"].area
        body.update(lon=grid[0]["lon"], lat=grid[0]["lat"])
        new = client.post("/events", json=body, headers=worker)
        assert new.status_code == 201 and new.json()["grid_id"] == logins["grid_worker"].area
        assert new.json()["assignees"], "the demo's staff and officers route it to people"
