"""Incidents: bulk create, query by bbox, time window, category and grid."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from api.geometry import SRID
from api.models import Incident
from api.store import audit
from api.store.locate import locate_points
from gis.errors import ConflictError, FieldError, NotFoundError, PermissionDenied


@dataclass(frozen=True)
class IncidentQuery:
    bbox: tuple[float, float, float, float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    category: str | None = None
    grid_id: str | None = None
    within: BaseGeometry | None = None
    limit: int = 1000
    offset: int = 0


def _refuse_used_ids(session: Session, ids: list[str], *, area: BaseGeometry | None) -> None:
    """Repeats within the batch first (422, from the batch alone); then ids already stored
    (409), named only when the caller may see that incident, so no answer tells whether
    an id exists outside the caller's jurisdiction."""
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise FieldError.single(
            "incidents", f"ids repeated in this batch: {repeated[:10]} (批次内编号重复)", field="id"
        )
    taken = session.execute(select(Incident.id, Incident.geom).where(Incident.id.in_(ids))).all()
    if not taken:
        return
    seen = [i for i, g in taken if area is None or shapely.intersects(area, g)]
    hidden = len(taken) - len(seen)
    named = f"{sorted(seen)[:10]}" if seen else ""
    more = f" and {hidden} more" if hidden and seen else (f"{hidden}" if hidden else "")
    raise ConflictError(f"incident ids already used: {named}{more} (编号已被使用)")


def create_incidents(
    session: Session,
    records: Sequence[dict[str, Any]],
    *,
    author: str,
    area: BaseGeometry | None,
    grid_layer: str | None = None,
) -> int:
    """Insert incidents; all must lie in ``area`` (None: anywhere) and have new ids."""
    lon = np.array([r["lon"] for r in records], dtype=float)
    lat = np.array([r["lat"] for r in records], dtype=float)
    points = shapely.points(lon, lat)
    if area is not None:
        outside = ~shapely.intersects(area, points)
        if outside.any():
            raise PermissionDenied(f"{int(outside.sum())} incidents lie outside your jurisdiction")
    ids = [r["id"] for r in records]
    _refuse_used_ids(session, ids, area=area)
    grids = (
        locate_points(session, grid_layer, lon, lat).ids if grid_layer else [None] * len(records)
    )
    rows = [
        {
            **r,
            "time": _naive(r["time"]),
            "grid_id": g,
            "geom": p,
            "created_by": author,
        }
        for r, g, p in zip(records, grids, points, strict=True)
    ]
    session.execute(insert(Incident), rows)
    audit.record(
        session, username=author, action="incident.create", target="incidents", n=len(rows)
    )
    return len(rows)


def query_incidents(session: Session, query: IncidentQuery) -> tuple[list[Incident], int]:
    """Matching incidents ordered by time, and how many match in all."""
    stmt = select(Incident)
    if query.start is not None:
        stmt = stmt.where(Incident.time >= _naive(query.start))
    if query.end is not None:
        stmt = stmt.where(Incident.time < _naive(query.end))
    if query.category is not None:
        stmt = stmt.where(Incident.category == query.category)
    if query.grid_id is not None:
        stmt = stmt.where(Incident.grid_id == query.grid_id)
    area = _area(query)
    if area is not None:
        minx, miny, maxx, maxy = area.bounds
        stmt = stmt.where(Incident.lon.between(minx, maxx), Incident.lat.between(miny, maxy))
    stmt = stmt.order_by(Incident.time, Incident.id)
    if session.get_bind().dialect.name == "postgresql" or area is None:
        if area is not None:
            stmt = stmt.where(func.ST_Intersects(Incident.geom, from_shape(area, srid=SRID)))
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = list(session.scalars(stmt.offset(query.offset).limit(query.limit)))
        return rows, int(total or 0)
    found = list(session.scalars(stmt))
    keep = shapely.intersects(area, shapely.points([r.lon for r in found], [r.lat for r in found]))
    found = [r for r, k in zip(found, np.atleast_1d(keep), strict=True) if k]
    return found[query.offset : query.offset + query.limit], len(found)


def get_incident(session: Session, incident_id: str, *, within: BaseGeometry | None) -> Incident:
    """One incident by id; NotFoundError also when it lies outside ``within`` (None: anywhere).

    Outside the reader's jurisdiction an incident answers as missing, so ids do not leak.
    """
    row = session.get(Incident, incident_id)
    if row is None or (
        within is not None and not within.intersects(shapely.Point(row.lon, row.lat))
    ):
        raise NotFoundError(f"incident {incident_id!r} does not exist")
    return row


def _area(query: IncidentQuery) -> BaseGeometry | None:
    area: BaseGeometry | None = None if query.bbox is None else box(*query.bbox)
    if query.within is not None:
        area = query.within if area is None else shapely.intersection(area, query.within)
    return area


def _naive(value: datetime) -> datetime:
    """Incident times are tz-naive local time (the layer convention); drop any offset."""
    return value.replace(tzinfo=None)
