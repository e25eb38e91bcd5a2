"""Property-based fuzzing of every operation in the OpenAPI schema: no input gives a 500,
and no job it starts fails on a bug (an error that is not beatgrid's own).

Bounded: a couple of dozen examples per operation, as the admin (who reaches the deepest
code) and as a station.  Runs on both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import get_args

import numpy as np
import pytest
import schemathesis

# schemathesis loads its OpenAPI modules lazily, through pytest's assertion rewriter
# (it is a pytest plugin): loaded first inside the test, deep in a worker's stack,
# CPython 3.11.7's ast.parse once failed with "AST constructor recursion depth mismatch"
# (python/cpython#106905).  Loaded here, at collection.
import schemathesis.specs.openapi.schemas
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy import select

from api.app import create_app
from api.models import Job
from api.settings import Settings
from gis.checks.config import Rule, Severity
from tests.api.service_fixtures import finished_job

pytestmark = pytest.mark.slow
EXAMPLES = 12
NOT_WIRED: set[str] = set()  # operations answering 501 on purpose (none now)
SKIPPED = {("POST", "/auth/logout")}
"""Logout revokes the shared test tokens every later test uses; test_hardening_auth tests it."""


def test_no_input_gives_a_server_error(settings: Settings, headers: dict) -> None:
    # its own app on the shared database: schemathesis runs the app's lifespan, whose end
    # would stop the shared app's job pool under the tests that follow
    app = create_app(settings.model_copy(update={"recover_jobs": False}))
    with app.state.sessions() as session:
        earlier = set(session.scalars(select(Job.id)))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [o for o in operations if (o.method.upper(), o.path) not in SKIPPED]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @examples(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case) -> None:
            for who in ("admin", "south"):
                # a copy: call() adds its own headers to the dict it is given
                response = case.call(headers=dict(headers[who]))
                unwired = response.status_code == 501 and case.path in NOT_WIRED
                assert response.status_code < 500 or unwired, (
                    who,
                    case.method,
                    case.formatted_path,
                    case.query,
                    response.text[:300],
                )

        call()

    # the jobs it started (hotspots, checks, coverage) may fail on their input, never on a bug
    app.state.jobs.pool.shutdown(wait=True)
    with app.state.sessions() as session:
        jobs = session.execute(select(Job.id, Job.kind, Job.params, Job.error)).all()
    crashed = [j for j in jobs if j.id not in earlier and "internal error" in (j.error or "")]
    assert not crashed, crashed[:5]


MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2060, 1, 1),
    timezones=st.sampled_from(
        [None, UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=11))]
    ),
).map(datetime.isoformat)
"""Moments near and far from the data, naive and zoned (a zoned one once crashed the job)."""


def test_hotspot_jobs_fail_only_on_their_input(own_grids: tuple[TestClient, dict]) -> None:
    """Hotspot jobs over a stored grid layer and a year of incidents, for any period:
    done, or failed with a message of beatgrid's own, never on a bug."""
    client, admin = own_grids
    rng = np.random.default_rng(7)
    xy = rng.uniform((118.70, 32.00), (118.72, 32.02), (40, 2))
    days = rng.integers(0, 365, 40)
    incidents = [
        {"id": f"hs-{i}", "category": ("theft", "dispute")[i % 2], "lon": float(x),
         "lat": float(y), "time": (datetime(2025, 1, 1) + timedelta(days=int(d))).isoformat()}
        for i, ((x, y), d) in enumerate(zip(xy, days, strict=True))
    ]  # fmt: skip
    r = client.post("/incidents", json={"incidents": incidents}, headers=admin)
    assert r.status_code == 201, r.text
    bodies = st.fixed_dictionaries(
        {"layer": st.just("grids"), "window": st.sampled_from(["day", "week", "month"])},
        optional={
            "at": MOMENTS,
            "start": MOMENTS,
            "end": MOMENTS,
            "category": st.lists(st.sampled_from(["theft", "dispute", "盗窃", ""]), max_size=3),
            "permutations": st.integers(0, 19),
        },
    )
    outcomes: list[str] = []

    @given(body=bodies)
    @examples(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(body: dict) -> None:
        outcomes.append(_outcome(client, admin, "/hotspots", body))

    run()
    assert {"done", "failed"} <= set(outcomes)  # both outcomes were reached


def _outcome(client: TestClient, admin: dict, path: str, body: dict) -> str:
    """Start a job: "refused" (422), or how it ended, never failed on a bug."""
    r = client.post(path, json=body, headers=admin)
    assert r.status_code in (202, 422), (body, r.text)
    if r.status_code == 422:
        return "refused"
    state = finished_job(client, admin, r.json())
    assert state["status"] in ("done", "failed")
    assert "internal error" not in (state["error"] or ""), (body, state["error"])
    return str(state["status"])


def test_check_jobs_fail_only_on_their_input(own_grids: tuple[TestClient, dict]) -> None:
    """Consistency checks of a stored grid layer under any options the schema lets
    through: done, or failed with a message of beatgrid's own, never on a bug."""
    client, admin = own_grids
    rules = list(get_args(Rule))
    sizes = st.floats(0, 1000, allow_nan=False)
    options = st.fixed_dictionaries(
        {},
        optional={
            "tolerance_m": sizes,
            "sliver_area_m2": st.floats(0, 1e9, allow_nan=False),
            "aux_iou_min": st.floats(0.001, 0.999),
            "rural_communities_per_officer": st.integers(1, 1000),
            "staffing_via": st.sampled_from(["grid", "grid_or_beat"]),
            "precision_m": sizes,
            "speck_m": sizes,
            "rules": st.lists(st.sampled_from(rules), max_size=len(rules)),
            "severities": st.dictionaries(
                st.sampled_from(rules), st.sampled_from(get_args(Severity)), max_size=4
            ),
            "parent_ids": st.sampled_from(["exact", "zeros", "width=6", "upper,zeros"]),
            "codes": st.sampled_from(["auto", "on", "off"]),
        },
    )
    outcomes: list[str] = []

    @given(config=options)
    @examples(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(config: dict) -> None:
        body = {"layers": {"grid": "grids"}, "config": config}
        outcomes.append(_outcome(client, admin, "/checks", body))

    run()
    assert "done" in outcomes
