"""Auxiliary beats match grids one to one ("一村（格）一警").

Auxiliary beats and grids are paired by intersection over union (IoU), mutual
best match, from one STRtree bulk query and one vectorized intersection:

- ``aux_beat_missing``: a grid that no auxiliary beat matches (the grid is the finding);
- ``aux_beat_extra``: an auxiliary beat matching no grid with IoU ≥ ``aux_iou_min``;
- ``aux_beat_mismatch``: matched, but the boundaries differ; the finding is the
  symmetric difference, noise when it is narrower than the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, polygonal
from gis.checks.pairs import pairs
from gis.checks.safe import failures, guarded


@dataclass(frozen=True)
class AuxMatch:
    """For each auxiliary beat the matched grid position (-1 when none)."""

    grid_of_aux: np.ndarray
    findings: pd.DataFrame


def check_aux_beats(
    aux: np.ndarray,
    aux_ids: np.ndarray,
    grids: np.ndarray,
    grid_ids: np.ndarray,
    *,
    iou_min: float,
) -> AuxMatch:
    """Match auxiliary beats to grids and report missing, extra and mismatched ones.

    ::

        +------+------+        aux beat x = grid 1 exactly: matched
        | 1=x  | 2    |        aux beat y covers 2 and a strip of 3:
        +------+--+---+        mismatch (the strip is the finding)
        | 3       |y  |        grid 3 has none: missing
        +---------+---+
    """
    found = pairs(shapely.STRtree(grids), aux)
    inter = guarded(shapely.intersection, aux[found.part_child], grids[found.part_parent])
    a = np.concatenate([found.whole_child, found.part_child])
    g = np.concatenate([found.whole_parent, found.part_parent])
    common = np.concatenate(
        [shapely.area(aux[found.whole_child]), np.nan_to_num(shapely.area(polygonal(inter.values)))]
    )
    iou = common / np.maximum(shapely.area(aux[a]) + shapely.area(grids[g]) - common, 1e-12)
    mutual = (iou >= iou_min) & (_best(a, g, iou, len(aux))[a] == g)
    mutual &= _best(g, a, iou, len(grids))[g] == a
    grid_of_aux = np.full(len(aux), -1)
    grid_of_aux[a[mutual]] = g[mutual]
    best_iou = pd.Series(iou).groupby(a).max().reindex(range(len(aux)), fill_value=0.0)
    extra = np.flatnonzero(grid_of_aux < 0)
    missing = np.setdiff1d(np.arange(len(grids)), g[mutual])
    return AuxMatch(
        grid_of_aux,
        concat(
            [
                draft(
                    "aux_beat_missing",
                    "aux_beat",
                    "",
                    grids[missing],
                    other_layer="grid",
                    other_ids=grid_ids[missing],
                ),
                draft(
                    "aux_beat_extra",
                    "aux_beat",
                    aux_ids[extra],
                    aux[extra],
                    other_layer="grid",
                    detail=[f"{v:.2f}" for v in best_iou.to_numpy()[extra]],
                ),
                _mismatches(aux, aux_ids, grids, grid_ids, a[mutual], g[mutual], iou[mutual]),
                failures(
                    inter, aux_ids[found.part_child], grid_ids[found.part_parent], kind="aux_beat"
                ),
            ]
        ),
    )


def _mismatches(
    aux: np.ndarray,
    aux_ids: np.ndarray,
    grids: np.ndarray,
    grid_ids: np.ndarray,
    ma: np.ndarray,
    mg: np.ndarray,
    iou: np.ndarray,
) -> pd.DataFrame:
    """Matched pairs that differ: the symmetric difference is the finding."""
    same = shapely.equals_exact(aux[ma], grids[mg], 0.0)  # copies, vertex for vertex
    other = np.flatnonzero(~same)  # the same rings from another start or direction too:
    same[other] = shapely.equals_exact(
        shapely.normalize(aux[ma[other]]), shapely.normalize(grids[mg[other]]), 0.0
    )
    ma, mg, iou = ma[~same], mg[~same], iou[~same]  # identical copies need no difference
    diff = polygonal(shapely.symmetric_difference(aux[ma], grids[mg]))
    differs = ~shapely.is_missing(diff)
    return draft(
        "aux_beat_mismatch",
        "aux_beat",
        aux_ids[ma[differs]],
        diff[differs],
        other_layer="grid",
        other_ids=grid_ids[mg[differs]],
        detail=[f"{v:.3f}" for v in iou[differs]],
        noise_eligible=True,
    )


def _best(key: np.ndarray, other: np.ndarray, score: np.ndarray, n: int) -> np.ndarray:
    """For each key position, the ``other`` with the highest score (-1 when none)."""
    best = np.full(n, -1)
    if len(key):
        order = np.lexsort((-score, key))
        first = order[np.unique(key[order], return_index=True)[1]]
        best[key[first]] = other[first]
    return best
