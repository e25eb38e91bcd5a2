"""Spatial weights for the local statistics (libpysal), with a stated default distance band.

Default band (``distance_m=None``): the larger of

* the largest nearest-neighbour distance between cell centroids, so every cell has at
  least one neighbour (Esri's default for Hot Spot Analysis), and
* the mean distance to the k-th nearest centroid, k = 8 (k = (n - 1) // 4 below 33
  cells, so a cell never neighbours the whole study area), so a cell has on average
  about eight neighbours (on a square fishnet this is the queen neighbourhood),

times 1.0001 to keep neighbours lying exactly on the band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pyproj
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from gis.crs import to_metric
from gis.errors import ConfigError, FieldError
from gis.i18n import Text

WeightsKind = Literal["distance", "queen"]


@dataclass(frozen=True)
class Weights:
    """A libpysal weights object and how it was built."""

    w: libpysal.weights.W
    kind: WeightsKind
    distance_m: float | None
    crs: pyproj.CRS


def default_band(xy: np.ndarray, *, k: int = 8) -> float:
    """Distance band in metres (see module docstring).

    >>> xy = np.array([[x, y] for x in range(3) for y in range(3)], dtype=float) * 100
    >>> round(default_band(xy, k=8), 2)  # 3x3 squares of 100 m: k = 2, the rook neighbours
    100.01
    """
    n = len(xy)
    if n < 2:
        raise ConfigError(
            str(Text("至少需要两个格网", "need at least two cells for spatial weights"))
        )
    kk = max(1, min(k, (n - 1) // 4))
    dist, _ = cKDTree(xy).query(xy, k=kk + 1)
    return float(max(dist[:, 1].max(), dist[:, kk].mean()) * 1.0001)


def spatial_weights(
    cells: gpd.GeoDataFrame, *, kind: WeightsKind = "distance", distance_m: float | None = None
) -> Weights:
    """Binary spatial weights between ``cells`` (ids are the frame's ``id``, in order).

    Parameters
    ----------
    kind : {"distance", "queen"}
        Fixed distance band between centroids (metres), or shared boundary/vertex.
    distance_m : float, optional
        The band; None uses :func:`default_band`.
    """
    metric, crs = to_metric(cells)
    ids = metric["id"].astype(str).tolist()
    dup = metric["id"].astype(str).duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise FieldError.single(
            "cells",
            f"duplicate id {ids[row]!r}; dissolve multi-part areas first / 编码重复",
            row=row + 1,
            feature_id=ids[row],
            field="id",
        )
    if kind == "queen":
        w = libpysal.weights.Queen.from_iterable(metric.geometry.to_numpy(), ids=ids)
        return Weights(_binary(w), kind, None, crs)
    if kind != "distance":
        raise ConfigError(str(Text("未知的空间权重类型", f"unknown weights kind {kind!r}")))
    xy = shapely.get_coordinates(metric.geometry.centroid.to_numpy())
    band = default_band(xy) if distance_m is None else float(distance_m)
    if not band > 0:
        raise ConfigError(
            str(Text("距离阈值须为正数", f"distance band must be positive, got {band}"))
        )
    return Weights(_distance_band(xy, band, ids), kind, band, crs)


def _distance_band(xy: np.ndarray, band: float, ids: list[str]) -> libpysal.weights.W:
    """Binary distance-band weights: the graph of ``libpysal.weights.DistanceBand`` (pairs
    at most ``band`` apart, no self-neighbours), built from one KD-tree pair query and
    handed its sparse matrix, which libpysal would otherwise rebuild through a
    dictionary-of-keys matrix (seconds for a few thousand cells)."""
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(band, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    neighbours = np.split(matrix.indices, matrix.indptr[1:-1])
    names = np.asarray(ids, dtype=object)
    w = libpysal.weights.W(
        {ids[k]: names[nb].tolist() for k, nb in enumerate(neighbours)},
        {ids[k]: [1.0] * len(nb) for k, nb in enumerate(neighbours)},
        id_order=ids,
        silence_warnings=True,
    )
    w.transform = "B"
    w._sparse = matrix  # the same matrix libpysal's `sparse` builds, in id order
    w._cache["sparse"] = matrix
    return w


def _binary(w: libpysal.weights.W) -> libpysal.weights.W:
    w.transform = "B"
    return w


@dataclass(frozen=True)
class BandSearch:
    """Incremental spatial autocorrelation: Global Moran's I z-score per distance band.

    Attributes
    ----------
    distances_m, moran_i, z : ndarray
    peak_m : float or None
        The first distance where z peaks (a local maximum), else None (as Esri's
        Incremental Spatial Autocorrelation reports its first peak).
    """

    distances_m: np.ndarray
    moran_i: np.ndarray
    z: np.ndarray
    peak_m: float | None


def incremental_autocorrelation(
    cells: gpd.GeoDataFrame, *, value: str = "count", distances_m: np.ndarray | None = None
) -> BandSearch:
    """Global Moran's I (normal z) at increasing distance bands; the first peak is a
    data-driven band for Gi*.

    ``distances_m`` defaults to ten bands from :func:`default_band` up to four times it.
    """
    metric, _ = to_metric(cells)
    xy = shapely.get_coordinates(metric.geometry.centroid.to_numpy())
    y = np.asarray(cells[value], dtype=float)
    start = default_band(xy)
    bands = np.linspace(start, 4 * start, 10) if distances_m is None else np.asarray(distances_m)
    moran_i, z = np.empty(len(bands)), np.empty(len(bands))
    for k, band in enumerate(bands):  # one global statistic per band (ten bands)
        w = libpysal.weights.DistanceBand(
            xy, threshold=float(band), binary=True, silence_warnings=True
        )
        w.transform = "R"
        m = esda.Moran(y, w, permutations=0)
        moran_i[k], z[k] = m.I, m.z_norm
    inner = np.flatnonzero((z[1:-1] > z[:-2]) & (z[1:-1] >= z[2:])) + 1
    peak = float(bands[inner[0]]) if len(inner) else None
    return BandSearch(bands, moran_i, z, peak)
