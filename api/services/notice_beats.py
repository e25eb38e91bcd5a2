"""The station's side of a grid change: the re-aligned beats a notice calls for, accepted
as a new version of the beat layer.

A notice names the grid layer and the two versions of the change.  The proposal is
:meth:`gis.redraw.impact.Impact.beats_to_realign` on those versions and the beat layer's
newest version: the beats the change reaches, rebuilt from whole grids.  Accepting stores
exactly those beats as the beat layer's next version (compare-and-set on the version the
station looked at: 409 when the beats changed since), guarded by the station's
jurisdiction, audited with the notice it answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import AuditEntry, Notice
from api.policy import Jurisdiction
from api.store import audit
from api.store import layers as store
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError, ConflictError
from gis.i18n import Text
from gis.redraw.impact import assess_impact

ACCEPT = "notice.beats_accept"


@dataclass(frozen=True)
class BeatProposal:
    """The beats a notice's grid change calls for, against one beat-layer version."""

    notice_id: int
    beats_layer: str
    base_version: int
    changes: pd.DataFrame
    proposed: gpd.GeoDataFrame
    current: gpd.GeoDataFrame

    def public(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "beats_layer": self.beats_layer,
            "base_version": self.base_version,
            "changes": json.loads(self.changes.to_json(orient="records", default_handler=str)),
            "proposed": _geojson(self.proposed),
            "current": _geojson(self.current),
        }


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    out: dict[str, Any] = json.loads(
        frame.to_crs(4326).to_json(na="null", drop_id=True, default=str)
    )
    return out


def propose(
    session: Session, notice: Notice, *, beats_layer: str, policy: Jurisdiction
) -> BeatProposal:
    """The re-aligned beats of ``notice`` on the newest version of ``beats_layer``."""
    layer = store.get_layer(session, beats_layer)
    if layer.kind != "beat":
        raise ConfigError(f"layer {beats_layer!r} is a {layer.kind} layer, not a beat layer")
    every = FeatureQuery(version=notice.from_version)  # the re-alignment needs whole layers
    before = read_features(session, notice.layer_id, every).frame
    after = read_features(session, notice.layer_id, FeatureQuery(version=notice.to_version)).frame
    beats = read_features(session, beats_layer, FeatureQuery(version=layer.head_version)).frame
    changes, proposed = assess_impact(before, after, beats=beats).beats_to_realign()
    if proposed is None or proposed.empty:
        proposed = beats.iloc[:0]
    proposed = proposed.to_crs(4326)  # the re-alignment answers in its metric CRS
    if len(proposed):
        proposed = proposed[policy.keep(proposed.geometry.to_numpy())]
    ids = set(proposed["id"].astype(str))
    current = beats[beats["id"].astype(str).isin(ids)]
    changes = changes[changes["from"].isin(ids) | changes["to"].isin(ids)]
    return BeatProposal(
        notice.id, beats_layer, layer.head_version, changes.reset_index(drop=True),
        proposed.reset_index(drop=True), current.reset_index(drop=True),
    )  # fmt: skip


def accept(
    session: Session,
    notice: Notice,
    *,
    beats_layer: str,
    base_version: int,
    reason: str,
    author: str,
    policy: Jurisdiction,
) -> tuple[int, list[str]]:
    """Store the proposal as the beat layer's next version; the version and the beat ids."""
    if not reason.strip():
        raise ConfigError(str(Text("接受调整需要说明理由", "accepting needs a reason")))
    guard = policy.edit_guard("beat")
    found = propose(session, notice, beats_layer=beats_layer, policy=policy)
    if found.base_version != base_version:
        raise ConflictError(
            f"layer {beats_layer!r} is at version {found.base_version}, not {base_version}: "
            "reload and look at the proposal again"
        )
    if found.proposed.empty:
        raise ConfigError(
            str(Text("此变更不需要调整警务区", "this change calls for no beat re-alignment"))
        )
    info = store.save_version(
        session, found.proposed, layer_id=beats_layer, base_version=base_version,
        author=author, reason=reason.strip(), partial=True, guard=guard,
    )  # fmt: skip
    ids = sorted(found.proposed["id"].astype(str))
    audit.record(
        session, username=author, action=ACCEPT, target=str(notice.id), reason=reason.strip(),
        layer=beats_layer, version=info.version, beats=ids,
    )  # fmt: skip
    return info.version, ids


def accepted(session: Session, notice_ids: list[int]) -> dict[int, int]:
    """Notice id → the beat version it was accepted as (from the audit log)."""
    if not notice_ids:
        return {}
    rows = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == ACCEPT, AuditEntry.target.in_([str(i) for i in notice_ids])
        )
    )
    return {int(r.target): int((r.detail or {}).get("version", 0)) for r in rows}
