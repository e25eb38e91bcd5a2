"""Mapbox vector tiles ``/tiles/{layer}/{z}/{x}/{y}.pbf`` for large layers.

PostGIS builds the tile itself (``ST_AsMVT``); on SQLite the features of the tile are read
with the same bbox query as everywhere else, clipped with shapely and encoded with
mapbox-vector-tile.  Only public attributes go into tiles, and only features inside the
reader's jurisdiction.

Attribute names never become SQL: on PostGIS the public attributes are one ``jsonb``
column (``ST_AsMVT`` turns its keys into tile attributes), so a name that is empty, longer
than 63 bytes or full of quotes is data like any other.  Each tile costs at most what one
simplified pass over its features costs: geometries are simplified to a pixel of the
tile's zoom first, and the finished tile is kept per layer *version*, zoom, tile and
jurisdiction (:class:`TileCache`), so a new version is never served stale and an old one is
never built twice.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import shapely
from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.geometry import SRID
from api.policy import Jurisdiction, JurisdictionDep
from api.privacy import is_personal, public_frame
from api.store import layers as store
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError

router = APIRouter(prefix="/tiles", tags=["tiles"])
MVT = "application/vnd.mapbox-vector-tile"
EXTENT = 4096
BUFFER = 64
HALF = 20037508.342789244
CACHE_BYTES = 64 * 2**20
"""Tiles kept per process, at most (least recently used go first)."""

TileKey = tuple[str, int, int, int, int, str]
"""(layer, version, z, x, y, jurisdiction digest)."""


class TileCache:
    """Finished tiles by :data:`TileKey`, bounded in bytes, safe across threads."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._tiles: OrderedDict[TileKey, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: TileKey) -> bytes | None:
        with self._lock:
            data = self._tiles.get(key)
            if data is None:
                self.misses += 1
                return None
            self._tiles.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: TileKey, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            old = self._tiles.pop(key, None)
            self._size += len(data) - (len(old) if old is not None else 0)
            self._tiles[key] = data
            while self._size > self.max_bytes:
                _, dropped = self._tiles.popitem(last=False)
                self._size -= len(dropped)


def pixel_m(z: int) -> float:
    """One tile pixel at zoom ``z``, in EPSG:3857 metres: the simplification tolerance."""
    return 2 * HALF / 2**z / EXTENT


def _cache(request: Request) -> TileCache:
    state = request.app.state
    if not hasattr(state, "tile_cache"):
        state.tile_cache = TileCache()
    cache: TileCache = state.tile_cache
    return cache


def degree_tolerance(z: int, y: int) -> float:
    """Half a pixel of zoom ``z`` as degrees, never more than half a pixel in EPSG:3857
    anywhere in tile row ``y`` and its buffer.

    A longitude degree is ``HALF / 180`` Mercator metres; a latitude degree is that over
    ``cos(lat)``, longest at the row's highest latitude, so that latitude sets it.
    """
    n = 2**z
    pad = BUFFER / EXTENT
    rows = (min(max(y - pad, 0.0), n), min(max(y + 1 + pad, 0.0), n))
    lat = max(abs(math.atan(math.sinh(math.pi * (1 - 2 * j / n)))) for j in rows)
    return pixel_m(z) / 2 * math.cos(lat) / (HALF / 180)


def generalised(geoms: np.ndarray, zxy: tuple[int, int, int]) -> np.ndarray:
    """WGS84 geometries as EPSG:3857, simplified to a pixel of the tile's zoom.

    Thinned first: coordinates snapped to a grid of :func:`degree_tolerance` (each moves
    at most a third of a pixel) and repeats dropped, so projecting and the
    topology-preserving pass at one pixel see a few vertices, not a million.  A feature
    thinned away (smaller than a pixel) is kept as its envelope, as PostGIS's
    ``ST_Simplify(..., preserveCollapsed)`` keeps it, so small defects stay visible.
    """
    z, _, y = zxy
    snapped = shapely.set_precision(geoms, degree_tolerance(z, y), mode="pointwise")
    thin = shapely.remove_repeated_points(snapped)
    collapsed = shapely.is_empty(thin) & ~shapely.is_empty(geoms)
    thin[collapsed] = shapely.envelope(geoms[collapsed])
    metric = gpd.GeoSeries(thin, crs=SRID).to_crs(3857).to_numpy()
    return shapely.simplify(metric, pixel_m(z))


def _area_key(policy: Jurisdiction) -> str:
    area = policy.area
    return "all" if area is None else hashlib.sha1(shapely.to_wkb(area)).hexdigest()


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * HALF / 2**z
    return (-HALF + x * size, HALF - (y + 1) * size, -HALF + (x + 1) * size, HALF - y * size)


def tile_bounds_4326(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    def lon(i: int) -> float:
        return i / 2**z * 360.0 - 180.0

    def lat(j: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * j / 2**z))))

    return lon(x), lat(y + 1), lon(x + 1), lat(y)


@router.get("/{layer_id}/{z}/{x}/{y}.pbf", response_class=Response)
def tile(
    layer_id: str,
    z: Annotated[int, Path(ge=0, le=22)],
    x: Annotated[int, Path(ge=0, le=2**22)],
    y: Annotated[int, Path(ge=0, le=2**22)],
    request: Request,
    session: SessionDep,
    policy: JurisdictionDep,
) -> Response:
    """One vector tile (one MVT layer named after the layer; ``id`` and public fields)."""
    if x >= 2**z or y >= 2**z:
        raise ConfigError(f"tile {z}/{x}/{y} does not exist: x and y must be below {2**z}")
    layer = store.get_layer(session, layer_id)
    version = layer.head_version
    key: TileKey = (layer.id, version, z, x, y, _area_key(policy))
    cache = _cache(request)
    data = cache.get(key)
    if data is None:
        if session.get_bind().dialect.name == "postgresql":
            data = _postgis_tile(session, layer.id, layer.kind, version, (z, x, y), policy)
        else:
            data = _shapely_tile(session, layer.id, layer.kind, version, (z, x, y), policy)
        cache.put(key, data)
    return Response(content=data, media_type=MVT, headers={"X-Layer-Version": str(version)})


def _shapely_tile(
    session: Session,
    layer_id: str,
    kind: str,
    version: int,
    zxy: tuple[int, int, int],
    policy: Jurisdiction,
) -> bytes:
    import mapbox_vector_tile

    query = FeatureQuery(version=version, bbox=tile_bounds_4326(*zxy), policy=policy)
    frame = public_frame(read_features(session, layer_id, query).frame, kind=kind)
    if frame.empty:
        return b""
    bounds = tile_bounds_3857(*zxy)
    pad = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    simple = generalised(frame.geometry.to_numpy(), zxy)
    geoms = shapely.clip_by_rect(
        simple, bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad
    )
    props = frame.drop(columns=frame.geometry.name).astype(object)
    props = props.where(props.notna(), None).to_dict(orient="records")
    features = [
        {"geometry": g, "properties": {k: v for k, v in p.items() if v is not None}}
        for g, p in zip(geoms, props, strict=True)
        if not g.is_empty
    ]
    layer = {"name": layer_id, "features": features}
    options = {"quantize_bounds": bounds, "extents": EXTENT, "y_coord_down": False}
    return bytes(mapbox_vector_tile.encode([layer], default_options=options))


def _postgis_tile(
    session: Session,
    layer_id: str,
    kind: str,
    version: int,
    zxy: tuple[int, int, int],
    policy: Jurisdiction,
) -> bytes:
    keys = session.scalars(
        text(
            "SELECT DISTINCT k FROM features, json_object_keys(properties) AS k "
            "WHERE layer_id = :layer AND version_from <= :v "
            "AND (version_to IS NULL OR version_to > :v)"
        ),
        {"layer": layer_id, "v": version},
    ).all()
    hidden = [k for k in keys if k == "id" or is_personal(k, kind=kind)]
    where_area, area_params = policy.sql_text("geom")
    sql = f"""
        SELECT ST_AsMVT(q, :name, {EXTENT}, 'geom') FROM (
          SELECT fid AS id, properties::jsonb - CAST(:hidden AS text[]) AS attributes,
                 ST_AsMVTGeom(
                   ST_Simplify(
                     ST_Transform(ST_Simplify(geom, :thin, true), 3857), :tolerance, true
                   ),
                   ST_TileEnvelope(:z, :x, :y), {EXTENT}, {BUFFER}, true) AS geom
          FROM features
          WHERE layer_id = :layer AND version_from <= :v
            AND (version_to IS NULL OR version_to > :v)
            AND geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}),
                                     {SRID}){where_area}
        ) AS q WHERE q.geom IS NOT NULL
    """
    z, x, y = zxy
    params: dict[str, Any] = {"name": layer_id, "layer": layer_id, "v": version, "z": z, "x": x}
    params |= {"y": y, "hidden": hidden, "tolerance": pixel_m(z), "thin": degree_tolerance(z, y)}
    params |= area_params
    data = session.scalar(text(sql), params)
    return bytes(data or b"")
