"""Load benchmark of the service on loopback (bounded in count and time).

1. Single-point geocoding (POST /geocode/point) with 50 concurrent httpx AsyncClients
   against uvicorn on 127.0.0.1: throughput and p50/p99 latency.
2. Batch geocoding of 100,000 points in one request (POST /geocode/batch).

Compared in the same run with the plain way: a geopandas ``sjoin`` in process, and the
same join in PostGIS (``ST_Contains`` over the points) when BEATGRID_TEST_POSTGRES_URL is
set.  Data: the real Chicago police beats (277 pieces, dissolved to 274 beats).

Run: ``.venv/bin/python benchmarks/bench_api_load.py [--requests 2000] [--seconds 60]
[--workers 1]`` (``--workers N``: N uvicorn worker processes, as ``beatgrid serve --workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("BEATGRID_SHARED_DATA", ROOT.parent / "shared" / "data"))
CONCURRENCY = 50
BATCH = 100_000


def _setup(db_url: str) -> tuple[gpd.GeoDataFrame, str]:
    from api.app import create_app
    from api.auth import create_user, issue_token
    from api.settings import Settings
    from api.store.layers import create_layer

    beats = gpd.read_file(DATA / "chicago" / "police_beats.zip")
    beats["id"] = beats["BEAT_NUM"].astype(str)
    beats = beats.dissolve("id", as_index=False)[["id", "geometry"]]
    app = create_app(Settings(database_url=db_url))
    with app.state.sessions() as s:
        create_layer(s, beats, layer_id="beats", kind="beat", title="Chicago beats",
                     source_crs="EPSG:4326", author="bench", reason="benchmark")  # fmt: skip
        user = create_user(s, username="bench", password="benchmark-pw", role="admin")
        token = issue_token(s, user, minutes=60)
        s.commit()
    app.state.engine.dispose()
    return beats, token


def _serve(db_url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "BEATGRID_DATABASE_URL": db_url,
           "BEATGRID_RATE_LIMIT_PER_MINUTE": "10000000", "BEATGRID_MAX_BODY_MB": "200",
           "BEATGRID_AUTO_MIGRATE": "false", "BEATGRID_RECOVER_JOBS": "false"}  # fmt: skip
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
           "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("uvicorn did not start")


def _points(beats: gpd.GeoDataFrame, n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random points inside the beats, as incidents are (points far outside every
    area cost the engine a nearest-area search and are benchmarked separately)."""
    per_beat = n // len(beats) + 1
    pts = beats.geometry.sample_points(size=per_beat, rng=seed).explode(index_parts=False)
    order = np.random.default_rng(seed).permutation(len(pts))[:n]
    return pts.x.to_numpy()[order], pts.y.to_numpy()[order]


def _outside_points(beats: gpd.GeoDataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform over the bounding box: about 58 % fall outside every beat (lake, suburbs)."""
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = beats.total_bounds
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


async def _load(url: str, token: str, xs: np.ndarray, ys: np.ndarray, seconds: float) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(xs)):
        queue.put_nowait(i)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
            while not queue.empty() and time.perf_counter() < deadline:
                i = queue.get_nowait()
                body = {"lon": float(xs[i]), "lat": float(ys[i]), "layers": ["beats"]}
                t = time.perf_counter()
                r = await client.post("/geocode/point", json=body)
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    wall = time.perf_counter() - start
    lat = np.array(latencies) * 1000
    return {"n": len(lat), "errors": errors, "rps": len(lat) / wall,
            "p50": float(np.percentile(lat, 50)), "p99": float(np.percentile(lat, 99))}  # fmt: skip


def _median_time(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _plain_sjoin(beats: gpd.GeoDataFrame, xs: np.ndarray, ys: np.ndarray) -> None:
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs=4326)
    gpd.sjoin(pts, beats, how="left", predicate="within")


def _postgis_join(beats: gpd.GeoDataFrame, xs: np.ndarray, ys: np.ndarray) -> float | None:
    url = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if not url:
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    schema = f"bench_{os.getpid()}"
    with engine.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        beats.to_postgis("beats", engine, schema=schema)
        with engine.begin() as c:
            c.execute(text(f"CREATE INDEX ON {schema}.beats USING gist (geometry)"))

        def run() -> None:
            with engine.begin() as c:
                c.execute(
                    text(
                        f"SELECT b.id FROM unnest(:x, :y) AS p(x, y) LEFT JOIN {schema}.beats b "
                        "ON ST_Contains(b.geometry, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))"
                    ),
                    {"x": xs.tolist(), "y": ys.tolist()},
                ).all()

        return _median_time(run)
    finally:
        with engine.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        beats, token = _setup(db_url)
        proc, url = _serve(db_url, args.workers)
        try:
            xs, ys = _points(beats, args.requests)
            for i in range(4 * args.workers):  # warm every worker's cache
                httpx.post(
                    f"{url}/geocode/point",
                    json={"lon": xs[i], "lat": ys[i], "layers": ["beats"]},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                )
            single = asyncio.run(_load(url, token, xs, ys, args.seconds))
            bx, by = _points(beats, BATCH, seed=11)
            body = {"layer": "beats", "lon": bx.tolist(), "lat": by.tolist()}

            def batch(payload: dict) -> None:
                r = httpx.post(f"{url}/geocode/batch", json=payload, timeout=300,
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                assert r.status_code == 200, r.text[:300]

            batch_s = _median_time(lambda: batch(body))
            ox, oy = _outside_points(beats, BATCH)
            out_body = {"layer": "beats", "lon": ox.tolist(), "lat": oy.tolist()}
            outside_s = _median_time(lambda: batch(out_body), repeat=1)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        one = _median_time(lambda: _plain_sjoin(beats, xs[:1], ys[:1]), repeat=20)
        plain_batch = _median_time(lambda: _plain_sjoin(beats, bx, by))
        pg_batch = _postgis_join(beats, bx, by)
    print(f"single-point geocoding, {CONCURRENCY} concurrent clients, {args.workers} worker(s), "
          f"{single['n']} requests "
          f"({single['errors']} errors): {single['rps']:.0f} req/s, "
          f"p50 {single['p50']:.1f} ms, p99 {single['p99']:.1f} ms")  # fmt: skip
    print(f"  plain geopandas sjoin of one point in process: {one * 1000:.1f} ms")
    print(f"batch geocoding of {BATCH:,} points in one request (HTTP+JSON included): "
          f"{batch_s:.2f} s ({BATCH / batch_s:,.0f} points/s)")  # fmt: skip
    print(f"  plain geopandas sjoin in process: {plain_batch:.2f} s")
    print(f"  the same over the bounding box (58 % outside every beat): {outside_s:.2f} s")
    if pg_batch is None:
        print("  PostGIS ST_Contains join: skipped (BEATGRID_TEST_POSTGRES_URL unset)")
    else:
        print(f"  PostGIS ST_Contains join (points sent as arrays): {pg_batch:.2f} s")


if __name__ == "__main__":
    main()
