"""Incidents inside a station's jurisdiction: filtered in the database vs in Python.

Ours (``api.store.incidents``): one page of ``GET /incidents`` (1,000 rows, keyset) and
the hotspot job's incident frame, with bbox and jurisdiction in SQL (PostGIS: one
``ST_Intersects`` on the GiST index; SQLite: the indexed lon/lat columns, then the exact
test on the coordinates only).  The plain way, as the service did before: load every
incident row (ORM objects, every WKB parsed) and filter with shapely in Python.

N random incidents over a 20 × 20 km district; the station is a 5 × 5 km square in it.
Run: ``.venv/bin/python benchmarks/bench_incident_query.py [--n 200000]`` (PostGIS too
when BEATGRID_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import db  # noqa: E402
from api.models import Incident  # noqa: E402
from api.policy import Jurisdiction  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.store.incidents import IncidentQuery, incident_frame, query_incidents  # noqa: E402

X0, Y0 = 118.70, 32.00
STATION = box(X0 + 0.05, Y0 + 0.05, X0 + 0.10, Y0 + 0.10)


def _fill(settings: Settings, n: int) -> db.sessionmaker:  # type: ignore[name-defined]
    engine = db.make_engine(settings)
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    rng = np.random.default_rng(7)
    lon, lat = X0 + rng.random(n) * 0.2, Y0 + rng.random(n) * 0.2
    t0 = datetime(2025, 1, 1)
    with sessions() as s:
        for start in range(0, n, 20_000):
            rows = [
                {"id": f"i{i}", "time": t0 + timedelta(minutes=int(i)), "category": "theft",
                 "lon": float(lon[i]), "lat": float(lat[i]),
                 "geom": shapely.Point(lon[i], lat[i]), "created_by": "bench"}
                for i in range(start, min(n, start + 20_000))
            ]  # fmt: skip
            s.execute(insert(Incident), rows)
        s.commit()
    return sessions


def _plain_page(session: object, area: shapely.Geometry) -> int:
    rows = list(session.scalars(select(Incident).order_by(Incident.time, Incident.id)))  # type: ignore[attr-defined]
    keep = shapely.intersects(area, shapely.points([r.lon for r in rows], [r.lat for r in rows]))
    found = [r for r, k in zip(rows, keep, strict=True) if k]
    _ = [r.geom for r in found[:1000]]
    return len(found)


def _time(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _run(name: str, settings: Settings, n: int) -> None:
    sessions = _fill(settings, n)
    policy = Jurisdiction(area=STATION)
    with sessions() as s:
        page = query_incidents(s, IncidentQuery(policy=policy, limit=1000))
        frame = incident_frame(s, IncidentQuery(policy=policy))
        assert len(frame) == page.number_matched == _plain_page(s, policy.core)
        ours_page = _time(lambda: query_incidents(s, IncidentQuery(policy=policy, limit=1000)))
        ours_frame = _time(lambda: incident_frame(s, IncidentQuery(policy=policy)))
        plain = _time(lambda: _plain_page(s, policy.core), repeat=1)
    print(
        f"{name:8} n={n:>9,}  inside={page.number_matched:>7,}  "
        f"GET /incidents page: ours {ours_page * 1000:8.1f} ms   "
        f"hotspot frame: ours {ours_frame * 1000:8.1f} ms   "
        f"plain (load all, filter in Python) {plain * 1000:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _run("sqlite", Settings(database_url=f"sqlite:///{tmp}/bench.db"), args.n)
    url = os.environ.get("BEATGRID_TEST_POSTGRES_URL")
    if url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            _run("postgis", Settings(database_url=url, db_schema=schema), args.n)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
