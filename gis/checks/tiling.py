"""Tiling within a layer: no overlaps, no gaps, and the layer covers its parent.

- Overlaps: nothing to do when GEOS says the layer is a valid coverage
  (``coverage_is_valid``); otherwise only polygons with invalid coverage edges
  (``coverage_invalid_edges``) are queried in the STRtree and intersected with what
  they meet, in one vectorized call.
- A gap is a hole of the layer's union: an area enclosed by the layer's own
  features.  Without a parent layer, the hole of a single feature (a donut drawn
  on purpose) is data, not a gap; with one, any part of a hole the parent covers is.
  Areas open on the outer perimeter of the whole layer are not gaps;
  holes that are holes of the parent too (a lake excluded from the community) are
  not gaps either, because only the part of a hole inside the parent counts.
- What is inside a parent but in no child and not already a gap is reported as
  ``not_covering_parent`` against that parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, join_ids, polygonal
from gis.checks.pairs import copies, interior_pairs
from gis.checks.safe import failures, guarded

_SPECK_M = 0.01


def check_overlaps(
    geoms: np.ndarray,
    ids: np.ndarray,
    *,
    kind: str,
    is_coverage: bool,
    invalid_edges: np.ndarray | None = None,
) -> pd.DataFrame:
    """One ``overlap`` finding per pair of features whose interiors intersect.

    ::

        +----+--+----+
        | a  |##| b  |     ## = overlap of a and b
        +----+--+----+
    """
    if not len(geoms) or is_coverage:
        return draft("overlap", kind, [], [])  # a valid coverage has no overlaps
    # only polygons with invalid coverage edges can overlap anything (GEOS CoverageValidator)
    if invalid_edges is None:
        invalid_edges = shapely.coverage_invalid_edges(geoms)
    suspect = np.flatnonzero(~shapely.is_empty(invalid_edges))
    tree = shapely.STRtree(geoms)
    left, right = interior_pairs(tree, geoms[suspect])  # touching pairs share no area
    left = suspect[left]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    key = np.unique(lo[lo < hi].astype(np.int64) * len(geoms) + hi[lo < hi])
    left, right = key // len(geoms), key % len(geoms)
    inter = guarded(shapely.intersection, geoms[left], geoms[right])
    areas = polygonal(inter.values)
    found = ~shapely.is_missing(areas)
    pair_ids = [join_ids(p) for p in zip(ids[left[found]], ids[right[found]], strict=True)]
    return concat(
        [
            draft("overlap", kind, pair_ids, areas[found], noise_eligible=True),
            failures(inter, ids[left], ids[right], kind=kind),
        ]
    )


@dataclass(frozen=True)
class Coverage:
    """GEOS coverage validation and union of a layer, computed once for all its checks."""

    invalid_edges: np.ndarray  # per feature; empty where its edges are valid
    is_valid: bool
    union: shapely.Geometry


def coverage_of(
    geoms: np.ndarray, *, known: Sequence[tuple[np.ndarray, Coverage]] = ()
) -> Coverage:
    """Validate a layer as a coverage and union it, once.

    ``coverage_is_valid`` is ``coverage_invalid_edges`` all empty (the same GEOS
    ``CoverageValidator``), so the edges are computed once and give both.  A layer
    whose geometries are exact copies of a layer in ``known`` (auxiliary beats copying
    the grids, as they should) reuses its result.
    """
    for other, coverage in known:
        if copies(other, geoms):
            return coverage
    if not len(geoms):
        return Coverage(np.empty(0, dtype=object), False, layer_union(geoms, is_coverage=False))
    edges = np.asarray(shapely.coverage_invalid_edges(geoms), dtype=object)
    valid = bool((shapely.is_missing(edges) | shapely.is_empty(edges)).all())
    return Coverage(edges, valid, layer_union(geoms, is_coverage=valid))


def layer_union(geoms: np.ndarray, *, is_coverage: bool) -> shapely.Geometry:
    """Union of a layer: the fast coverage union when it is a clean coverage."""
    if len(geoms) and is_coverage:
        return shapely.coverage_union_all(geoms)
    return shapely.union_all(geoms)


def check_gaps(
    geoms: np.ndarray,
    ids: np.ndarray,
    *,
    kind: str,
    union: shapely.Geometry,
    parent_geoms: np.ndarray | None = None,
    parent_ids: np.ndarray | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Gaps: holes of the layer's union (inside the parent when a parent is given).

    ::

        +----+----+
        | a  | b  |
        +--+ . +--+      . = gap (enclosed by a, b, c, d)
        | c  | d  |
        +----+----+

    Returns the draft findings and the gap polygons (for :func:`check_cover`).
    """
    holes = union_holes(union, geoms)
    if parent_geoms is not None and len(holes):
        holes, parents = _clip_to_parents(holes, parent_geoms)
        other = [join_ids(parent_ids[p]) for p in parents] if parent_ids is not None else ""
    else:
        other = ""
    tree = shapely.STRtree(geoms)
    h, g = tree.query(holes, predicate="intersects")
    neighbours = (
        pd.Series(ids[g]).groupby(h).agg(join_ids).reindex(range(len(holes)), fill_value="")
    )
    if parent_geoms is None:  # a donut hole of a single feature is drawn on purpose
        counts = np.bincount(h, minlength=len(holes))
        keep = counts != 1
        holes, neighbours = holes[keep], neighbours[keep]
    other_layer = "" if parent_geoms is None else "parent"
    found = draft(
        "gap",
        kind,
        neighbours.to_numpy(),
        holes,
        other_layer=other_layer,
        other_ids=other,
        noise_eligible=True,
    )
    return found, holes


def check_cover(
    union: shapely.Geometry,
    gaps: np.ndarray,
    parent_geoms: np.ndarray,
    parent_ids: np.ndarray,
    *,
    kind: str,
    parent_kind: str,
) -> pd.DataFrame:
    """``not_covering_parent``: parts of each parent in no child and not already a gap."""
    bounds = shapely.bounds(parent_geoms)
    # each parent meets only its part of the union: clip first (one fast call per parent)
    local = np.array([shapely.clip_by_rect(union, *b) for b in bounds], dtype=object)
    rest = guarded(shapely.difference, parent_geoms, local)
    parts, owner = shapely.get_parts(polygonal(rest.values), return_index=True)
    if len(gaps) and len(parts):
        inside_gap = shapely.STRtree(gaps).query(
            shapely.point_on_surface(parts), predicate="intersects"
        )[0]
        keep = np.ones(len(parts), dtype=bool)
        keep[inside_gap] = False
        parts, owner = parts[keep], owner[keep]
    return draft(
        "not_covering_parent",
        kind,
        "",
        parts,
        other_layer=parent_kind,
        other_ids=parent_ids[owner] if len(owner) else [],
        noise_eligible=True,
    )


def union_holes(union: shapely.Geometry, geoms: np.ndarray) -> np.ndarray:
    """Interior rings of the union as polygons, minus features lying inside them (islands)."""
    polys = shapely.get_parts(union)
    polys = polys[shapely.get_type_id(polys) == 3]
    n_inner = shapely.get_num_interior_rings(polys)
    if not n_inner.sum():
        return np.empty(0, dtype=object)
    owner = np.repeat(np.arange(len(polys)), n_inner)
    position = np.concatenate([np.arange(k) for k in n_inner])
    holes = shapely.polygons(shapely.get_interior_ring(polys[owner], position))
    # mean width (area / half perimeter) under a centimetre: round-off, not a gap
    holes = holes[shapely.area(holes) >= _SPECK_M * shapely.length(holes) / 2.0]
    h, g = shapely.STRtree(geoms).query(holes, predicate="contains_properly")
    if len(h):  # islands: features wholly inside a hole are not part of the gap
        for hole in np.unique(h):  # rare; one difference per hole that has islands
            holes[hole] = shapely.difference(holes[hole], shapely.union_all(geoms[g[h == hole]]))
    return holes


def _clip_to_parents(
    holes: np.ndarray, parent_geoms: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Keep the part of each hole that lies in the parent layer (one bulk query)."""
    h, p = shapely.STRtree(parent_geoms).query(holes, predicate="intersects")
    pieces = polygonal(shapely.intersection(holes[h], parent_geoms[p]))
    ok = ~shapely.is_missing(pieces)
    h, p, pieces = h[ok], p[ok], pieces[ok]
    kept = np.unique(h)
    merged = np.empty(len(kept), dtype=object)
    index = np.searchsorted(kept, h)
    for i in range(len(kept)):  # one hole per iteration, usually one or two pieces
        own = pieces[index == i]
        merged[i] = own[0] if len(own) == 1 else shapely.union_all(own)
    return merged, [p[index == i] for i in range(len(kept))]


def minus_outside(found: pd.DataFrame, outside: shapely.Geometry | None) -> pd.DataFrame:
    """Gap and not-covered findings without the land that belongs to no one here.

    ::

        +----+----+
        | a  | b  |      o = an enclave of another jurisdiction (the outside layer):
        +--+ o +--+      not a gap, whatever encloses it
        | c  | d  |
        +----+----+
    """
    if outside is None or shapely.is_empty(outside) or not len(found):
        return found
    subject = found["rule"].isin(["gap", "not_covering_parent"]).to_numpy()
    if not subject.any():
        return found
    geoms = np.asarray(found["geometry"], dtype=object).copy()
    rest = polygonal(guarded(shapely.difference, geoms[subject], outside).values)
    geoms[subject] = rest
    found = found.assign(geometry=geoms)
    return found[~(subject & shapely.is_missing(geoms))].reset_index(drop=True)
