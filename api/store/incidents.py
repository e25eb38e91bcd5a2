"""Incidents: bulk create, query by bbox, time window, category and grid."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import (
    Row,
    Select,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from api.db import serial_plan
from api.localtime import local_naive
from api.models import Incident
from api.store import audit
from api.store.locate import locate_points
from gis.briefing.labels import CLOSED
from gis.errors import ConflictError, FieldError, NotFoundError, PermissionDenied
from gis.i18n import Text

if TYPE_CHECKING:
    from api.policy import Jurisdiction

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class IncidentQuery:
    """Which incidents: bbox (WGS84), time window, category, grid, the reader's policy.

    ``after`` is a keyset cursor ``(time, id)``: the page starts after that incident in the
    ``(time, id)`` order (``offset`` still works, but walks past the skipped rows).
    """

    bbox: tuple[float, float, float, float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    category: str | None = None
    grid_id: str | None = None
    policy: Jurisdiction | None = None
    limit: int = 1000
    offset: int = 0
    after: tuple[datetime, str] | None = None
    count: bool = True
    """False: ``number_matched`` is not counted (-1), so a keyset page reads only its rows."""
    open_before: bool = False
    """True: incidents before ``start`` are matched too while their status is not closed
    (a briefing's 在办 list holds every open incident, however old)."""


@dataclass(frozen=True)
class IncidentPage:
    """The page's rows (columns of :data:`PAGE_COLUMNS`) and how many match in all."""

    rows: list[Row[Any]]
    number_matched: int

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts, for the response model to validate: pydantic reads a dict
        several times faster than a row's attributes (``from_attributes``), and
        ``Row._asdict`` builds its keys anew for every row."""
        return [dict(zip(PAGE_COLUMNS, r, strict=False)) for r in self.rows]  # rows of _ROWS


def _refuse_used_ids(session: Session, ids: list[str], *, policy: Jurisdiction | None) -> None:
    """Repeats within the batch first (422, from the batch alone); then ids already stored
    (409), named only when the caller may see that incident, so no answer tells whether
    an id exists outside the caller's jurisdiction."""
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise FieldError.single(
            "incidents", f"ids repeated in this batch: {repeated[:10]} (批次内编号重复)", field="id"
        )
    rows = session.execute(
        select(Incident.id, Incident.lon, Incident.lat).where(Incident.id.in_(ids))
    ).all()
    if not rows:
        return
    taken = [r[0] for r in rows]
    if policy is None:
        seen = taken
    else:
        visible = policy.mask(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
        seen = [i for i, v in zip(taken, visible, strict=True) if v]
    hidden = len(taken) - len(seen)
    named = f"{sorted(seen)[:10]}" if seen else ""
    more = f" and {hidden} more" if hidden and seen else (f"{hidden}" if hidden else "")
    more_zh = f" 等，另有 {hidden} 个" if hidden and seen else (f"{hidden} 个" if hidden else "")
    raise ConflictError(
        str(Text(f"警情编号已被使用：{named}{more_zh}", f"incident ids used: {named}{more}"))
    )


def create_incidents(
    session: Session,
    records: Sequence[dict[str, Any]],
    *,
    author: str,
    policy: Jurisdiction | None,
    grid_layer: str | None = None,
) -> int:
    """Insert incidents; all must lie inside ``policy`` (None: anywhere) and have new ids.

    "Inside" is the reading rule of :mod:`api.policy`, so a reporter sees what they record.
    """
    lon = np.array([r["lon"] for r in records], dtype=float)
    lat = np.array([r["lat"] for r in records], dtype=float)
    points = shapely.points(lon, lat)
    if policy is not None:
        outside = ~policy.mask(lon, lat)
        if outside.any():
            raise PermissionDenied(f"{int(outside.sum())} incidents lie outside your jurisdiction")
    ids = [r["id"] for r in records]
    _refuse_used_ids(session, ids, policy=policy)
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


PAGE_COLUMNS = (
    "id", "time", "category", "status", "address", "persons", "lon", "lat", "grid_id"
)  # fmt: skip
"""What a page of incidents holds (:class:`api.schemas.IncidentPublic`)."""

_ROWS = select(*(getattr(Incident, c) for c in PAGE_COLUMNS))
"""A page's rows as plain rows: no ORM objects, and the point is in ``lon``/``lat``, so
its WKB is neither sent nor parsed."""


def query_incidents(session: Session, query: IncidentQuery) -> IncidentPage:
    """Matching incidents ordered by ``(time, id)``, a page, and how many match in all.

    Everything is filtered in the database: on PostGIS the bbox and the jurisdiction rule
    run on the GiST index; on SQLite the database narrows by the indexed lon/lat columns
    and the exact test runs on those two columns in chunks (no WKB is parsed), then only
    the page's rows are loaded.
    """
    if _all_in_sql(session, query):  # one query for the page's full rows
        total, rows = _page_in_sql(session, _ROWS, query)
        return IncidentPage(list(session.execute(rows)), total)
    total, keys = _page_keys(session, query)
    return IncidentPage(_load(session, keys), total)


MAP_COLUMNS = ("id", "time", "category", "status", "grid_id", "lon", "lat")
"""What a map shows of an incident (no address, no persons)."""


def incident_map_rows(session: Session, query: IncidentQuery) -> tuple[list[Any], int]:
    """A page like :func:`query_incidents`, as plain rows of :data:`MAP_COLUMNS` (no ORM
    objects, no geometry parsed), and how many match (-1 when ``query.count`` is False)."""
    total, keys = _page_keys(session, query)
    if not keys:
        return [], total
    columns = [getattr(Incident, c) for c in MAP_COLUMNS]
    found = {r[0]: r for r in session.execute(select(*columns).where(Incident.id.in_(keys)))}
    return [found[k] for k in keys], total


def _all_in_sql(session: Session, query: IncidentQuery) -> bool:
    """Whether the database filters alone decide (PostGIS, or no exact test to run)."""
    policy = query.policy
    if policy is not None and policy.nowhere:
        return False
    exact = policy is not None and not policy.unrestricted
    return not exact or session.get_bind().dialect.name == "postgresql"


def _page_in_sql(session: Session, stmt: _S, query: IncidentQuery) -> tuple[int, _S]:
    """How many match (-1 when not counted), and the page's statement, filtered in SQL."""
    if query.count and query.policy is not None and not query.policy.unrestricted:
        serial_plan(session)
    counted = _in_sql(select(func.count()).select_from(Incident), query)
    total = int(session.scalar(counted) or 0) if query.count else -1
    return total, _paged(_in_sql(stmt, query), query)


def _in_sql(stmt: _S, query: IncidentQuery) -> _S:
    """:func:`_filtered` and the jurisdiction's rule (PostGIS, or unrestricted)."""
    stmt = _filtered(stmt, query)
    policy = query.policy
    if policy is not None and not policy.unrestricted:
        stmt = stmt.where(policy.sql_points(Incident.lon, Incident.lat))  # type: ignore[arg-type]
    return stmt


def _page_keys(session: Session, query: IncidentQuery) -> tuple[int, list[str]]:
    policy = query.policy
    if policy is not None and policy.nowhere:
        return 0, []
    if _all_in_sql(session, query):
        total, page = _page_in_sql(session, select(Incident.time, Incident.id), query)
        return total, [r[1] for r in session.execute(page)]
    assert policy is not None
    if not query.count:
        return -1, _scan_sqlite(session, query, policy)
    counted = _count_sqlite(session, query, policy)
    return counted[0], _scan_sqlite(session, query, policy, counted=counted)


def incident_frame(session: Session, query: IncidentQuery) -> gpd.GeoDataFrame:
    """Every matching incident (no paging) as a frame for the engines: id, time, category,
    grid_id, status and the point (WGS84); personal fields are not read.

    Filtered in the database like :func:`query_incidents`; on SQLite the exact test runs
    chunk by chunk on the coordinates, so only incidents inside are ever kept.
    """
    policy = query.policy
    columns = (Incident.id, Incident.time, Incident.category, Incident.grid_id, Incident.status)
    stmt = _filtered(select(*columns, Incident.lon, Incident.lat), query)
    stmt = stmt.order_by(Incident.time, Incident.id)
    exact = policy is not None and not policy.unrestricted
    postgis = session.get_bind().dialect.name == "postgresql"
    if policy is not None and policy.nowhere:
        chunks: list[list[Any]] = []
    elif exact and postgis and policy is not None:
        rule = policy.sql_points(Incident.lon, Incident.lat)
        chunks = [list(session.execute(stmt.where(rule)))]  # type: ignore[arg-type]
    else:
        chunks = []
        for part in session.execute(stmt).yield_per(_CHUNK).partitions():
            rows = list(part)
            if exact and policy is not None:
                inside = policy.mask(np.array([r[5] for r in rows]), np.array([r[6] for r in rows]))
                rows = [r for r, k in zip(rows, inside, strict=True) if k]
            chunks.append(rows)
    rows = [r for chunk in chunks for r in chunk]
    names = ("id", "time", "category", "grid_id", "status")
    data = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    geometry = gpd.points_from_xy([r[5] for r in rows], [r[6] for r in rows], crs=4326)
    frame = gpd.GeoDataFrame(data, geometry=geometry, crs=4326)
    frame["time"] = pd.to_datetime(frame["time"])
    return frame


def _filtered(stmt: _S, query: IncidentQuery, *, by_time: bool = False) -> _S:
    """The attribute and bbox filters every backend runs in SQL.

    ``by_time``: the rows are read in ``(time, id)`` order and only until a page is full,
    so the bbox must not lead SQLite to the lon/lat index (then every row in the box is
    read and sorted for each page): ``lon + 0`` keeps it on the time index.
    """
    if query.start is not None:
        recent = Incident.time >= _naive(query.start)
        stmt = stmt.where(or_(recent, _still_open()) if query.open_before else recent)
    if query.end is not None:
        stmt = stmt.where(Incident.time < _naive(query.end))
    if query.category is not None:
        stmt = stmt.where(Incident.category == query.category)
    if query.grid_id is not None:
        stmt = stmt.where(Incident.grid_id == query.grid_id)
    bounds = query.bbox if query.policy is None else query.policy.bounds(query.bbox)
    if bounds is not None:
        # the numbers in the text: psycopg prepares a statement run five times, and the
        # generic plan of a box it cannot see guesses a few rows, reads them by the
        # lon/lat index and sorts all 28,000 of a district to return 100 (45 ms, 2 ms seen)
        minx, miny, maxx, maxy = (literal(float(v), literal_execute=True) for v in bounds)
        lon = (Incident.lon + 0) if by_time else Incident.lon
        stmt = stmt.where(lon.between(minx, maxx), Incident.lat.between(miny, maxy))
    return stmt


def _still_open() -> Any:
    """The status is not one of :data:`gis.briefing.labels.CLOSED` (as ``is_closed``)."""
    status = func.lower(func.trim(Incident.status))
    return or_(Incident.status.is_(None), status.not_in(sorted(CLOSED)))


def _paged(stmt: _S, query: IncidentQuery) -> _S:
    if query.after is not None:
        t, i = query.after
        stmt = stmt.where(tuple_(Incident.time, Incident.id) > tuple_(_naive(t), i))
    return stmt.order_by(Incident.time, Incident.id).offset(query.offset).limit(query.limit)


def _count_sqlite(session: Session, query: IncidentQuery, policy: Jurisdiction) -> tuple[int, int]:
    """SQLite: how many incidents match inside ``policy``, and how many lie in its box.

    The box is counted by the database; of its points only those outside every box of
    :meth:`Jurisdiction.interior` (near the boundary) are read and tested, a chunk of
    coordinates at a time.
    """
    base = _filtered(select(Incident.lon, Incident.lat), query)
    boxed = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    interior = policy.interior_clause(Incident.lon, Incident.lat)
    total = boxed
    for chunk in session.execute(base.where(not_(interior))).yield_per(_CHUNK).partitions():
        lon, lat = np.array([r[0] for r in chunk]), np.array([r[1] for r in chunk])
        total -= int(np.count_nonzero(~policy.mask(lon, lat)))
    return total, boxed


def _scan_sqlite(
    session: Session,
    query: IncidentQuery,
    policy: Jurisdiction,
    *,
    counted: tuple[int, int] | None = None,
) -> list[str]:
    """SQLite: the page of incidents inside ``policy``, read in ``(time, id)`` order a
    chunk at a time until it is full.

    ``counted`` (how many match, how many lie in the box): up to :data:`_SORTED` in the
    box, the box's rows are found by the lon/lat index and only as many as the page
    should need (by the share inside, with room) are sorted out, read again unbounded if
    that falls short; more (or uncounted), the rows are read along the time index, so a
    page costs its rows, not the box's.
    """
    by_time = counted is None or counted[1] > _SORTED
    stmt = _filtered(
        select(Incident.time, Incident.id, Incident.lon, Incident.lat), query, by_time=by_time
    )
    stmt = stmt.order_by(Incident.time, Incident.id)
    if query.after is not None:  # nothing before the cursor is needed
        t, i = query.after
        stmt = stmt.where(tuple_(Incident.time, Incident.id) > tuple_(_naive(t), i))
    bound = None
    if counted is not None and not by_time:
        share = counted[0] / max(counted[1], 1)
        bound = int((query.offset + query.limit) / max(share, 0.01) * 1.5) + 1000
    keys, read = _page_inside(session, stmt if bound is None else stmt.limit(bound), query, policy)
    if bound is not None and len(keys) < query.limit and read >= bound:
        keys, _ = _page_inside(session, stmt, query, policy)  # the guess fell short
    return keys


def _page_inside(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    query: IncidentQuery,
    policy: Jurisdiction,
) -> tuple[list[str], int]:
    """The page's ids among ``stmt``'s rows inside ``policy``, and how many rows were read."""
    keys = list[str]()
    skip, read = query.offset, 0
    result = session.execute(stmt).yield_per(max(2 * query.limit, 2000))
    for chunk in result.partitions():
        read += len(chunk)
        inside = policy.mask(np.array([r[2] for r in chunk]), np.array([r[3] for r in chunk]))
        rows = [r for r, k in zip(chunk, inside, strict=True) if k]
        take = rows[skip:][: max(0, query.limit - len(keys))]
        skip = max(0, skip - len(rows))
        keys += [r[1] for r in take]
        if len(keys) >= query.limit:
            break
    return keys, read


_SORTED = 200_000
_CHUNK = 50_000


def _load(session: Session, ids: list[str]) -> list[Row[Any]]:
    """The rows of one page, in the page's order."""
    if not ids:
        return []
    found = {r.id: r for r in session.execute(_ROWS.where(Incident.id.in_(ids)))}
    return [found[i] for i in ids]


def get_incident(session: Session, incident_id: str, *, policy: Jurisdiction | None) -> Incident:
    """One incident by id; NotFoundError also when it lies outside ``policy`` (None: anywhere).

    Outside the reader's jurisdiction an incident answers as missing, so ids do not leak.
    """
    row = session.get(Incident, incident_id)
    if row is None or (
        policy is not None and not policy.mask(np.array([row.lon]), np.array([row.lat]))[0]
    ):
        raise NotFoundError(f"incident {incident_id!r} does not exist")
    return row


def _naive(value: datetime) -> datetime:
    """Incident times are tz-naive local time (the layer convention): a zoned time is
    converted to the local zone (:func:`api.localtime.local_naive`)."""
    return local_naive(value)


def incident_extent(
    session: Session, policy: Jurisdiction | None
) -> tuple[float, float, float, float] | None:
    """The bounding box of the incidents inside ``policy`` (None: none visible)."""
    if policy is not None and policy.nowhere:
        return None
    corners = (func.min(Incident.lon), func.min(Incident.lat), func.max(Incident.lon),
               func.max(Incident.lat))  # fmt: skip
    exact = policy is not None and not policy.unrestricted
    if not exact or session.get_bind().dialect.name == "postgresql":
        stmt = select(*corners)
        if exact and policy is not None:
            stmt = stmt.where(policy.sql_points(Incident.lon, Incident.lat))  # type: ignore[arg-type]
        row = session.execute(stmt).one()
        return None if row[0] is None else (row[0], row[1], row[2], row[3])
    assert policy is not None
    points: Select[*tuple[Any, ...]] = select(Incident.lon, Incident.lat)
    stmt = _filtered(points, IncidentQuery(policy=policy))
    lo = np.array([np.inf, np.inf])
    hi = -lo
    for chunk in session.execute(stmt).yield_per(_CHUNK).partitions():
        xy = np.array([(r[0], r[1]) for r in chunk], dtype=float).reshape(-1, 2)
        xy = xy[policy.mask(xy[:, 0], xy[:, 1])]
        if len(xy):
            lo, hi = np.minimum(lo, xy.min(axis=0)), np.maximum(hi, xy.max(axis=0))
    if not np.isfinite(lo).all():
        return None
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
