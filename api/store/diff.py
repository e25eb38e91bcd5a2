"""What changed between two versions of a layer."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Feature
from api.store.layers import get_layer, live_at, version_info


@dataclass(frozen=True)
class LayerDiff:
    """Feature ids added, removed and changed from version ``a`` to ``b``.

    ``geometry_changed`` is the subset of ``changed`` whose geometry moved (the rest only
    changed attributes).  ``changes`` holds one row per changed feature with the symmetric
    difference of its old and new geometry and its area, for maps of what moved.
    """

    layer_id: str
    a: int
    b: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    geometry_changed: tuple[str, ...]
    changes: gpd.GeoDataFrame


def diff_versions(session: Session, layer_id: str, a: int, b: int) -> LayerDiff:
    """Compare any two versions (either order) of one layer."""
    get_layer(session, layer_id)
    version_info(session, layer_id, a)
    version_info(session, layer_id, b)
    old = _digests(session, layer_id, a)
    new = _digests(session, layer_id, b)
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(f for f in set(old) & set(new) if old[f][0] != new[f][0])
    moved = [f for f in changed if old[f][1] != new[f][1]]
    before = shapely.from_wkb([old[f][2] for f in moved]) if moved else []
    after = shapely.from_wkb([new[f][2] for f in moved]) if moved else []
    delta = shapely.symmetric_difference(before, after) if moved else []
    changes = gpd.GeoDataFrame({"id": moved}, geometry=gpd.GeoSeries(delta, crs=4326), crs=4326)
    if moved:
        metric = changes.to_crs(changes.estimate_utm_crs())
        changes["changed_area_m2"] = metric.area.to_numpy()
    return LayerDiff(
        layer_id, a, b, tuple(added), tuple(removed), tuple(changed), tuple(moved), changes
    )


def _digests(session: Session, layer_id: str, version: int) -> dict[str, tuple[str, str, bytes]]:
    rows = session.execute(
        select(Feature.fid, Feature.digest, Feature.geom_digest, Feature.geom).where(
            Feature.layer_id == layer_id, live_at(version)
        )
    )
    return {r[0]: (r[1], r[2], shapely.to_wkb(r[3])) for r in rows}
