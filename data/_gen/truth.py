"""Ground truth of the planted defects, in the rule vocabulary of docs/architecture.md.

Each defect lists every finding it implies — no more, no less — with ``rule``,
``severity`` (``"noise"`` for digitizing noise below tolerance, ``"error"`` otherwise),
``layer``, ``ids``, ``other_layer``, ``other_ids``, the ``area_m2`` of an area finding (0 for
the others) and the ``length_m`` of the line finding ``beat_boundary_off_grid``.
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


def _aux_drift(areas: Areas, cells: tuple[int, ...], *, severity: str) -> list[Finding]:
    """The aux beats were drawn on the grids as planned: where a grid moved, they differ."""
    grids = dict(zip(areas.grids.id, areas.grids.geometry, strict=True))
    aux = areas.aux_beats.set_index("grid_id")
    out = []
    for c in cells:
        gid = str(areas.grid_id[c])
        diff = float(shapely.area(shapely.symmetric_difference(grids[gid], aux.geometry[gid])))
        if diff > 1e-3:
            out.append(
                _finding(
                    "aux_beat_mismatch",
                    "aux_beat",
                    [str(aux.id[gid])],
                    "grid",
                    [gid],
                    diff,
                    severity=severity,
                )
            )
    return out


_NOISE = (
    "网格{a}与{b}公共边数字化误差（小于容差）",
    "digitizing noise on the edge of grids {a} and {b} (below tolerance)",
)
#: defect → (rule, severity, Chinese and English description templates)
_EDGE_DEFECTS = {
    "gap": ("gap", "error", ("网格{a}与{b}之间留有空隙", "gap between grids {a} and {b}")),
    "overlap": ("overlap", "error", ("网格{a}与{b}重叠", "grids {a} and {b} overlap")),
    "sliver_gap_a": ("gap", "noise", _NOISE),
    "sliver_gap_b": ("gap", "noise", _NOISE),
    "sliver_overlap": ("overlap", "noise", _NOISE),
}


def defect_truth(areas: Areas, defects: DefectPlan, outside_joint: str) -> list[dict[str, Any]]:
    """One record per planted defect: what was done, where, and the findings it implies."""
    return [
        _split_truth(areas, defects),
        *(_edge_truth(areas, defects, key) for key in ("gap", "overlap")),
        _crossing_truth(areas, defects),
        *(
            _edge_truth(areas, defects, key)
            for key in ("sliver_gap_a", "sliver_gap_b", "sliver_overlap")
        ),
        *_staffing_truth(areas, defects, outside_joint),
        _aux_truth(areas, defects),
        _beat_noise_truth(areas, defects),
    ]


def _parent(areas: Areas, grid: str) -> str:
    return str(areas.planned_grids.set_index("id").parent_id[grid])


def _edge_truth(areas: Areas, defects: DefectPlan, key: str) -> dict[str, Any]:
    """A gap or overlap on the edge between two grids of one community and one beat."""
    rule, severity, (zh, en) = _EDGE_DEFECTS[key]
    i, j = defects.pairs[key]
    a, b = str(areas.grid_id[i]), str(areas.grid_id[j])
    other: tuple[str | None, list[str]] = (
        ("community", [_parent(areas, a)]) if rule == "gap" else (None, [])
    )
    found = [
        _finding(rule, "grid", [a, b], *other, areas.zone_area[key], severity=severity),
        *_aux_drift(areas, (i, j), severity=severity),
    ]
    return _record(areas, key, (i, j), (zh.format(a=a, b=b), en.format(a=a, b=b)), found)


def _crossing_truth(areas: Areas, defects: DefectPlan) -> dict[str, Any]:
    i, j = defects.pairs["crossing"]
    a, b = str(areas.grid_id[i]), str(areas.grid_id[j])
    ca, cb = _parent(areas, a), _parent(areas, b)
    found = [
        _finding("crosses_parent", "grid", [a], "community", [ca, cb], areas.zone_area["crossing"]),
        *_aux_drift(areas, (i, j), severity="error"),
    ]
    text = (f"网格{a}越出所属{ca}进入{cb}", f"grid {a} crosses from {ca} into {cb}")
    return _record(areas, "crossing", (i, j), text, found)


def _staffing_truth(areas: Areas, defects: DefectPlan, outside_joint: str) -> list[dict[str, Any]]:
    g = areas.grid_id
    aux = dict(zip(areas.aux_beats.grid_id, areas.aux_beats.id, strict=True))
    u = defects.unstaffed
    own, host = defects.pairs["joint_outside"]
    return [
        _record(
            areas,
            "unstaffed",
            (u,),
            (f"网格{g[u]}无民警或辅警", f"grid {g[u]} has no officer or auxiliary"),
            [_finding("grid_unstaffed", "grid", [g[u]], "aux_beat", [aux[g[u]]], 0.0)],
        ),
        _record(
            areas,
            "joint_outside",
            (own, host),
            (
                f"联防联控点{outside_joint}不在所属网格{g[own]}内",
                f"joint point {outside_joint} lies in {g[host]}, not in its grid {g[own]}",
            ),
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
        ),
    ]


def _beat_noise_truth(areas: Areas, defects: DefectPlan) -> dict[str, Any]:
    """A beat boundary digitized 0.4 m into the neighbouring beat's grid: the grid split
    and the aux beat crossing are noise; the boundary is within tolerance of the grid
    edge, so ``beat_boundary_off_grid`` (a boundary running deeper than the tolerance
    inside a grid) does not apply."""
    i, j = defects.pairs["sliver_beat"]
    g, piece = areas.grid_id, areas.zone_area["sliver_beat"]
    b1, b2 = areas.beat_id[i], areas.beat_id[j]
    aux = dict(zip(areas.aux_beats.grid_id, areas.aux_beats.id, strict=True))
    found = [
        _finding("grid_split_by_beat", "grid", [g[j]], "beat", [b1, b2], piece, severity="noise"),
        _finding(
            "crosses_parent", "aux_beat", [aux[g[j]]], "beat", [b1, b2], piece, severity="noise"
        ),
    ]
    text = (
        f"责任区{b1}与{b2}公共边数字化误差（小于容差）",
        f"digitizing noise on the boundary of beats {b1} and {b2} (below tolerance)",
    )
    return _record(areas, "sliver_beat", (i, j), text, found)


def _record(
    areas: Areas, key: str, cells: tuple[int, ...], text: tuple[str, str], found: list[Finding]
) -> dict[str, Any]:
    union = shapely.union_all(areas.planned_grids.geometry.to_numpy()[list(cells)])
    xy = shapely.get_coordinates(shapely.centroid(union))[0]
    lon, lat = to_geo_xy(xy[:1], xy[1:])
    return {
        "id": key,
        "description_zh": text[0],
        "description_en": text[1],
        "lon": float(lon[0]),
        "lat": float(lat[0]),
        "findings": found,
    }


def _split_truth(areas: Areas, defects: DefectPlan) -> dict[str, Any]:
    i, j = defects.pairs["split"]
    g, piece = areas.grid_id, areas.zone_area["split"]
    b1, b2 = areas.beat_id[i], areas.beat_id[j]
    aux = dict(zip(areas.aux_beats.grid_id, areas.aux_beats.id, strict=True))
    return _record(
        areas,
        "split",
        (i, j),
        (f"责任区{b1}越过边界切入网格{g[j]}", f"beat {b1} cuts grid {g[j]} in two"),
        [
            _finding("grid_split_by_beat", "grid", [g[j]], "beat", [b1, b2], piece),
            _finding("beat_boundary_off_grid", "beat", [b1, b2], "grid", [g[j]], 0.0)
            | {"length_m": _off_grid_length(areas, b1, g[j])},
            _finding("crosses_parent", "aux_beat", [aux[g[j]]], "beat", [b1, b2], piece),
        ],
    )


def _off_grid_length(areas: Areas, beat: str, grid: str) -> float:
    """Length of the beat's boundary running deeper than the tolerance inside the grid
    (a line finding: its ``area_m2`` is 0)."""
    cell = areas.grids.set_index("id").geometry[grid]
    edge = shapely.boundary(areas.beats.set_index("id").geometry[beat])
    inside = shapely.difference(shapely.intersection(edge, cell), shapely.boundary(cell))
    deep = shapely.difference(inside, shapely.buffer(shapely.boundary(cell), TOLERANCE_M))
    return round(float(shapely.length(deep)), 1)


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
    text = (
        f"辅警警格{ids[i]}划入网格{g[j]}的大片区域，与网格不一致",
        f"aux beat {ids[i]} takes a large part of grid {g[j]} from {ids[j]}",
    )
    return _record(areas, "aux_mismatch", (i, j), text, found)


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
