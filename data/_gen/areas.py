"""Planned areas: grid seeds and cells, communities (clusters of cells), officer beats.

Grids are the Voronoi cells of Poisson-disk seeds (denser in the urban east, sparse in
the two rural villages in the west), relaxed once towards their centroids.  Communities
are k-means clusters of grid seeds, so they are unions of whole grids; beats follow the
communities (the two villages share one beat, the largest community has two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint

from data._gen.frame import Frame

N_URBAN_COMMUNITIES = 8
N_RURAL_COMMUNITIES = 2
_URBAN_SPACING_M = 214.0
_RURAL_SPACING_M = 360.0


@dataclass(frozen=True)
class Plan:
    """Cell-level plan: one row per grid cell, in metres."""

    seeds: np.ndarray  # (n, 2)
    cells: np.ndarray  # Voronoi cells clipped to the street
    community: np.ndarray  # community index of each cell (0..9, sorted north→south)
    rural: np.ndarray  # bool per community
    beat: np.ndarray  # beat index of each cell
    edges: shapely.Geometry  # the Voronoi edges (MultiLineString), unclipped


def plan_areas(frame: Frame, rng: np.random.Generator) -> Plan:
    """Seeds → cells → communities → beats, each checked to be one piece."""
    seeds = _poisson_seeds(frame, rng)
    seeds = np.array(shapely.get_coordinates(shapely.centroid(_cells(seeds, frame))), dtype=float)
    cells = _cells(seeds, frame)
    rural_cell = seeds[:, 0] < frame.rural_x
    community, rural = _communities(seeds, cells, rural_cell, rng)
    beat = _beats(seeds, community, rural)
    edges = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=shapely.buffer(frame.street, 500), only_edges=True
    )
    return Plan(seeds, cells, community, rural, beat, edges)


def _poisson_seeds(frame: Frame, rng: np.random.Generator) -> np.ndarray:
    """Dart throwing: a seed is kept when no kept seed lies within the larger of both radii."""
    x0, y0, x1, y1 = frame.street.bounds
    cand = np.column_stack([rng.uniform(x0, x1, 9000), rng.uniform(y0, y1, 9000)])
    cand = cand[shapely.contains_xy(shapely.buffer(frame.street, -60), cand[:, 0], cand[:, 1])]
    radius = np.where(cand[:, 0] < frame.rural_x, _RURAL_SPACING_M, _URBAN_SPACING_M)
    kept = np.empty((0, 2))
    kept_r = np.empty(0)
    for p, r in zip(cand, radius, strict=True):  # dart throwing: each dart needs the ones before
        if kept.size == 0 or np.all(np.hypot(*(kept - p).T) >= np.maximum(kept_r, r)):
            kept = np.vstack([kept, p])
            kept_r = np.append(kept_r, r)
    return kept


def _cells(seeds: np.ndarray, frame: Frame) -> np.ndarray:
    """Voronoi cells of the seeds, in seed order, clipped to the street."""
    vor = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=shapely.buffer(frame.street, 500), ordered=True
    )
    return shapely.intersection(np.asarray(shapely.get_parts(vor)), frame.street)


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Plain k-means (30 Lloyd steps) from ``k`` random seeds; returns the labels."""
    centres = points[rng.choice(len(points), k, replace=False)]
    for _ in range(30):
        label = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        counts = np.bincount(label, minlength=k)
        sums = np.stack([np.bincount(label, points[:, d], minlength=k) for d in (0, 1)], 1)
        centres = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
    return label


def _communities(
    seeds: np.ndarray, cells: np.ndarray, rural_cell: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster urban and rural seeds separately until every community is one piece."""
    for _attempt in range(50):
        label = np.full(len(seeds), -1)
        label[~rural_cell] = _kmeans(seeds[~rural_cell], N_URBAN_COMMUNITIES, rng)
        label[rural_cell] = N_URBAN_COMMUNITIES + _kmeans(
            seeds[rural_cell], N_RURAL_COMMUNITIES, rng
        )
        if _all_one_piece(cells, label) and np.bincount(label).min() >= 5:
            break
    else:  # pragma: no cover - the fixed seeds never get here
        raise RuntimeError("could not cluster grids into contiguous communities")
    k = N_URBAN_COMMUNITIES + N_RURAL_COMMUNITIES
    cy = np.bincount(label, seeds[:, 1], k) / np.bincount(label, minlength=k)
    cx = np.bincount(label, seeds[:, 0], k) / np.bincount(label, minlength=k)
    order = np.lexsort((cx, -np.round(cy, -2)))  # north to south, then west to east
    rank = np.empty(k, int)
    rank[order] = np.arange(k)
    rural = np.zeros(k, bool)
    rural[rank[N_URBAN_COMMUNITIES:]] = True
    return rank[label], rural


def _all_one_piece(cells: np.ndarray, label: np.ndarray) -> bool:
    """Whether every group of cells unions into a single polygon."""
    groups = [shapely.union_all(cells[label == g]) for g in np.unique(label)]
    return all(shapely.get_num_geometries(g) == 1 for g in groups)


def _beats(seeds: np.ndarray, community: np.ndarray, rural: np.ndarray) -> np.ndarray:
    """Urban community → one beat (the largest → two); both villages → one beat."""
    beat = community.copy()
    villages = np.flatnonzero(rural)
    beat[np.isin(community, villages)] = villages.min()
    sizes = np.bincount(community)
    sizes[villages] = 0
    big = int(np.argmax(sizes))
    inside = community == big
    pts = seeds[inside] - seeds[inside].mean(0)
    axis = np.linalg.svd(pts, full_matrices=False)[2][0]
    proj = pts @ axis
    second = np.zeros(len(seeds), bool)
    second[np.flatnonzero(inside)[proj > np.median(proj)]] = True
    beat[second] = community.max() + 1
    _, dense = np.unique(beat, return_inverse=True)
    return dense
