"""The map layers of the workspaces: stored versions through the jurisdiction, cached.

A layer is read once per (layer, version, jurisdiction) and kept as GeoJSON bytes, so an
unchanged map is not recomputed and an edit (a new version) shows on the next page load.
Names are data, not words, so the language is not part of the key.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from api import geojson
from api.policy import Jurisdiction
from api.privacy import public_frame
from api.store import layers as store
from api.store.query import FeatureQuery, read_features

MAP_KINDS = ("street", "community", "grid", "beat", "aux_beat", "joint_point", "station", "road")
"""The layer kinds a workspace map draws (addresses and buildings are too many to draw);
roads, when the district has them, are drawn under the grids of every workspace map."""
CHECKED_KINDS = tuple(k for k in MAP_KINDS if k not in ("station", "road"))
"""The map kinds a station's check looks at (stations are the scope, roads are context)."""
_CACHE_SIZE = 256


@dataclass(frozen=True)
class MapLayer:
    """One stored layer as a workspace map draws it: its current version and its URL."""

    kind: str
    id: str
    version: int

    @property
    def url(self) -> str:
        return f"/app/layers/{self.id}.geojson?version={self.version}"


def current_layers(session: Session) -> dict[str, MapLayer]:
    """The first stored layer of each map kind, at its newest version (kind → layer)."""
    found: dict[str, MapLayer] = {}
    for layer in store.list_layers(session):
        if layer.kind in MAP_KINDS and layer.kind not in found:
            found[layer.kind] = MapLayer(layer.kind, layer.id, layer.head_version)
    return found


class LayerCache:
    """GeoJSON bytes by (layer, version, jurisdiction); least recently used dropped first.

    The layer is named with its creation time, so a layer deleted and made again under
    the same id (its versions counting from 1 again) is not answered from the old one.
    """

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, int, str], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, session: Session, layer_id: str, version: int, policy: Jurisdiction) -> bytes:
        layer = store.get_layer(session, layer_id)
        key = (layer_id, str(layer.created_at), version, _digest(policy.area))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        body = _read(session, layer_id, layer.kind, version, policy)
        with self._lock:
            self.misses += 1
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body


def _digest(area: BaseGeometry | None) -> str:
    return "all" if area is None else hashlib.sha1(area.wkb).hexdigest()


def _read(session: Session, layer_id: str, kind: str, version: int, policy: Jurisdiction) -> bytes:
    query = FeatureQuery(version=version, policy=policy)
    frame = public_frame(read_features(session, layer_id, query).frame, kind=kind)
    return json.dumps(geojson.feature_collection(frame, version=version), default=str).encode()
