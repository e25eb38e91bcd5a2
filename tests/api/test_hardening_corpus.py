"""The bad-input corpus (``bad_inputs``) against the live app, on both backends.

The app is served by a real uvicorn server in this process (a thread), reached over
HTTP with a hang guard per request (generous: a loaded CI machine is slow, a hang is
forever).  For every case: no 500 and no hang.  Over the whole
corpus: the process's resident memory grows by less than 200 MB (sampled every 20 ms), and
the stored data is unchanged (row counts of every data table, each layer's versions).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from api.models import ApiToken, Feature, Incident, Layer, LayerVersion, User
from tests.api.bad_inputs import CORPUS, Case
from tests.api.service_fixtures import PASSWORD

TIMEOUT_S = 120.0
"""Only stops a hung request; the costs of big inputs are the benchmarks' business."""
MAX_GROWTH_MB = 200


@pytest.fixture(scope="module")
def live(app: FastAPI) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


class _Peak:
    """The highest RSS seen while it runs."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _state(app: FastAPI) -> dict[str, Any]:
    with app.state.sessions() as s:
        counts = {
            t.__tablename__: s.scalar(select(func.count()).select_from(t))
            for t in (Layer, LayerVersion, Feature, Incident, User, ApiToken)
        }
        versions = s.execute(select(LayerVersion.layer_id, LayerVersion.version)).all()
        heads = s.execute(select(Layer.id, Layer.head_version)).all()
    return {**counts, "versions": sorted(versions), "heads": sorted(heads)}


def _token(base: str, who: str) -> dict[str, str]:
    r = httpx.post(f"{base}/auth/token", data={"username": who, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _send(http: httpx.Client, case: Case, layer: str, tokens: dict[str, dict]) -> str | None:
    kwargs = dict(case.kwargs)
    headers = {**kwargs.pop("headers", {}), **tokens.get(case.who, {})}
    try:
        r = http.request(
            case.method, case.path.replace("{layer}", layer), headers=headers, **kwargs
        )
    except httpx.TimeoutException:
        return f"{case.name}: no answer within {TIMEOUT_S} s"
    if r.status_code >= 500:
        return f"{case.name}: {r.status_code} {r.text[:200]}"
    if case.method != "GET" and r.status_code < 300:
        return f"{case.name}: accepted ({r.status_code}) {r.text[:200]}"
    if r.headers.get("content-type", "").startswith("application/json"):
        try:
            r.json()
        except ValueError:
            return f"{case.name}: the answer is not valid JSON: {r.text[:200]}"
    return None


def test_the_corpus_breaks_nothing(live: str, app: FastAPI, grids: str) -> None:
    cases = [case for build in CORPUS for case in build()]
    assert len(cases) >= 100
    tokens = {who: _token(live, who) for who in {c.who for c in cases} if who}
    before = _state(app)
    failures: list[str] = []
    with httpx.Client(base_url=live, timeout=TIMEOUT_S) as http:
        # twice: the first pass also loads GDAL's drivers and fills the bounded caches, so
        # the second measures what the inputs themselves do to the host's memory
        failures += [p for case in cases if (p := _send(http, case, grids, tokens))]
        base_rss = _rss_mb()
        with _Peak() as memory:
            failures += [p for case in cases if (p := _send(http, case, grids, tokens))]
    assert not failures, "\n".join(failures)
    growth = memory.peak - base_rss
    assert growth < MAX_GROWTH_MB, f"RSS grew by {growth:.0f} MB"
    assert _state(app) == before
