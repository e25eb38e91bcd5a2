"""Points → the areas of a stored layer that contain them, by the geocoding engine.

``gis.geocoding.assign`` does the work (one vectorized pass over a lookup raster, a point
on a shared boundary goes to the lowest id, a tolerance in metres for points just
outside).  Layer versions never change once written, so the engine's index of a version
is built once per tolerance and cached (a new version is a new key), together with its
WGS84 → metric transformer: a single-point request then costs a dictionary lookup and
the engine's lookup, not an index build (about 3 ms of CPU per request, half of it in
the database session and the login).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray
from sqlalchemy.orm import Session

from api.store.layers import get_layer
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.geocoding.assign import AreaIndex, assign_xy, build_area_index

_NAME = "area"
_WGS84 = pyproj.CRS.from_epsg(4326)
_CACHE: OrderedDict[tuple[int, str, int, str, float], _Cached] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 16


@dataclass(frozen=True)
class _Cached:
    index: AreaIndex
    to_metric: pyproj.Transformer


@dataclass(frozen=True)
class Located:
    """Per point: the area id (None: none), how it was placed, metres to the area, and
    whether another area lies within the tolerance (an ambiguous placement)."""

    ids: NDArray[np.object_]
    how: NDArray[np.object_]
    distance_m: NDArray[np.float64]
    near_other: NDArray[np.bool_] | None = None


def locate_points(
    session: Session,
    layer_id: str,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    version: int | None = None,
    tolerance_m: float = 0.0,
) -> Located:
    """Locate WGS84 points in one version (default: the newest) of a layer."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ConfigError(f"lon and lat must be equally long lists ({x.size} vs {y.size})")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ConfigError("lon and lat must be finite numbers")
    cached = _index(session, layer_id, version, tolerance_m)
    if cached is None or x.size == 0:
        none = np.full(x.size, None, dtype=object)
        return Located(none, np.full(x.size, "outside", dtype=object), np.full(x.size, np.nan))
    mx, my = cached.to_metric.transform(x, y)
    # assign_xy: what assign_points does after projecting, without a GeoSeries per request
    table = assign_xy(np.asarray(mx, dtype=float), np.asarray(my, dtype=float), cached.index)
    found = table[f"{_NAME}_id"]
    ids = found.to_numpy(dtype=object, copy=True)  # writable: routes blank what is not yours
    ids[found.isna().to_numpy()] = None
    alt = table.get(f"{_NAME}_alt_ids")
    near = np.zeros(x.size, dtype=bool)
    if alt is not None:
        near = (alt.astype("string").fillna("").str.strip() != "").to_numpy(dtype=bool)
    return Located(
        ids,
        table[f"{_NAME}_how"].to_numpy(dtype=object),
        table[f"{_NAME}_distance_m"].to_numpy(dtype=float, copy=True),
        near,
    )


def _index(
    session: Session, layer_id: str, version: int | None, tolerance_m: float
) -> _Cached | None:
    layer = get_layer(session, layer_id)
    version = layer.head_version if version is None else version
    key = (id(session.get_bind()), layer_id, version, str(layer.created_at), float(tolerance_m))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    frame = read_features(session, layer_id, FeatureQuery(version=version)).frame
    if frame.empty:
        return None
    index = build_area_index({_NAME: frame}, tolerance_m=tolerance_m)
    cached = _Cached(index, index.transformer(_WGS84))
    with _LOCK:
        _CACHE[key] = cached
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return cached
