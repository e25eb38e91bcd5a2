"""Grid edits (split, merge, move, transfer, reassign, draw, add, balance) and their impact,
without HTTP.

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

from api.edit_outcome import DryRun, dry_run, edit_impact, send_notice
from api.event_models import EventSetup
from api.params import parse_shape
from api.policy import Jurisdiction
from api.schemas import (
    AddBody,
    BalanceBody,
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
    TransferBody,
    VersionPublic,
)
from api.services.event_setup import SETUP_ID, assignments_frame
from api.store import layers as store
from api.store.incidents import IncidentQuery, incident_frame
from api.store.query import FeatureQuery, read_features
from gis.errors import ConfigError, ConflictError
from gis.i18n import Text
from gis.redraw.balance import BalanceResult, Band, propose_balance
from gis.redraw.edits import (
    EditError,
    EditResult,
    add_grid,
    draw_grid,
    merge_grids,
    move_boundary,
    reassign_grid,
    split_grid,
    transfer_area,
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


def transfer(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: TransferBody
) -> Outcome:
    """Move a drawn part of a grid to its neighbour."""
    area = parse_shape(body.area, field="area")

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return transfer_area(
            grids, body.source, body.target, area, communities=communities,
            locked=body.locked, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [body.source, body.target], edit)


def add(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: AddBody
) -> Outcome:
    """Draw a new grid on land no grid covers (a gap); other grids do not change."""
    polygon = parse_shape(body.polygon, field="polygon")
    policy.may_edit("grid")
    if polygon.is_valid:  # an invalid drawing is refused (422) by the library, bilingual
        policy.guard(polygon)

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        return add_grid(
            grids, polygon, new_id=body.new_id, name=body.name, communities=communities,
            overlap_tolerance=body.overlap_tolerance, on_invalid="return",
        )  # fmt: skip

    return apply_edit(session, policy, author, layer_id, body, [], edit)


def balance(
    session: Session, *, policy: Jurisdiction, author: str, layer_id: str, body: BalanceBody
) -> Outcome:
    """The balancing proposal of one community (households in the band) as an edit: the dry
    run shows it, saving adopts it (the same proposal: the redraw is seeded)."""
    if body.min_households >= body.max_households:
        return _refused(
            "户数下限须小于上限", "the lower household bound must be below the upper one", None
        )

    def edit(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None) -> EditResult:
        mine = grids[grids["parent_id"].astype(str) == body.community_id]
        if mine.empty:
            raise EditError(
                Text("社区 {c} 没有网格", "community {c} has no grid").format(c=body.community_id)
            )
        bbox = tuple(mine.to_crs(4326).total_bounds)
        query = FeatureQuery(bbox=bbox, policy=policy)
        buildings = read_features(session, body.buildings_layer, query).frame
        band = Band(min_households=body.min_households, max_households=body.max_households)
        found = propose_balance(
            grids, buildings, community_id=body.community_id, band=band,
            locked=body.locked, scope=body.scope,
        )  # fmt: skip
        kept.append(found)
        return _as_edit(found, grids, communities)

    kept: list[BalanceResult] = []
    touched = _community_grids(session, layer_id, body)
    out = apply_edit(session, policy, author, layer_id, body, touched, edit)
    if isinstance(out, DryRun) and kept:
        out.body["balance"] = _balance_answer(kept[0])
    return out


def _balance_answer(found: BalanceResult) -> dict[str, Any]:
    """The proposal beside the current grids: the community's new grids with their loads,
    the loads before and after, the figures."""
    new = found.grids[found.grids["parent_id"].astype(str) == found.community_id]
    loads = found.after.drop(columns=["parent_id"], errors="ignore").astype({"id": str})
    new = new.assign(id=new["id"].astype(str))[["id", "name", new.geometry.name]].merge(
        loads, on="id"
    )
    return {
        "community_id": found.community_id,
        "figures": found.figures,
        "before": _records(found.before),
        "after": _records(found.after),
        "grids": json.loads(new.to_crs(4326).to_json(na="null", drop_id=True, default=str)),
    }


def _community_grids(session: Session, layer_id: str, body: BalanceBody) -> list[str]:
    frame = _head(session, layer_id, body.base_version)
    return list(frame.loc[frame["parent_id"].astype(str) == body.community_id, "id"].astype(str))


def _as_edit(
    found: BalanceResult, before: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None
) -> EditResult:
    """A balancing proposal as an edit result (what the dry run and saving need)."""
    after_ids = list(found.after["id"].astype(str))
    created = tuple(found.created)
    new = found.grids
    old = before.assign(id=before["id"].astype(str)).set_index("id").geometry
    now = new.assign(id=new["id"].astype(str)).set_index("id").geometry
    reshaped = tuple(
        i for i in after_ids if i not in created and i in old.index and not now[i].equals(old[i])
    )
    text = found.description
    figures = found.figures
    text = Text(
        f"{text.zh}（户数在范围内的网格 {figures['in_band_before']:.0f} → "
        f"{figures['in_band_after']:.0f}）",
        f"{text.en} (grids in the band {figures['in_band_before']:.0f} → "
        f"{figures['in_band_after']:.0f})",
    )
    return EditResult(
        "balance", new, None, created, tuple(found.removed), reshaped, found.findings, text,
        found.metric_crs, float(found.after["area_m2"].sum()),
    )  # fmt: skip


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
        impact = None
        if body.impact is not None:
            layers = context_layers(session, body.impact)  # unnamed: the district's own
            impact = edit_impact(session, policy, grids, result, dict(layers))
        return dry_run(result, impact)
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
