"""QGIS's own OAPIF provider (Debian's ``python3-qgis``, QGIS 3.22) opens every collection of
the demo district and reads every feature, headless, as the commander (the whole district,
61 k addresses included).  QGIS 3.22 cannot send a bearer header, so it authenticates with a
"Basic" configuration whose password is an API token (never a password).  The times are
printed, not asserted (``benchmarks/bench_ogc.py`` carries the speed goal)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api import db
from api.app import create_app
from api.auth import get_user, issue_token
from api.demo import seed_demo
from api.settings import Settings

QGIS_PYTHON = Path("/usr/bin/python3")
SCRIPT = Path(__file__).with_name("qgis_count.py")


def _has_qgis() -> bool:
    if not QGIS_PYTHON.exists():
        return False
    probe = subprocess.run([str(QGIS_PYTHON), "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_demo(
    demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, str]]:
    """uvicorn serving the demo district; yields (base URL, commander's name, token)."""
    out = tmp_path_factory.mktemp("qgisdemo")
    settings = Settings(
        database_url=f"sqlite:///{out / 'demo.sqlite'}", check_assets=False,
        rate_limit_per_minute=1_000_000,
    )  # fmt: skip
    logins = seed_demo(settings, demo_dir / "manifest.json")
    commander = next(login.username for login in logins if login.role == "commander")
    engine = db.make_engine(settings)
    with db.transaction(db.session_factory(engine)) as session:
        token = issue_token(session, get_user(session, commander), minutes=60)
    engine.dispose()
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", commander, token
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(not _has_qgis(), reason="Debian's python3-qgis is not installed")
def test_qgis_opens_every_demo_collection_and_reads_every_feature(
    live_demo: tuple[str, str, str], tmp_path: Path
) -> None:
    base, username, token = live_demo
    bearer = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(f"{base}/ogc/collections", headers=bearer, timeout=60).json()
    expected = {}
    for c in listed["collections"]:
        first = httpx.get(f"{base}/ogc/collections/{c['id']}/items", params={"limit": 1},
                          headers=bearer, timeout=120).json()  # fmt: skip
        expected[c["id"]] = first["numberMatched"]
    assert expected["addresses"] > 50_000 and expected["incidents"] > 10_000
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(QGIS_PYTHON), str(SCRIPT), base, username, token, str(tmp_path), *expected],
        capture_output=True, text=True, env=env, timeout=1800,
    )  # fmt: skip
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert done.returncode == 0, done.stderr[-2000:]
    got = {r["collection"]: r for r in lines}
    for name, n in expected.items():
        print(f"QGIS OAPIF {name}: {got[name]['features']} features in {got[name]['seconds']} s")
        assert got[name]["valid"], name
        assert got[name]["features"] == n, (name, got[name], n)


def _basic(username: str, token: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_a_token_is_accepted_as_the_basic_password_of_its_own_user(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    token = headers["south"]["Authorization"].removeprefix("Bearer ")
    assert client.get("/auth/me", headers=_basic("south", token)).json()["username"] == "south"
    assert client.get("/auth/me", headers=_basic("west", token)).status_code == 401
    assert (
        client.get("/auth/me", headers=_basic("south", "correct horse battery")).status_code == 401
    )
    assert client.get("/auth/me", headers={"Authorization": "Basic !!"}).status_code == 401
