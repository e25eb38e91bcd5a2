"""The service under load, against the FastAPI ceiling, in one uvicorn (SQLite and PostGIS).

For each backend the demo district is loaded, one uvicorn process serves the beatgrid app
plus a *minimal* endpoint (``POST /bench/minimal``: a synchronous route that validates a
small JSON body and echoes it, behind the same middleware), and a load client sends
``POST /geocode/point`` (the demo's grids and beats, as the commander) and the minimal
request with 1 and with 50 concurrent clients, in three alternating rounds each (so a
change in the host's load falls on both sides).  Printed per run:

- server CPU per request, read from ``/proc/<uvicorn pid>/stat`` (user + system) before
  and after, so the load client's own CPU is not counted;
- throughput (requests per second) and p50/p99 latency;
- the ratios geocode / minimal (CPU per request: goal ≤ 3× at 50 clients, ≤ 2× at 1;
  throughput: goal ≥ 40 %).

Then ``GET /incidents?bbox=<the whole district>&limit=100`` as the commander, sequential
requests, against the plain SQL on the same database (``COUNT`` of the box and
``ORDER BY time, id LIMIT 100``), each the median of several runs made in turns (goal ≤ 2×).

Run: ``python benchmarks/bench_service.py [--requests 1500] [--backends sqlite,postgis]
[--only geocode|incidents]``
(PostGIS when ``BEATGRID_TEST_POSTGRES_URL`` is set; the demo and the databases are kept
in ``--cache`` between runs).  The machine's other load moves both sides of each ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCHEMA = "bench_service"
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Point(BaseModel):
    """The minimal route's body (module level: the route's annotation must resolve)."""

    lon: float
    lat: float
    layers: list[str]


def bench_app() -> Any:
    """The app uvicorn serves here: beatgrid (settings from the environment) + the minimal route."""
    from fastapi import FastAPI

    from api.app import create_app

    app: FastAPI = create_app()

    @app.post("/bench/minimal")
    def minimal(point: Point) -> Point:  # what any FastAPI JSON route costs
        return point

    return app


# -- setup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    schema: str | None


def _settings(backend: Backend) -> Any:
    from api.settings import Settings

    return Settings(database_url=backend.url, db_schema=backend.schema, check_assets=False)


def _seed(backend: Backend, manifest: Path, marker: Path) -> str:
    """Load the demo once (kept between runs) and return a commander's bearer token."""
    from api import db
    from api.auth import get_user, issue_token
    from api.demo import seed_demo

    settings = _settings(backend)
    if backend.schema and not marker.exists():
        import sqlalchemy as sa

        engine = sa.create_engine(backend.url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{backend.schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{backend.schema}"'))
        engine.dispose()
    logins = seed_demo(settings, manifest)
    marker.touch()
    commander = next(login for login in logins if login.role == "commander")
    engine = db.make_engine(settings)
    with db.transaction(db.session_factory(engine)) as session:
        token = issue_token(session, get_user(session, commander.username), minutes=600)
    engine.dispose()
    return token


def _district(backend: Backend) -> tuple[float, float, float, float]:
    from sqlalchemy import func, select

    from api import db
    from api.models import Incident

    engine = db.make_engine(_settings(backend))
    with db.session_factory(engine)() as s:
        row = s.execute(
            select(
                func.min(Incident.lon),
                func.min(Incident.lat),
                func.max(Incident.lon),
                func.max(Incident.lat),
            )
        ).one()
    engine.dispose()
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


# -- the server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(backend: Backend) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BEATGRID_DATABASE_URL": backend.url,
        "BEATGRID_RATE_LIMIT_PER_MINUTE": "100000000",
        "BEATGRID_CHECK_ASSETS": "false",
        "BEATGRID_JOB_WORKERS": "1",
    }
    if backend.schema:
        env["BEATGRID_DB_SCHEMA"] = backend.schema
    cmd = [sys.executable, "-m", "uvicorn", "benchmarks.bench_service:bench_app", "--factory",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
           "--no-access-log"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a loaded machine starts slowly
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("uvicorn did not start")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _settle(pid: int, *, idle: float = 0.02, limit_s: float = 120.0) -> None:
    """Wait until the server is idle (under ``idle`` CPU seconds per half second): its
    start-up work (the dashboard's and the permutation kernels' warm-up, in threads of
    its own) must not count as the first measured requests' CPU."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = _cpu(pid)
        time.sleep(0.5)
        if _cpu(pid) - before < idle:
            return


# -- load --------------------------------------------------------------------------------

ROUNDS = 3
"""The minimal route and ``geocode/point`` are loaded in this many alternating rounds."""


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    cpu: float
    latencies: list[float]
    errors: int

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.requests, 1)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @staticmethod
    def total(runs: list[Run]) -> Run:
        return Run(
            sum(r.requests for r in runs),
            sum(r.seconds for r in runs),
            sum(r.cpu for r in runs),
            [t for r in runs for t in r.latencies],
            sum(r.errors for r in runs),
        )

    def pct(self, q: float) -> float:
        return 1000 * float(np.percentile(self.latencies, q)) if self.latencies else float("nan")


async def _load(
    base: str, path: str, token: str, bodies: list[dict[str, Any]], clients: int, pid: int
) -> Run:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors = 0
    todo = iter(bodies)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as c:

        async def worker() -> None:
            nonlocal errors
            for body in todo:
                t = time.perf_counter()
                try:
                    r = await c.post(path, json=body)
                except httpx.HTTPError:  # a dropped connection counts as an error
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

        cpu0, t0 = _cpu(pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds, cpu = time.perf_counter() - t0, _cpu(pid) - cpu0
    return Run(len(latencies), seconds, cpu, latencies, errors)


def _bodies(box: tuple[float, float, float, float], n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    xs, ys = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    layers = ["grids", "beats"]
    pairs = zip(xs.tolist(), ys.tolist(), strict=True)
    return [{"lon": x, "lat": y, "layers": layers} for x, y in pairs]


# -- incidents ---------------------------------------------------------------------------


def _plain_incidents(backend: Backend, box: tuple[float, float, float, float]) -> Callable[[], Any]:
    """COUNT of the box and the first 100 by (time, id): the plain SQL of the same page."""
    import sqlalchemy as sa

    from api import db

    engine = db.make_engine(_settings(backend))
    if backend.schema:
        where = "geom && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)"
    else:
        where = "lon BETWEEN :x0 AND :x1 AND lat BETWEEN :y0 AND :y1"
    count = sa.text(f"SELECT count(*) FROM incidents WHERE {where}")
    page = sa.text(f"SELECT * FROM incidents WHERE {where} ORDER BY time, id LIMIT 100")
    params = dict(zip(("x0", "y0", "x1", "y1"), box, strict=True))

    def run() -> Any:
        with engine.connect() as conn:
            n = conn.execute(count, params).scalar()
            rows = conn.execute(page, params).all()
        return n, rows

    return run


def _bench(backend: Backend, token: str, n: int, repeat: int, only: str | None = None) -> None:
    box = _district(backend)
    proc, base = _serve(backend)
    try:
        print(f"\n== {backend.name} ({base}, uvicorn pid {proc.pid}) ==", flush=True)
        warm = _bodies(box, 40, 1)
        asyncio.run(_load(base, "/geocode/point", token, warm, 1, proc.pid))
        asyncio.run(_load(base, "/bench/minimal", token, warm, 1, proc.pid))
        _settle(proc.pid)
        print(f"{'':26}{'CPU ms/req':>11}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}")
        for clients in () if only == "incidents" else (1, 50):
            count = max(200, n // 5) if clients == 1 else n
            routes = {"minimal": "/bench/minimal", "geocode/point": "/geocode/point"}
            rounds: dict[str, list[Run]] = {name: [] for name in routes}
            for r in range(ROUNDS):  # in turns (m g, g m, m g): drift in load falls on both
                for i, name in enumerate(list(routes)[:: 1 if r % 2 == 0 else -1]):
                    bodies = _bodies(box, count // ROUNDS, 100 * clients + 10 * r + i)
                    load = _load(base, routes[name], token, bodies, clients, proc.pid)
                    rounds[name].append(asyncio.run(load))
            runs = {name: Run.total(done) for name, done in rounds.items()}
            for name, run in runs.items():
                label = f"{name}, {clients} client{'s' if clients > 1 else ''}"
                print(f"{label:26}{run.cpu_ms:11.2f}{run.rps:8.0f}{run.pct(50):8.1f}"
                      f"{run.pct(99):8.1f}{run.errors:7d}", flush=True)  # fmt: skip
            g, m = runs["geocode/point"], runs["minimal"]
            goal = 2 if clients == 1 else 3
            print(f"  -> geocode/minimal at {clients}: CPU per request {g.cpu_ms / m.cpu_ms:.2f}x "
                  f"(goal <= {goal}x), throughput {g.rps / m.rps:.0%} (goal >= 40%)")  # fmt: skip

        if only == "geocode":
            return
        plain = _plain_incidents(backend, box)
        plain()
        bbox = ",".join(f"{v:.6f}" for v in box)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as c:

            def api() -> Any:
                r = c.get("/incidents", params={"bbox": bbox, "limit": 100})
                r.raise_for_status()
                return r.json()

            first = api()
            times: tuple[list[float], list[float]] = ([], [])
            cpu_api = 0.0
            for _ in range(repeat):  # in turns: a change in the host's load falls on both
                cpu0, t = _cpu(proc.pid), time.perf_counter()
                api()
                times[0].append(time.perf_counter() - t)
                cpu_api += (_cpu(proc.pid) - cpu0) / repeat
                t = time.perf_counter()
                plain()
                times[1].append(time.perf_counter() - t)
            t_api, t_sql = statistics.median(times[0]), statistics.median(times[1])
        matched, _rows = plain()
        print(f"GET /incidents?bbox=<district>&limit=100: {1000 * t_api:.1f} ms "
              f"(server CPU {1000 * cpu_api:.1f} ms; {first['numberMatched']} matched in the "
              f"commander's jurisdiction) vs plain SQL {1000 * t_sql:.1f} ms ({matched} in the "
              f"box) -> {t_api / t_sql:.2f}x (goal <= 2x)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="per run at 50 clients")
    parser.add_argument("--repeat", type=int, default=7, help="incident query repeats")
    parser.add_argument("--backends", default="sqlite,postgis")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/beatgrid-bench-service"))
    parser.add_argument("--only", choices=("geocode", "incidents"), default=None)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    manifest = args.cache / "demo" / "manifest.json"
    if not manifest.exists():
        from data.generate import generate_demo

        print("generating the demo district …", flush=True)
        manifest = generate_demo(args.cache / "demo", seed=20161013)
    backends = []
    if "sqlite" in args.backends:
        backends.append(Backend("SQLite", f"sqlite:///{args.cache / 'demo.sqlite'}", None))
    pg = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if "postgis" in args.backends:
        if pg:
            backends.append(Backend("PostGIS", pg, SCHEMA))
        else:
            print("PostGIS skipped: BEATGRID_TEST_POSTGRES_URL is not set")
    for backend in backends:
        t = time.perf_counter()
        token = _seed(backend, manifest, args.cache / f"{backend.name}.seeded")
        print(f"{backend.name}: demo ready in {time.perf_counter() - t:.0f} s", flush=True)
        _bench(backend, token, args.requests, args.repeat, only=args.only)


if __name__ == "__main__":
    main()
