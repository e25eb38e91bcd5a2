"""Grid redrawing through the API: split, merge, move, reassign, draw; impact and notice.

Each edit route validates the body, runs one :mod:`gis.redraw` edit on the layer's newest
version (WGS84) and stores the whole new layer as the next version, exactly like a layer
upload: ``base_version`` is compared-and-set (a stale one answers 409) and the author's
jurisdiction guards every grid the edit touches (403).  An edit the library refuses, or
one that would break the tiling, answers 422 with the bilingual message and the findings;
nothing is written then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
import shapely
from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from api.auth import Principal
from api.deps import CurrentUserDep, SessionDep
from api.policy import Jurisdiction
from api.schemas import LAYER_ID, VersionPublic
from api.store import layers as store
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError, ConflictError, GeometryError, NotFoundError
from gis.redraw.edits import (
    EditError,
    EditResult,
    draw_grid,
    merge_grids,
    move_boundary,
    reassign_grid,
    split_grid,
)
from gis.redraw.impact import Impact, assess_impact
from gis.redraw.notice import build_notice

router = APIRouter(prefix="/layers", tags=["redraw"])
GRID_ID = Field(min_length=1, max_length=64)
Version = Annotated[int, Path(ge=0, le=2**31 - 1)]
Shape = dict[str, Any] | str
"""A geometry as GeoJSON (a dict) or WKT (a string), in WGS84 longitude/latitude."""


class EditBody(BaseModel):
    """What every edit names: the version it starts from and why."""

    base_version: int = Field(ge=0, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)
    communities_layer: str | None = Field(
        None, pattern=LAYER_ID, description="community layer: nesting is checked too"
    )
    locked: list[str] = Field(
        default_factory=list, max_length=10_000, description="grid ids the edit must not change"
    )


class SplitBody(EditBody):
    grid_id: str = GRID_ID
    line: Shape = Field(description="GeoJSON geometry or WKT line (WGS84)")
    new_ids: list[str] | None = Field(None, max_length=100)


class MergeBody(EditBody):
    grid_ids: list[str] = Field(min_length=2, max_length=100)
    new_id: str | None = Field(None, min_length=1, max_length=64)


class MoveBody(EditBody):
    first: str = GRID_ID
    second: str = GRID_ID
    line: Shape = Field(description="the new shared boundary: GeoJSON or WKT (WGS84)")


class ReassignBody(EditBody):
    grid_id: str = GRID_ID
    community_id: str = Field(min_length=1, max_length=64)
    communities_layer: str = Field(pattern=LAYER_ID)
    communities_base_version: int = Field(
        ge=0, le=2**31 - 1, description="the community layer is reshaped too: a new version"
    )


class DrawBody(EditBody):
    polygon: Shape = Field(description="the new grid: GeoJSON or WKT polygon (WGS84)")
    new_id: str | None = Field(None, min_length=1, max_length=64)
    name: str = Field("", max_length=200)


class EditPublic(BaseModel):
    """The stored version and what the edit did."""

    version: VersionPublic
    communities_version: VersionPublic | None = None
    operation: str
    created: list[str]
    removed: list[str]
    reshaped: list[str]
    description: dict[str, str]


def parse_shape(value: Shape, *, field: str) -> BaseGeometry:
    """GeoJSON dict or WKT string → a valid, non-empty shapely geometry (else 422)."""
    try:
        geom = shapely.from_wkt(value) if isinstance(value, str) else shape(value)
    except Exception as exc:  # malformed WKT / GeoJSON of any kind
        raise GeometryError.single("request", f"{field}: cannot read the geometry: {exc}") from None
    if geom is None or geom.is_empty:
        raise GeometryError.single("request", f"{field}: the geometry is empty")
    return geom


def _head(session: Session, layer_id: str, base_version: int) -> gpd.GeoDataFrame:
    layer = store.get_layer(session, layer_id)
    if layer.kind != "grid":
        raise ConfigError(f"layer {layer_id!r} is a {layer.kind} layer, not a grid layer")
    if layer.head_version != base_version:  # fail before the geometry work; re-checked on save
        raise ConflictError(
            f"layer {layer_id!r} is at version {layer.head_version}, not {base_version}: "
            "reload and re-apply your edit"
        )
    return read_features(session, layer_id, FeatureQuery(version=base_version)).frame


def _communities(session: Session, body: EditBody) -> gpd.GeoDataFrame | None:
    """The community layer: its newest version, or for a reassign the one it is edited from."""
    if body.communities_layer is None:
        return None
    if not isinstance(body, ReassignBody):
        return read_features(session, body.communities_layer, FeatureQuery()).frame
    layer = store.get_layer(session, body.communities_layer)
    if layer.head_version != body.communities_base_version:
        raise ConflictError(
            f"layer {layer.id!r} is at version {layer.head_version}, "
            f"not {body.communities_base_version}: reload and re-apply your edit"
        )
    return read_features(session, layer.id, FeatureQuery(version=layer.head_version)).frame


def _refused(text_zh: str, text_en: str, findings: gpd.GeoDataFrame | None) -> JSONResponse:
    """The 422 of a refused edit: the bilingual text and one row per finding (no geometry)."""
    rows: list[dict[str, Any]] = []
    if findings is not None and len(findings):
        table = pd.DataFrame(findings.drop(columns=findings.geometry.name))
        rows = json.loads(table.to_json(orient="records", default_handler=str))
    return JSONResponse(
        {
            "detail": f"{text_zh} / {text_en}",
            "zh": text_zh,
            "en": text_en,
            "error": "EditError",
            "findings": rows,
        },
        status_code=422,
    )


def _apply(
    session: Session,
    user: Principal,
    layer_id: str,
    body: EditBody,
    touched: list[str],
    edit: Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame | None], EditResult],
) -> Any:
    """Guard, edit, validate and store; the one path every edit route takes."""
    guard = user.edit_guard(store.get_layer(session, layer_id).kind)
    grids = _head(session, layer_id, body.base_version)
    guard(list(grids.geometry[grids["id"].isin(touched)]))
    try:
        result = edit(grids, _communities(session, body))
    except EditError as exc:
        return _refused(exc.text.zh, exc.text.en, exc.findings)
    if not result.ok:
        text = result.description
        return _refused(
            f"编辑破坏了网格拼接：{text.zh}",
            f"the edit breaks the tiling: {text.en}",
            result.findings,
        )
    info = store.save_version(
        session,
        result.grids,
        layer_id=layer_id,
        base_version=body.base_version,
        author=user.username,
        reason=body.reason,
        guard=guard,
    )
    comm_info = _save_communities(session, user, body, result)
    session.commit()
    return EditPublic(
        version=VersionPublic.model_validate(info, from_attributes=True),
        communities_version=comm_info,
        operation=result.operation,
        created=list(result.created),
        removed=list(result.removed),
        reshaped=list(result.reshaped),
        description={"zh": result.description.zh, "en": result.description.en},
    )


def _save_communities(
    session: Session, user: Principal, body: EditBody, result: EditResult
) -> VersionPublic | None:
    """A reassign reshapes two communities: store them as the community layer's next version."""
    if result.communities is None or not isinstance(body, ReassignBody):
        return None
    layer = body.communities_layer
    info = store.save_version(
        session,
        result.communities,
        layer_id=layer,
        base_version=body.communities_base_version,
        author=user.username,
        reason=body.reason,
        guard=user.edit_guard(store.get_layer(session, layer).kind),
    )
    return VersionPublic.model_validate(info, from_attributes=True)


_EDIT = {"response_model": EditPublic, "status_code": 201, "responses": {422: {}, 409: {}}}


@router.post("/{layer_id}/edits/split", **_EDIT)  # type: ignore[arg-type]
def split(layer_id: str, body: SplitBody, session: SessionDep, user: CurrentUserDep) -> Any:
    """Split a grid by a line crossing it from edge to edge."""
    line = parse_shape(body.line, field="line")
    return _apply(
        session,
        user,
        layer_id,
        body,
        [body.grid_id],
        lambda g, c: split_grid(
            g,
            body.grid_id,
            line,
            new_ids=body.new_ids,
            communities=c,
            locked=body.locked,
            on_invalid="return",
        ),
    )


@router.post("/{layer_id}/edits/merge", **_EDIT)  # type: ignore[arg-type]
def merge(layer_id: str, body: MergeBody, session: SessionDep, user: CurrentUserDep) -> Any:
    """Merge adjacent grids of one community into one."""
    return _apply(
        session,
        user,
        layer_id,
        body,
        body.grid_ids,
        lambda g, c: merge_grids(
            g,
            body.grid_ids,
            new_id=body.new_id,
            communities=c,
            locked=body.locked,
            on_invalid="return",
        ),
    )


@router.post("/{layer_id}/edits/move", **_EDIT)  # type: ignore[arg-type]
def move(layer_id: str, body: MoveBody, session: SessionDep, user: CurrentUserDep) -> Any:
    """Move the boundary shared by two neighbouring grids to a new line."""
    line = parse_shape(body.line, field="line")
    return _apply(
        session,
        user,
        layer_id,
        body,
        [body.first, body.second],
        lambda g, c: move_boundary(
            g, body.first, body.second, line, communities=c, locked=body.locked, on_invalid="return"
        ),
    )


@router.post("/{layer_id}/edits/reassign", **_EDIT)  # type: ignore[arg-type]
def reassign(layer_id: str, body: ReassignBody, session: SessionDep, user: CurrentUserDep) -> Any:
    """Move a grid to a neighbouring community; both communities are stored reshaped too."""
    return _apply(
        session,
        user,
        layer_id,
        body,
        [body.grid_id],
        lambda g, c: reassign_grid(
            g,
            body.grid_id,
            body.community_id,
            communities=c,
            locked=body.locked,
            on_invalid="return",
        ),
    )


@router.post("/{layer_id}/edits/draw", **_EDIT)  # type: ignore[arg-type]
def draw(layer_id: str, body: DrawBody, session: SessionDep, user: CurrentUserDep) -> Any:
    """Draw a new grid, carved out of the grids it covers."""
    polygon = parse_shape(body.polygon, field="polygon")
    user.edit_guard("grid")([polygon])
    return _apply(
        session,
        user,
        layer_id,
        body,
        [],
        lambda g, c: draw_grid(
            g,
            polygon,
            new_id=body.new_id,
            name=body.name,
            communities=c,
            locked=body.locked,
            on_invalid="return",
        ),
    )


class ImpactContext(BaseModel):
    """The district's other layers (ids; newest versions) the impact is assessed on."""

    beats: str | None = Field(None, pattern=LAYER_ID, description="officer beat layer")
    aux_beats: str | None = Field(None, pattern=LAYER_ID, description="auxiliary beat layer")
    joint_points: str | None = Field(None, pattern=LAYER_ID, description="joint-defense points")
    addresses: str | None = Field(None, pattern=LAYER_ID, description="standard addresses")


ContextQuery = Annotated[ImpactContext, Query()]


def _impact(
    session: Session, user: Principal, layer_id: str, a: int, b: int, ctx: ImpactContext
) -> tuple[Impact | None, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Both versions (clipped to the reader's jurisdiction) and the impact between them.

    The impact is None when the reader sees no grid in either version.
    """
    layer = store.get_layer(session, layer_id)
    if layer.kind != "grid":
        raise ConfigError(f"layer {layer_id!r} is a {layer.kind} layer, not a grid layer")
    policy = Jurisdiction.of(user)
    before = read_features(session, layer_id, FeatureQuery(version=a, policy=policy)).frame
    after = read_features(session, layer_id, FeatureQuery(version=b, policy=policy)).frame
    if before.empty and after.empty:
        return None, before, after
    layers = {
        name: read_features(session, other, FeatureQuery(policy=policy)).frame
        for name, other in ctx.model_dump().items()
        if other is not None
    }
    return assess_impact(before, after, **layers), before, after


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", default_handler=str))
    return out


@router.get("/{layer_id}/versions/{a}/impact/{b}")
def impact(
    layer_id: str,
    a: Version,
    b: Version,
    session: SessionDep,
    user: CurrentUserDep,
    ctx: ContextQuery,
) -> dict[str, Any]:
    """What a redraw from version ``a`` to ``b`` changes, inside your jurisdiction."""
    result = _impact(session, user, layer_id, a, b, ctx)[0]
    if result is None:  # nothing of this layer inside the reader's jurisdiction
        return {"layer_id": layer_id, "a": a, "b": b, "summary": {"grids_changed": 0}}
    return {
        "layer_id": layer_id,
        "a": a,
        "b": b,
        "summary": result.summary(),
        "grids": _records(result.diff.grids),
        "flows": _records(result.diff.flows),
        **{name: _records(getattr(result, name)) for name in ImpactContext.model_fields},
        "metric_crs": result.metric_crs,
    }


@router.get("/{layer_id}/versions/{a}/impact/{b}/notice.html", response_class=HTMLResponse)
def notice(
    layer_id: str,
    a: Version,
    b: Version,
    session: SessionDep,
    user: CurrentUserDep,
    ctx: ContextQuery,
    sender: Annotated[str, Query(max_length=200)] = "",
    recipient: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The printable change notice (HTML) for the redraw from ``a`` to ``b``."""
    result, before, after = _impact(session, user, layer_id, a, b, ctx)
    if result is None:
        raise NotFoundError(f"layer {layer_id!r} has no grid inside your jurisdiction")
    page = build_notice(result, before, after, sender=sender, recipient=recipient)
    return HTMLResponse(page.html)
