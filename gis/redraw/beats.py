"""Officer beats from whole grids, with balanced workload (police districting).

As in the police-districting literature (Camacho-Collados, Liberatore & Angulo 2015,
*A multi-criteria Police Districting Problem for the efficient and effective design of
patrol sector*; the Atlanta redesign reported a 43 % lower workload imbalance), a beat's
workload combines several criteria, here incidents and households, each divided by its
district mean and weighted.  The same engine as grid balancing
(:mod:`gis.redraw.partition`) runs on the grid adjacency graph: beats are contiguous
unions of whole grids — so they follow grids by construction (Tonghua 2023) — within a
band around the mean workload, as compact as the objective allows.  The band starts at
``tolerance`` and widens until a plan exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.optimize import linear_sum_assignment

from gis.crs import to_metric
from gis.guard import guard_layer
from gis.i18n import Text
from gis.redraw import _shapes as sh
from gis.redraw._common import geoms, locate, polsby_popper
from gis.redraw.balance import grid_loads
from gis.redraw.edits import EditError
from gis.redraw.partition import (
    PartitionFailed,
    Targets,
    UnitGraph,
    recom,
    recursive_partition,
)
from gis.redraw.units import unit_graph


@dataclass(frozen=True)
class BeatProposal:
    """Proposed officer beats and the workload imbalance before and after.

    Attributes
    ----------
    beats : GeoDataFrame
        ``id`` (existing beat ids kept where they overlap most), ``parent_id``,
        ``grids`` (count), ``households``, ``incidents``, ``workload``, ``polsby_popper``.
    assignment : DataFrame
        ``grid_id``, ``beat_before``, ``beat_after``.
    figures : dict
        ``imbalance_before/after`` (max |workload/mean - 1|), ``spread_before/after``
        ((max - min) / mean), ``mean_pp_before/after``, ``beats``, ``tolerance``.
    """

    beats: gpd.GeoDataFrame
    assignment: pd.DataFrame
    figures: dict[str, float]
    description: Text
    metric_crs: str


def propose_beats(
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    weight_incidents: float = 0.5,
    weight_households: float = 0.5,
    compactness: float = 0.5,
    tolerance: float = 0.15,
    steps: int = 300,
    seed: int = 0,
    metric_crs: pyproj.CRS | None = None,
) -> BeatProposal:
    """Redraw the officer beats as balanced, compact, contiguous unions of whole grids.

    Parameters
    ----------
    grids, beats, buildings : GeoDataFrame
        The grid layer, the current beats (their number and ids are kept) and the
        buildings (households).
    incidents : GeoDataFrame, optional
        Incident points (workload); without them only households count.
    tolerance : float
        Initial band: each beat's workload within ``mean × (1 ± tolerance)``.
    """
    guard_layer(beats, "beats")
    g, crs = to_metric(grids, crs=metric_crs)
    g["id"] = g["id"].astype(str)
    b, _ = to_metric(beats, crs=crs)
    b["id"] = b["id"].astype(str)
    loads = grid_loads(g, buildings, incidents=incidents, metric_crs=crs)
    work = _workload(loads, weight_incidents, weight_households)
    cells = geoms(g)
    graph = unit_graph(cells, np.column_stack([work, loads["households"], _inc(loads)]))
    k = len(b)
    if k < 1 or k > len(g):
        raise EditError(Text("责任区数量无效：{k}", "invalid number of beats: {k}").format(k=k))
    before = locate(cells, geoms(b), ids=b["id"])
    labels, tol = _plan(graph, k, work, compactness, tolerance, steps, seed)
    shapes = np.array([sh.merged(cells[labels == p]) for p in range(k)], dtype=object)
    ids = _match(shapes, geoms(b), b["id"].to_numpy())
    frame = _beat_frame(shapes, ids, b, labels, loads, work, crs).to_crs(beats.crs)
    bids = np.append(b["id"].to_numpy(), "")
    assignment = pd.DataFrame(
        {"grid_id": g["id"].to_numpy(), "beat_before": bids[before], "beat_after": ids[labels]}
    )
    figures = {
        **_imbalance(work, before, k, "before"),
        **_imbalance(work, labels, k, "after"),
        "mean_pp_before": float(np.nanmean(polsby_popper(geoms(b)))),
        "mean_pp_after": float(np.nanmean(polsby_popper(shapes))),
        "beats": k,
        "tolerance": tol,
    }
    text = Text(
        "民警责任区按整网格均衡重划（{k} 个）",
        "officer beats redrawn from whole grids with balanced workload ({k})",
    ).format(k=k)
    return BeatProposal(frame, assignment, figures, text, crs.to_string())


def _inc(loads: pd.DataFrame) -> np.ndarray:
    return (
        loads["incidents"].to_numpy(dtype=float) if "incidents" in loads else np.zeros(len(loads))
    )


def _workload(loads: pd.DataFrame, w_inc: float, w_hh: float) -> np.ndarray:
    """Weighted sum of the criteria, each relative to its mean over the grids."""
    hh = loads["households"].to_numpy(dtype=float)
    inc = _inc(loads)
    work = w_hh * hh / max(hh.mean(), 1e-12)
    if inc.sum() > 0:
        work = work + w_inc * inc / inc.mean()
    return work


def _plan(
    graph: UnitGraph,
    k: int,
    work: np.ndarray,
    compactness: float,
    tol: float,
    steps: int,
    seed: int,
) -> tuple[np.ndarray, float]:
    mean = work.sum() / k
    rng = np.random.default_rng(seed)
    while tol < 5.0:
        targets = Targets(
            lo=np.array([mean * (1 - tol), -np.inf, -np.inf]),
            hi=np.array([mean * (1 + tol), np.inf, np.inf]),
            target=np.array([mean, 0.0, 0.0]),
            weights=np.array([1.0, 0.0, 0.0]),
            compactness=compactness,
        )
        try:
            labels = recursive_partition(graph, k, targets, rng, tries=20)
        except PartitionFailed:
            tol *= 1.5
            continue
        return recom(graph, labels, targets, rng, steps=steps), tol
    raise EditError(Text("无法划分均衡的责任区", "no balanced beat plan found"))


def _match(shapes: np.ndarray, old: np.ndarray, old_ids: np.ndarray) -> np.ndarray:
    overlap = shapely.area(shapely.intersection(shapes[:, None], old[None, :]))
    rows, cols = linear_sum_assignment(-overlap)
    ids = np.empty(len(shapes), dtype=object)
    ids[rows] = old_ids[cols]
    return ids


def _beat_frame(
    shapes: np.ndarray,
    ids: np.ndarray,
    b: gpd.GeoDataFrame,
    labels: np.ndarray,
    loads: pd.DataFrame,
    work: np.ndarray,
    crs: pyproj.CRS,
) -> gpd.GeoDataFrame:
    k = len(shapes)
    parent = b.set_index("id")["parent_id"] if "parent_id" in b else pd.Series(dtype=str)
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "parent_id": pd.Series(ids).map(parent).fillna("").to_numpy(),
            "grids": np.bincount(labels, minlength=k),
            "households": np.bincount(labels, weights=loads["households"], minlength=k),
            "incidents": np.bincount(labels, weights=_inc(loads), minlength=k),
            "workload": np.bincount(labels, weights=work, minlength=k),
            "polsby_popper": polsby_popper(shapes),
        },
        geometry=list(shapes),
        crs=crs,
    )


def _imbalance(work: np.ndarray, labels: np.ndarray, k: int, name: str) -> dict[str, float]:
    ok = labels >= 0
    per = np.bincount(labels[ok], weights=work[ok], minlength=k)
    mean = work.sum() / k
    return {
        f"imbalance_{name}": float(np.max(np.abs(per / mean - 1.0))),
        f"spread_{name}": float((per.max() - per.min()) / mean),
    }
