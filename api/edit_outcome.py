"""What a grid edit answers besides its stored version: the dry run and the change notice.

A dry run (``"dry_run": true`` in any edit body) answers what the edit *would* do, the
reshaped grids and the findings it would create, and stores nothing; with ``impact``
layers it also answers what the edit affects (households and addresses moving, beats to
re-align, auxiliary beats to regenerate: :func:`edit_impact`).  A saved edit sends
a notice to every station whose jurisdiction its area touches (:mod:`api.store.waivers`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.store.query import FeatureQuery, read_features
from api.store.waivers import add_notice
from gis.redraw.impact import assess_impact
from gis.redraw.result import EditResult

MAX_POINTS = 2000
"""Addresses changing grid drawn on the dry-run map at most (the count is always exact)."""


@dataclass(frozen=True)
class DryRun:
    """What an edit would do: ``body`` is its JSON answer (stored: nothing)."""

    body: dict[str, Any]


def dry_run(result: EditResult, impact: dict[str, Any] | None = None) -> DryRun:
    """The proposal: changed grids and findings (GeoJSON, WGS84), the description, and the
    impact when it was asked for."""
    changed = [*result.created, *result.reshaped]
    grids = result.grids[result.grids["id"].astype(str).isin(changed)].to_crs(4326)
    findings = result.findings.to_crs(4326) if len(result.findings) else result.findings
    return DryRun(
        {
            "dry_run": True,
            "ok": bool(result.ok),
            "operation": result.operation,
            "created": list(result.created),
            "removed": list(result.removed),
            "reshaped": list(result.reshaped),
            "description": {"zh": result.description.zh, "en": result.description.en},
            "grids": _geojson(grids),
            "findings": _geojson(findings),
            "impact": impact,
        }
    )


def _touched_area(before: gpd.GeoDataFrame, result: EditResult) -> shapely.Geometry:
    """Every grid the edit touched, before and after (WGS84)."""
    ids = {*result.created, *result.removed, *result.reshaped}
    old = before[before["id"].astype(str).isin(ids)].to_crs(4326).geometry
    new = result.grids[result.grids["id"].astype(str).isin(ids)].to_crs(4326).geometry
    return shapely.union_all([*old.to_numpy(), *new.to_numpy()])


def edit_impact(
    session: Session,
    policy: Jurisdiction,
    before: gpd.GeoDataFrame,
    result: EditResult,
    layers: dict[str, str | None],
) -> dict[str, Any]:
    """What the proposed edit affects (:func:`gis.redraw.assess_impact`), as JSON.

    Points and buildings are read around the touched grids only; beats and auxiliary
    beats whole (the re-alignment needs the whole beats), all inside ``policy``."""
    area = _touched_area(before, result)
    bbox = area.bounds if not area.is_empty else None
    frames = {
        name: read_features(
            session, lid, FeatureQuery(policy=policy, bbox=None if name == "beats" else bbox)
        ).frame
        for name, lid in layers.items()
        if lid is not None
    }
    impact = assess_impact(before, result.grids, **frames)
    changes, realigned = impact.beats_to_realign()
    flows = impact.diff.flows
    moving = int(flows["households"].sum()) if "households" in flows else None
    out: dict[str, Any] = {
        "summary": {**impact.summary(), "households_moving": moving,
                    "beats_to_realign": 0 if realigned is None else len(realigned)},
        "flows": _records(flows),
        "beats": _records(impact.beats),
        "beat_changes": _records(changes),
        "aux_beats": _records(impact.aux_beats),
        "joint_points": _records(impact.joint_points),
        "realigned_beats": _geojson(realigned.to_crs(4326)) if realigned is not None
        else _geojson(gpd.GeoDataFrame()),
        "addresses": _geojson(_moved_points(frames.get("addresses"), impact.addresses)),
    }  # fmt: skip
    return out


def _moved_points(layer: gpd.GeoDataFrame | None, moved: Any) -> gpd.GeoDataFrame:
    """The first MAX_POINTS moved features with their grid before and after (WGS84)."""
    if layer is None or layer.empty or moved.empty:
        return gpd.GeoDataFrame()
    rows = moved.head(MAX_POINTS).astype({"id": str})
    points = layer.assign(id=layer["id"].astype(str))[["id", layer.geometry.name]]
    return points.merge(rows, on="id").to_crs(4326)


def _records(frame: Any) -> list[dict[str, Any]]:
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.drop(columns=frame.geometry.name)
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", default_handler=str))
    return out


def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    out: dict[str, Any] = json.loads(frame.to_json(na="null", drop_id=True, default=str))
    return out


def send_notice(
    session: Session,
    result: EditResult,
    *,
    before: gpd.GeoDataFrame,
    layer_id: str,
    versions: tuple[int, int],
    sender: str,
    reason: str,
) -> None:
    """Store the notice of a saved edit; its area is every grid it touched, before and after."""
    area = _touched_area(before, result)
    if area.is_empty:
        return
    add_notice(
        session, layer_id=layer_id, versions=versions, sender=sender,
        summary=result.description, reason=reason, area=area,
    )  # fmt: skip
