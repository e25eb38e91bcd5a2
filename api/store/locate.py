"""Points → the areas of a stored layer that contain them, by the geocoding engine.

``gis.geocoding.assign`` does the work (one vectorized pass over a lookup raster, a point
on a shared boundary goes to the lowest id, a tolerance in metres for points just
outside).  Layer versions never change once written, so the engine's index of a version
is built once per tolerance and cached (a new version is a new key), together with its
WGS84 → metric transformer: a single-point request then costs a dictionary lookup and
the engine's lookup, not an index build.

The transformer is one PROJ object shared by every thread (:class:`SharedTransformer`).
pyproj's ``Transformer`` (≥ 3.1) keeps one PROJ object *per thread* and builds it on a
thread's first use, so a "cached" transformer still cost every new anyio worker thread
a rebuild (20 ms on a quiet machine, 0.5 s under load), and the worker threads come and
go.  One object behind a lock costs a lock per call instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray
from pyproj.transformer import TransformerUnsafe
from sqlalchemy.orm import Session

from api.store.layers import layer_stamp
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError
from gis.geocoding.assign import AreaIndex, build_area_index, near_other, place_xy

_NAME = "area"
_WGS84 = pyproj.CRS.from_epsg(4326)
_CACHE: OrderedDict[tuple[int, str, int, str, float], _Cached] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[tuple[int, str, int, str, float], threading.Lock] = {}
_CACHE_SIZE = 16


class SharedTransformer:
    """One PROJ transformation usable from any thread, built once.

    pyproj documents its ``Transformer`` as thread-safe by giving each thread its own
    PROJ object (``TransformerLocal``, built on the thread's first use).  Here one PROJ
    object is wrapped as pyproj's own
    ``TransformerUnsafe`` (the same object for every thread), and a lock makes the calls
    one at a time: PROJ objects may move between threads, not be used by two at once.
    It is built in a thread of its own, so no other PROJ object shares its context.
    """

    def __init__(self, source: pyproj.CRS, target: pyproj.CRS) -> None:
        # PROJ objects of one thread share that thread's PROJ context, and a context may not
        # be used by two threads at once: so the object is built in a thread of its own,
        # which then ends, and its context is used only here, under the lock (the PROJ
        # object keeps the context alive)
        built: list[pyproj.Transformer] = []
        maker = threading.Thread(
            target=lambda: built.append(pyproj.Transformer.from_crs(source, target, always_xy=True))
        )
        maker.start()
        maker.join()
        if not built:
            raise RuntimeError(f"no transformation from {source} to {target}")
        self._proj = built[0]._transformer  # the only PROJ object ever built
        self._one = pyproj.Transformer(TransformerUnsafe(self._proj))
        self._lock = threading.Lock()

    def transform(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        with self._lock:
            mx, my = self._one.transform(x, y)
        return np.asarray(mx, dtype=float), np.asarray(my, dtype=float)

    @property
    def proj_object(self) -> object:
        """The PROJ object every thread uses (the same one in every thread)."""
        return self._one._transformer


@dataclass(frozen=True)
class _Cached:
    index: AreaIndex
    to_metric: SharedTransformer


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
    nearest: bool = False,
    stamp: tuple[int, datetime] | None = None,
) -> Located:
    """Locate WGS84 points in one version (default: the newest) of a layer.

    ``nearest``: also measure the distance to the nearest area for points outside every
    area (else their ``distance_m`` is NaN; within ``tolerance_m`` it is always measured).
    ``stamp``: the layer's :func:`~api.store.layers.layer_stamp`, when the caller read it
    already (with other layers' in one query).
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ConfigError(f"lon and lat must be equally long lists ({x.size} vs {y.size})")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ConfigError("lon and lat must be finite numbers")
    cached = _index(session, layer_id, version, tolerance_m, stamp)
    if cached is None or x.size == 0:
        none = np.full(x.size, None, dtype=object)
        return Located(none, np.full(x.size, "outside", dtype=object), np.full(x.size, np.nan))
    mx, my = cached.to_metric.transform(x, y)
    # place_xy: the arrays assign_xy builds its frame from, without the frame
    layer = cached.index.layers[0]
    tolerance = cached.index.tolerance_m
    placed = place_xy(layer, mx, my, tolerance_m=tolerance, nearest=nearest)
    return Located(
        placed.ids(layer),  # writable: routes blank what is not yours
        placed.how_names(),
        placed.distance_m,
        near_other(layer, mx, my, placed, tolerance),
    )


def _index(
    session: Session,
    layer_id: str,
    version: int | None,
    tolerance_m: float,
    stamp: tuple[int, datetime] | None = None,
) -> _Cached | None:
    head, created = stamp if stamp is not None else layer_stamp(session, layer_id)
    version = head if version is None else version
    key = (id(session.get_bind()), layer_id, version, str(created), float(tolerance_m))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        building = _BUILDING.setdefault(key, threading.Lock())
    with building:  # threads asking for the same index at once wait for one build
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        frame = read_features(session, layer_id, FeatureQuery(version=version)).frame
        if frame.empty:
            with _LOCK:
                _BUILDING.pop(key, None)
            return None
        index = build_area_index({_NAME: frame}, tolerance_m=tolerance_m)
        cached = _Cached(index, SharedTransformer(_WGS84, index.crs))
        with _LOCK:
            _CACHE[key] = cached
            _BUILDING.pop(key, None)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return cached
