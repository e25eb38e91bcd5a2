"""Population balance (人口规模适度): loads per grid, the band, and a redraw proposal.

:func:`grid_loads` counts households, population (buildings, by representative point)
and incidents per grid; :func:`flag_band` marks grids below or above the band.
:func:`propose_balance` redraws the grids of *one* community into contiguous, compact
grids within the band (:mod:`gis.redraw.partition` on the buildings' Voronoi cells of
:mod:`gis.redraw.units`): the new grids never cross the community boundary (they tile
exactly the area of its old grids), locked grids are kept as they are, and with a road or
river layer the boundaries prefer to follow it.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from gis.crs import to_metric
from gis.guard import guard_layer
from gis.i18n import Text
from gis.redraw import _shapes as sh
from gis.redraw._common import geoms, locate, polsby_popper
from gis.redraw.edits import EditError
from gis.redraw.partition import (
    PartitionFailed,
    Targets,
    UnitGraph,
    recom,
    recursive_partition,
)
from gis.redraw.units import build_units
from gis.redraw.validate import new_violations

BandState = Literal["below", "within", "above"]
Scope = Literal["community", "neighbourhood"]


@dataclass(frozen=True)
class Band:
    """The moderate size of a grid: households (local standards: a few hundred per urban
    grid) and, optionally, residents."""

    min_households: float = 300.0
    max_households: float = 800.0
    min_population: float | None = None
    max_population: float | None = None

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of (households, population, incidents); ±inf = free."""
        lo = [self.min_households, self.min_population, None]
        hi = [self.max_households, self.max_population, None]
        return (
            np.array([-np.inf if v is None else v for v in lo], dtype=float),
            np.array([np.inf if v is None else v for v in hi], dtype=float),
        )


@dataclass(frozen=True)
class Weights:
    """Weights of the balancing objective (relative squared deviations and 1 - PP)."""

    households: float = 1.0
    population: float = 1.0
    incidents: float = 0.5
    compactness: float = 1.0


@dataclass(frozen=True)
class BalanceResult:
    """A proposed redraw of one community's grids.

    Attributes
    ----------
    grids : GeoDataFrame
        The whole grid layer with the community's grids replaced (input CRS).
    before, after : DataFrame
        :func:`grid_loads` of the community's grids, with a ``band`` column.
    figures : dict
        ``grids_before/after``, ``in_band_before/after``, ``max_deviation_before/after``
        (max |households/mean - 1|), ``mean_pp_before/after``, ``min_pp_before/after``.
    findings : GeoDataFrame
        Tiling violations the proposal would create (empty: checked by the engine).
    """

    community_id: str
    grids: gpd.GeoDataFrame
    before: pd.DataFrame
    after: pd.DataFrame
    figures: dict[str, float]
    findings: gpd.GeoDataFrame
    description: Text
    metric_crs: str
    created: tuple[str, ...] = field(default=())
    removed: tuple[str, ...] = field(default=())


def grid_loads(
    grids: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> pd.DataFrame:
    """Households, population, incidents, area (m²) and Polsby-Popper per grid."""
    guard_layer(grids, "grids")
    guard_layer(buildings, "buildings", fields=("households", "population"))
    g, crs = to_metric(grids, crs=metric_crs)
    g["id"] = g["id"].astype(str)
    ggeoms = geoms(g)
    home = locate(geoms(buildings.to_crs(crs)), ggeoms, ids=g["id"])
    hit = home >= 0
    out = pd.DataFrame({"id": g["id"].to_numpy()})
    if "parent_id" in g.columns:
        out["parent_id"] = g["parent_id"].astype(str).to_numpy()
    for col in ("households", "population"):
        values = pd.to_numeric(buildings[col], errors="coerce").fillna(0).to_numpy()
        out[col] = np.bincount(home[hit], weights=values[hit], minlength=len(g)).astype(int)
    if incidents is not None:
        where = locate(geoms(incidents.to_crs(crs)), ggeoms, ids=g["id"])
        out["incidents"] = np.bincount(where[where >= 0], minlength=len(g))
    out["area_m2"] = shapely.area(ggeoms)
    out["polsby_popper"] = polsby_popper(ggeoms)
    return out


def flag_band(loads: pd.DataFrame, band: Band | None = None) -> pd.DataFrame:
    """``loads`` with a ``band`` column: ``below``, ``within`` or ``above`` (households
    first, then population when the band bounds it)."""
    band = band or Band()
    lo, hi = band.bounds()
    values = loads[["households", "population"]].to_numpy(dtype=float)
    below = (values < lo[:2]).any(axis=1)
    above = (values > hi[:2]).any(axis=1)
    return loads.assign(band=np.where(below, "below", np.where(above, "above", "within")))


def propose_balance(
    grids: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    community_id: str,
    band: Band | None = None,
    weights: Weights | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    n_grids: int | None = None,
    steps: int = 200,
    seed: int = 0,
    scope: Scope = "community",
    metric_crs: pyproj.CRS | None = None,
) -> BalanceResult:
    """Redraw the unlocked grids of one community into grids within the band.

    Parameters
    ----------
    grids, buildings : GeoDataFrame
        Grid layer (``id``, ``parent_id``) and buildings (``households``, ``population``).
    community_id : str
        The community to redraw; other communities are not touched.
    incidents, barriers : GeoDataFrame, optional
        Incident points (a workload criterion) and road/river lines (preferred edges).
    locked : collection of str
        Grids kept as they are (their households are not redistributed).
    n_grids : int, optional
        Number of unlocked grids wanted; default: the current number, moved into the range
        the band allows (``ceil(H / max)`` .. ``floor(H / min)``).
    steps : int
        ReCom steps after the initial plan.
    scope : {"community", "neighbourhood"}
        Redraw every unlocked grid of the community, or only the out-of-band grids and
        their neighbours (1, then 2, then 3 rings; the whole community when no smaller
        area can be balanced): fewer grids change, the others keep their shape.

    Raises
    ------
    EditError
        When the community's households cannot be split within the band.
    """
    band, weights = band or Band(), weights or Weights()
    guard_layer(grids, "grids", fields=("id", "parent_id"))
    g, crs = to_metric(grids, crs=metric_crs)
    g["id"] = g["id"].astype(str)
    own = grids.assign(id=grids["id"].astype(str)).reset_index(drop=True)
    mine = (g["parent_id"].astype(str) == str(community_id)).to_numpy()
    free_rows = mine & ~g["id"].isin({str(x) for x in locked}).to_numpy()
    if not free_rows.any():
        raise EditError(
            Text("社区 {c} 没有可调整的网格", "community {c} has no grid that may change").format(
                c=community_id
            )
        )
    options = (n_grids, steps, seed, community_id)
    attempts = _scopes(g, mine, free_rows, buildings, band, crs, scope)
    for rows in attempts[:-1]:  # smallest neighbourhood first, the whole community last
        try:
            cells, labels = _redraw(
                own, rows, buildings, incidents, barriers, band, weights, crs, options
            )
        except EditError:
            continue
        return _result(
            own, g, crs, mine, rows, cells, labels, community_id, band, buildings, incidents
        )
    rows = attempts[-1]
    cells, labels = _redraw(own, rows, buildings, incidents, barriers, band, weights, crs, options)
    return _result(own, g, crs, mine, rows, cells, labels, community_id, band, buildings, incidents)


def _scopes(
    g: gpd.GeoDataFrame,
    mine: np.ndarray,
    free_rows: np.ndarray,
    buildings: gpd.GeoDataFrame,
    band: Band,
    crs: pyproj.CRS,
    scope: Scope,
) -> list[np.ndarray]:
    """Row masks to try: the out-of-band grids with 1, 2, 3 rings of neighbours (scope
    ``"neighbourhood"``), then the whole community."""
    if scope == "community":
        return [free_rows]
    loads = flag_band(grid_loads(g[mine], buildings, metric_crs=crs), band)
    rows = g["id"].isin(set(loads.loc[loads["band"] != "within", "id"])).to_numpy() & free_rows
    shapes = geoms(g)
    tree = shapely.STRtree(shapes)
    out = []
    for _ in range(3):
        i, j = tree.query(shapes[rows], predicate="intersects")
        i = np.flatnonzero(rows)[i]
        edge = shapely.length(
            shapely.intersection(shapely.boundary(shapes[i]), shapely.boundary(shapes[j]))
        )
        rows = rows.copy()
        rows[j[edge > 0]] = True
        rows &= free_rows
        out.append(rows)
    return [*out, free_rows]


def _redraw(
    g: gpd.GeoDataFrame,
    rows: np.ndarray,
    buildings: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None,
    barriers: gpd.GeoDataFrame | None,
    band: Band,
    weights: Weights,
    crs: pyproj.CRS,
    options: tuple[int | None, int, int, str],
) -> tuple[np.ndarray, np.ndarray]:
    """Building blocks of the rows' area (in ``g``'s own CRS) and their plan."""
    n_grids, steps, seed, cid = options
    cells, graph = build_units(
        sh.merged(geoms(g)[rows]),
        buildings.to_crs(g.crs),
        incidents=None if incidents is None else incidents.to_crs(g.crs),
        barriers=None if barriers is None else barriers.to_crs(g.crs),
        metric_crs=crs,
    )
    if _components(graph) > 1:
        raise EditError(
            Text(
                "社区 {c} 的可调整区域不连通（被锁定网格隔开），请分别调整或减少锁定",
                "the free area of community {c} is not connected (locked grids split it); "
                "balance the parts separately or lock fewer grids",
            ).format(c=cid)
        )
    k = _choose_k(graph.loads.sum(axis=0), int(rows.sum()), band, n_grids, cid)
    return cells, _plan(graph, k, _targets(graph.loads, k, band, weights), steps, seed, cid)


def _components(graph: UnitGraph) -> int:
    i, j = graph.edges[:, 0], graph.edges[:, 1]
    adjacency = coo_matrix((np.ones(len(i)), (i, j)), shape=(graph.n, graph.n))
    return int(connected_components(adjacency, directed=False)[0])


def _plan(
    graph: UnitGraph, k: int, targets: Targets, steps: int, seed: int, cid: str
) -> np.ndarray:
    """Recursive tree partition, then ReCom steps; EditError when no plan is in the band."""
    rng = np.random.default_rng(seed)
    try:
        labels = recursive_partition(graph, k, targets, rng)
    except PartitionFailed as error:
        raise EditError(
            Text(
                "社区 {c} 无法在人口范围内划分为 {k} 个网格",
                "community {c} cannot be split into {k} grids within the band",
            ).format(c=cid, k=k)
        ) from error
    return recom(graph, labels, targets, rng, steps=steps)


def _choose_k(totals: np.ndarray, current: int, band: Band, wanted: int | None, cid: str) -> int:
    """The number of grids: the wanted (or current) one moved into what the bands allow."""
    lo, hi = band.bounds()
    with np.errstate(divide="ignore"):
        k_lo = max(1, *(math.ceil(t / h) for t, h in zip(totals[:2], hi[:2], strict=True)))
        k_hi = min(
            math.floor(t / m) if m > 0 else 10**9
            for t, m in zip(totals[:2], lo[:2], strict=True)
            if np.isfinite(m)
        )
    if k_lo > k_hi:
        raise EditError(
            Text(
                "社区 {c} 的 {h} 户无法划入人口范围",
                "the {h} households of community {c} fit no number of grids within the band",
            ).format(c=cid, h=int(totals[0]))
        )
    return int(np.clip(wanted if wanted is not None else current, k_lo, k_hi))


def _targets(loads: np.ndarray, k: int, band: Band, weights: Weights) -> Targets:
    lo, hi = band.bounds()
    return Targets(
        lo=lo,
        hi=hi,
        target=loads.sum(axis=0) / k,
        weights=np.array([weights.households, weights.population, weights.incidents]),
        compactness=weights.compactness,
    )


def _result(
    grids: gpd.GeoDataFrame,
    g: gpd.GeoDataFrame,
    crs: pyproj.CRS,
    mine: np.ndarray,
    free_rows: np.ndarray,
    cells: np.ndarray,
    labels: np.ndarray,
    cid: str,
    band: Band,
    buildings: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None,
) -> BalanceResult:
    """Dissolve the plan (in the layer's CRS: untouched grids keep their coordinates), keep
    old ids where the new grid matches, check and measure."""
    k = int(labels.max()) + 1
    shapes = np.array([sh.merged(cells[labels == p]) for p in range(k)], dtype=object)
    old = grids[free_rows]
    ids = _match_ids(geoms(old), old["id"].to_numpy(), shapes, grids, cid)
    template = old.iloc[[0] * k].assign(id=ids, name="").set_geometry(list(shapes))
    template = template.set_crs(grids.crs, allow_override=True)
    new = pd.concat([grids[~free_rows], template], ignore_index=True)
    new = sh.node_neighbours(new, list(ids))
    found = new_violations(grids, new, communities=None, scope=[cid], metric_crs=crs)
    before = flag_band(grid_loads(g[mine], buildings, incidents=incidents, metric_crs=crs), band)
    now = new[new["parent_id"].astype(str) == cid]
    after = flag_band(grid_loads(now, buildings, incidents=incidents, metric_crs=crs), band)
    text = Text(
        "社区 {c} 网格按人口规模重划：{a} → {b} 个",
        "community {c} grids redrawn for population balance: {a} → {b}",
    ).format(c=cid, a=len(before), b=len(after))
    created = tuple(sorted(set(ids) - set(old["id"])))
    removed = tuple(sorted(set(old["id"]) - set(ids)))
    return BalanceResult(
        cid,
        new,
        before,
        after,
        _figures(before, after),
        found,
        text,
        crs.to_string(),
        created,
        removed,
    )


def _match_ids(
    old: np.ndarray, old_ids: np.ndarray, shapes: np.ndarray, g: gpd.GeoDataFrame, cid: str
) -> list[str]:
    """Old ids kept for the new grids overlapping them most (Hungarian assignment)."""
    overlap = shapely.area(shapely.intersection(shapes[:, None], old[None, :]))
    rows, cols = linear_sum_assignment(-overlap)
    ids: list[str | None] = [None] * len(shapes)
    for r, c in zip(rows, cols, strict=True):
        ids[r] = str(old_ids[c])
    fresh = iter(sh.next_codes(g, cid, sum(i is None for i in ids)))
    return [i if i is not None else next(fresh) for i in ids]


def _figures(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, t in (("before", before), ("after", after)):
        h = t["households"].to_numpy(dtype=float)
        out[f"grids_{name}"] = len(t)
        out[f"in_band_{name}"] = int((t["band"] == "within").sum())
        out[f"max_deviation_{name}"] = float(np.max(np.abs(h / h.mean() - 1.0)))
        out[f"mean_pp_{name}"] = float(t["polsby_popper"].mean())
        out[f"min_pp_{name}"] = float(t["polsby_popper"].min())
    return out


def balance_district(
    grids: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    band: Band | None = None,
    weights: Weights | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    steps: int = 200,
    seed: int = 0,
    scope: Scope = "community",
    metric_crs: pyproj.CRS | None = None,
) -> tuple[gpd.GeoDataFrame, list[BalanceResult]]:
    """Run :func:`propose_balance` on every community holding a grid outside the band.

    Returns the grid layer with all proposals applied and the proposal of each community.
    """
    band = band or Band()
    flagged = flag_band(grid_loads(grids, buildings, metric_crs=metric_crs), band)
    todo = sorted(set(flagged.loc[flagged["band"] != "within", "parent_id"]))
    results = []
    current = grids
    for cid in todo:  # one community at a time: each proposal starts from the last
        result = propose_balance(
            current,
            buildings,
            community_id=cid,
            band=band,
            weights=weights,
            incidents=incidents,
            barriers=barriers,
            locked=locked,
            steps=steps,
            seed=seed,
            scope=scope,
            metric_crs=metric_crs,
        )
        results.append(result)
        current = result.grids
    return current, results
