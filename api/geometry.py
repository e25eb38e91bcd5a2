"""One geometry column type for both backends.

On PostgreSQL it is a PostGIS ``geometry(GEOMETRY, 4326)`` (GeoAlchemy2), indexed with
GiST by the migrations; on SQLite it is the WKB in a BLOB, and spatial work is done with
shapely.  Either way Python sees shapely geometries in WGS84 (EPSG:4326): the service
stores every layer in WGS84 and remembers the layer's source CRS beside it.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SRID = 4326


class GeometryType(TypeDecorator[BaseGeometry]):
    """A shapely geometry stored as PostGIS geometry or as WKB, by dialect."""

    impl = LargeBinary
    cache_ok = True
    # Read by GeoAlchemy2's DDL hooks: the migrations own the column and its GiST index.
    spatial_index = False
    use_typmod = None

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # GeoAlchemy2's DDL hooks call this with dialect=None; they must not manage the column.
        if dialect is None:
            return LargeBinary()
        if dialect.name == "postgresql":
            # spatial_index=False: the migrations create the GiST index themselves.
            return dialect.type_descriptor(Geometry(srid=SRID, spatial_index=False))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return from_shape(value, srid=SRID)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        return shapely.from_wkb(bytes(value))
