"""``beatgrid db upgrade``, ``beatgrid user …`` and the demo seeding."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from api.app import create_app
from api.auth import create_user
from api.models import Job
from api.settings import Settings
from beatgrid.cli import app as cli

runner = CliRunner()


def _run(*args: str, input: str | None = None):
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


def test_db_upgrade_creates_every_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    result = _run("db", "upgrade", "--database-url", url)
    assert result.exit_code == 0, result.output
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"users", "layers", "layer_versions", "features", "audit_log", "jobs"} <= tables


def test_user_lifecycle(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    area = tmp_path / "area.geojson"
    area.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[118.7,32],[118.72,32],[118.72,32.02],'
        "[118.7,32]]]}}]}"
    )
    pw = "s3cret-pass\ns3cret-pass\n"
    add = _run(
        "user",
        "add",
        "zhang",
        "--role",
        "station",
        "--jurisdiction",
        str(area),
        "--database-url",
        url,
        input=pw,
    )
    assert add.exit_code == 0, add.output
    assert (
        _run("user", "add", "root", "--role", "admin", "--database-url", url, input=pw).exit_code
        == 0
    )
    listing = _run("user", "list", "--database-url", url).output
    assert "zhang" in listing and "station" in listing and "jurisdiction set" in listing
    dup = _run("user", "add", "zhang", "--role", "station", "--database-url", url, input=pw)
    assert dup.exit_code == 2 and "already exists" in dup.output
    bad = _run("user", "add", "li", "--role", "king", "--database-url", url, input=pw)
    assert bad.exit_code == 2 and "role" in bad.output
    short = _run("user", "add", "li", "--role", "admin", "--database-url", url, input="x\nx\n")
    assert short.exit_code == 2 and "8 characters" in short.output
    with TestClient(create_app(Settings(database_url=url))) as client:
        login = {"username": "zhang", "password": "s3cret-pass"}
        token = client.post("/auth/token", data=login).json()["access_token"]
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "station" and me.json()["has_jurisdiction"]
        assert (
            _run(
                "user",
                "passwd",
                "zhang",
                "--database-url",
                url,
                input="n3w-password\nn3w-password\n",
            ).exit_code
            == 0
        )
        # the old token is revoked with the old password
        assert (
            client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        )
        assert client.post("/auth/token", data=login).status_code == 401
    assert _run("user", "remove", "zhang", "--database-url", url).exit_code == 0
    assert "zhang" not in _run("user", "list", "--database-url", url).output
    assert _run("user", "remove", "zhang", "--database-url", url).exit_code == 2


@pytest.mark.slow
def test_seed_demo_loads_the_district_and_logins_work(demo_dir: Path, tmp_path: Path) -> None:
    from api.demo import seed_demo

    settings = Settings(database_url=f"sqlite:///{tmp_path}/demo.db")
    logins = seed_demo(settings, demo_dir / "manifest.json")
    assert {login.role for login in logins} == {"admin", "commander", "station", "street_office"}
    with TestClient(create_app(settings)) as client:
        tokens = {}
        for login in logins:
            r = client.post(
                "/auth/token", data={"username": login.username, "password": login.password}
            )
            tokens[login.role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        ids = {layer["id"] for layer in client.get("/layers", headers=tokens["admin"]).json()}
        assert {"grids", "beats", "streets", "stations", "communities"} <= ids
        everything = client.get("/ogc/collections/grids/items", headers=tokens["commander"]).json()
        station = client.get("/ogc/collections/grids/items", headers=tokens["station"]).json()
        assert 0 < station["numberMatched"] <= everything["numberMatched"]
        incidents = client.get("/incidents", params={"limit": 5}, headers=tokens["admin"]).json()
        assert incidents["numberMatched"] > 1000
        assert all(i["grid_id"] for i in incidents["incidents"])


def test_serve_with_workers_migrates_and_fails_stale_jobs_once(tmp_path: Path) -> None:
    """``beatgrid serve --workers 2`` on a database a crashed run left a job running in."""
    url = f"sqlite:///{tmp_path}/w.db"
    app = create_app(Settings(database_url=url))
    with app.state.sessions() as s:
        create_user(s, username="wang", password="s3cret-pass", role="admin")
        s.add(Job(id="stale", kind="check", status="running", owner="wang", params={}))
        s.commit()
    app.state.jobs.shutdown()
    app.state.engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [str(Path(sys.executable).with_name("beatgrid")), "serve", "--workers", "2",
           "--database-url", url, "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        _wait_ready(proc, lines, workers=2)
        assert httpx.get(f"{base}/health", timeout=30).status_code == 200
        logins = [
            httpx.post(f"{base}/auth/token", data={"username": "wang", "password": "s3cret-pass"})
            for _ in range(4)
        ]
        token = logins[-1].json()["access_token"]
        job = httpx.get(f"{base}/jobs/stale", headers={"Authorization": f"Bearer {token}"})
    finally:
        proc.terminate()
        proc.wait(timeout=HANG_GUARD_S)
        output = "".join(lines)
    assert [r.status_code for r in logins] == [200] * 4, output
    assert job.status_code == 200, job.text
    assert job.json()["status"] == "failed" and job.json()["error"] == "interrupted by a restart"
    assert "2 workers" in output and output.count("Started server process") == 2, output


HANG_GUARD_S = 600
"""Only stops a hung run; readiness, not a clock, decides when the test goes on."""


def _wait_ready(proc: subprocess.Popen[str], lines: list[str], *, workers: int) -> None:
    """Read the server's log until every worker says its startup is complete.

    A reader thread keeps collecting the log (into ``lines``) until the process ends, so
    its pipe never fills.  Fails at once if the server exits first; the deadline is a
    generous guard against a hang, never the check.
    """
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if sum("Application startup complete" in x for x in lines) >= workers:
                ready.set()
        ready.set()  # the server exited: stop waiting

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(HANG_GUARD_S):
        pytest.fail(f"beatgrid serve hung for {HANG_GUARD_S} s:\n{''.join(lines)}")
    if proc.poll() is not None:
        pytest.fail(f"beatgrid serve exited with {proc.returncode}:\n{''.join(lines)}")
