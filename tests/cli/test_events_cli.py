"""``beatgrid events escalate``: an overdue dispute moves to the community level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.auth import create_user
from api.settings import Settings
from beatgrid.cli import app as cli
from tests.api.event_fixtures import G1_POINT, login, set_up_events
from tests.api.service_fixtures import PASSWORD


def test_escalate_moves_overdue_events_and_names_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/events.db"
    app = create_app(Settings(database_url=url))
    with app.state.sessions() as session:
        create_user(session, username="admin", password=PASSWORD, role="admin")
        session.commit()
    with TestClient(app) as client:
        set_up_events(app, client, login(client, "admin"))
        late = (datetime.now(UTC) - timedelta(hours=80)).isoformat()
        body = {
            "category": "矛盾纠纷",
            "description": "纠纷",
            "lon": G1_POINT[0],
            "lat": G1_POINT[1],
        }
        old = client.post(
            "/events", json={**body, "received_at": late}, headers=login(client, "wg1")
        ).json()
        new = client.post("/events", json=body, headers=login(client, "wg1")).json()
        done = CliRunner().invoke(cli, ["events", "escalate", "--database-url", url])
        assert done.exit_code == 0, done.output
        assert "1 event(s) escalated" in done.output and old["id"] in done.output
        levels = {
            e["id"]: e["level"]
            for e in client.get("/events", headers=login(client, "admin")).json()["events"]
        }
        assert levels[old["id"]] == "community" and levels[new["id"]] == "grid"
    bad = CliRunner().invoke(
        cli, ["events", "escalate", "--database-url", url, "--rules", str(tmp_path / "no.toml")]
    )
    assert bad.exit_code == 2 and "cannot read" in bad.output
    app.state.jobs.shutdown()
    app.state.engine.dispose()
