"""The web application on the demo district: stored in a fresh SQLite database, served by
uvicorn on 127.0.0.1 (the app of ``beatgrid serve``), driven by the system Chromium
(``browser`` of tests/conftest.py).

The demo users get one known password; each test logs in as a user would.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api import db
from api.app import create_app
from api.auth import set_password
from api.demo import DemoLogin, seed_demo
from api.settings import Settings
from maps.assets import VENDOR_DIR
from tests.browser import Watch, serve

PASSWORD = "demo-password-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Demo:
    base: str
    settings: Settings
    logins: list[DemoLogin]
    manifest: Path
    app: FastAPI | None = None
    """The served app (its state: jobs, the dashboard's warmer)."""


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[DemoLogin], Path]:
    from data.generate import generate_demo

    out = tmp_path_factory.mktemp("webdemo")
    given = os.environ.get("BEATGRID_TEST_DEMO_MANIFEST")
    # a demo generated before (same seed) may be named, to save its minutes while debugging
    manifest = Path(given) if given else generate_demo(out / "demo", seed=20161013)
    # the warm-up once at start only: a turn between two loads would count as a miss
    settings = Settings(
        database_url=f"sqlite:///{out / 'web.sqlite'}", job_workers=2, warm_every_s=0
    )
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
    with serve(app) as base:
        yield Demo(base, settings, logins, manifest, app)


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
