"""Reading features: one version of a layer, filtered by bbox and by the reader's jurisdiction.

PostGIS does the spatial filtering in the database (GiST index, ``ST_Intersects`` and the
jurisdiction rule of :mod:`api.policy`); SQLite prefilters on the indexed bounding-box
columns and finishes with the same predicates in shapely, vectorized, so both backends
return the same features.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy import ColumnElement, LargeBinary, Select, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from api.geometry import SRID
from api.models import Feature
from api.store.features import rows_to_frame
from api.store.layers import get_layer, live_at, version_info

if TYPE_CHECKING:  # api.policy imports api.auth, which reads features through this module
    from api.policy import Jurisdiction

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class FeatureQuery:
    """What to read: a version (None = newest), a bbox in EPSG:4326 and the reader's policy.

    ``policy`` None reads everywhere; otherwise only the features inside it (the rule of
    :mod:`api.policy`: the neighbouring grids that only touch the jurisdiction stay hidden).
    """

    version: int | None = None
    bbox: BBox | None = None
    policy: Jurisdiction | None = None
    fids: tuple[str, ...] | None = None
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class FeaturePage:
    frame: gpd.GeoDataFrame
    number_matched: int
    version: int


def read_features(session: Session, layer_id: str, query: FeatureQuery) -> FeaturePage:
    """The features of one layer version that match ``query``, ordered by id."""
    layer = get_layer(session, layer_id)
    version = layer.head_version if query.version is None else query.version
    version_info(session, layer_id, version)  # raises NotFoundError for unknown versions
    stmt = select(Feature.fid, Feature.properties, Feature.geom).where(
        Feature.layer_id == layer_id, live_at(version)
    )
    if query.fids is not None:
        stmt = stmt.where(Feature.fid.in_(query.fids))
    policy = query.policy
    if policy is not None and policy.nowhere:
        return FeaturePage(rows_to_frame([], [], []), 0, version)
    bounds = query.bbox if policy is None else policy.bounds(query.bbox)
    if bounds is not None:
        stmt = _bbox_prefilter(stmt, bounds)
    stmt = stmt.order_by(Feature.fid)
    if session.get_bind().dialect.name == "postgresql":
        return _read_postgis(session, stmt, query, version)
    fids, props, geoms = _columns(session.execute(stmt).all())
    if bounds is not None and fids:
        fids, props, geoms = _take(fids, props, geoms, _exact(geoms, query))
    matched = len(fids)
    end = None if query.limit is None else query.offset + query.limit
    sl = slice(query.offset, end)
    return FeaturePage(rows_to_frame(fids[sl], props[sl], geoms[sl]), matched, version)


def _read_postgis(
    session: Session, stmt: Select[Any], query: FeatureQuery, version: int
) -> FeaturePage:
    if query.bbox is not None:
        stmt = stmt.where(func.ST_Intersects(Feature.geom, from_shape(box(*query.bbox), srid=SRID)))
    clause = None if query.policy is None else query.policy.sql(Feature.geom)
    if clause is not None:
        stmt = stmt.where(clause)
    matched = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    stmt = stmt.offset(query.offset)
    if query.limit is not None:
        stmt = stmt.limit(query.limit)
    fids, props, geoms = _columns(session.execute(stmt).all())
    return FeaturePage(rows_to_frame(fids, props, geoms), int(matched or 0), version)


def _exact(geoms: list[Any], query: FeatureQuery) -> np.ndarray:
    """The exact predicates: meets the bbox, and inside the reader's policy."""
    arr = np.asarray(geoms, dtype=object)
    keep = np.ones(arr.size, dtype=bool)
    if query.bbox is not None:
        keep &= shapely.intersects(arr, box(*query.bbox))
    if query.policy is not None:
        keep &= query.policy.keep(arr)
    return keep


def _bbox_prefilter(stmt: Select[Any], bounds: tuple[float, float, float, float]) -> Select[Any]:
    minx, miny, maxx, maxy = bounds
    return stmt.where(
        Feature.maxx >= minx, Feature.minx <= maxx, Feature.maxy >= miny, Feature.miny <= maxy
    )


def _columns(rows: Any) -> tuple[list[str], list[dict[str, Any]], list[Any]]:
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _take(
    fids: list[str], props: list[dict[str, Any]], geoms: list[Any], keep: np.ndarray
) -> tuple[list[str], list[dict[str, Any]], list[Any]]:
    idx = np.flatnonzero(keep)
    return [fids[i] for i in idx], [props[i] for i in idx], [geoms[i] for i in idx]


@dataclass(frozen=True)
class RowPage:
    """One keyset page as stored rows (ids ascending): what OGC items are written from."""

    fids: list[str]
    props: list[dict[str, Any]]
    geoms: list[Any]


def feature_rows(
    session: Session,
    layer_id: str,
    *,
    version: int,
    bbox: BBox | None,
    policy: Jurisdiction | None,
    after: str | None,
    limit: int,
    offset: int = 0,
) -> RowPage:
    """The next ``limit`` features with an id above ``after`` (keyset: a deep page costs what
    the first does), by the filters of :func:`read_features`.

    PostGIS filters and limits in the database.  SQLite narrows by the indexed bounding
    boxes and the id, then tests the exact predicates chunk by chunk and stops as soon as
    the page is full.  Rows are read as plain columns (no ORM objects): the properties as
    their stored JSON text, parsed in one call per chunk, the geometry as WKB, parsed by
    one vectorized ``shapely.from_wkb``.
    """
    if policy is not None and policy.nowhere:
        return RowPage([], [], [])
    postgis = session.get_bind().dialect.name == "postgresql"
    stmt = select(Feature.fid, _PROPERTIES, _wkb(postgis)).where(
        Feature.layer_id == layer_id, live_at(version)
    )
    if after is not None:
        stmt = stmt.where(Feature.fid > after)
    bounds = bbox if policy is None else policy.bounds(bbox)
    if bounds is not None:
        stmt = _bbox_prefilter(stmt, bounds)
    stmt = stmt.order_by(Feature.fid)
    query = FeatureQuery(version=version, bbox=bbox, policy=policy)
    connection = session.connection()
    if postgis or bounds is None:
        if postgis:
            stmt = _postgis_filters(stmt, query)
        return _row_page(connection.execute(stmt.offset(offset).limit(limit)).all())
    page = RowPage([], [], [])
    skip = offset
    for chunk in connection.execute(stmt).yield_per(max(limit, 500)).partitions():
        rows = _row_page(chunk)
        keep = np.flatnonzero(_exact(rows.geoms, query))
        take = keep[skip : skip + limit - len(page.fids)]
        skip = max(0, skip - keep.size)
        page.fids.extend(rows.fids[i] for i in take)
        page.props.extend(rows.props[i] for i in take)
        page.geoms.extend(rows.geoms[i] for i in take)
        if len(page.fids) >= limit:
            break
    return page


_PROPERTIES = cast(Feature.properties, Text)
"""The properties as their stored JSON text: a chunk of them is parsed by one ``json.loads``
(several times faster than a result processor decoding row by row)."""


def _wkb(postgis: bool) -> ColumnElement[Any]:
    return func.ST_AsBinary(Feature.geom, type_=LargeBinary) if postgis else _WKB


def _row_page(rows: Sequence[Any]) -> RowPage:
    """Rows of (fid, properties as JSON text, WKB) as a page of parsed values."""
    if not rows:
        return RowPage([], [], [])
    texts = ",".join("null" if r[1] is None else r[1] for r in rows)
    props = [p or {} for p in json.loads(f"[{texts}]")]
    wkb = np.fromiter((None if r[2] is None else bytes(r[2]) for r in rows), dtype=object)
    return RowPage([r[0] for r in rows], props, list(shapely.from_wkb(wkb)))


def count_features(
    session: Session, layer_id: str, *, version: int, bbox: BBox | None, policy: Jurisdiction | None
) -> int:
    """How many features :func:`feature_rows` pages through (all pages together)."""
    if policy is not None and policy.nowhere:
        return 0
    query = FeatureQuery(version=version, bbox=bbox, policy=policy)
    bounds = bbox if policy is None else policy.bounds(bbox)
    postgis = session.get_bind().dialect.name == "postgresql"
    if postgis or bounds is None:
        stmt = select(func.count()).where(Feature.layer_id == layer_id, live_at(version))
        if bounds is not None:
            stmt = _postgis_filters(_bbox_prefilter(stmt, bounds), query)
        return int(session.scalar(stmt) or 0)
    shapes_stmt: Select[Any] = select(_WKB).where(Feature.layer_id == layer_id, live_at(version))
    total = 0
    rows = session.connection().execute(_bbox_prefilter(shapes_stmt, bounds))
    for chunk in rows.yield_per(10_000).partitions():
        shapes = shapely.from_wkb(np.asarray([r[0] for r in chunk], dtype=object))
        total += int(np.count_nonzero(_exact(list(shapes), query)))
    return total


_WKB = type_coerce(Feature.geom, LargeBinary)
"""SQLite: the stored WKB as bytes, parsed by one vectorized ``shapely.from_wkb`` per chunk
instead of one call per row."""


def _postgis_filters(stmt: Select[Any], query: FeatureQuery) -> Select[Any]:
    if query.bbox is not None:
        stmt = stmt.where(func.ST_Intersects(Feature.geom, from_shape(box(*query.bbox), srid=SRID)))
    clause = None if query.policy is None else query.policy.sql(Feature.geom)
    return stmt if clause is None else stmt.where(clause)


def visible_extent(
    session: Session, layer_id: str, *, version: int, policy: Jurisdiction | None
) -> BBox | None:
    """The bounding box of the features of ``version`` inside ``policy`` (None: none visible)."""
    live = (Feature.layer_id == layer_id, live_at(version))
    if policy is not None and policy.nowhere:
        return None
    if policy is None or policy.unrestricted:
        stmt = select(
            func.min(Feature.minx), func.min(Feature.miny), func.max(Feature.maxx),
            func.max(Feature.maxy),
        ).where(*live)  # fmt: skip
        return _box(session.execute(stmt).one())
    if session.get_bind().dialect.name == "postgresql":
        extent = func.ST_Extent(Feature.geom)
        stmt = select(
            func.ST_XMin(extent), func.ST_YMin(extent), func.ST_XMax(extent), func.ST_YMax(extent)
        ).where(*live, policy.sql(Feature.geom))  # type: ignore[arg-type]
        return _box(session.execute(stmt).one())
    bounds = policy.bounds()
    assert bounds is not None
    boxes_stmt: Select[*tuple[Any, ...]] = select(
        Feature.minx, Feature.miny, Feature.maxx, Feature.maxy, _WKB
    ).where(*live)
    found: list[np.ndarray] = []
    rows = session.connection().execute(_bbox_prefilter(boxes_stmt, bounds))
    for chunk in rows.yield_per(10_000).partitions():
        wkb: list[Any] = [r[4] for r in chunk]
        keep = policy.keep(shapely.from_wkb(np.array(wkb, dtype=object)))
        found.append(np.array([tuple(r)[:4] for r in chunk], dtype=float).reshape(-1, 4)[keep])
    boxes = np.concatenate(found) if found else np.empty((0, 4))
    if not len(boxes):
        return None
    return (
        float(boxes[:, 0].min()), float(boxes[:, 1].min()),
        float(boxes[:, 2].max()), float(boxes[:, 3].max()),
    )  # fmt: skip


def _box(row: Any) -> BBox | None:
    if row is None or row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
