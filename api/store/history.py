"""A layer's version history as one reader may see it.

Who changed a layer and why is information about the place changed: a version's author and
reason are shown only to readers whose jurisdiction the version touched (a feature it added,
changed or removed lies inside, by the one rule of :mod:`api.policy`); to everyone else the
version is listed with its counts, its author and reason withheld.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Feature
from api.policy import Jurisdiction
from api.store.layers import VersionInfo, versions

HIDDEN = "（不可见）hidden"
"""What a reader outside a version's area sees instead of its author and reason."""


def versions_seen_by(session: Session, layer_id: str, policy: Jurisdiction) -> list[VersionInfo]:
    """Every version of the layer, author and reason withheld where ``policy`` sees none of
    what the version touched."""
    listed = versions(session, layer_id)
    if policy.unrestricted:
        return listed
    seen = _touching(session, layer_id, policy)
    return [
        v if v.version in seen else dataclasses.replace(v, author=HIDDEN, reason=HIDDEN)
        for v in listed
    ]


def _touching(session: Session, layer_id: str, policy: Jurisdiction) -> set[int]:
    """Versions that added, changed or removed a feature inside the jurisdiction."""
    box = policy.bounds()
    if box is None:
        return set()
    minx, miny, maxx, maxy = box
    rows = session.execute(
        select(Feature.version_from, Feature.version_to, Feature.geom).where(
            Feature.layer_id == layer_id,
            Feature.maxx >= minx,
            Feature.minx <= maxx,
            Feature.maxy >= miny,
            Feature.miny <= maxy,
        )
    ).all()
    if not rows:
        return set()
    frame = gpd.GeoDataFrame(
        {"start": [r[0] for r in rows], "end": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=4326,
    )
    inside = policy.clip(frame)
    ends = inside["end"].dropna().astype(int)
    return set(inside["start"].astype(int)) | set(ends)
