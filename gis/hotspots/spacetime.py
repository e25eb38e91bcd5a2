"""Space-time Gi* over a cube of counts, as Esri's Emerging Hot Spot Analysis computes it.

Esri ("Emerging Hot Spot Analysis", usage notes): the tool "first finds neighboring bins
that fall within the specified Neighborhood Distance. Then, for each of those bins, it
includes bins at those same locations from N previous time steps", N being the
*Neighborhood Time Step* (default 1).  So the neighbourhood of bin (cell i, step t) is

    { (j, s) : j = i or j is a spatial neighbour of i,  t − N ≤ s ≤ t,  s ≥ 0 }

(bins before the first step do not exist, so early bins have smaller neighbourhoods).
The global mean and variance (Esri's *Define Global Window*) are either those of the bins
in the bin's time window, steps t − N … t (``"time_window"``, Esri's "Neighborhood time
step"; the default here), or those of the whole cube (``"cube"``, Esri's "Entire cube").
The statistic itself is esda's ``G_Local(star=True, transform="B")`` run on the flattened
window (or cube) with these binary space-time weights: Gi* with the window as the study
area, so its analytic z equals Getis-Ord's with n = cells × bins in the window.

Why the time window by default: against the whole cube, the low early months of a
growing hot spot are compared with the year's mean and are not hot, so an intensifying
hot spot reads as "consecutive" (on the demo district, H1: 5, 4, 10 … 28 incidents a
month, hot in 10 of 12 bins); against its own window each month is judged among its
peers, and the Mann-Kendall trend of the z-scores carries the change over time.
"""

from __future__ import annotations

from typing import Literal

import libpysal
import numpy as np
from scipy import sparse

from gis.errors import ConfigError
from gis.hotspots.gistar import Inference, gi_arrays
from gis.hotspots.weights import Weights
from gis.i18n import Text

GlobalWindow = Literal["time_window", "cube"]


def spacetime_weights(wts: Weights, n_bins: int, *, time_steps: int) -> Weights:
    """Binary space-time weights over the cube flattened bin-major (row = bin · n + cell).

    The diagonal is left empty; ``G_Local(star=True)`` adds the bin itself.

    >>> import libpysal, pyproj
    >>> w = libpysal.weights.W({"a": ["b"], "b": ["a"]})
    >>> st = spacetime_weights(Weights(w, "queen", None, pyproj.CRS(32650)), 2, time_steps=1)
    >>> st.w.sparse.toarray().astype(int).tolist()  # a0 b0 a1 b1
    [[0, 1, 0, 0], [1, 0, 0, 0], [1, 1, 0, 1], [1, 1, 1, 0]]
    """
    if time_steps < 0:
        raise ConfigError(
            str(Text("时间步长邻域须 ≥ 0", f"time_steps must be ≥ 0, got {time_steps}"))
        )
    n = wts.w.n
    space = (wts.w.sparse.astype(bool) + sparse.identity(n, dtype=bool, format="csr")).astype(float)
    steps = min(time_steps, n_bins - 1)
    # time[t, s] = 1 when t − N ≤ s ≤ t: the bin itself and the N bins before it
    time = sparse.diags(
        [np.ones(n_bins - k) for k in range(steps + 1)],
        offsets=[-k for k in range(steps + 1)],
        shape=(n_bins, n_bins),
        format="csr",
    )
    cube = sparse.kron(time, space, format="csr")
    cube.setdiag(0.0)
    cube.eliminate_zeros()
    ids = np.arange(n * n_bins)
    w = libpysal.weights.WSP(cube, id_order=ids.tolist()).to_W(silence_warnings=True)
    w.transform = "B"
    return Weights(w, wts.kind, wts.distance_m, wts.crs)


def spacetime_gi(
    counts: np.ndarray,
    wts: Weights,
    *,
    time_steps: int,
    global_window: GlobalWindow = "time_window",
    permutations: int = 0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Space-time Gi* z-scores and two-sided p-values, cells × bins like ``counts``.

    Parameters
    ----------
    counts : ndarray
        Cells × bins, cells in the order of ``wts``.
    time_steps : int
        Esri's Neighborhood Time Step N (≥ 1 here; 0 is per-bin Gi*).
    global_window : {"time_window", "cube"}
        Which bins give the global mean and variance a bin is compared with: those of its
        time window (steps t − N … t, Esri's "Neighborhood time step") or the whole cube
        (Esri's "Entire cube").
    permutations : int
        0: normal p-values (as Esri); > 0: conditional permutations within the window.
    """
    n_bins = counts.shape[1]
    if global_window not in ("time_window", "cube"):
        raise ConfigError(str(Text("未知的全局窗口", f"unknown global window {global_window!r}")))
    if global_window == "cube":
        st = spacetime_weights(wts, n_bins, time_steps=time_steps)
        return _gi_window(counts, st, perms=permutations, seed=seed)
    z, p = np.zeros(counts.shape), np.ones(counts.shape)
    by_length: dict[int, Weights] = {}  # windows of equal length share their weights
    for t in range(n_bins):  # one vectorized Gi* per window, the last slice kept
        lo = max(0, t - time_steps)
        length = t + 1 - lo
        if length not in by_length:
            by_length[length] = spacetime_weights(wts, length, time_steps=time_steps)
        zw, pw = _gi_window(counts[:, lo : t + 1], by_length[length], perms=permutations, seed=t)
        z[:, t], p[:, t] = zw[:, -1], pw[:, -1]
    return z, p


def _gi_window(
    counts: np.ndarray, st: Weights, *, perms: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    n_cells, n_bins = counts.shape
    y = np.ascontiguousarray(counts.T).ravel()  # bin-major, matching the weights
    inference: Inference = "permutation" if perms else "normal"
    z, p = gi_arrays(y, st, permutations=perms, inference=inference, seed=seed)
    return z.reshape(n_bins, n_cells).T, p.reshape(n_bins, n_cells).T
