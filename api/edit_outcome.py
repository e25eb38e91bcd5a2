"""What a grid edit answers besides its stored version: the dry run and the change notice.

A dry run (``"dry_run": true`` in any edit body) answers what the edit *would* do, the
reshaped grids and the findings it would create, and stores nothing.  A saved edit sends
a notice to every station whose jurisdiction its area touches (:mod:`api.store.waivers`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy.orm import Session

from api.store.waivers import add_notice
from gis.redraw.result import EditResult


@dataclass(frozen=True)
class DryRun:
    """What an edit would do: ``body`` is its JSON answer (stored: nothing)."""

    body: dict[str, Any]


def dry_run(result: EditResult) -> DryRun:
    """The proposal: changed grids and findings (GeoJSON, WGS84), the description."""
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
        }
    )


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
    ids = {*result.created, *result.removed, *result.reshaped}
    old = before[before["id"].astype(str).isin(ids)].to_crs(4326).geometry
    new = result.grids[result.grids["id"].astype(str).isin(ids)].to_crs(4326).geometry
    area = shapely.union_all([*old.to_numpy(), *new.to_numpy()])
    if area.is_empty:
        return
    add_notice(
        session, layer_id=layer_id, versions=versions, sender=sender,
        summary=result.description, reason=reason, area=area,
    )  # fmt: skip
