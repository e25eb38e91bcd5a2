"""Layers and their versions: every import or edit is a new version, nothing is overwritten.

A version is written in four steps inside the caller's transaction: claim the next
version number with a compare-and-set on ``layers.head_version`` (a stale base version
loses and raises :class:`~gis.errors.ConflictError`), compare the new content with the
current rows by digest, close the rows that were removed or changed, insert the new rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.db import core_rows
from api.models import Feature, Layer, LayerVersion
from api.store import audit
from api.store.features import check_frame, feature_rows, to_wgs84
from gis.errors import ConflictError, NotFoundError
from gis.layers import LayerKind

EditGuard = Callable[[Sequence[BaseGeometry]], None]
"""Called with every geometry an edit touches (old and new); raises PermissionDenied."""


@dataclass(frozen=True)
class VersionInfo:
    """One version of a layer: who wrote it, when, why, and what it changed."""

    layer_id: str
    version: int
    author: str
    reason: str
    created_at: datetime
    feature_count: int
    added: int
    removed: int
    changed: int

    @classmethod
    def of(cls, row: LayerVersion) -> VersionInfo:
        return cls(
            row.layer_id,
            row.version,
            row.author,
            row.reason,
            row.created_at,
            row.feature_count,
            row.added,
            row.removed,
            row.changed,
        )


def get_layer(session: Session, layer_id: str) -> Layer:
    layer = session.get(Layer, layer_id)
    if layer is None:
        raise NotFoundError(f"layer {layer_id!r} does not exist")
    return layer


_STAMPS = select(Layer.id, Layer.head_version, Layer.created_at).where(
    Layer.id.in_(bindparam("layer_ids", expanding=True))
)


def layer_stamps(session: Session, layer_ids: Sequence[str]) -> dict[str, tuple[int, datetime]]:
    """``(head version, created at)`` of each layer, read in one query without loading
    them (what caches keyed by layer version ask on every request); NotFoundError names
    the first that does not exist."""
    rows = core_rows(session, _STAMPS, {"layer_ids": list(layer_ids)})
    found = {str(r[0]): (int(r[1]), r[2]) for r in rows}
    for layer_id in layer_ids:
        if layer_id not in found:
            raise NotFoundError(f"layer {layer_id!r} does not exist")
    return found


def layer_stamp(session: Session, layer_id: str) -> tuple[int, datetime]:
    """:func:`layer_stamps` of one layer."""
    return layer_stamps(session, [layer_id])[layer_id]


def list_layers(session: Session) -> list[Layer]:
    return list(session.scalars(select(Layer).order_by(Layer.id)))


def versions(session: Session, layer_id: str) -> list[VersionInfo]:
    get_layer(session, layer_id)
    rows = session.scalars(
        select(LayerVersion).where(LayerVersion.layer_id == layer_id).order_by(LayerVersion.version)
    )
    return [VersionInfo.of(r) for r in rows]


def version_info(session: Session, layer_id: str, version: int) -> VersionInfo:
    row = session.get(LayerVersion, (layer_id, version))
    if row is None:
        raise NotFoundError(f"layer {layer_id!r} has no version {version}")
    return VersionInfo.of(row)


def create_layer(
    session: Session,
    gdf: gpd.GeoDataFrame,
    *,
    layer_id: str,
    kind: LayerKind | str,
    title: str,
    source_crs: str,
    author: str,
    reason: str,
    guard: EditGuard | None = None,
) -> VersionInfo:
    """Store a new layer as version 1."""
    if session.get(Layer, layer_id) is not None:
        raise ConflictError(f"layer {layer_id!r} already exists; upload a new version instead")
    session.add(
        Layer(
            id=layer_id,
            kind=LayerKind(kind).value,
            title=title,
            source_crs=source_crs,
            head_version=0,
            created_by=author,
        )
    )
    session.flush()
    return save_version(
        session, gdf, layer_id=layer_id, base_version=0, author=author, reason=reason, guard=guard
    )


def save_version(
    session: Session,
    gdf: gpd.GeoDataFrame,
    *,
    layer_id: str,
    base_version: int,
    author: str,
    reason: str,
    deleted: Sequence[str] = (),
    partial: bool = False,
    guard: EditGuard | None = None,
) -> VersionInfo:
    """Write ``gdf`` as the next version of a layer, edited from ``base_version``.

    Parameters
    ----------
    gdf
        The features, with an ``id`` column; the whole layer, or (``partial=True``)
        only the features added or changed.
    base_version
        The version the author started from; if it is no longer the newest, the write
        raises :class:`~gis.errors.ConflictError` and nothing is written.
    deleted
        With ``partial=True``, ids of features to remove.
    guard
        Checks the author may touch every affected geometry.
    """
    source = f"layer {layer_id}"
    check_frame(gdf, source=source)
    gdf = to_wgs84(gdf, source=source)
    new_version = _claim_version(session, layer_id, base_version)
    current = {
        f.fid: f
        for f in session.scalars(
            select(Feature).where(Feature.layer_id == layer_id, Feature.version_to.is_(None))
        )
    }
    rows = {r["fid"]: r for r in feature_rows(gdf)}
    missing = [fid for fid in deleted if fid not in current]
    if missing:
        raise NotFoundError(f"{source}: cannot delete unknown feature ids {missing[:10]}")
    gone = set(deleted) if partial else set(current) - set(rows)
    added = [fid for fid in rows if fid not in current]
    changed = [fid for fid in rows if fid in current and current[fid].digest != rows[fid]["digest"]]
    if not (gone or added or changed):
        return _unchanged(
            session, layer_id, base_version, [r["geom"] for r in rows.values()], guard
        )
    if guard is not None:
        guard(
            [current[f].geom for f in (*gone, *changed)]
            + [rows[f]["geom"] for f in (*added, *changed)]
        )
    closing = [current[f].pk for f in (*gone, *changed)]
    for start in range(0, len(closing), 5000):
        session.execute(
            update(Feature)
            .where(Feature.pk.in_(closing[start : start + 5000]))
            .values(version_to=new_version)
        )
    fresh = [
        {**rows[f], "layer_id": layer_id, "version_from": new_version} for f in (*added, *changed)
    ]
    if fresh:
        session.execute(insert(Feature), fresh)
    info = LayerVersion(
        layer_id=layer_id,
        version=new_version,
        author=author,
        reason=reason,
        feature_count=len(current) - len(gone) + len(added),
        added=len(added),
        removed=len(gone),
        changed=len(changed),
    )
    session.add(info)
    audit.record(
        session,
        username=author,
        action="layer.version",
        target=f"{layer_id}@{new_version}",
        reason=reason,
        added=len(added),
        removed=len(gone),
        changed=len(changed),
    )
    session.flush()
    return VersionInfo.of(info)


def _unchanged(
    session: Session,
    layer_id: str,
    base_version: int,
    geoms: list[Any],
    guard: EditGuard | None,
) -> VersionInfo:
    """An edit that changes nothing creates no version: the claim is given back and the
    base version answered.  The guard still judges what was sent, so a no-op answer says
    nothing about features the author may not touch."""
    if guard is not None:
        guard(geoms)
    session.execute(update(Layer).where(Layer.id == layer_id).values(head_version=base_version))
    return VersionInfo.of(session.get_one(LayerVersion, (layer_id, base_version)))


def _claim_version(session: Session, layer_id: str, base_version: int) -> int:
    """Compare-and-set the head version; the loser of a race gets a ConflictError.

    On PostgreSQL the loser waits for the winner's row lock, then matches no row.  On
    SQLite a writer whose snapshot is older than the winner's commit is refused with
    "database is locked": the same lost race.
    """
    try:
        result = session.execute(
            update(Layer)
            .where(Layer.id == layer_id, Layer.head_version == base_version)
            .values(head_version=base_version + 1)
            .execution_options(synchronize_session=False)
        )
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise ConflictError(
            f"layer {layer_id!r} is being saved by someone else; reload and re-apply your edit"
        ) from None
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return base_version + 1
    layer = get_layer(session, layer_id)
    session.refresh(layer)
    raise ConflictError(
        f"layer {layer_id!r} is at version {layer.head_version}, not {base_version}: "
        "someone saved a newer version first; reload and re-apply your edit"
    )


def live_at(version: int) -> ColumnElement[bool]:
    """The SQL condition selecting the feature rows valid in ``version``."""
    return and_(
        Feature.version_from <= version,
        or_(Feature.version_to.is_(None), Feature.version_to > version),
    )


def version_at_time(session: Session, layer_id: str, when: datetime) -> int | None:
    """The version that was current at ``when`` (None if the layer did not exist yet)."""
    stamp = pd.Timestamp(when)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    stmt = (
        select(LayerVersion.version)
        .where(LayerVersion.layer_id == layer_id, LayerVersion.created_at <= stamp.to_pydatetime())
        .order_by(LayerVersion.version.desc())
        .limit(1)
    )
    return session.scalar(stmt)
