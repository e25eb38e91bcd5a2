"""Getis-Ord Gi* hot spots with permutation inference and false-discovery-rate control.

``esda.G_Local(y, w, star=True, transform="B")`` does the statistics (note that without
``star=True`` esda computes Gi, which leaves the cell itself out).  The z-score is the
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
from scipy import stats

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
    if np.allclose(y, y[0]):  # no variation: nothing can be hot or cold
        return np.zeros_like(y), np.ones_like(y)
    perms = permutations if inference == "permutation" else 0
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
    if perms > 0:
        p = np.minimum(1.0, 2.0 * np.asarray(g.p_sim, dtype=float))
    else:
        p = 2.0 * stats.norm.sf(np.abs(z))
    degenerate = ~np.isfinite(z)  # a cell whose neighbourhood is the whole area
    return np.where(degenerate, 0.0, z), np.where(degenerate, 1.0, p)
