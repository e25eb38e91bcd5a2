"""How long a workspace takes to open in Chromium, on the demo district and with 1,000,000
stored incidents.

Time to open = navigation start until the workspace's map has every layer drawn (the page
sets ``data-map-ready``; the commander's until its period's review is drawn).  Ours: the
layers come from ``/app/layers/{id}.geojson?version=N``, clipped to the jurisdiction and
cached per (layer version, jurisdiction); the commander's review is cached per (grid
version, incident data version, period, jurisdiction) and warmed when the server starts.
Uncached: the same page on a server whose caches are emptied before each open (every layer
read and clipped again, the review computed again: what the first open after an edit or
a new batch of incidents costs).

The 1,000,000-incident case copies the seeded store and adds the demo's incidents
resampled (jittered by up to 30 m) over the ten years before the demo's end, with one
``executemany`` per 100,000 rows, then opens the commander's workspace.

Goal: under 2 s on the demo, under 4 s with 1,000,000 incidents.  Run:
``.venv/bin/python benchmarks/bench_webapp.py [--runs 3] [--demo data/demo | --db seeded.sqlite]
[--million]``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import db  # noqa: E402
from api.app import create_app  # noqa: E402
from api.auth import set_password  # noqa: E402
from api.demo import seed_demo  # noqa: E402
from api.services import dashboard  # noqa: E402
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


def _copy(db_file: Path, folder: Path, name: str) -> Settings:
    """A copy of an already seeded store (its demo users get the bench password)."""
    target = folder / name
    shutil.copy(db_file, target)
    settings = Settings(database_url=f"sqlite:///{target}")
    engine = db.make_engine(settings)
    with db.transaction(db.session_factory(engine)) as session:
        for user in ("demo-station", "demo-beat-1", "demo-street", "demo-commander"):
            set_password(session, user, PASSWORD, actor="bench")
    engine.dispose()
    return settings


def add_incidents(db_file: Path, total: int, *, seed: int = 7) -> int:
    """Fill the store up to ``total`` incidents: the stored ones resampled over the ten
    years before the latest, jittered by up to 30 m; one executemany per 100,000 rows."""
    con = sqlite3.connect(db_file)
    rows = con.execute("SELECT time, category, grid_id, lon, lat FROM incidents").fetchall()
    have = len(rows)
    rng = np.random.default_rng(seed)
    latest = np.datetime64(max(r[0] for r in rows)[:19])
    span = np.timedelta64(3650 * 86400, "s")
    for first in range(have, total, 100_000):
        n = min(100_000, total - first)
        pick = rng.integers(0, have, n)
        lon = np.array([rows[i][3] for i in pick]) + rng.uniform(-3e-4, 3e-4, n)
        lat = np.array([rows[i][4] for i in pick]) + rng.uniform(-3e-4, 3e-4, n)
        times = latest - (rng.random(n) * span.astype(float)).astype("timedelta64[s]")
        wkb = shapely.to_wkb(shapely.points(lon, lat))
        batch = [
            (f"B{first + k:08d}", str(times[k]).replace("T", " ") + ".000000", rows[pick[k]][1],
             "closed", rows[pick[k]][2], float(lon[k]), float(lat[k]), wkb[k], "bench",
             "2026-01-01 00:00:00")
            for k in range(n)
        ]  # fmt: skip
        con.executemany(
            "INSERT INTO incidents (id, time, category, status, grid_id, lon, lat, geom,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        con.commit()
    count = int(con.execute("SELECT count(*) FROM incidents").fetchone()[0])
    con.close()
    return count


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


def _open(
    browser: Any, base: str, user: str, path: str, ready: str, *, cold: bool, wait_s: float = 120
) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/auth/login?next=/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if cold:
        pages._cache = pages.LayerCache()  # the plain way: nothing kept between opens
        dashboard.CACHE.clear()
    started = time.perf_counter()
    page.goto(f"{base}{path}")
    page.wait_for_selector(ready, timeout=wait_s * 1000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def _table(browser: Any, base: str, workspaces: dict[str, tuple[str, str, str]], runs: int) -> None:
    print(f"{'workspace':<14} {'cached (ours)':>14} {'uncached':>10}")
    for name, (user, path, ready) in workspaces.items():
        _open(browser, base, user, path, ready, cold=False, wait_s=900)  # warm the server
        ours = [_open(browser, base, user, path, ready, cold=False) for _ in range(runs)]
        plain = [
            _open(browser, base, user, path, ready, cold=True, wait_s=900) for _ in range(runs)
        ]
        print(f"{name:<14} {statistics.median(ours):>12.2f} s {statistics.median(plain):>8.2f} s")


def _case(browser: Any, settings: Settings, workspaces: dict[str, Any], runs: int) -> None:
    dashboard.CACHE.clear()
    pages._cache = pages.LayerCache()
    base, server, thread = _serve(settings)
    started = time.perf_counter()
    ready = WORKSPACES["commander"][2]
    _open(browser, base, "demo-commander", "/app/commander", ready, cold=False, wait_s=900)
    print(f"first commander open after the start (warm-up running): "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    _table(browser, base, workspaces, runs)
    server.should_exit = True
    thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo", type=Path, default=None, help="an already generated demo")
    parser.add_argument("--db", type=Path, default=None, help="an already seeded SQLite store")
    parser.add_argument("--million", type=int, default=1_000_000, help="incidents (0: skip)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-webapp-") as tmp:
        folder = Path(tmp)
        settings = _copy(args.db, folder, "demo.sqlite") if args.db else _seed(args.demo, folder)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            print("demo district (goal < 2 s)")
            _case(browser, settings, WORKSPACES, args.runs)
            if args.million:
                big = folder / "million.sqlite"
                shutil.copy(settings.database_url.removeprefix("sqlite:///"), big)
                started = time.perf_counter()
                n = add_incidents(big, args.million)
                took = time.perf_counter() - started
                print(f"\n{n:,} stored incidents (bulk insert {took:.1f} s; goal < 4 s)")
                commander = {"commander": WORKSPACES["commander"]}
                _case(browser, Settings(database_url=f"sqlite:///{big}"), commander, args.runs)
            browser.close()


if __name__ == "__main__":
    main()
