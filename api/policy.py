"""Who may see and edit what: the one jurisdiction policy of the service.

Every route, job, tile and OGC path asks a :class:`Jurisdiction` (built from the current
user) instead of testing geometries itself.

The rule (one for every geometry kind, every backend)
----------------------------------------------------
A geometry is **inside** a jurisdiction when it shares more than a boundary with it: it
intersects the jurisdiction's *core*, the jurisdiction shrunk by ``BOUNDARY_DEG``
(1e-7°, about 1 cm).  So a neighbour's grid whose edge runs along the station's boundary
is *not* the station's, nor is a finding that is only a line on that boundary, nor a point
on it (within 1 cm).  A station's own grid on its boundary is inside: its interior is.

Why a 1 cm boundary and not the exact DE-9IM "intersects and not touches": geometries that
went through another CRS and back (check findings are computed in metres; layers come in
CGCS2000 or GCJ-02) land 1e-9° off the line they were drawn on, so an exact ``touches``
fails and a neighbour's grid or finding leaks in by a sliver of nanometres.  One centimetre
is far below digitizing accuracy and far above round-off.

- admins see everything (``area is None``);
- everyone else sees their jurisdiction; a user without one sees nothing (empty area);
- edits are guarded differently, by containment: every geometry an edit touches must lie
  inside the jurisdiction buffered by 1 m (digitizing noise), see :meth:`Jurisdiction.guard`.

On PostGIS the rule is one ``ST_Intersects(geom, core)`` in the database, on the GiST
index (:meth:`Jurisdiction.sql`).  SQLite has no spatial functions: the database narrows
by the indexed bounding-box columns (:meth:`Jurisdiction.bounds`) and
:meth:`Jurisdiction.keep` / :meth:`Jurisdiction.mask` finish with the same predicate in
shapely, vectorized.

Examples
--------
>>> from shapely import box
>>> station = Jurisdiction(area=box(0, 0, 1, 1))
>>> station.keep([box(1, 0, 2, 1), box(0.5, 0, 1.5, 1)]).tolist()
[False, True]
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import shapely
from fastapi import Depends
from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, TextClause, and_, false, func, or_, text

from api.auth import EDITABLE, EditGuard, Principal
from api.deps import get_user
from api.geometry import SRID
from gis.errors import PermissionDenied
from gis.layers import LayerKind

BBox = tuple[float, float, float, float]
BOUNDARY_DEG = 1e-7
"""How wide a boundary is (degrees, about 1 cm): what lies only within it is not inside."""


@functools.lru_cache(maxsize=256)
def _core(wkb: bytes, thread: int) -> BaseGeometry:
    """The area shrunk by the boundary width, prepared (cached: one per user area and
    thread, since GEOS builds a prepared geometry's index on first use and two threads
    doing so at once crash the process)."""
    core = shapely.buffer(shapely.from_wkb(wkb), -BOUNDARY_DEG, join_style="mitre")
    shapely.prepare(core)
    return core


@functools.lru_cache(maxsize=64)
def _interior(wkb: bytes, cells: int = 48) -> tuple[BBox, ...]:
    core = shapely.buffer(shapely.from_wkb(wkb), -BOUNDARY_DEG, join_style="mitre")
    minx, miny, maxx, maxy = core.bounds
    xs, ys = np.linspace(minx, maxx, cells + 1), np.linspace(miny, maxy, cells + 1)
    x0, y0 = np.meshgrid(xs[:-1], ys[:-1])
    x1, y1 = np.meshgrid(xs[1:], ys[1:])
    inside = shapely.contains(core, shapely.box(x0, y0, x1, y1))  # rows of cells by y
    inside = np.vstack([inside, np.zeros(cells, dtype=bool)])  # an empty row closes every run
    boxes: list[BBox] = []
    open_runs: dict[tuple[int, int], int] = {}  # run (first, end cell) → its first row
    for row in range(cells + 1):
        edges = np.flatnonzero(np.diff(np.r_[0, inside[row].astype(np.int8), 0]))
        runs = {(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)}
        for run in [r for r in open_runs if r not in runs]:  # a run ends: one box of its rows
            first = open_runs.pop(run)
            boxes.append((float(xs[run[0]]), float(ys[first]), float(xs[run[1]]), float(ys[row])))
        for run in runs - open_runs.keys():
            open_runs[run] = row
    boxes.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)  # largest first
    return tuple(boxes)


_BY_OBJECT: OrderedDict[tuple[int, int], tuple[BaseGeometry, BaseGeometry]] = OrderedDict()
_BY_OBJECT_LOCK = threading.Lock()


def _core_of(area: BaseGeometry) -> BaseGeometry:
    """:func:`_core` found by the area object itself first: a logged-in user's area is one
    object across requests (``api.auth.principal_for_token``), so a request does not
    serialize a large jurisdiction to WKB only to find its cached core."""
    with _BY_OBJECT_LOCK:
        hit = _BY_OBJECT.get((id(area), threading.get_ident()))
        if hit is not None and hit[0] is area:  # the entry holds the area: its id is not reused
            return hit[1]
    core = _core(shapely.to_wkb(area), threading.get_ident())
    with _BY_OBJECT_LOCK:
        _BY_OBJECT[(id(area), threading.get_ident())] = (area, core)
        while len(_BY_OBJECT) > 256:
            _BY_OBJECT.popitem(last=False)
    return core


_SQL_POINTS: OrderedDict[tuple[int, ...], tuple[tuple[Any, ...], TextClause]] = OrderedDict()
""":meth:`Jurisdiction.sql_points` by area and columns: a logged-in user's area is one
object across requests, and writing its clause (the core as WKB, the interior boxes as
text) would cost more Python than the rest of an incident page."""
_SQL_LOCK = threading.Lock()


def _points_clause(lon: Any, lat: Any, boxes: Sequence[BBox], core: bytes) -> TextClause:
    """``(lon, lat) in one of boxes OR ST_Intersects(point(lon, lat), core)`` as one text
    clause.

    The point is made from the two columns, not read from the geometry column: it is
    the same point, but reading the geometry makes PostgreSQL unpack every row up to
    that column, which took the count of a district's 28,000 incidents from 9-12 to
    17-29 ms.

    The boxes are written into the text as the floats' exact ``repr`` (numbers the
    raster made, not user input): with 68 bound values the query had more than psycopg
    caches the conversion of (50), and the same text per area lets it prepare the
    statement on the server.
    """

    def name(column: Any) -> str:
        return f"{column.table.name}.{column.name}"

    x, y = name(lon), name(lat)
    tests = [
        f"({x} BETWEEN {float(x0)!r} AND {float(x1)!r} AND {y} BETWEEN {float(y0)!r} AND "
        f"{float(y1)!r})"
        for x0, y0, x1, y1 in boxes
    ]
    point = f"ST_SetSRID(ST_MakePoint({x}, {y}), {SRID})"
    tests.append(f"ST_Intersects({point}, ST_GeomFromWKB(:jurisdiction_core, {SRID}))")
    return text("(" + " OR ".join(tests) + ")").bindparams(jurisdiction_core=core)


@dataclass(frozen=True)
class Jurisdiction:
    """What one user may see (``area``; None: everywhere) and which layer kinds they edit."""

    area: BaseGeometry | None
    editable: frozenset[str] = field(default_factory=frozenset)
    role: str = "admin"

    @classmethod
    def of(cls, user: Principal) -> Jurisdiction:
        """The policy of ``user``: admins unrestricted, others their jurisdiction (or nothing)."""
        return cls(area=user.read_area(), editable=EDITABLE[user.role], role=user.role)

    @classmethod
    def everywhere(cls) -> Jurisdiction:
        """No restriction (admins, and jobs that must see a whole district first)."""
        return cls(area=None, editable=frozenset(k.value for k in LayerKind))

    @property
    def unrestricted(self) -> bool:
        return self.area is None

    @property
    def nowhere(self) -> bool:
        return self.area is not None and self.core.is_empty

    @property
    def core(self) -> BaseGeometry:
        """What counts as inside: the area without its 1 cm boundary (empty: nowhere)."""
        if self.area is None:
            raise ValueError("an unrestricted jurisdiction has no core")
        if self.area.is_empty:
            return self.area
        return _core_of(self.area)

    # -- reading -----------------------------------------------------------------------

    def keep(self, geoms: Sequence[BaseGeometry | None] | np.ndarray) -> np.ndarray:
        """One bool per geometry (WGS84): inside by the rule of this module."""
        arr = np.asarray(geoms, dtype=object)
        if self.area is None:
            return np.ones(arr.size, dtype=bool)
        if self.nowhere or arr.size == 0:
            return np.zeros(arr.size, dtype=bool)
        return np.asarray(shapely.intersects(self.core, arr), dtype=bool)

    def clip(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The rows of ``frame`` inside (any CRS; tested in WGS84). Geometries are not cut."""
        if self.area is None or frame.empty:
            return frame
        geoms = frame.geometry if frame.crs is None else frame.geometry.to_crs(4326)
        return frame[self.keep(geoms.to_numpy())]

    def mask(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """One bool per point (WGS84 lon/lat): inside (a point on the boundary is out)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        if self.area is None:
            return np.ones(lon.size, dtype=bool)
        if self.nowhere or lon.size == 0:
            return np.zeros(lon.size, dtype=bool)
        return np.asarray(shapely.intersects_xy(self.core, lon, lat), dtype=bool)

    def sql(self, geom: Any) -> ColumnElement[bool] | None:
        """The rule as a PostGIS WHERE clause on ``geom`` (None: unrestricted).

        ``ST_Intersects`` with the core uses the GiST index.  A user without a
        jurisdiction gets ``false``.
        """
        if self.area is None:
            return None
        if self.nowhere:
            return false()
        result: ColumnElement[bool] = func.ST_Intersects(geom, from_shape(self.core, srid=SRID))
        return result

    def sql_points(self, lon: Any, lat: Any) -> ColumnElement[bool] | TextClause | None:
        """:meth:`sql` for points that also have plain ``lon``/``lat`` columns: a point in
        a box of :meth:`interior` is inside by two comparisons, so ``ST_Intersects``
        runs only near the boundary (None: unrestricted).

        PostGIS only.  One text clause (:func:`_points_clause`): as a tree of 70 bound
        values, each request spent more on SQLAlchemy's cache key and on psycopg's
        conversion of the query (which it does not cache past 50 values) than the
        database did on the page.
        """
        if self.area is None:
            return None
        if self.nowhere:
            return false()
        key = (id(self.area), id(lon), id(lat))
        with _SQL_LOCK:
            hit = _SQL_POINTS.get(key)
            held = (self.area, lon, lat)
            if hit is not None and all(a is b for a, b in zip(hit[0], held, strict=True)):
                return hit[1]  # the entry holds its keys' objects: their ids are not reused
        clause = _points_clause(lon, lat, self.interior(), shapely.to_wkb(self.core))
        with _SQL_LOCK:
            _SQL_POINTS[key] = ((self.area, lon, lat), clause)
            while len(_SQL_POINTS) > 256:
                _SQL_POINTS.popitem(last=False)
        return clause

    def sql_text(self, geom: str) -> tuple[str, dict[str, Any]]:
        """The rule as a raw-SQL fragment (``" AND …"``) and its parameters, for text queries."""
        if self.area is None:
            return "", {}
        if self.nowhere:
            return " AND false", {}
        core = f"ST_SetSRID(ST_GeomFromWKB(:jurisdiction), {SRID})"
        return f" AND ST_Intersects({geom}, {core})", {"jurisdiction": shapely.to_wkb(self.core)}

    def interior(self) -> tuple[BBox, ...]:
        """Boxes wholly inside the core (a 48 × 48 raster of its bounds; runs of inside
        cells merged along rows, equal runs of consecutive rows merged; largest first): on
        SQLite a point in one of them is inside without a test, so counting needs the
        exact test only near the boundary.  Empty when unrestricted."""
        if self.area is None or self.nowhere:
            return ()
        return _interior(shapely.to_wkb(self.area))

    def interior_clause(self, lon: Any, lat: Any) -> ColumnElement[bool]:
        """Points in a box of :meth:`interior` (inside without a test), as comparisons
        on plain ``lon``/``lat`` columns, for any database (``false`` when none)."""
        boxes = (
            and_(lon.between(x0, x1), lat.between(y0, y1)) for x0, y0, x1, y1 in self.interior()
        )
        return or_(false(), *boxes)

    def bounds(self, bbox: BBox | None = None) -> BBox | None:
        """The box anything visible lies in: ``bbox`` ∩ the area's bounds (None: anywhere).

        Callers test :attr:`nowhere` first (an empty area has no bounds).
        """
        area = None if self.area is None or self.nowhere else self.core.bounds
        boxes = [b for b in (bbox, area) if b is not None]
        if not boxes:
            return None
        minx = max(b[0] for b in boxes)
        miny = max(b[1] for b in boxes)
        maxx = min(b[2] for b in boxes)
        maxy = min(b[3] for b in boxes)
        return (minx, miny, maxx, maxy)

    # -- editing -----------------------------------------------------------------------

    def may_edit(self, kind: str) -> None:
        """Raise PermissionDenied unless this role edits ``kind`` layers."""
        if kind not in self.editable:
            raise PermissionDenied(f"a {self.role} user may not edit {kind} layers")

    def guard(self, geometry: BaseGeometry | Sequence[BaseGeometry]) -> None:
        """Raise PermissionDenied if any geometry an edit touches lies outside (1 m slack)."""
        geoms = [geometry] if isinstance(geometry, BaseGeometry) else list(geometry)
        EditGuard(self.area)(geoms)

    def edit_guard(self, kind: str) -> EditGuard:
        """The guard a store write calls, after checking the role may edit ``kind``."""
        self.may_edit(kind)
        return EditGuard(self.area)


async def get_jurisdiction(user: Annotated[Principal, Depends(get_user)]) -> Jurisdiction:
    """On the event loop: a dataclass of the principal's parsed area (no I/O, no geometry
    work), so a request does not pay a worker-thread hop for it."""
    return Jurisdiction.of(user)


JurisdictionDep = Annotated[Jurisdiction, Depends(get_jurisdiction)]
