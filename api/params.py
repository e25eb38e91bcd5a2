"""Request parameters parsed once (tipg's ``dependencies`` style): bbox, datetime, cursors,
geometries.

Each parser turns the raw text into a typed value or raises :class:`gis.errors.ConfigError`
naming the parameter and the value, which the service answers with 422 and its one error
shape (``{"detail": …, "error": "ConfigError", …}``).  A non-finite number in a query
parameter (``nan``, ``inf``, ``1e999``) is refused here; in a JSON body it is refused once,
before any route, by :mod:`api.limits`, and FastAPI's own 422 is made JSON-safe in one
place, :mod:`api.errors`.

Routes take the ``Annotated`` aliases: ``bbox: BBoxDep``, ``interval: DatetimeDep``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import pandas as pd
import shapely
from fastapi import Depends, Query
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gis.errors import ConfigError, GeometryError

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Interval:
    """An OGC ``datetime``: both None (none given), an instant (start == end) or a range."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def instant(self) -> bool:
        return self.start is not None and self.start == self.end


def parse_bbox(text: str | None) -> BBox | None:
    """``"minx,miny,maxx,maxy"`` → a tuple of four finite numbers with min <= max (else 422).

    Examples
    --------
    >>> parse_bbox("118.7,32.0,118.72,32.02")
    (118.7, 32.0, 118.72, 32.02)
    """
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise ConfigError(f"bbox {text!r}: four comma-separated numbers expected") from None
    if len(values) != 4:
        raise ConfigError(f"bbox {text!r}: four comma-separated numbers expected")
    if not all(math.isfinite(v) for v in values):
        raise ConfigError(f"bbox {text!r}: every number must be finite")
    if values[0] > values[2] or values[1] > values[3]:
        raise ConfigError(f"bbox {text!r}: expected minx,miny,maxx,maxy with min <= max")
    return values[0], values[1], values[2], values[3]


def parse_interval(text: str | None) -> Interval:
    """OGC ``datetime``: an instant, or ``start/end`` with ``..`` (or nothing) for open ends."""
    if text is None:
        return Interval()
    parts = text.split("/")
    if len(parts) > 2:
        raise ConfigError(f"datetime {text!r}: an instant or start/end expected")
    try:
        stamps = [None if p in ("", "..") else pd.Timestamp(p).to_pydatetime() for p in parts]
    except ValueError:
        raise ConfigError(f"datetime {text!r}: not RFC 3339") from None
    if any(s is pd.NaT for s in stamps):
        raise ConfigError(f"datetime {text!r}: not RFC 3339")
    if len(stamps) == 1:
        return Interval(stamps[0], stamps[0])
    return Interval(stamps[0], stamps[1])


def parse_shape(value: dict[str, Any] | str, *, field: str) -> BaseGeometry:
    """GeoJSON dict or WKT string → a valid, non-empty shapely geometry (else 422)."""
    try:
        geom = shapely.from_wkt(value) if isinstance(value, str) else shape(value)
    except Exception as exc:  # malformed WKT / GeoJSON of any kind
        raise GeometryError.single("request", f"{field}: cannot read the geometry: {exc}") from None
    if geom is None or geom.is_empty:
        raise GeometryError.single("request", f"{field}: the geometry is empty")
    return geom


async def bbox_query(
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in WGS84", pattern=r"^[-0-9.,eE+ ]+$", max_length=200
        ),
    ] = None,
) -> BBox | None:
    """Parsed on the event loop, as every dependency that does no I/O is here: FastAPI
    runs a synchronous dependency in a worker thread, a hop that costs more CPU than
    the parse."""
    return parse_bbox(bbox)


async def datetime_query(
    datetime_: Annotated[
        str | None,
        Query(alias="datetime", max_length=100, description="RFC 3339 instant or start/end"),
    ] = None,
) -> Interval:
    return parse_interval(datetime_)


BBoxDep = Annotated[BBox | None, Depends(bbox_query)]
DatetimeDep = Annotated[Interval, Depends(datetime_query)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


def cursor(time: datetime, ident: str) -> str:
    """The keyset cursor after one row of a ``(time, id)`` ordering: ``"<time>,<id>"``."""
    return f"{time.isoformat()},{ident}"


def parse_cursor(text: str | None) -> tuple[datetime, str] | None:
    """``"<time>,<id>"`` (a ``next`` value) → ``(time, id)``; a malformed one is a 422."""
    if text is None:
        return None
    stamp, sep, ident = text.partition(",")
    try:
        time = datetime.fromisoformat(stamp)
    except ValueError:
        time = None
    if not sep or not ident or time is None:
        raise ConfigError(f"after {text!r}: the 'next' value of a previous page expected")
    return time, ident
