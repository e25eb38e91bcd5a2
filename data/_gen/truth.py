"""Ground truth of the planted defects, in the rule vocabulary of docs/architecture.md.

Each defect lists every finding it implies — no more, no less — with ``rule``,
``severity`` (``"noise"`` for digitizing noise below tolerance, ``"error"`` otherwise),
``layer``, ``ids``, ``other_layer``, ``other_ids`` and an approximate ``area_m2``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from data._gen.assemble import Areas
from data._gen.defects import DefectPlan
from data._gen.frame import to_geo_xy

TOLERANCE_M = 2.0
Finding = dict[str, Any]


def _finding(
    rule: str,
    layer: str,
    ids: list[str],
    other_layer: str | None,
    other_ids: list[str],
    area: float,
    *,
    severity: str = "error",
) -> Finding:
    return {
        "rule": rule,
        "severity": severity,
        "layer": layer,
        "ids": sorted(ids),
        "other_layer": other_layer,
        "other_ids": sorted(other_ids),
        "area_m2": round(float(area), 1),
    }


def _iou(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return float(shapely.area(shapely.intersection(a, b)) / shapely.area(shapely.union(a, b)))


def defect_truth(areas: Areas, defects: DefectPlan, outside_joint: str) -> list[dict[str, Any]]:
    """One record per planted defect: what was done, where, and the findings it implies."""
    g = areas.grid_id
    comm = dict(zip(areas.planned_grids.id, areas.planned_grids.parent_id, strict=True))
    aux = dict(zip(areas.aux_beats.grid_id, areas.aux_beats.id, strict=True))
    za = areas.zone_area
    p = defects.pairs
    out: list[dict[str, Any]] = []

    def add(key: str, cells: tuple[int, ...], zh: str, en: str, findings: list[Finding]) -> None:
        xy = shapely.get_coordinates(
            shapely.centroid(
                shapely.union_all(areas.planned_grids.geometry.to_numpy()[list(cells)])
            )
        )[0]
        lon, lat = to_geo_xy(xy[:1], xy[1:])
        out.append(
            {
                "id": key,
                "description_zh": zh,
                "description_en": en,
                "lon": float(lon[0]),
                "lat": float(lat[0]),
                "findings": findings,
            }
        )

    i, j = p["split"]
    b1, b2 = areas.beat_id[i], areas.beat_id[j]
    add(
        "split",
        (i, j),
        f"责任区{b1}越过边界切入网格{g[j]}",
        f"beat {b1} cuts grid {g[j]} in two",
        [
            _finding("grid_split_by_beat", "grid", [g[j]], "beat", [b1, b2], za["split"]),
            _finding("beat_boundary_off_grid", "beat", [b1, b2], "grid", [g[j]], za["split"]),
            _finding("crosses_parent", "aux_beat", [aux[g[j]]], "beat", [b2], za["split"]),
        ],
    )
    i, j = p["gap"]
    add(
        "gap",
        (i, j),
        f"网格{g[i]}与{g[j]}之间留有空隙",
        f"gap between grids {g[i]} and {g[j]}",
        [_finding("gap", "grid", [g[i], g[j]], "community", [comm[g[i]]], za["gap"])],
    )
    i, j = p["overlap"]
    add(
        "overlap",
        (i, j),
        f"网格{g[i]}与{g[j]}重叠",
        f"grids {g[i]} and {g[j]} overlap",
        [_finding("overlap", "grid", [g[i], g[j]], None, [], za["overlap"])],
    )
    i, j = p["crossing"]
    add(
        "crossing",
        (i, j),
        f"网格{g[i]}越出所属{comm[g[i]]}进入{comm[g[j]]}",
        f"grid {g[i]} crosses from {comm[g[i]]} into {comm[g[j]]}",
        [
            _finding(
                "crosses_parent",
                "grid",
                [g[i]],
                "community",
                [comm[g[i]], comm[g[j]]],
                za["crossing"],
            )
        ],
    )
    for key, rule in (
        ("sliver_gap_a", "gap"),
        ("sliver_gap_b", "gap"),
        ("sliver_overlap", "overlap"),
    ):
        i, j = p[key]
        add(
            key,
            (i, j),
            f"网格{g[i]}与{g[j]}公共边数字化误差（小于容差）",
            f"digitizing noise on the edge of grids {g[i]} and {g[j]} (below tolerance)",
            [_finding(rule, "grid", [g[i], g[j]], None, [], za[key], severity="noise")],
        )
    u = defects.unstaffed
    add(
        "unstaffed",
        (u,),
        f"网格{g[u]}无民警或辅警",
        f"grid {g[u]} has no officer or auxiliary",
        [_finding("grid_unstaffed", "grid", [g[u]], "aux_beat", [aux[g[u]]], 0.0)],
    )
    own, host = p["joint_outside"]
    add(
        "joint_outside",
        (own, host),
        f"联防联控点{outside_joint}不在所属网格{g[own]}内",
        f"joint point {outside_joint} lies in {g[host]}, not in its grid {g[own]}",
        [
            _finding(
                "joint_point_outside_grid",
                "joint_point",
                [outside_joint],
                "grid",
                [g[own], g[host]],
                0.0,
            )
        ],
    )
    out.append(_aux_truth(areas, defects))
    return out


def _aux_truth(areas: Areas, defects: DefectPlan) -> dict[str, Any]:
    i, j = defects.pairs["aux_mismatch"]
    g = areas.grid_id
    grids = areas.planned_grids.geometry.to_numpy()
    aux = areas.aux_beats.geometry.to_numpy()
    ids = areas.aux_beats.id.to_numpy()
    found = [
        _finding(
            "aux_beat_mismatch",
            "aux_beat",
            [ids[c]],
            "grid",
            [g[c]],
            areas.zone_area["aux_mismatch"],
        )
        | {"iou": round(_iou(aux[c], grids[c]), 3)}
        for c in (i, j)
    ]
    xy = shapely.get_coordinates(shapely.centroid(shapely.union(grids[i], grids[j])))[0]
    lon, lat = to_geo_xy(xy[:1], xy[1:])
    return {
        "id": "aux_mismatch",
        "description_zh": f"辅警警格{ids[i]}划入网格{g[j]}的大片区域，与网格不一致",
        "description_en": f"aux beat {ids[i]} takes a large part of grid {g[j]} from {ids[j]}",
        "lon": float(lon[0]),
        "lat": float(lat[0]),
        "findings": found,
    }


def flat_findings(defects: list[dict[str, Any]]) -> list[Finding]:
    """All expected findings, each tagged with the defect that implies it."""
    return [f | {"defect": d["id"]} for d in defects for f in d["findings"]]


def band_truth(
    households: np.ndarray, grid_id: np.ndarray, band: tuple[int, int]
) -> dict[str, Any]:
    """Grids whose households fall outside the band, with their counts."""
    lo, hi = band

    def rows(mask: np.ndarray) -> list[dict[str, Any]]:
        order = np.argsort(grid_id[mask])
        return [
            {"grid_id": str(a), "households": int(b)}
            for a, b in zip(grid_id[mask][order], households[mask][order], strict=True)
        ]

    return {
        "min_households": lo,
        "max_households": hi,
        "below": rows(households < lo),
        "above": rows(households > hi),
    }
