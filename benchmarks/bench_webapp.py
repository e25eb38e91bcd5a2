"""How long a workspace takes to open in Chromium, on the demo district.

Time to open = navigation start until the workspace's map has every layer drawn (the page
sets ``data-map-ready``; the commander's until its first period is computed).  Ours: the
layers come from ``/app/layers/{id}.geojson?version=N``, clipped to the jurisdiction and
cached per (layer version, jurisdiction).  Plain: the same page on a server whose cache
is emptied before each open (every layer read and clipped again, as without the cache).

Goal: under 2 s on the demo.  Run:
``.venv/bin/python benchmarks/bench_webapp.py [--runs 3] [--demo data/demo]``.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import db  # noqa: E402
from api.app import create_app  # noqa: E402
from api.auth import set_password  # noqa: E402
from api.demo import seed_demo  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.web import pages  # noqa: E402

PASSWORD = "bench-password-1"
WORKSPACES = {
    "station": ("demo-station", "/app/station", "body[data-map-ready='1']"),
    "beat officer": ("demo-beat-1", "/app/station", "body[data-map-ready='1']"),
    "street office": ("demo-street", "/app/street", "body[data-map-ready='1']"),
    "commander": ("demo-commander", "/app/commander", "body[data-window='week']"),
}


def _seed(demo: Path | None, folder: Path) -> Settings:
    from data.generate import generate_demo

    manifest = demo / "manifest.json" if demo else generate_demo(folder / "demo", seed=20161013)
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.sqlite'}")
    logins = seed_demo(settings, manifest)
    engine = db.make_engine(settings)
    with db.transaction(db.session_factory(engine)) as session:
        for login in logins:
            set_password(session, login.username, PASSWORD, actor="bench")
    engine.dispose()
    return settings


def _serve(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _open(browser: Any, base: str, user: str, path: str, ready: str, *, cold: bool) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/auth/login?next=/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if cold:
        pages._cache = pages.LayerCache()  # the plain way: nothing kept between opens
    started = time.perf_counter()
    page.goto(f"{base}{path}")
    page.wait_for_selector(ready, timeout=120_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo", type=Path, default=None, help="an already generated demo")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-webapp-") as tmp:
        settings = _seed(args.demo, Path(tmp))
        base, server, thread = _serve(settings)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            print(f"{'workspace':<14} {'cached (ours)':>14} {'uncached':>10}   goal < 2 s")
            for name, (user, path, ready) in WORKSPACES.items():
                _open(browser, base, user, path, ready, cold=False)  # warm the server
                ours = [
                    _open(browser, base, user, path, ready, cold=False) for _ in range(args.runs)
                ]
                plain = [
                    _open(browser, base, user, path, ready, cold=True) for _ in range(args.runs)
                ]
                print(
                    f"{name:<14} {statistics.median(ours):>12.2f} s "
                    f"{statistics.median(plain):>8.2f} s"
                )
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
