"""Points → the areas of a layer that contain them (one bulk STRtree query).

Layer versions never change once written, so the index of a version is built once and
cached.  A point exactly on a shared boundary goes to the area with the smallest id, so
every point is assigned at most once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from sqlalchemy.orm import Session

from api.store.layers import get_layer
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError

_CACHE: OrderedDict[tuple[int, str, int, str], tuple[NDArray[np.object_], shapely.STRtree]] = (
    OrderedDict()
)
_LOCK = threading.Lock()
_CACHE_SIZE = 16


def locate_points(
    session: Session, layer_id: str, lon: ArrayLike, lat: ArrayLike, *, version: int | None = None
) -> NDArray[np.object_]:
    """The id of the area containing each point, or None where no area does."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ConfigError(f"lon and lat must be equally long lists ({x.size} vs {y.size})")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ConfigError("lon and lat must be finite numbers")
    fids, tree = _index(session, layer_id, version)
    out = np.full(x.size, None, dtype=object)
    if x.size == 0 or fids.size == 0:
        return out
    point_idx, area_idx = tree.query(shapely.points(x, y), predicate="intersects")
    order = np.lexsort((fids[area_idx].astype(str), point_idx))
    point_idx, area_idx = point_idx[order], area_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    out[point_idx[first]] = fids[area_idx[first]]
    return out


def _index(
    session: Session, layer_id: str, version: int | None
) -> tuple[NDArray[np.object_], shapely.STRtree]:
    layer = get_layer(session, layer_id)
    version = layer.head_version if version is None else version
    key = (id(session.get_bind()), layer_id, version, str(layer.created_at))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    frame = read_features(session, layer_id, FeatureQuery(version=version)).frame
    entry = (frame["id"].to_numpy(dtype=object), shapely.STRtree(frame.geometry.to_numpy()))
    with _LOCK:
        _CACHE[key] = entry
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return entry
