"""Reading features: one version of a layer, filtered by bbox and by the reader's jurisdiction.

PostGIS does the spatial filtering in the database (GiST index, ``ST_Intersects`` and the
jurisdiction rule of :mod:`api.policy`); SQLite prefilters on the indexed bounding-box
columns and finishes with the same predicates in shapely, vectorized, so both backends
return the same features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy import Select, func, select
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
