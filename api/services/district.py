"""A :class:`gis.district.District` from the stored layers, for the engines.

The jobs take their frames from the store this way and call the library directly: no
temporary files, no manifest.  Every layer is its newest version in WGS84, read through
the reader's policy (the database does the filtering, see :mod:`api.store.query`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import geopandas as gpd
import pyproj
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.store import layers as store
from api.store.incidents import IncidentQuery, incident_frame
from api.store.query import FeatureQuery, read_features
from gis.district import ATTRIBUTE, District
from gis.errors import ConfigError
from gis.layers import LayerKind

WGS84 = pyproj.CRS.from_epsg(4326)
Layers = Mapping[LayerKind, str] | Mapping[str, str]
"""Layer kind → stored layer id."""


def district_from_store(
    session: Session,
    *,
    layers: Layers,
    policy: Jurisdiction,
    incidents: IncidentQuery | None = None,
    name: str = "service",
) -> District:
    """The newest versions of ``layers`` (kind → stored layer id) as one District.

    Parameters
    ----------
    session
        An open database session.
    layers
        Layer kind (``"grid"``, ``LayerKind.BEAT``, …) → stored layer id.  Each stored
        layer must be of that kind (else :class:`~gis.errors.ConfigError`, a 422).
    policy
        Only what lies inside it is read (``Jurisdiction.everywhere()`` reads it all).
    incidents
        Also read the stored incidents matching this query (its ``policy`` is replaced
        by ``policy``) into ``District.incidents``; None leaves them out.
    name
        The district's name.

    Returns
    -------
    District
        Frames in EPSG:4326, ``source`` None (nothing was read from files).
    """
    frames: dict[str, gpd.GeoDataFrame] = {}
    for kind, layer_id in check_kinds(session, layers).items():
        query = FeatureQuery(policy=policy)
        frames[ATTRIBUTE[kind]] = read_features(session, layer_id, query).frame
    if incidents is not None:
        query_incidents = replace(incidents, policy=policy)
        frames[ATTRIBUTE[LayerKind.INCIDENT]] = incident_frame(session, query_incidents)
    return District(name=name, crs=WGS84, source=None, **frames)


def check_kinds(session: Session, layers: Layers) -> dict[LayerKind, str]:
    """``layers`` with typed kinds, after checking each stored layer exists and is that kind.

    Raises NotFoundError (404) for an unknown layer and ConfigError (422) for a wrong kind.
    """
    out: dict[LayerKind, str] = {}
    for key, layer_id in layers.items():
        kind = _kind(key)
        stored = store.get_layer(session, layer_id).kind
        if stored != kind.value:
            raise ConfigError(f"layer {layer_id!r} is a {stored} layer, not a {kind.value} layer")
        out[kind] = layer_id
    return out


def frame_of(district: District, kind: LayerKind) -> gpd.GeoDataFrame:
    """The frame of ``kind`` that :func:`district_from_store` read (an empty one if none)."""
    frame = district.get(kind)
    if not isinstance(frame, gpd.GeoDataFrame):
        return gpd.GeoDataFrame({"id": []}, geometry=[], crs=4326)
    return frame


def _kind(key: LayerKind | str) -> LayerKind:
    try:
        return LayerKind(key)
    except ValueError:
        known = ", ".join(k.value for k in LayerKind)
        raise ConfigError(f"{key!r} is not a layer kind; known: {known}") from None
