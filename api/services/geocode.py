"""Geocoding against stored layers, limited to the reader's jurisdiction.

A point outside the jurisdiction (by the rule of :mod:`api.policy`) answers null, so
geocoding reveals nothing of a neighbour's layers.  Addresses are read by the library's
address forms (:func:`gis.geocoding.forms.match_forms`) against a stored standard-address
layer, with 小区 names from a building layer and road intersections from a road layer
(without one, an intersection answers ``needs_roads``).  An address placed outside the jurisdiction
answers ``unmatched`` with no point, as if the reader's gazetteer did not list it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.schemas import (
    AddressGeocodePublic,
    AddressGeocodeRequest,
    AddressMatchPublic,
    BatchGeocodePublic,
    BatchGeocodeRequest,
    GeocodePublic,
    GeocodeRequest,
)
from api.store.layers import get_layer, layer_stamps
from api.store.locate import locate_points
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.geocoding.forms import match_forms, pois_from_buildings
from gis.geocoding.match import Gazetteer
from gis.geocoding.pipeline import address_verdicts
from gis.geocoding.status import REASONS, Status


def locate_point(session: Session, *, req: GeocodeRequest, policy: Jurisdiction) -> GeocodePublic:
    """The area of each of ``req.layers`` holding the point, and how it was placed."""
    lon, lat = np.array([req.lon]), np.array([req.lat])
    inside = bool(policy.mask(lon, lat)[0])
    areas: dict[str, str | None] = {}
    how: dict[str, str | None] = {}
    stamps = layer_stamps(session, req.layers)  # every layer's version in one query
    for layer in req.layers:
        got = locate_points(
            session, layer, lon, lat, tolerance_m=req.tolerance_m, stamp=stamps[layer]
        )
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
    located_mask = ids != None  # noqa: E711 (element-wise on object array)
    near = got.near_other if got.near_other is not None else np.zeros(lon.size, dtype=bool)
    return BatchGeocodePublic(
        layer=req.layer,
        ids=ids.tolist(),
        how=how.tolist(),
        located=int(np.count_nonzero(located_mask)),
        near_other_area=int(np.count_nonzero(near & located_mask)),
    )


T = TypeVar("T")
_TABLES: OrderedDict[tuple[int, str, int, str], object] = OrderedDict()
_TABLES_LOCK = threading.Lock()
_TABLES_SIZE = 8


def _cached(session: Session, layer_id: str, kind: str, build: Callable[[pd.DataFrame], T]) -> T:
    """``build(frame)`` of the newest version of a layer of ``kind``, cached per version."""
    layer = get_layer(session, layer_id)
    if layer.kind != kind:
        raise ConfigError(f"layer {layer_id!r} is a {layer.kind} layer, not {kind}")
    key = (id(session.get_bind()), layer_id, layer.head_version, str(layer.created_at))
    with _TABLES_LOCK:
        if key in _TABLES:
            _TABLES.move_to_end(key)
            return cast(T, _TABLES[key])
    frame = read_features(session, layer_id, FeatureQuery(version=layer.head_version)).frame
    value = build(frame)
    with _TABLES_LOCK:
        _TABLES[key] = value
        while len(_TABLES) > _TABLES_SIZE:
            _TABLES.popitem(last=False)
    return value


def _gazetteer(frame: pd.DataFrame) -> Gazetteer:
    points = frame.geometry.representative_point() if len(frame) else frame.geometry
    table = pd.DataFrame(
        {
            "address": frame["address"] if "address" in frame else pd.Series(dtype=str),
            "lon": points.x if len(frame) else pd.Series(dtype=float),
            "lat": points.y if len(frame) else pd.Series(dtype=float),
            "building_id": frame.get("building_id"),
            "address_id": frame.get("id"),
        }
    )
    return Gazetteer.from_frame(table, source="gazetteer")


def _pois(frame: pd.DataFrame) -> pd.DataFrame | None:
    return pois_from_buildings(frame) if len(frame) and "name" in frame else None


def _roads(frame: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """Road centre lines by name (stored in WGS84), or None without names."""
    if not len(frame) or "name" not in frame:
        return None
    return gpd.GeoDataFrame(frame[["name", "geometry"]], geometry="geometry", crs=4326)


def geocode_addresses(
    session: Session, *, req: AddressGeocodeRequest, policy: Jurisdiction
) -> AddressGeocodePublic:
    """Each address read and placed (door plate, building, 小区, 附近 …), in order."""
    gazetteer = _cached(session, req.gazetteer, "address", _gazetteer)
    pois = None if req.buildings is None else _cached(session, req.buildings, "building", _pois)
    roads = None if req.roads is None else _cached(session, req.roads, "road", _roads)
    found = match_forms(pd.Series(req.addresses, dtype="string"), gazetteer, pois=pois, roads=roads)
    verdict, zh, en = address_verdicts(found)
    lon = found["match_lon"].to_numpy(dtype=float)
    lat = found["match_lat"].to_numpy(dtype=float)
    placed = verdict == Status.ADDRESS
    if placed.any():
        hidden = placed.copy()
        hidden[placed] = ~policy.mask(lon[placed], lat[placed])
        verdict[hidden], zh[hidden], en[hidden] = Status.UNMATCHED, "", ""
        placed &= ~hidden
    areas: dict[str, np.ndarray] = {}
    for layer in req.layers:
        ids = np.full(len(lon), None, dtype=object)
        if placed.any():
            got = locate_points(
                session, layer, lon[placed], lat[placed], tolerance_m=req.tolerance_m
            )
            ids[placed] = got.ids
        areas[layer] = ids
    status = found["match_status"].fillna("unmatched").to_numpy(dtype=object)
    status[(verdict == Status.UNMATCHED) & (status == "matched")] = "unmatched"
    results = []
    for i, text in enumerate(req.addresses):
        reason = REASONS[Status(verdict[i])]
        results.append(
            AddressMatchPublic(
                address=text,
                status=str(verdict[i]),
                match_status=str(status[i]),
                confidence=float(found["match_confidence"].iloc[i]) if placed[i] else 0.0,
                form=str(found["match_form"].iloc[i] or "") or None if placed[i] else None,
                lon=float(lon[i]) if placed[i] else None,
                lat=float(lat[i]) if placed[i] else None,
                areas={layer: areas[layer][i] for layer in req.layers},
                reason_zh=reason.zh + (f"（{zh[i]}）" if zh[i] else ""),
                reason_en=reason.en + (f" ({en[i]})" if en[i] else ""),
            )
        )
    counts = pd.Series([r.status for r in results]).value_counts()
    return AddressGeocodePublic(
        results=results,
        matched=int(counts.get(Status.ADDRESS.value, 0)),
        review=int(counts.get(Status.REVIEW.value, 0)),
        unmatched=len(results)
        - int(counts.get(Status.ADDRESS.value, 0))
        - int(counts.get(Status.REVIEW.value, 0)),
    )
