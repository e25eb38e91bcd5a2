"""Local Moran's I (Anselin's LISA) as an alternative to Gi*: clusters and spatial outliers.

``esda.Moran_Local`` with row-standardised weights and 999 conditional permutations.
Quadrants: HH (high among high: hot cluster), LL (cold cluster), HL (a high outlier
among low neighbours), LH (a low outlier among high neighbours); ``ns`` when the
(FDR-adjusted, if asked) pseudo p-value is not below ``alpha``.
"""

from __future__ import annotations

from dataclasses import dataclass

import esda
import geopandas as gpd
import numpy as np
import pyproj

from gis.errors import ConfigError
from gis.guard import require
from gis.hotspots.gistar import fdr_adjust
from gis.hotspots.weights import Weights, WeightsKind, spatial_weights
from gis.i18n import Text

_QUADRANTS = np.array(["ns", "HH", "LH", "LL", "HL"])


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran result: ``cells`` gain ``lisa_i``, ``lisa_z``, ``lisa_p``, ``lisa_p_fdr``,
    ``lisa_cluster`` (HH/LL/HL/LH/ns)."""

    cells: gpd.GeoDataFrame
    weights: str
    distance_m: float | None
    permutations: int
    alpha: float
    fdr: bool
    crs: pyproj.CRS


def local_moran(
    cells: gpd.GeoDataFrame,
    *,
    value: str = "count",
    weights: WeightsKind | Weights = "distance",
    distance_m: float | None = None,
    permutations: int = 999,
    alpha: float = 0.05,
    fdr: bool = True,
    seed: int = 12345,
) -> LocalMoran:
    """Local Moran's I per cell (see module docstring).

    Parameters
    ----------
    cells : GeoDataFrame
        ``id`` and the ``value`` column.
    alpha : float
        Significance level of the cluster labels.
    """
    require(cells, ["id", value], source="cells")
    y = np.asarray(cells[value], dtype=float)
    if len(y) < 3 or permutations < 1:
        raise ConfigError(
            str(Text("至少三个格网", "Local Moran needs ≥3 cells and ≥1 permutation"))
        )
    wts = (
        weights
        if isinstance(weights, Weights)
        else spatial_weights(cells, kind=weights, distance_m=distance_m)
    )
    from gis.hotspots.kernels import use_cached_kernels

    use_cached_kernels()  # esda's loop compiled once per machine, not once per process
    wts.w.transform = "R"
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            lm = esda.Moran_Local(
                y,
                wts.w,
                transformation="r",
                permutations=permutations,
                seed=seed,
                keep_simulations=False,
                n_jobs=1,
            )
    finally:
        wts.w.transform = "B"
    p = np.asarray(lm.p_sim, dtype=float)
    p_fdr = fdr_adjust(p)
    significant = (p_fdr if fdr else p) < alpha
    out = cells.copy()
    out["lisa_i"] = np.asarray(lm.Is, dtype=float)
    out["lisa_z"] = np.nan_to_num(np.asarray(lm.z_sim, dtype=float))
    out["lisa_p"], out["lisa_p_fdr"] = p, p_fdr
    out["lisa_cluster"] = _QUADRANTS[np.where(significant, np.asarray(lm.q, dtype=int), 0)]
    return LocalMoran(out, wts.kind, wts.distance_m, permutations, alpha, fdr, wts.crs)
