"""Reading features: one version of a layer, filtered by bbox and by the reader's jurisdiction.

PostGIS does the spatial filtering in the database (GiST index, ``ST_Intersects``); SQLite
prefilters on the indexed bounding-box columns and finishes with one vectorized shapely
predicate, so both backends return the same features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.geometry import SRID
from api.models import Feature
from api.store.features import rows_to_frame
from api.store.layers import get_layer, live_at, version_info

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class FeatureQuery:
    """What to read: a version (None = newest), a bbox and a clip area in EPSG:4326.

    A feature is in ``within`` (the reader's jurisdiction) when it shares more than a
    boundary with it: the neighbouring grids that only touch the jurisdiction stay hidden.
    """

    version: int | None = None
    bbox: BBox | None = None
    within: BaseGeometry | None = None
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
    area = _area(query)
    if area is not None and area.is_empty:
        return FeaturePage(rows_to_frame([], [], []), 0, version)
    if area is not None:
        stmt = _bbox_prefilter(stmt, area.bounds)
    stmt = stmt.order_by(Feature.fid)
    if session.get_bind().dialect.name == "postgresql":
        return _read_postgis(session, stmt, area, query, version)
    rows = session.execute(stmt).all()
    fids, props, geoms = _columns(rows)
    if area is not None and fids:
        fids, props, geoms = _take(fids, props, geoms, _exact(geoms, query))
    matched = len(fids)
    end = None if query.limit is None else query.offset + query.limit
    sl = slice(query.offset, end)
    return FeaturePage(rows_to_frame(fids[sl], props[sl], geoms[sl]), matched, version)


def _read_postgis(
    session: Session,
    stmt: Select[Any],
    area: BaseGeometry | None,
    query: FeatureQuery,
    version: int,
) -> FeaturePage:
    if query.bbox is not None:
        stmt = stmt.where(func.ST_Intersects(Feature.geom, from_shape(box(*query.bbox), srid=SRID)))
    if query.within is not None:
        within = from_shape(query.within, srid=SRID)
        stmt = stmt.where(
            func.ST_Intersects(Feature.geom, within), ~func.ST_Touches(Feature.geom, within)
        )
    matched = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    stmt = stmt.offset(query.offset)
    if query.limit is not None:
        stmt = stmt.limit(query.limit)
    fids, props, geoms = _columns(session.execute(stmt).all())
    return FeaturePage(rows_to_frame(fids, props, geoms), int(matched or 0), version)


def _exact(geoms: list[Any], query: FeatureQuery) -> np.ndarray:
    """The exact predicate: meets the bbox, and shares more than a boundary with ``within``."""
    arr = np.asarray(geoms, dtype=object)
    keep = np.ones(arr.size, dtype=bool)
    if query.bbox is not None:
        keep &= shapely.intersects(arr, box(*query.bbox))
    if query.within is not None:
        keep &= inside(arr, query.within)
    return keep


def inside(geoms: Any, area: BaseGeometry | None) -> np.ndarray:
    """The jurisdiction rule: True where a geometry shares more than a boundary with ``area``.

    ``area`` None is unrestricted (all True).  Every reader of stored rows (features,
    waivers, notices) filters with this one predicate.
    """
    arr = np.asarray(geoms, dtype=object)
    if area is None:
        return np.ones(arr.size, dtype=bool)
    shapely.prepare(area)
    return np.asarray(shapely.intersects(arr, area) & ~shapely.touches(arr, area), dtype=bool)


def _area(query: FeatureQuery) -> BaseGeometry | None:
    """The bbox and the jurisdiction, intersected: the only place features may come from."""
    area: BaseGeometry | None = None if query.bbox is None else box(*query.bbox)
    if query.within is not None:
        area = query.within if area is None else shapely.intersection(area, query.within)
    return area


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
