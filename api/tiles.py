"""Mapbox vector tiles ``/tiles/{layer}/{z}/{x}/{y}.pbf`` for large layers.

PostGIS builds the tile itself (``ST_AsMVT``); on SQLite the features of the tile are read
with the same bbox query as everywhere else, clipped with shapely and encoded with
mapbox-vector-tile.  Only public attributes go into tiles, and only features inside the
reader's jurisdiction.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Path, Response
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
    session: SessionDep,
    policy: JurisdictionDep,
) -> Response:
    """One vector tile (one MVT layer named after the layer; ``id`` and public fields)."""
    if x >= 2**z or y >= 2**z:
        raise ConfigError(f"tile {z}/{x}/{y} does not exist: x and y must be below {2**z}")
    layer = store.get_layer(session, layer_id)
    if session.get_bind().dialect.name == "postgresql":
        data = _postgis_tile(session, layer.id, layer.kind, layer.head_version, (z, x, y), policy)
    else:
        data = _shapely_tile(session, layer.id, layer.kind, (z, x, y), policy)
    return Response(content=data, media_type=MVT)


def _shapely_tile(
    session: Session, layer_id: str, kind: str, zxy: tuple[int, int, int], policy: Jurisdiction
) -> bytes:
    import mapbox_vector_tile

    query = FeatureQuery(bbox=tile_bounds_4326(*zxy), policy=policy)
    frame = public_frame(read_features(session, layer_id, query).frame, kind=kind)
    if frame.empty:
        return b""
    bounds = tile_bounds_3857(*zxy)
    pad = (bounds[2] - bounds[0]) * BUFFER / EXTENT
    clip = shapely.box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    geoms = shapely.intersection(frame.to_crs(3857).geometry.to_numpy(), clip)
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
            "WHERE layer_id = :layer AND version_to IS NULL"
        ),
        {"layer": layer_id},
    ).all()
    public = [k for k in keys if not is_personal(k, kind=kind) and k != "id"]
    columns = "".join(
        f', properties->>:k{i} AS "{k.replace(chr(34), chr(34) * 2)}"' for i, k in enumerate(public)
    )
    where_area, area_params = policy.sql_text("geom")
    sql = f"""
        SELECT ST_AsMVT(q, :name, {EXTENT}, 'geom') FROM (
          SELECT fid AS id{columns},
                 ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y),
                              {EXTENT}, {BUFFER}, true) AS geom
          FROM features
          WHERE layer_id = :layer AND version_from <= :v
            AND (version_to IS NULL OR version_to > :v)
            AND geom && ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}),
                                     {SRID}){where_area}
        ) AS q WHERE q.geom IS NOT NULL
    """
    z, x, y = zxy
    params: dict[str, Any] = {"name": layer_id, "layer": layer_id, "v": version, "z": z, "x": x}
    params |= {"y": y, **{f"k{i}": k for i, k in enumerate(public)}}
    params |= area_params
    data = session.scalar(text(sql), params)
    return bytes(data or b"")
