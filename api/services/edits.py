"""Grid edits (split, merge, move, reassign, draw) and their impact, without HTTP.

Each edit runs one :mod:`gis.redraw` edit on the layer's newest version (WGS84) and stores
the whole new layer as the next version, exactly like a layer upload: ``base_version`` is
compared-and-set (a stale one raises ConflictError, 409) and the author's jurisdiction
guards every grid the edit touches (PermissionDenied, 403).  An edit the library refuses,
or one that would break the tiling, comes back as an :class:`~api.schemas.EditRefusal`
(the route answers 422); nothing is written then.  A body with ``dry_run`` comes back as a
:class:`~api.edit_outcome.DryRun` (the proposal and its findings), nothing written; a saved
edit sends its notice to the stations (:func:`~api.edit_outcome.send_notice`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from api.edit_outcome import DryRun, dry_run, send_notice
from api.event_models import EventSetup
from api.params import parse_shape
from api.policy import Jurisdiction
from api.schemas import (
    DrawBody,
    EditBody,
    EditPublic,
    EditRefusal,
    ImpactContext,
    ImpactPublic,
    MergeBody,
    MoveBody,
    ReassignBody,
    SplitBody,
    VersionPublic,
)
from api.services.event_setup import SETUP_ID, assignments_frame
from api.store import layers as store
from api.store.incidents import IncidentQuery, incident_frame
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError, ConflictError
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

Edit = Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame | None], EditResult]
Outcome = EditPublic | EditRefusal | DryRun


def split(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: SplitBody
) -> Outcome:
    """Split a grid by a line crossing it from edge to edge."""
    line = parse_shape(body.line, field="line")

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return split_grid(
            grids, body.grid_id, line, new_ids=body.new_ids, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [body.grid_id], edit)


def merge(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: MergeBody
) -> Outcome:
    """Merge adjacent grids of one community into one."""

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return merge_grids(
            grids, body.grid_ids, new_id=body.new_id, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, body.grid_ids, edit)


def move(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: MoveBody
) -> Outcome:
    """Move the boundary shared by two neighbouring grids to a new line."""
    line = parse_shape(body.line, field="line")

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return move_boundary(
            grids, body.first, body.second, line, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [body.first, body.second], edit)


def reassign(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: ReassignBody
) -> Outcome:
    """Move a grid to a neighbouring community; both communities are stored reshaped too."""

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return reassign_grid(
            grids, body.grid_id, body.community_id, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [body.grid_id], edit)


def draw(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: DrawBody
) -> Outcome:
    """Draw a new grid, carved out of the grids it covers."""
    polygon = parse_shape(body.polygon, field="polygon")
    policy.may_edit("grid")
    policy.guard(polygon)

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return draw_grid(
            grids, polygon, new_id=body.new_id, name=body.name, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [], edit)


def apply_edit(
    session: Session,
    policy: Jurisdiction,
    author: str,
    layer_id: str,
    body: EditBody,
    touched: list[str],
    edit: Edit,
) -> Outcome:
    """Guard, edit, validate and store (committed); the one path every edit takes."""
    guard = policy.edit_guard(store.get_layer(session, layer_id).kind)
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
    if body.dry_run:
        return dry_run(result)
    info = store.save_version(
        session,
        result.grids,
        layer_id=layer_id,
        base_version=body.base_version,
        author=author,
        reason=body.reason,
        guard=guard,
    )
    comm_info = _save_communities(session, policy, author, body, result)
    send_notice(
        session, result, before=grids, layer_id=layer_id, sender=author,
        versions=(body.base_version, info.version), reason=body.reason,
    )  # fmt: skip
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


def _refused(text_zh: str, text_en: str, findings: gpd.GeoDataFrame | None) -> EditRefusal:
    """The bilingual text and one row per finding (no geometry)."""
    rows = [] if findings is None or not len(findings) else _records(findings)
    return EditRefusal(detail=f"{text_zh} / {text_en}", zh=text_zh, en=text_en, findings=rows)


def _save_communities(
    session: Session, policy: Jurisdiction, author: str, body: EditBody, result: EditResult
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
        author=author,
        reason=body.reason,
        guard=policy.edit_guard(store.get_layer(session, layer).kind),
    )
    return VersionPublic.model_validate(info, from_attributes=True)


def impact_of(
    session: Session, *, policy: Jurisdiction, layer_id: str, a: int, b: int, ctx: ImpactContext
) -> tuple[Impact | None, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Both versions (inside ``policy``) and the impact between them.

    The impact is None when the reader sees no grid in either version.
    """
    layer = store.get_layer(session, layer_id)
    if layer.kind != "grid":
        raise ConfigError(f"layer {layer_id!r} is a {layer.kind} layer, not a grid layer")
    before = read_features(session, layer_id, FeatureQuery(version=a, policy=policy)).frame
    after = read_features(session, layer_id, FeatureQuery(version=b, policy=policy)).frame
    if before.empty and after.empty:
        return None, before, after
    layers: dict[str, Any] = {
        name: read_features(session, other, FeatureQuery(policy=policy)).frame
        for name, other in context_layers(session, ctx).items()
    }
    incidents = incident_frame(session, IncidentQuery(policy=policy))
    found = assess_impact(
        before,
        after,
        **layers,
        incidents=incidents if len(incidents) else None,
        assignments=_officers(session),
    )
    return found, before, after


_CONTEXT_KINDS = {
    "beats": "beat",
    "aux_beats": "aux_beat",
    "joint_points": "joint_point",
    "addresses": "address",
    "buildings": "building",
}
"""The layers an impact is assessed on (``ImpactContext`` and the buildings), by kind."""


def context_layers(session: Session, ctx: ImpactContext) -> dict[str, str]:
    """The layers named in ``ctx``, and for the others the district's own: the layer the
    event setup routes with, else the one stored layer of that kind (none when several).

    So an impact asked for without naming layers counts what ``beatgrid redraw impact``
    counts from the manifest: aux beats, joint points, addresses, officers, incidents.
    """
    named = {k: v for k, v in ctx.model_dump().items() if v is not None}
    setup = session.get(EventSetup, SETUP_ID)
    routed: dict[str, str] = dict(setup.layers) if setup is not None else {}
    stored: dict[str, list[str]] = {}
    for layer in store.list_layers(session):
        stored.setdefault(layer.kind, []).append(layer.id)
    for name, kind in _CONTEXT_KINDS.items():
        if name in named:
            continue
        only = stored.get(kind, [])
        chosen = routed.get(kind) or (only[0] if len(only) == 1 else None)
        if chosen is not None:
            named[name] = chosen
    return named


def _officers(session: Session) -> pd.DataFrame | None:
    """The police's assignments of the event setup (officers and auxiliaries, not the grid
    staff), as the manifest's assignment table holds them."""
    setup = session.get(EventSetup, SETUP_ID)
    if setup is None:
        return None
    table = assignments_frame(setup)
    return table[table["role"].isin(("officer", "auxiliary"))] if len(table) else None


def impact_public(
    session: Session, *, policy: Jurisdiction, layer_id: str, a: int, b: int, ctx: ImpactContext
) -> ImpactPublic:
    """:func:`impact_of` as the API answers it (tables without geometry)."""
    result = impact_of(session, policy=policy, layer_id=layer_id, a=a, b=b, ctx=ctx)[0]
    if result is None:  # nothing of this layer inside the reader's jurisdiction
        return ImpactPublic(layer_id=layer_id, a=a, b=b, summary={"grids_changed": 0})
    return ImpactPublic(
        layer_id=layer_id,
        a=a,
        b=b,
        summary=result.summary(),
        grids=_records(result.diff.grids),
        flows=_records(result.diff.flows),
        **{name: _records(getattr(result, name)) for name in ImpactContext.model_fields},
        metric_crs=result.metric_crs,
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", default_handler=str))
    return out
