"""Counting and paging incidents inside a real jurisdiction, against the brute force.

The jurisdiction is a real district outline (Nanjing's 秦淮区 from the shared data, a
few hundred vertices); the incidents are random points over its box, the earliest ones
all outside it, so a page whose read is bounded by the share inside falls short and
must be read again.  On SQLite the count runs through the interior boxes of the policy,
on PostGIS through ``ST_Intersects``: both must equal ``policy.mask`` over every row.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi import FastAPI

from api.policy import Jurisdiction
from api.store.incidents import IncidentQuery, create_incidents, incident_frame, query_incidents


@pytest.fixture(scope="module")
def district(shared_data: Path) -> shapely.Geometry:
    frame = gpd.read_file(shared_data / "china" / "districts_amap_wgs84.geojson")
    found = frame[frame.geometry.contains(shapely.Point(118.80, 32.02))]  # 秦淮区
    assert len(found) == 1
    return found.geometry.iloc[0]


def test_counts_and_pages_equal_the_brute_force(
    app: FastAPI, district: shapely.Geometry, uid: str
) -> None:
    policy = Jurisdiction(area=district, role="commander")
    assert len(policy.interior()) > 3
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = district.bounds
    lon, lat = rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)
    inside = policy.mask(lon, lat)
    order = np.r_[np.flatnonzero(~inside), np.flatnonzero(inside)]  # outside ones first
    t0 = datetime(2032, 1, 1)
    records: list[dict[str, Any]] = [
        {"id": f"{uid}-{k:05d}", "time": t0 + timedelta(minutes=k // 2),  # two at a time
         "category": uid, "lon": float(lon[i]), "lat": float(lat[i])}
        for k, i in enumerate(order)
    ]  # fmt: skip
    with app.state.sessions() as session:
        create_incidents(session, records, author="test", policy=None)
        session.commit()
    truth = sorted((r["time"], r["id"]) for r, k in zip(records, inside[order], strict=True) if k)
    assert 500 < len(truth) < 3500
    with app.state.sessions() as session:
        for bbox in (None, (minx, miny, maxx, maxy), (minx, miny, (minx + maxx) / 2, maxy)):
            boxed = {
                r["id"]
                for r in records
                if bbox is None
                or (bbox[0] <= r["lon"] <= bbox[2] and bbox[1] <= r["lat"] <= bbox[3])
            }
            expected: list[tuple[datetime, str]] = [k for k in truth if k[1] in boxed]
            pages: list[tuple[int, int, tuple[datetime, str] | None]] = [
                (100, 0, None),
                (7, 250, None),
                (50, 0, expected[40]),
            ]
            for limit, offset, after in pages:
                query = IncidentQuery(
                    bbox=bbox, category=uid, policy=policy, limit=limit, offset=offset, after=after
                )
                page = query_incidents(session, query)
                start = offset if after is None else expected.index(after) + 1
                assert page.number_matched == len(expected)
                assert [r.id for r in page.rows] == [k[1] for k in expected[start:][:limit]]


def test_open_incidents_are_read_however_old(
    app: FastAPI, district: shapely.Geometry, uid: str
) -> None:
    """A briefing reads a year and a month back, and every older incident still open."""
    x, y = district.representative_point().coords[0]
    old, recent = datetime(2019, 5, 1), datetime(2033, 5, 1)
    statuses = {"old-open": (old, "open"), "old-none": (old, None), "old-closed": (old, "已办结"),
                "old-done": (old, " Closed "), "new-closed": (recent, "closed"),
                "new-open": (recent, "处置中")}  # fmt: skip
    records = [
        {"id": f"{uid}-{k}", "time": t, "category": uid, "lon": x, "lat": y, "status": s}
        for k, (t, s) in statuses.items()
    ]
    with app.state.sessions() as session:
        create_incidents(session, records, author="test", policy=None)
        session.commit()
    policy = Jurisdiction(area=district, role="commander")
    start = datetime(2033, 1, 1)
    with app.state.sessions() as session:
        both = IncidentQuery(start=start, category=uid, policy=policy, open_before=True)
        frame = incident_frame(session, both)
        page = query_incidents(session, both)
        recent_only = query_incidents(session, replace(both, open_before=False))
    wanted = {f"{uid}-{k}" for k in ("old-open", "old-none", "new-closed", "new-open")}
    assert set(frame["id"]) == wanted
    assert {r.id for r in page.rows} == wanted and page.number_matched == 4
    assert {r.id for r in recent_only.rows} == {f"{uid}-new-closed", f"{uid}-new-open"}
