"""Getis-Ord Gi* hot spots with permutation inference and false-discovery-rate control.

The statistic is esda's ``G_Local(y, w, star=True, transform="B")`` (note that without
``star=True`` esda computes Gi, which leaves the cell itself out).  With normal inference
it is computed here straight from the sparse weights matrix (:func:`gi_star_normal`, the
same formulas in the same order, so the same z-scores; many value columns in one sparse
product); permutations go through esda.  The z-score is the
analytic one (``Zs``), as in Esri's Hot Spot Analysis; the p-value comes from 999
conditional permutations by default (esda's pseudo p is one-sided in the direction of
the observation, so it is doubled for a two-sided test) or from the normal law.
With ``fdr=True`` p-values are Benjamini-Hochberg adjusted and the classes use them.

Classes follow Esri's ``Gi_Bin``: ±3 at 99 %, ±2 at 95 %, ±1 at 90 % confidence
(two-sided p < 0.01 / 0.05 / 0.10), the sign of the z-score telling hot from cold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import esda
import geopandas as gpd
import numpy as np
import pyproj
from numpy.typing import NDArray
from scipy import sparse, stats

from gis.errors import ConfigError
from gis.guard import require
from gis.hotspots.weights import Weights, WeightsKind, spatial_weights
from gis.i18n import Text

Inference = Literal["permutation", "normal"]


@dataclass(frozen=True)
class HotSpots:
    """Gi* result.

    Attributes
    ----------
    cells : GeoDataFrame
        The input columns plus ``gi_z``, ``gi_p``, ``gi_p_fdr``, ``hotspot_class``.
    weights : str
        "distance" or "queen"; ``distance_m`` holds the band.
    """

    cells: gpd.GeoDataFrame
    weights: str
    distance_m: float | None
    permutations: int
    inference: Inference
    fdr: bool
    crs: pyproj.CRS

    @property
    def n_hot(self) -> int:
        return int((self.cells["hotspot_class"] > 0).sum())

    @property
    def n_cold(self) -> int:
        return int((self.cells["hotspot_class"] < 0).sum())


def fdr_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (``scipy.stats.false_discovery_control``)."""
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return p
    return np.asarray(stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh"))


def hotspot_classes(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Esri Gi_Bin classes from z-scores and two-sided p-values.

    >>> hotspot_classes(np.array([3.0, 2.0, -1.7, 0.5]), np.array([0.005, 0.04, 0.09, 0.6]))
    array([ 3,  2, -1,  0])
    """
    z, p = np.asarray(z, dtype=float), np.asarray(p, dtype=float)
    level = np.select([p < 0.01, p < 0.05, p < 0.10], [3, 2, 1], 0)
    return (np.sign(np.nan_to_num(z)) * level).astype(int)


def gi_star(
    cells: gpd.GeoDataFrame,
    *,
    value: str = "count",
    weights: WeightsKind | Weights = "distance",
    distance_m: float | None = None,
    permutations: int = 999,
    inference: Inference = "permutation",
    fdr: bool = True,
    seed: int = 12345,
) -> HotSpots:
    """Getis-Ord Gi* per cell.

    Parameters
    ----------
    cells : GeoDataFrame
        Grids or regular cells with ``id`` and the ``value`` column (e.g. counts).
    weights : {"distance", "queen"} or Weights
        Binary weights (see :mod:`gis.hotspots.weights` for the default band).
    permutations : int
        Conditional permutations (999 by default); 0 forces normal inference.
    inference : {"permutation", "normal"}
        Where ``gi_p`` comes from.
    fdr : bool
        Classify on Benjamini-Hochberg adjusted p-values (``gi_p_fdr``).

    Examples
    --------
    >>> result = gi_star(cells, value="count")  # doctest: +SKIP
    >>> result.cells[["id", "gi_z", "hotspot_class"]]  # doctest: +SKIP
    """
    require(cells, ["id", value], source="cells")
    y = np.asarray(cells[value], dtype=float)
    if len(y) < 3:
        raise ConfigError(str(Text("Gi* 至少需要三个格网", "Gi* needs at least three cells")))
    if np.isnan(y).any():
        raise ConfigError(str(Text("数值列有空值", f"column {value!r} has missing values")))
    wts = (
        weights
        if isinstance(weights, Weights)
        else spatial_weights(cells, kind=weights, distance_m=distance_m)
    )
    z, p = gi_arrays(y, wts, permutations=permutations, inference=inference, seed=seed)
    p_fdr = fdr_adjust(p)
    out = cells.copy()
    out["gi_z"], out["gi_p"], out["gi_p_fdr"] = z, p, p_fdr
    out["hotspot_class"] = hotspot_classes(z, p_fdr if fdr else p)
    used = inference if permutations > 0 else "normal"
    return HotSpots(out, wts.kind, wts.distance_m, permutations, used, fdr, wts.crs)


def gi_arrays(
    y: np.ndarray, wts: Weights, *, permutations: int, inference: Inference, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values of ``y`` on binary weights ``wts``."""
    perms = permutations if inference == "permutation" else 0
    if perms == 0:
        z, p = gi_star_normal(np.asarray(y, dtype=float)[:, None], with_self(wts.w.sparse))
        return z[:, 0], p[:, 0]
    if np.allclose(y, y[0]):  # no variation: nothing can be hot or cold
        return np.zeros_like(y), np.ones_like(y)
    from gis.hotspots.kernels import use_cached_kernels

    use_cached_kernels()  # esda's loop compiled once per machine, not once per process
    with np.errstate(invalid="ignore", divide="ignore"):
        g = esda.G_Local(
            y,
            wts.w,
            transform="B",
            star=True,
            permutations=perms,
            seed=seed,
            keep_simulations=False,
            n_jobs=1,
        )
    z = np.asarray(g.Zs, dtype=float)
    p = np.minimum(1.0, 2.0 * np.asarray(g.p_sim, dtype=float))
    degenerate = ~np.isfinite(z)  # a cell whose neighbourhood is the whole area
    return np.where(degenerate, 0.0, z), np.where(degenerate, 1.0, p)


def with_self(w: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """Binary weights with every cell its own neighbour (Gi*'s diagonal of ones)."""
    binary = sparse.csr_array(w, dtype=bool)
    eye = sparse.eye_array(binary.shape[0], dtype=bool, format="csr")
    return sparse.csr_array(binary + eye, dtype=float)


def gi_star_normal(
    y: NDArray[np.float64], w_self: sparse.csr_array
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gi* z and normal two-sided p for every column of ``y`` (cells × columns) at once.

    ``w_self``: binary weights with ones on the diagonal (:func:`with_self`).  A column
    without variation gives z 0 and p 1, as does a cell whose neighbourhood is the whole
    area.
    """
    n = y.shape[0]
    card = np.asarray(w_self.sum(axis=1)).ravel()[:, None]
    z = gi_z(w_self @ y, card, y.sum(axis=0), (y**2).sum(axis=0), np.full(y.shape[1], n))
    return finish(z, flat_columns(y, y[0]))


def gi_z(
    lag: NDArray[np.float64],
    card: NDArray[np.float64],
    total: NDArray[np.float64],
    total_sq: NDArray[np.float64],
    n: NDArray[np.integer] | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Getis-Ord Gi* z from its parts, in esda's ``G_Local.calc`` order of operations.

    ``lag`` (cells × columns): Σ w_ij y_j over each cell's neighbourhood (itself
    included); ``card``: the neighbourhood's size; ``total``, ``total_sq``, ``n``: Σ y,
    Σ y² and the number of values of each column's study area.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = lag / total
        mean = total / n
        variance = (total_sq / n) - mean**2
        expected = card / n
        var_g = card * (n - card)
        var_g = var_g / (n - 1)
        var_g = var_g * (1 / n**2)
        var_g = var_g * (variance / (mean**2))
        return np.asarray((statistic - expected) / np.sqrt(var_g), dtype=float)


def flat_columns(y: NDArray[np.float64], first: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per column, whether every value is ``np.allclose`` to ``first`` (no variation)."""
    tol = 1e-8 + 1e-5 * np.abs(first)
    return np.maximum(np.abs(y.max(axis=0) - first), np.abs(y.min(axis=0) - first)) <= tol


def finish(
    z: NDArray[np.float64], flat: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Normal two-sided p; z 0 and p 1 for flat columns and undefined z-scores."""
    degenerate = ~np.isfinite(z) | flat[None, :]
    z = np.where(degenerate, 0.0, z)
    return z, np.where(degenerate, 1.0, 2.0 * stats.norm.sf(np.abs(z)))
