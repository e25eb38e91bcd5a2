"""OGC API - Features throughput: every feature of the demo's large collections, page by page
through the ``next`` links as QGIS reads them (as the commander: the whole district), against
a plain ``SELECT`` of the same rows on the same database, in the same run.

Printed per collection and page size: features per second of our items pages (the time of
the HTTP requests only, not the client's JSON parsing; and per second of uvicorn's CPU from
``/proc``), the plain ``SELECT`` (id, properties, geometry of the layer's newest version; for
incidents the map columns; best of three) in rows per second, and the ratios plain / ours by
wall clock and by CPU (the server's against this process's: it moves less with the machine's
other load).
SQLite and PostGIS (when ``BEATGRID_TEST_POSTGRES_URL`` is set, in its own schema); the demo
is loaded into ``--cache`` and kept between runs.

Run: ``python benchmarks/bench_ogc.py [--limits 1000,10000] [--backends sqlite,postgis]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_service import Backend, _cpu, _seed, _serve, _settings  # noqa: E402

COLLECTIONS = ("addresses", "incidents", "buildings")
SCHEMA = "bench_ogc"
"""Not ``bench_service``'s schema: the two benchmarks may run side by side."""


def _walk(base: str, token: str, collection: str, limit: int) -> tuple[int, int, float]:
    """All features by ``next`` links: (features, pages, seconds spent in the requests)."""
    url: str | None = f"{base}/ogc/collections/{collection}/items?limit={limit}"
    n = pages = 0
    seconds = 0.0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=300) as c:
        while url:
            t = time.perf_counter()
            response = c.get(url).raise_for_status()
            seconds += time.perf_counter() - t
            page = response.json()
            n += len(page["features"])
            pages += 1
            url = next((x["href"] for x in page["links"] if x["rel"] == "next"), None)
    return n, pages, seconds


def _plain(backend: Backend, collection: str) -> tuple[int, float, float]:
    """The same rows by one plain ``SELECT``: (rows, best seconds of three, best CPU seconds
    of this process: the reading of the rows, and on SQLite the query itself)."""
    import sqlalchemy as sa

    from api import db

    engine = db.make_engine(_settings(backend))
    geom = "ST_AsBinary(geom)" if backend.schema else "geom"
    if collection == "incidents":
        sql = "SELECT id, time, category, status, grid_id, lon, lat FROM incidents"
        params: dict[str, Any] = {}
    else:
        sql = (
            f"SELECT fid, properties, {geom} FROM features "
            "WHERE layer_id = :layer AND version_to IS NULL ORDER BY fid"
        )
        params = {"layer": collection}
    best = best_cpu = float("inf")
    rows = 0
    with engine.connect() as conn:
        for _ in range(3):
            t, cpu = time.perf_counter(), time.process_time()
            rows = len(conn.execute(sa.text(sql), params).all())
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    engine.dispose()
    return rows, best, best_cpu


def _bench(backend: Backend, token: str, limits: list[int]) -> None:
    proc, base = _serve(backend)
    try:
        print(f"\n== {backend.name} ==", flush=True)
        for collection in COLLECTIONS:
            for limit in limits:
                _walk(base, token, collection, limit)  # warm: caches, prepared jurisdiction
                cpu0 = _cpu(proc.pid)
                n, pages, wall = _walk(base, token, collection, limit)
                cpu = _cpu(proc.pid) - cpu0
                rows, plain, plain_cpu = _plain(backend, collection)
                ours, theirs = n / wall, rows / plain
                ours_cpu, theirs_cpu = n / max(cpu, 1e-3), rows / max(plain_cpu, 1e-3)
                print(f"{collection:10} limit {limit:6d}: {n:6d} features in {pages:3d} pages, "
                      f"{wall:6.2f} s -> {ours:7.0f} features/s ({ours_cpu:7.0f} per CPU-second "
                      f"of the server); plain SELECT of {rows} rows {theirs:7.0f} rows/s "
                      f"({theirs_cpu:7.0f} per CPU-second) -> plain / ours {theirs / ours:5.1f}x "
                      f"wall, {theirs_cpu / ours_cpu:5.1f}x CPU", flush=True)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limits", default="1000,10000")
    parser.add_argument("--backends", default="sqlite,postgis")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/beatgrid-bench-ogc"))
    args = parser.parse_args()
    manifest = args.cache / "demo" / "manifest.json"
    if not manifest.exists():
        from data.generate import generate_demo

        args.cache.mkdir(parents=True, exist_ok=True)
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
    limits = [int(v) for v in args.limits.split(",")]
    for backend in backends:
        t = time.perf_counter()
        token = _seed(backend, manifest, args.cache / f"{backend.name}.seeded")
        print(f"{backend.name}: demo ready in {time.perf_counter() - t:.0f} s", flush=True)
        _bench(backend, token, limits)


if __name__ == "__main__":
    main()
