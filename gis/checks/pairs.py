"""Child × parent pairs from STRtree bulk queries, the cheap way first.

In a consistent district almost every child lies wholly in one parent.  One
prepared ``covered_by`` query finds those, and their share is simply 1: no
intersection is computed.  Only the other children are paired with every parent
they intersect, for the caller to intersect in one vectorized call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely


@dataclass(frozen=True)
class Pairs:
    """``whole``: (child, parent) with the child covered by the parent (first one found);
    ``part``: (child, parent) pairs of the remaining children that intersect."""

    whole_child: np.ndarray
    whole_parent: np.ndarray
    part_child: np.ndarray
    part_parent: np.ndarray


def pairs(tree: shapely.STRtree, geoms: np.ndarray) -> Pairs:
    """Pairs of ``geoms`` (children) with the tree's geometries (parents)."""
    c, p = tree.query(geoms, predicate="covered_by")
    first = np.unique(c, return_index=True)[1]
    c, p = c[first], p[first]
    rest = np.setdiff1d(np.arange(len(geoms)), c)
    rc, rp = tree.query(geoms[rest], predicate="intersects")
    return Pairs(c, p, rest[rc], rp)
