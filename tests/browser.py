"""The system Chromium and a served app, for the browser tests (tests/web, tests/maps,
tests/api/test_field_browser.py).

Drives Debian's ``/usr/bin/chromium`` with Playwright (no browser download), headless,
background networking off.  ``browser`` (tests/conftest.py) launches it once per session;
:func:`serve` runs an app under uvicorn on 127.0.0.1; :class:`Watch` records a page's
console errors and requests (to prove no other host is asked); :func:`screenshot` waits for
the map to settle before it shoots.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextmanager
def launch() -> Iterator[Any]:
    """The system Chromium, headless (skips the test when it or Playwright is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium chromium-driver")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600  # a guard against a hang, not a speed check
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


_SETTLED = """() => {
    const m = window.bg && window.bg.leaflet;
    if (!m) return true;
    let busy = Boolean(m._animatingZoom || (m._panAnim && m._panAnim._inProgress));
    m.eachLayer((layer) => { if (layer._loading) busy = true; });
    return !busy;
}"""


def screenshot(page: Any, path: Path) -> None:
    """A screenshot once the page's map (if any) has settled: no zoom or pan animation
    running and no tile layer still loading.  Taken at once, one showed a zoom half done:
    the old zoom's tiles in a shrinking box, the new zoom's labels around it."""
    page.wait_for_function(_SETTLED, timeout=30_000)
    page.screenshot(path=str(path))


class Watch:
    """Console errors and every request of a page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign(self, base: str) -> list[str]:
        """Requests to anything but ``base`` (data: and blob: URLs are the page's own)."""
        return [u for u in self.requests if not u.startswith((f"{base}/", "data:", "blob:"))]
