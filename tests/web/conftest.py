"""The web application on the demo district: stored in a fresh SQLite database, served by
uvicorn on 127.0.0.1 (the app of ``beatgrid serve``), driven by the system Chromium.

The demo users get one known password; each test logs in as a user would.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api import db
from api.app import create_app
from api.auth import set_password
from api.demo import DemoLogin, seed_demo
from api.settings import Settings
from maps.assets import VENDOR_DIR

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "demo-password-1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Demo:
    base: str
    settings: Settings
    logins: list[DemoLogin]
    manifest: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[DemoLogin], Path]:
    from data.generate import generate_demo

    out = tmp_path_factory.mktemp("webdemo")
    given = os.environ.get("BEATGRID_TEST_DEMO_MANIFEST")
    # a demo generated before (same seed) may be named, to save its minutes while debugging
    manifest = Path(given) if given else generate_demo(out / "demo", seed=20161013)
    settings = Settings(database_url=f"sqlite:///{out / 'web.sqlite'}", job_workers=2)
    logins = seed_demo(settings, manifest)
    engine = db.make_engine(settings)
    with db.transaction(db.session_factory(engine)) as session:
        for login in logins:
            set_password(session, login.username, PASSWORD, actor="test")
    engine.dispose()
    shutil.copy(out / "web.sqlite", out / "pristine.sqlite")  # for tests that need their own
    return settings, logins, manifest


@pytest.fixture(scope="session")
def demo(demo_db: tuple[Settings, list[DemoLogin], Path]) -> Iterator[Demo]:
    if not (VENDOR_DIR / "leaflet-geoman-free" / "leaflet-geoman.min.js").is_file():
        pytest.skip("assets not vendored: run `python -m maps.vendor`")
    settings, logins, manifest = demo_db
    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield Demo(f"http://127.0.0.1:{port}", settings, logins, manifest)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Console errors and every request of a page (to prove no other host is asked)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign(self, base: str) -> list[str]:
        return [u for u in self.requests if not u.startswith((f"{base}/", "data:", "blob:"))]


@pytest.fixture()
def open_as(browser: Any, demo: Demo) -> Iterator[Any]:
    """``open_as(username, viewport=...) -> (page, watch)``: a fresh context, logged in."""
    contexts: list[Any] = []

    def login(username: str, *, width: int = 1280, height: int = 800) -> tuple[Any, Watch]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"{demo.base}/auth/login?next=/app")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page, watch

    yield login
    for context in contexts:
        context.close()
