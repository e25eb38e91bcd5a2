"""Points → the areas of a stored layer that contain them, by the geocoding engine.

``gis.geocoding.assign`` does the work (one vectorized pass over a lookup raster, a point
on a shared boundary goes to the lowest id, a tolerance in metres for points just
outside).  Layer versions never change once written, so the engine's index of a version
is built once per tolerance and cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from sqlalchemy.orm import Session

from api.store.layers import get_layer
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.geocoding.assign import AreaIndex, assign_points, build_area_index

_NAME = "area"
_CACHE: OrderedDict[tuple[int, str, int, str, float], AreaIndex] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 16


@dataclass(frozen=True)
class Located:
    """Per point: the area id (None: none), how it was placed, metres to the area."""

    ids: NDArray[np.object_]
    how: NDArray[np.object_]
    distance_m: NDArray[np.float64]


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
    index = _index(session, layer_id, version, tolerance_m)
    if index is None or x.size == 0:
        none = np.full(x.size, None, dtype=object)
        return Located(none, np.full(x.size, "outside", dtype=object), np.full(x.size, np.nan))
    table = assign_points(gpd.GeoSeries(shapely.points(x, y), crs=4326), index).table
    found = table[f"{_NAME}_id"]
    ids = np.array(found.astype(object), dtype=object)  # a writable copy
    ids[found.isna().to_numpy()] = None
    return Located(
        ids,
        np.array(table[f"{_NAME}_how"].astype(str), dtype=object),
        np.array(table[f"{_NAME}_distance_m"], dtype=float),
    )


def _index(
    session: Session, layer_id: str, version: int | None, tolerance_m: float
) -> AreaIndex | None:
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
    with _LOCK:
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index
