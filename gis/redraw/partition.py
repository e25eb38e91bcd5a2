"""Contiguous, balanced, compact partitions of a unit graph (the engine of balancing).

The method is GerryChain's: an initial plan by *recursive tree partition* (draw a random
spanning tree of the unit adjacency graph, cut one edge so the subtree's load is within
the band, repeat on the rest), then *ReCom* steps (merge two neighbouring parts, draw a
random spanning tree of their union, cut it again) accepted when they lower the
objective.  Unlike GerryChain the objective weighs several loads at once (households,
population, incident workload...) and the compactness (Polsby-Popper from unit areas and
boundary lengths).  Spanning trees come from ``scipy.sparse.csgraph.minimum_spanning_tree``
over random edge weights; edges crossing a barrier (road, river) weigh more, so trees
rarely cross barriers and cuts tend to follow them.

Parts are contiguous by construction: every part is a subtree of a spanning tree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree


@dataclass(frozen=True)
class UnitGraph:
    """Units (nodes) with loads, areas and outer boundary; rook adjacency (edges).

    ``loads``: (n, c) array; column 0 is the hard-banded load.  ``edge_len``: shared
    boundary length; ``edge_cost``: extra spanning-tree weight (barriers).
    """

    loads: np.ndarray
    area: np.ndarray
    outer: np.ndarray
    edges: np.ndarray
    edge_len: np.ndarray
    edge_cost: np.ndarray

    @property
    def n(self) -> int:
        return len(self.area)


@dataclass(frozen=True)
class Targets:
    """Hard bands per load (``lo``..``hi`` per part, ±inf when free), soft targets and
    weights for all loads, weight of the compactness penalty."""

    lo: np.ndarray
    hi: np.ndarray
    target: np.ndarray
    weights: np.ndarray
    compactness: float


class PartitionFailed(RuntimeError):
    """No plan within the band was found (the caller turns it into a domain error)."""


def recursive_partition(
    graph: UnitGraph, k: int, targets: Targets, rng: np.random.Generator, *, tries: int = 60
) -> np.ndarray:
    """Labels 0..k-1: k contiguous parts, each with its loads within the bands."""
    for _ in range(tries):
        labels = np.full(graph.n, -1)
        ok = True
        for part in range(k - 1):
            free = labels < 0
            cut = _peel(graph, free, k - part, targets, rng)
            if cut is None:
                ok = False
                break
            labels[cut] = part
        if ok:
            labels[labels < 0] = k - 1
            if _in_band(graph.loads[labels == k - 1].sum(axis=0), targets):
                return labels
    raise PartitionFailed(f"no plan of {k} parts within the band after {tries} tries")


def recom(
    graph: UnitGraph,
    labels: np.ndarray,
    targets: Targets,
    rng: np.random.Generator,
    *,
    steps: int = 200,
) -> np.ndarray:
    """Improve a plan by ReCom steps accepted when the two parts' objective drops."""
    labels = labels.copy()
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    for _ in range(steps):
        boundary = np.flatnonzero(labels[i] != labels[j])
        if not len(boundary):
            break
        e = boundary[rng.integers(len(boundary))]
        a, b = labels[i[e]], labels[j[e]]
        pair = (labels == a) | (labels == b)
        cut = _best_cut(graph, pair, 2, targets, rng, tries=3)
        if cut is None:
            continue
        old = objective(graph, labels == a, targets) + objective(graph, labels == b, targets)
        rest = pair & ~cut
        if objective(graph, cut, targets) + objective(graph, rest, targets) < old - 1e-12:
            labels[cut], labels[rest] = a, b
    return labels


def objective(graph: UnitGraph, part: np.ndarray, targets: Targets) -> float:
    """Weighted squared relative deviation of the loads + compactness penalty (1 - PP)."""
    loads = graph.loads[part].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.where(targets.target > 0, loads / targets.target - 1.0, 0.0)
    return float((targets.weights * dev**2).sum() + targets.compactness * (1.0 - pp(graph, part)))


def pp(graph: UnitGraph, part: np.ndarray) -> float:
    """Polsby-Popper of a union of units, from unit areas and boundary lengths."""
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    cut = part[i] != part[j]
    perimeter = graph.outer[part].sum() + graph.edge_len[cut & (part[i] | part[j])].sum()
    return float(4.0 * np.pi * graph.area[part].sum() / max(perimeter, 1e-12) ** 2)


def _in_band(values: np.ndarray, targets: Targets) -> bool:
    return bool(np.all((values >= targets.lo - 1e-9) & (values <= targets.hi + 1e-9)))


def _times(n: int, bound: np.ndarray) -> np.ndarray:
    """``n × bound`` with infinite bounds kept infinite (and 0 × inf = 0 avoided)."""
    return np.where(np.isfinite(bound), n * bound, bound)


def _peel(
    graph: UnitGraph, free: np.ndarray, parts_left: int, targets: Targets, rng: np.random.Generator
) -> np.ndarray | None:
    return _best_cut(graph, free, parts_left, targets, rng, tries=40)


def _best_cut(
    graph: UnitGraph,
    nodes: np.ndarray,
    parts_left: int,
    targets: Targets,
    rng: np.random.Generator,
    *,
    tries: int,
) -> np.ndarray | None:
    """A subtree of a random spanning tree of ``nodes`` that can be one part, the rest
    still splittable into ``parts_left - 1`` parts within the band; best by objective."""
    total = graph.loads[nodes].sum(axis=0)
    rest_lo, rest_hi = _times(parts_left - 1, targets.lo), _times(parts_left - 1, targets.hi)
    for _ in range(tries):
        tree = _random_tree(graph, nodes, rng)
        if tree is None:
            return None
        order, pred, sums = tree
        rest = total - sums
        ok = np.all((sums >= targets.lo - 1e-9) & (sums <= targets.hi + 1e-9), axis=1)
        ok &= np.all((rest >= rest_lo - 1e-9) & (rest <= rest_hi + 1e-9), axis=1)
        ok &= nodes  # only nodes of this tree
        ok[order[0]] = False  # the root's subtree is everything
        candidates = np.flatnonzero(ok)
        if len(candidates):
            masks = [_subtree(order, pred, c, graph.n) for c in candidates[:25]]
            scores = [objective(graph, m, targets) for m in masks]
            return masks[int(np.argmin(scores))]
    return None


def _random_tree(
    graph: UnitGraph, nodes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """BFS order, predecessors and subtree load sums of a random spanning tree."""
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    inside = nodes[i] & nodes[j]
    weight = rng.random(inside.sum()) + 1e-6 + graph.edge_cost[inside]
    matrix = coo_matrix((weight, (i[inside], j[inside])), shape=(graph.n, graph.n)).tocsr()
    tree = minimum_spanning_tree(matrix)
    tree = tree + tree.T
    members = np.flatnonzero(nodes)
    root = members[rng.integers(len(members))]
    order, pred = breadth_first_order(tree, root, directed=False, return_predecessors=True)
    if len(order) != len(members):
        return None  # the nodes are not connected
    sums = np.zeros(graph.loads.shape)
    sums[order] = graph.loads[order]
    # leaves first: add each subtree into its parent.  A loop over tree nodes (a few
    # hundred): a sparse triangular solve does the same but is 3x slower end to end.
    for node in order[:0:-1]:
        sums[pred[node]] += sums[node]
    return order, pred, sums


def _subtree(order: np.ndarray, pred: np.ndarray, node: int, n: int) -> np.ndarray:
    """Mask of ``node`` and its descendants in a BFS tree."""
    mask = np.zeros(n, dtype=bool)
    mask[node] = True
    for v in order:  # BFS order: parents come before their children
        if v != node and pred[v] >= 0 and mask[pred[v]]:
            mask[v] = True
    return mask
