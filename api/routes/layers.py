"""Layers: upload, new versions, feature edits, history, diff.

A route validates, calls one store function, commits, returns.  Every write names its
base version; a stale one answers 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from sqlalchemy.orm import Session

from api import geojson
from api.deps import CurrentUserDep, SessionDep, SettingsDep
from api.params import BBoxDep
from api.policy import Jurisdiction, JurisdictionDep
from api.privacy import public_frame
from api.schemas import (
    LAYER_ID,
    DiffPublic,
    FeatureCollection,
    FeatureEdit,
    FeaturePage,
    LayerPublic,
    VersionPublic,
)
from api.store import layers as store
from api.store.diff import diff_versions
from api.store.history import versions_seen_by
from api.store.query import FeatureQuery, read_features
from api.upload import read_upload
from gis.crs import crs_name
from gis.io.limits import check_vertex_counts, geojson_vertices
from gis.io.plausible import check_extent
from gis.layers import LayerKind

router = APIRouter(prefix="/layers", tags=["layers"])


@router.get("", response_model=list[LayerPublic])
def list_layers(*, session: SessionDep, user: CurrentUserDep) -> list[LayerPublic]:
    return [LayerPublic.model_validate(layer) for layer in store.list_layers(session)]


@router.post("", response_model=VersionPublic, status_code=201)
async def upload_layer(
    *,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="GeoJSON, GeoPackage, zipped shapefile, …")],
    layer_id: Annotated[str, Form(pattern=LAYER_ID)],
    kind: Annotated[LayerKind, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    title: Annotated[str | None, Form(max_length=200)] = None,
    crs: Annotated[str | None, Form(max_length=2000, description="e.g. EPSG:4490, gcj02")] = None,
) -> VersionPublic:
    """Create a layer from a file: its version 1."""
    guard = policy.edit_guard(kind.value)
    gdf = await read_upload(
        file,
        kind=kind.value,
        crs=crs,
        max_bytes=int(settings.max_upload_mb * 2**20),
        limits=settings.input_limits,
    )
    info = store.create_layer(
        session,
        gdf,
        layer_id=layer_id,
        kind=kind,
        title=title or layer_id,
        source_crs=(crs or crs_name(gdf.crs))[:200],
        author=user.username,
        reason=reason,
        guard=guard,
    )
    session.commit()
    return VersionPublic.model_validate(info)


@router.get("/{layer_id}", response_model=LayerPublic)
def get_layer(*, layer_id: str, session: SessionDep, user: CurrentUserDep) -> LayerPublic:
    return LayerPublic.model_validate(store.get_layer(session, layer_id))


@router.post("/{layer_id}/versions", response_model=VersionPublic, status_code=201)
async def upload_version(
    *,
    layer_id: str,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    base_version: Annotated[int, Form(ge=0, le=2**31 - 1)],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    crs: Annotated[str | None, Form(max_length=2000)] = None,
) -> VersionPublic:
    """Replace the whole content of a layer: a new version edited from ``base_version``."""
    layer = store.get_layer(session, layer_id)
    guard = policy.edit_guard(layer.kind)
    gdf = await read_upload(
        file,
        kind=layer.kind,
        crs=crs,
        max_bytes=int(settings.max_upload_mb * 2**20),
        limits=settings.input_limits,
    )
    info = store.save_version(
        session,
        gdf,
        layer_id=layer_id,
        base_version=base_version,
        author=user.username,
        reason=reason,
        guard=guard,
    )
    session.commit()
    return VersionPublic.model_validate(info)


@router.patch("/{layer_id}/features", response_model=VersionPublic)
def edit_features(
    *,
    layer_id: str,
    edit: FeatureEdit,
    session: SessionDep,
    user: CurrentUserDep,
    settings: SettingsDep,
    policy: JurisdictionDep,
) -> VersionPublic:
    """Add, change or delete some features: a new version edited from ``base_version``."""
    layer = store.get_layer(session, layer_id)
    guard = policy.edit_guard(layer.kind)
    counts = geojson_vertices(edit.upsert)
    check_vertex_counts(counts, limits=settings.input_limits, source=layer_id)
    gdf = geojson.frame_from_features(edit.upsert, source=f"layer {layer_id}")
    check_extent(gdf.bounds.to_numpy(), limits=settings.input_limits, source=layer_id)
    info = store.save_version(
        session,
        gdf,
        layer_id=layer_id,
        base_version=edit.base_version,
        author=user.username,
        reason=edit.reason,
        deleted=edit.delete,
        partial=True,
        guard=guard,
    )
    session.commit()
    return VersionPublic.model_validate(info)


@router.get("/{layer_id}/versions", response_model=list[VersionPublic])
def list_versions(
    *, layer_id: str, session: SessionDep, policy: JurisdictionDep
) -> list[VersionPublic]:
    return [VersionPublic.model_validate(v) for v in versions_seen_by(session, layer_id, policy)]


@router.get("/{layer_id}/versions/{version}/features", response_model=FeaturePage)
def version_features(
    *,
    layer_id: str,
    version: Annotated[int, Path(ge=0, le=2**31 - 1)],
    session: SessionDep,
    policy: JurisdictionDep,
    bbox: BBoxDep,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> FeaturePage:
    """One version's features (GeoJSON, WGS84) inside your jurisdiction."""
    layer = store.get_layer(session, layer_id)
    query = FeatureQuery(
        version=version,
        bbox=bbox,
        policy=policy,
        limit=limit,
        offset=offset,
    )
    page = read_features(session, layer_id, query)
    frame = public_frame(page.frame, kind=layer.kind)
    fc = geojson.feature_collection(frame, numberMatched=page.number_matched, version=version)
    return FeaturePage.model_validate(fc)


@router.get("/{layer_id}/diff", response_model=DiffPublic)
def diff(
    *,
    layer_id: str,
    a: Annotated[int, Query(ge=0, le=2**31 - 1)],
    b: Annotated[int, Query(ge=0, le=2**31 - 1)],
    session: SessionDep,
    policy: JurisdictionDep,
) -> DiffPublic:
    """What changed from version ``a`` to ``b``, limited to your jurisdiction."""
    result = diff_versions(session, layer_id, a, b)
    seen_a = _visible(session, layer_id, a, policy)
    seen_b = _visible(session, layer_id, b, policy)
    changes = policy.clip(result.changes)
    return DiffPublic(
        layer_id=layer_id,
        a=a,
        b=b,
        added=[f for f in result.added if f in seen_b],
        removed=[f for f in result.removed if f in seen_a],
        changed=[f for f in result.changed if f in seen_a | seen_b],
        geometry_changed=[f for f in result.geometry_changed if f in seen_a | seen_b],
        changes=FeatureCollection.model_validate(geojson.feature_collection(changes)),
    )


def _visible(session: Session, layer_id: str, version: int, policy: Jurisdiction) -> set[str]:
    page = read_features(session, layer_id, FeatureQuery(version=version, policy=policy))
    return set(page.frame["id"])
