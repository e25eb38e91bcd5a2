"""Nesting: every feature lies in exactly one parent.

Grid in community, community in street, beat in station jurisdiction, auxiliary
beat in officer beat, joint-defense point in grid.  One STRtree bulk query of the
children against the parents and one vectorized intersection give each child's
share in each parent; the parent holding most of it is its *home*.  The parts in
other parents are ``crosses_parent`` findings (the child's id; the ids of its home
parent and of the parent it crosses into; the crossing area); the part in no parent
is an ``orphan`` finding.  :func:`check_declared` compares the ``parent_id`` a
child declares with the parent it actually lies in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, join_ids, polygonal
from gis.checks.pairs import Overlaid, Pairs, pairs, settled
from gis.checks.safe import failures, guarded
from gis.i18n import Text
from gis.layers import spec

_ROUND_OFF_M = 0.005  # coordinates snapped to 1 mm: area sums drift by ~perimeter × 0.5 mm


@dataclass(frozen=True)
class Nesting:
    """The home parent of each child (position into the parent array, -1 for none)."""

    home: np.ndarray
    findings: pd.DataFrame


def check_nesting(
    geoms: np.ndarray,
    ids: np.ndarray,
    parent_geoms: np.ndarray,
    parent_ids: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
    cross_rule: str = "crosses_parent",
    orphan_rule: str = "orphan",
    known: Overlaid | None = None,
    speck_m: float = 0.0,
    parent_union: shapely.Geometry | None = None,
) -> Nesting:
    """Check that each child polygon lies in exactly one parent.

    ::

        +-------+-------+
        |  P1 +-+-+ P2  |     child c: home P1; the part ## in P2 is a
        |     | c|#|    |     crosses_parent finding (c, P2)
        |     +-+-+     |
        +-------+-------+

    ``known``: :func:`gis.checks.pairs.overlaid` of these children in these parents,
    when already computed.  ``speck_m`` and ``parent_union`` (the union of the
    parents): a child that lies in one parent but for pieces narrower than ``speck_m``
    is taken as wholly in it (:func:`gis.checks.pairs.settled`); those pieces are
    specks the findings drop, and its home is the one the intersections would give.
    """
    if known is None:
        settle = None
        if parent_union is not None and speck_m > 0:
            settle = partial(
                settled,
                geoms,
                parent_geoms,
                parent_union,
                speck_m=speck_m,
                round_off_m=_ROUND_OFF_M,
            )
        found = pairs(shapely.STRtree(parent_geoms), geoms, settle=settle)
        inter = guarded(
            shapely.intersection, geoms[found.part_child], parent_geoms[found.part_parent]
        )
    else:
        first = np.unique(known.covered_child, return_index=True)[1]
        found = Pairs(
            known.covered_child[first],
            known.covered_parent[first],
            known.part_child,
            known.part_parent,
        )
        inter = known.inter
    c = np.concatenate([found.whole_child, found.part_child])
    p = np.concatenate([found.whole_parent, found.part_parent])
    pieces = np.concatenate([geoms[found.whole_child], polygonal(inter.values)])
    area = np.nan_to_num(shapely.area(pieces))
    home = _home(c, p, area, len(geoms))
    crossing = (area > 0) & (home[c] != p)
    homes = np.where(home[c] >= 0, parent_ids[np.maximum(home[c], 0)], "")
    cross = draft(
        cross_rule,
        kind,
        ids[c[crossing]],
        pieces[crossing],
        other_layer=parent_kind,
        other_ids=[
            join_ids(pair) for pair in zip(homes[crossing], parent_ids[p[crossing]], strict=True)
        ],
        detail=[
            f"{h} → {q}" for h, q in zip(homes[crossing], parent_ids[p[crossing]], strict=True)
        ],
        noise_eligible=True,
    )
    orphans = _orphans(geoms, ids, parent_geoms, c, p, area, kind=kind)
    orphans["other_layer"] = parent_kind
    orphans["rule"] = orphan_rule
    return Nesting(
        home, concat([cross, orphans, failures(inter, ids[found.part_child], kind=kind)])
    )


def check_points_in(
    points: np.ndarray,
    ids: np.ndarray,
    parent_geoms: np.ndarray,
    parent_ids: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
    rule: str,
    tolerance_m: float,
) -> Nesting:
    """Points must lie in exactly one parent; on a shared boundary or within tolerance is noise."""
    tree = shapely.STRtree(parent_geoms)
    pt, p = tree.query(points, predicate="intersects")
    counts = np.bincount(pt, minlength=len(points))
    home = np.full(len(points), -1)
    home[pt[::-1]] = p[::-1]  # first parent found
    near = tree.query(points, predicate="dwithin", distance=tolerance_m)[0]
    outside = np.flatnonzero(counts == 0)
    shared = np.flatnonzero(counts > 1)
    found = concat(
        [
            draft(
                rule,
                kind,
                ids[outside],
                points[outside],
                other_layer=parent_kind,
                detail=Text(f"不在任何{spec(parent_kind).label_zh}内", f"in no {parent_kind}"),
            ),
            draft(
                rule,
                kind,
                ids[shared],
                points[shared],
                other_layer=parent_kind,
                other_ids=[",".join(sorted(parent_ids[p[pt == i]])) for i in shared],
                detail=Text(
                    f"位于多个{spec(parent_kind).label_zh}的边界上",
                    f"on the boundary of several {parent_kind}s",
                ),
            ),
        ]
    )
    found["noise"] = found["ids"].isin(ids[shared]) | found["ids"].isin(ids[np.unique(near)])
    return Nesting(home, found)


def _home(c: np.ndarray, p: np.ndarray, area: np.ndarray, n: int) -> np.ndarray:
    """For each child, the parent holding the largest share (-1 when none)."""
    home = np.full(n, -1)
    if len(c):
        order = np.lexsort((-area, c))  # by child, largest area first
        first = np.unique(c[order], return_index=True)[1]
        best = order[first]
        positive = area[best] > 0
        home[c[best[positive]]] = p[best[positive]]
    return home


def _orphans(
    geoms: np.ndarray,
    ids: np.ndarray,
    parent_geoms: np.ndarray,
    c: np.ndarray,
    p: np.ndarray,
    area: np.ndarray,
    *,
    kind: str,
) -> pd.DataFrame:
    """The part of each child in no parent (only children whose shares do not add up)."""
    inside = np.bincount(c, weights=area, minlength=len(geoms))
    own = shapely.area(geoms)
    short = np.flatnonzero(own - inside > _ROUND_OFF_M * shapely.length(geoms))
    outside = np.empty(len(short), dtype=object)
    for j, i in enumerate(short):  # only the children that stick out
        cover = parent_geoms[p[c == i]]
        outside[j] = (
            shapely.difference(geoms[i], shapely.union_all(cover)) if len(cover) else geoms[i]
        )
    outside = polygonal(outside)
    ok = ~shapely.is_missing(outside)
    return draft("orphan", kind, ids[short[ok]], outside[ok], noise_eligible=True)
