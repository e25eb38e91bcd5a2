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
  and are never intersected;
- a child that lies in one parent but for pieces narrower than a speck (a grid
  digitized a few millimetres over its community's edge) is settled in that parent
  without intersecting it (:func:`settled`): GEOS overlays of edges millimetres
  apart fall back to snapping noders and cost five times a plain overlay.
"""

from __future__ import annotations

from collections.abc import Callable
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


Settle = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
"""(child, parent) pairs that intersect → (child, home) of the children that lie in
one parent but for specks (a partial :func:`settled`)."""


def pairs(tree: shapely.STRtree, geoms: np.ndarray, *, settle: Settle | None = None) -> Pairs:
    """Pairs of ``geoms`` (children) with the tree's geometries (parents).

    ``settle``: children it settles count as covered by their home parent; it sees the
    ``intersects`` pairs of the children not covered, before touching pairs are
    dropped, so that settled children cost no ``touches``.
    """
    c, p = covered_pairs(tree, geoms)
    first = np.unique(c, return_index=True)[1]
    c, p = c[first], p[first]
    rest = np.setdiff1d(np.arange(len(geoms)), c)
    rc, rp = tree.query(geoms[rest], predicate="intersects")
    rc = rest[rc]
    if settle is not None:
        sc, sp = settle(rc, rp)
        moved = np.isin(rc, sc)
        rc, rp = rc[~moved], rp[~moved]
        c, p = np.concatenate([c, sc]), np.concatenate([p, sp])
    keep = _not_touching(geoms[rc], np.asarray(tree.geometries, dtype=object)[rp])
    return Pairs(c, p, rc[keep], rp[keep])


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
    relates only the remaining (child, parent) pairs, not every envelope candidate.

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
    other = np.flatnonzero(~shapely.equals_exact(geoms[c], parents[p], 0.0))
    keep = np.ones(len(c), dtype=bool)
    keep[other] = shapely.covered_by(geoms[c[other]], parents[p[other]])
    return c[keep], p[keep]


def settled(
    geoms: np.ndarray,
    parents: np.ndarray,
    union: shapely.Geometry,
    child: np.ndarray,
    parent: np.ndarray,
    *,
    speck_m: float,
    round_off_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(child, home) of the children of the pairs ``(child, parent)`` (every parent
    each child intersects) that lie in one parent but for specks, proven without
    intersecting any pair.  ``union``: the union of ``parents``.

    The proof uses one bound: the part of a polygon within ``d`` of the boundary of a
    parent, on one side of it, has at most the area ``band = Σ (d·length + π·d²)``
    over that boundary's segments clipped to the polygon's box grown by ``d`` (each
    point's nearest boundary point lies on such a segment, or is a vertex).  A child
    is settled in ``home`` when

    - every other parent it meets, eroded by ``t = 0.45 · speck_m``, misses it: each
      of those pieces is narrower than ``speck_m`` (no disc of radius ``t`` fits in
      it), a speck that :func:`gis.checks.finalize.finalize` drops, and its area is
      at most its ``band`` of ``t``;
    - it is covered by ``union`` grown by ``m = speck_m / 2``: its part in no parent
      lies within ``m`` of the union's boundary, at most its ``band`` of ``m``, which is
      under the child's round-off (``round_off_m`` × perimeter, below which a shortfall
      is no orphan);
    - what ``home`` holds at least (the child's area minus those bounds) is more than
      any other piece's bound: ``home`` holds the largest share, as the exact
      intersections would find.

    Buffers round their joins with chords inside the circle, so the eroded parents are
    never smaller, and the grown union never larger, than the exact ones.
    """
    none = np.empty(0, dtype=np.intp)
    if speck_m <= 0 or not len(child):
        return none, none
    t, m = 0.45 * speck_m, speck_m / 2.0
    used = np.unique(parent)
    eroded = np.empty(len(parents), dtype=object)
    eroded[used] = shapely.buffer(parents[used], -t, quad_segs=4)
    shapely.prepare(eroded[used])
    real = shapely.intersects(eroded[parent], geoms[child])
    count = np.bincount(child[real], minlength=len(geoms))
    candidate = np.unique(child[count[child] == 1])
    if not len(candidate):
        return none, none
    grown = shapely.buffer(union, m, quad_segs=4)
    shapely.prepare(grown)
    candidate = candidate[shapely.covered_by(geoms[candidate], grown)]
    loose = _band(geoms[candidate], np.array([union]), np.zeros(len(candidate), int), m)
    thin = np.isin(child, candidate) & ~real  # the other pieces of the candidates
    piece = _band(geoms[child[thin]], parents, parent[thin], t)
    total = np.bincount(child[thin], weights=piece, minlength=len(geoms))[candidate]
    largest = np.zeros(len(geoms))
    np.maximum.at(largest, child[thin], piece)
    own = shapely.area(geoms[candidate])
    ok = loose <= round_off_m * shapely.length(geoms[candidate])
    ok &= own - loose - total > largest[candidate]
    home = np.full(len(geoms), -1)
    home[child[real]] = parent[real]
    return candidate[ok], home[candidate[ok]]


def _band(geoms: np.ndarray, polygons: np.ndarray, which: np.ndarray, d: float) -> np.ndarray:
    """Per geometry, ``Σ (d·length + π·d²)`` over the boundary segments of
    ``polygons[which]`` clipped to its box grown by ``d`` (see :func:`settled`)."""
    if not len(geoms):
        return np.zeros(0)
    near = np.unique(which)
    lines, owner = shapely.get_parts(shapely.boundary(polygons[near]), return_index=True)
    coords, line = shapely.get_coordinates(lines, return_index=True)
    same = line[1:] == line[:-1]  # consecutive vertices of one line make a segment
    a, b, seg_owner = coords[:-1][same], coords[1:][same], near[owner[line[:-1][same]]]
    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    box = shapely.bounds(geoms) + np.array([-d, -d, d, d])
    k, s = tree.query(shapely.box(*box.T))
    mine = seg_owner[s] == which[k]
    k, s = k[mine], s[mine]
    length = _clipped_length(a[s], b[s], box[k])
    return np.bincount(k, weights=d * length + np.pi * d * d, minlength=len(geoms))


def _clipped_length(a: np.ndarray, b: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Length of each segment ``a``–``b`` inside its box (Liang–Barsky)."""
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    for p, q in (
        (-d[:, 0], a[:, 0] - box[:, 0]),
        (d[:, 0], box[:, 2] - a[:, 0]),
        (-d[:, 1], a[:, 1] - box[:, 1]),
        (d[:, 1], box[:, 3] - a[:, 1]),
    ):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = q / p
        t0 = np.where(p < 0, np.maximum(t0, r), t0)
        t1 = np.where(p > 0, np.minimum(t1, r), t1)
        t1 = np.where((p == 0) & (q < 0), -1.0, t1)  # parallel and outside
    return np.maximum(t1 - t0, 0.0) * np.hypot(d[:, 0], d[:, 1])


def copies(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two geometry arrays hold the same geometries, coordinate for coordinate."""
    return len(a) == len(b) and bool(shapely.equals_exact(a, b, 0.0).all())


def interior_pairs(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``geoms`` with tree geometries whose interiors intersect.

    The ``intersects`` query, minus the pairs that only touch; a pair on which GEOS
    fails is kept, so that the caller's guarded intersection reports it.
    """
    c, p = tree.query(geoms, predicate="intersects")
    keep = _not_touching(geoms[c], np.asarray(tree.geometries, dtype=object)[p])
    return c[keep], p[keep]


def _not_touching(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, whether the interiors may meet: not ``touches`` (or GEOS failed on it)."""
    keep = np.ones(len(a), dtype=bool)
    if not len(a):
        return keep
    touch = guarded(shapely.touches, a, b)
    ok = np.setdiff1d(np.arange(len(a)), touch.failed)
    keep[ok] = ~touch.values[ok].astype(bool)
    return keep
