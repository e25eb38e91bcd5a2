"""Child × parent pairs from STRtree bulk queries, the cheap way first.

In a consistent district almost every child lies wholly in one parent.  One
``covered_by`` query finds those, and their share is simply 1: no intersection is
computed.  Only the other children are paired with the parents whose interiors they
meet, for the caller to intersect in one vectorized call.

Cheaper tests come first, without changing any answer:

- a child can only be covered by a parent whose envelope contains its envelope, and
  a child that is an exact copy of a parent (an auxiliary beat copying its grid, a
  beat of one grid) is covered by it: GEOS relates only the remaining candidates,
  in the same order as ``tree.query(geoms, predicate="covered_by")``;
- pairs that merely touch (``touches``: interiors disjoint) have no area in common
  and are never intersected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gis.checks.safe import Guarded, guarded


@dataclass(frozen=True)
class Pairs:
    """``whole``: (child, parent) with the child covered by the parent (first one found);
    ``part``: (child, parent) pairs of the remaining children whose interiors meet."""

    whole_child: np.ndarray
    whole_parent: np.ndarray
    part_child: np.ndarray
    part_parent: np.ndarray


def pairs(tree: shapely.STRtree, geoms: np.ndarray) -> Pairs:
    """Pairs of ``geoms`` (children) with the tree's geometries (parents)."""
    c, p = covered_pairs(tree, geoms)
    first = np.unique(c, return_index=True)[1]
    c, p = c[first], p[first]
    rest = np.setdiff1d(np.arange(len(geoms)), c)
    rc, rp = interior_pairs(tree, geoms[rest])
    return Pairs(c, p, rest[rc], rp)


@dataclass(frozen=True)
class Overlaid:
    """Children related to parents once, for every check that needs it: all the
    (child, parent) pairs with the child covered by the parent, the pairs of the other
    children whose interiors meet a parent, and their guarded intersections."""

    covered_child: np.ndarray
    covered_parent: np.ndarray
    part_child: np.ndarray
    part_parent: np.ndarray
    inter: Guarded


def overlaid(tree: shapely.STRtree, geoms: np.ndarray) -> Overlaid:
    """Relate ``geoms`` (children) to the tree's geometries (parents) and intersect
    the pairs that need it (the same pairs as :func:`pairs`)."""
    c, p = covered_pairs(tree, geoms)
    rest = np.setdiff1d(np.arange(len(geoms)), c)
    rc, rp = interior_pairs(tree, geoms[rest])
    parents = np.asarray(tree.geometries, dtype=object)
    inter = guarded(shapely.intersection, geoms[rest[rc]], parents[rp])
    return Overlaid(c, p, rest[rc], rp, inter)


def covered_pairs(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (and order) of ``tree.query(geoms, predicate="covered_by")``, cheaper.

    Envelope containment filters the candidates; exact copies (``equals_exact``
    with tolerance 0: the same coordinates) are covered without a relate; GEOS
    relates only the children that still have a candidate.

    Examples
    --------
    >>> from shapely import box
    >>> parents = np.array([box(0, 0, 2, 2), box(2, 0, 4, 2), box(0, 0, 4, 2)])
    >>> children = np.array([box(0, 0, 2, 2), box(1, 0, 3, 1), box(3, 1, 4, 2)])
    >>> tree = shapely.STRtree(parents)
    >>> [a.tolist() for a in covered_pairs(tree, children)] == [
    ...     a.tolist() for a in tree.query(children, predicate="covered_by")]
    True
    """
    c, p = tree.query(geoms)  # envelope candidates, in the order of the predicate query
    parents = np.asarray(tree.geometries, dtype=object)
    cb, pb = shapely.bounds(geoms[c]), shapely.bounds(parents[p])
    inside = (cb[:, 0] >= pb[:, 0]) & (cb[:, 1] >= pb[:, 1])
    inside &= (cb[:, 2] <= pb[:, 2]) & (cb[:, 3] <= pb[:, 3])
    c, p = c[inside], p[inside]
    other = ~shapely.equals_exact(geoms[c], parents[p], 0.0)
    if not other.any():
        return c, p
    ask = np.unique(c[other])
    qc, qp = tree.query(geoms[ask], predicate="covered_by")
    n = np.int64(len(parents))
    covered = np.isin(c.astype(np.int64) * n + p, ask[qc].astype(np.int64) * n + qp)
    keep = ~other | covered
    return c[keep], p[keep]


def copies(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two geometry arrays hold the same geometries, coordinate for coordinate."""
    return len(a) == len(b) and bool(shapely.equals_exact(a, b, 0.0).all())


def interior_pairs(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``geoms`` with tree geometries whose interiors intersect.

    The ``intersects`` query, minus the pairs that only touch; a pair on which GEOS
    fails is kept, so that the caller's guarded intersection reports it.
    """
    c, p = tree.query(geoms, predicate="intersects")
    if not len(c):
        return c, p
    parents = np.asarray(tree.geometries, dtype=object)
    touch = guarded(shapely.touches, geoms[c], parents[p])
    keep = np.ones(len(c), dtype=bool)
    ok = np.setdiff1d(np.arange(len(c)), touch.failed)
    keep[ok] = ~touch.values[ok].astype(bool)
    return c[keep], p[keep]
