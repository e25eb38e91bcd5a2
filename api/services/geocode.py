"""Geocoding against stored layers, limited to the reader's jurisdiction.

A point outside the jurisdiction (by the rule of :mod:`api.policy`) answers null, so
geocoding reveals nothing of a neighbour's layers.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.schemas import BatchGeocodePublic, BatchGeocodeRequest, GeocodePublic, GeocodeRequest
from api.store.locate import locate_points
from gis.errors import ConfigError


def locate_point(session: Session, *, req: GeocodeRequest, policy: Jurisdiction) -> GeocodePublic:
    """The area of each of ``req.layers`` holding the point, and how it was placed."""
    lon, lat = np.array([req.lon]), np.array([req.lat])
    inside = bool(policy.mask(lon, lat)[0])
    areas: dict[str, str | None] = {}
    how: dict[str, str | None] = {}
    for layer in req.layers:
        got = locate_points(session, layer, lon, lat, tolerance_m=req.tolerance_m)
        areas[layer] = got.ids[0] if inside else None
        how[layer] = got.how[0] if inside else None
    return GeocodePublic(lon=req.lon, lat=req.lat, areas=areas, how=how)


def locate_batch(
    session: Session, *, req: BatchGeocodeRequest, policy: Jurisdiction, max_points: int
) -> BatchGeocodePublic:
    """The area of ``req.layer`` holding each point, in order (None: none, or not yours)."""
    if len(req.lon) > max_points:
        raise ConfigError(f"{len(req.lon)} points: at most {max_points} per batch")
    lon, lat = np.asarray(req.lon, dtype=float), np.asarray(req.lat, dtype=float)
    got = locate_points(session, req.layer, lon, lat, tolerance_m=req.tolerance_m)
    ids, how = got.ids, got.how
    if lon.size:
        hidden = ~policy.mask(lon, lat)
        ids[hidden], how[hidden] = None, None
    located = int(np.count_nonzero(ids != None))  # noqa: E711 (element-wise on object array)
    return BatchGeocodePublic(layer=req.layer, ids=ids.tolist(), how=how.tolist(), located=located)
