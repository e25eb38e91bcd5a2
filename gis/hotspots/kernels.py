"""esda's permutation kernels, compiled once per machine instead of once per process.

esda compiles its conditional-permutation loop (``esda.crand.compute_chunk``) with
``numba.njit`` and passes it the statistic (Gi*, local Moran) as a function argument.
A function argument's type names the function object, so numba can never reuse a
compiled ``compute_chunk`` from disk: every new process compiled it again on its first
permutation job (30-200 s; the first hotspot job of a fresh service sat at 0.6 for
minutes).

Here the same loop is written once per statistic, the statistic a global instead of an
argument, with ``cache=True``: the first process compiles it and stores the machine
code in numba's cache, every later process loads it (numba keys the cache on this file
and the argument types, and compiles afresh when either changes).  The loop is esda's
own (``esda.crand.compute_chunk``, esda 2.x, BSD-3-Clause), line for line, so p-values
are identical.  :func:`use_cached_kernels` routes esda's ``crand`` to them (any other
statistic still takes esda's loop) and turns numba's disk cache on for esda's other
kernels (permutation ids, pseudo p-values), whose arguments are plain arrays.

Where the cache lives is numba's choice: ``__pycache__`` beside this file when it is
writable, else ``NUMBA_CACHE_DIR`` or the user's cache folder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from esda.crand import _permutation_significance
from esda.getisord import _g_local_star_crand
from esda.moran import _moran_local_crand
from numba import njit

__all__ = ["cached_kernels", "use_cached_kernels", "warm_kernels"]


@njit(fastmath=True, cache=True)
def _weights_of(
    i: int,
    wloc: int,
    cardinality: int,
    self_weights: np.ndarray,
    other_weights: np.ndarray,
    island_weight: float,
) -> np.ndarray:
    """esda's weights of site ``i``: its self-weight first, then its neighbours'."""
    if cardinality == 0:  # islands
        weights_i = np.zeros(2, dtype=other_weights.dtype)
        weights_i[1] = island_weight
    else:
        weights_i = np.zeros(cardinality + 1, dtype=other_weights.dtype)
        weights_i[0] = self_weights[i]
        weights_i[1:] = other_weights[wloc : (wloc + cardinality)]
    return weights_i


@njit(fastmath=True, cache=True)
def _chunk_g_star(
    chunk_start: int,
    z_chunk: np.ndarray,
    z: np.ndarray,
    observed: np.ndarray,
    cardinalities: np.ndarray,
    self_weights: np.ndarray,
    other_weights: np.ndarray,
    permuted_ids: np.ndarray,
    scaling: np.float64,
    keep: bool,
    island_weight: float,
    alternative: str,
) -> tuple[np.ndarray, np.ndarray]:
    """``esda.crand.compute_chunk`` with ``stat_func=_g_local_star_crand``."""
    chunk_n = z_chunk.shape[0]
    p_sims = np.zeros((chunk_n,), dtype=np.float32)
    rlocals = np.empty((chunk_n, permuted_ids.shape[0])) if keep else np.empty((1, 1))
    wloc = 0
    for i in range(chunk_n):
        cardinality = cardinalities[i]
        weights_i = _weights_of(i, wloc, cardinality, self_weights, other_weights, island_weight)
        wloc += cardinality
        rstats = _g_local_star_crand(chunk_start + i, z, permuted_ids, weights_i, scaling)
        p_sims[i] = _permutation_significance(observed[i], rstats, alternative=alternative).item()
        if keep:
            rlocals[i] = rstats
    return p_sims, rlocals


@njit(fastmath=True, cache=True)
def _chunk_moran(
    chunk_start: int,
    z_chunk: np.ndarray,
    z: np.ndarray,
    observed: np.ndarray,
    cardinalities: np.ndarray,
    self_weights: np.ndarray,
    other_weights: np.ndarray,
    permuted_ids: np.ndarray,
    scaling: np.float64,
    keep: bool,
    island_weight: float,
    alternative: str,
) -> tuple[np.ndarray, np.ndarray]:
    """``esda.crand.compute_chunk`` with ``stat_func=_moran_local_crand``."""
    chunk_n = z_chunk.shape[0]
    p_sims = np.zeros((chunk_n,), dtype=np.float32)
    rlocals = np.empty((chunk_n, permuted_ids.shape[0])) if keep else np.empty((1, 1))
    wloc = 0
    for i in range(chunk_n):
        cardinality = cardinalities[i]
        weights_i = _weights_of(i, wloc, cardinality, self_weights, other_weights, island_weight)
        wloc += cardinality
        rstats = _moran_local_crand(chunk_start + i, z, permuted_ids, weights_i, scaling)
        p_sims[i] = _permutation_significance(observed[i], rstats, alternative=alternative).item()
        if keep:
            rlocals[i] = rstats
    return p_sims, rlocals


def cached_kernels() -> dict[object, Callable[..., Any]]:
    """esda statistic → this module's cached loop for it."""
    return {_g_local_star_crand: _chunk_g_star, _moran_local_crand: _chunk_moran}


@cache
def use_cached_kernels() -> None:
    """Route esda's conditional randomization to the cached loops (once per process).

    ``esda.crand.crand`` looks ``compute_chunk`` up as a module global on every call;
    it now dispatches on the statistic: Gi* and local Moran go to a cached loop, any
    other statistic to esda's own.
    """
    import esda.crand
    import esda.getisord
    import esda.moran
    from numba.core.registry import CPUDispatcher

    original = esda.crand.compute_chunk
    if getattr(original, "_beatgrid_cached", False):
        return
    for module in (esda.crand, esda.getisord, esda.moran):  # the helpers esda compiles
        for value in vars(module).values():  # (permutation ids, significance) cache as is
            if isinstance(value, CPUDispatcher) and value is not original:
                value.enable_caching()

    def compute_chunk(
        chunk_start: int,
        z_chunk: np.ndarray,
        z: np.ndarray,
        observed: np.ndarray,
        cardinalities: np.ndarray,
        self_weights: np.ndarray,
        other_weights: np.ndarray,
        permuted_ids: np.ndarray,
        scaling: np.float64,
        keep: bool,
        stat_func: object,
        island_weight: float,
        alternative: str,
    ) -> tuple[np.ndarray, np.ndarray]:
        kernel = cached_kernels().get(stat_func)
        if kernel is None:
            return original(
                chunk_start, z_chunk, z, observed, cardinalities, self_weights,
                other_weights, permuted_ids, scaling, keep, stat_func, island_weight,
                alternative=alternative,
            )  # fmt: skip
        return kernel(
            chunk_start, z_chunk, z, observed, cardinalities, self_weights, other_weights,
            permuted_ids, scaling, keep, island_weight, alternative,
        )  # fmt: skip

    compute_chunk._beatgrid_cached = True  # type: ignore[attr-defined]
    compute_chunk.esda_loop = original  # type: ignore[attr-defined]
    esda.crand.compute_chunk = compute_chunk


@cache
def warm_kernels() -> None:
    """Load every permutation kernel now (once per process; compiled on first use).

    A service calls it at start, in a background thread, so that its first permutation
    job does not pay the kernels' load from numba's cache (0.4-0.5 s).  The lattice is
    any: the arguments' types, not the data, choose the machine code, and these are a
    real job's (float values, distance-band weights).
    """
    import geopandas as gpd
    import shapely

    from gis.hotspots.gistar import gi_star
    from gis.hotspots.local_moran import local_moran

    row, col = np.divmod(np.arange(16), 4)
    cells = gpd.GeoDataFrame(
        {"id": [f"c{i}" for i in range(16)], "count": (row * col % 5).astype(float)},
        geometry=shapely.box(col * 100.0, row * 100.0, (col + 1) * 100.0, (row + 1) * 100.0),
        crs="EPSG:32650",
    )
    gi_star(cells, value="count", permutations=9)
    local_moran(cells, value="count", permutations=9)
