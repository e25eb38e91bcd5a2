"""The database's first cut of the events a reader sees: inside the jurisdiction or
assigned to them (names with non-ASCII and LIKE wildcards too); SQLite and PostGIS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import shapely
from fastapi import FastAPI

from api.event_models import Event
from api.policy import Jurisdiction
from api.store.events import seen_by, select_events, visible_mask
from tests.api.service_fixtures import CELLS


@pytest.fixture
def far_event(app: FastAPI) -> str:
    """An event in G1 assigned to 张警官 and to a name with LIKE wildcards."""
    event_id = f"EVt{uuid.uuid4().hex[:12]}"
    now = datetime.now(UTC)
    with app.state.sessions() as session:
        session.add(
            Event(
                id=event_id, version=1, source="110", category="矛盾纠纷", state="received",
                level="grid", lon=118.705, lat=32.005, geom=shapely.Point(118.705, 32.005),
                description="d", reporter="110", assignees=["张警官", "a_b%c"], received_at=now,
                due_at=now,
            )
        )  # fmt: skip
        session.commit()
    return event_id


@pytest.mark.parametrize(
    ("username", "area", "seen"),
    [
        ("张警官", CELLS["G4"], True),  # assigned, outside the area
        ("a_b%c", CELLS["G4"], True),
        ("aXbYc", CELLS["G4"], False),  # the wildcards are literal
        ("张", CELLS["G4"], False),  # a whole name, not a part
        ("other", CELLS["G1"], True),  # inside the area
        ("other", CELLS["G4"], False),
        ("other", shapely.Polygon(), False),  # no jurisdiction: only what is assigned
    ],
)
def test_seen_by_in_the_database_then_exactly(
    app: FastAPI, far_event: str, username: str, area: shapely.Geometry, seen: bool
) -> None:
    policy = Jurisdiction(area=area, role="station")
    with app.state.sessions() as session:
        dialect = session.get_bind().dialect.name
        stmt = select_events(visible=seen_by(policy, username, dialect=dialect))
        rows = [r for r in session.scalars(stmt) if r.id == far_event]
        kept = [
            r
            for r, ok in zip(
                rows, visible_mask(rows, policy=policy, username=username), strict=True
            )
            if ok
        ]
    assert bool(kept) is seen
