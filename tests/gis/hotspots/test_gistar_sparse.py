"""Gi* from sparse matrices gives the z-scores, p-values and patterns esda's G_Local gave.

The references below are the implementation this replaced: esda ``G_Local`` once per
bin (``time_steps=0``) or once per time window on libpysal space-time weights.
"""

from __future__ import annotations

from pathlib import Path

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gis.hotspots import emerging as em
from gis.hotspots.cells import make_cells
from gis.hotspots.counts import assign_points
from gis.hotspots.gistar import fdr_adjust
from gis.hotspots.spacetime import spacetime_gi, spacetime_weights
from gis.hotspots.weights import Weights, spatial_weights
from tests.gis.hotspots.hotspot_fixtures import lattice


def _esda(y: np.ndarray, wts: Weights) -> tuple[np.ndarray, np.ndarray]:
    """The replaced ``gi_arrays`` (normal inference)."""
    if np.allclose(y, y[0]):
        return np.zeros_like(y), np.ones_like(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = esda.G_Local(y, wts.w, transform="B", star=True, permutations=0, n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    p = 2.0 * esda.getisord.stats.norm.sf(np.abs(z))
    bad = ~np.isfinite(z)
    return np.where(bad, 0.0, z), np.where(bad, 1.0, p)


def _reference(
    counts: np.ndarray, wts: Weights, time_steps: int, window: str
) -> tuple[np.ndarray, np.ndarray]:
    """The replaced ``_gi_cube`` z and FDR-adjusted p (esda per bin / per window)."""
    n_cells, n_bins = counts.shape
    z, p = np.zeros(counts.shape), np.ones(counts.shape)
    if time_steps == 0:
        for b in range(n_bins):
            z[:, b], p[:, b] = _esda(counts[:, b], wts)
    elif window == "cube":
        st = spacetime_weights(wts, n_bins, time_steps=time_steps)
        zz, pp = _esda(np.ascontiguousarray(counts.T).ravel(), st)
        z, p = zz.reshape(n_bins, n_cells).T, pp.reshape(n_bins, n_cells).T
        return z, fdr_adjust(p.ravel()).reshape(p.shape)
    else:
        for t in range(n_bins):
            lo = max(0, t - time_steps)
            st = spacetime_weights(wts, t + 1 - lo, time_steps=time_steps)
            zz, pp = _esda(np.ascontiguousarray(counts[:, lo : t + 1].T).ravel(), st)
            z[:, t], p[:, t] = zz[-n_cells:], pp[-n_cells:]
    return z, np.column_stack([fdr_adjust(p[:, b]) for b in range(n_bins)])


def _synthetic(seed: int = 4) -> tuple[np.ndarray, Weights]:
    """A 12 x 12 fishnet, 18 months: quiet start (flat, all-zero bins), a growing hot
    spot, a fading one, and noise."""
    cells = lattice(12)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.0, (len(cells), 18)).astype(float)
    counts[:, :2] = 0.0  # flat windows: no variation, nothing hot or cold
    counts[:, 2] = 3.0
    counts[30:33, 3:] += np.arange(15) * 2.0
    counts[100:103, 3:] += np.arange(15)[::-1] * 2.0
    return counts, spatial_weights(cells)


@pytest.mark.parametrize(
    ("time_steps", "window"), [(0, "time_window"), (1, "time_window"), (2, "time_window"),
                               (1, "cube"), (3, "cube")]
)  # fmt: skip
def test_sparse_gi_equals_esda_on_a_synthetic_cube(time_steps: int, window: str) -> None:
    counts, wts = _synthetic()
    z_ref, p_ref = _reference(counts, wts, time_steps, window)
    z, p = em._gi_cube(counts, wts, time_steps=time_steps, window=window, perms=0)  # type: ignore[arg-type]
    np.testing.assert_allclose(z, z_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p, p_ref, rtol=1e-9, atol=1e-12)
    assert (np.abs(z) > 3).any()
    if window == "time_window":  # the all-zero bins are flat windows: nothing hot or cold
        assert (z[:, :2] == 0).all()


def test_spacetime_permutations_still_run_esda() -> None:
    counts, wts = _synthetic()
    z_perm, p_perm = spacetime_gi(counts[:, :6], wts, time_steps=1, permutations=19, seed=1)
    z_norm, _ = spacetime_gi(counts[:, :6], wts, time_steps=1)
    np.testing.assert_allclose(z_perm, z_norm, rtol=1e-12, atol=1e-12)  # analytic z either way
    assert ((p_perm >= 0.1) | (p_perm <= 0.1)).all() and p_perm.min() >= 0.05  # 19 draws


def test_demo_patterns_identical_to_the_esda_implementation(demo_dir: Path) -> None:
    from gis.district import load_district

    district = load_district(demo_dir)
    assert district.grids is not None and district.incidents is not None
    cells = make_cells(district.grids, shape="hexagon", size_m=150).cells
    incidents = district.incidents.to_crs(cells.crs)
    incidents["cell"] = assign_points(incidents, cells)
    result = em.emerging_hotspots(incidents, cells, freq="month", area_col="cell")
    counts, _ = em._cube(incidents, cells, freq="month", start=None, end=None, area_col="cell")
    wts = spatial_weights(cells)
    z, p = _reference(counts, wts, 1, "time_window")
    hot = (p < 0.05) & (z > 0) & (counts.sum(axis=1) > 0)[:, None]
    cold = (p < 0.05) & (z < 0) & (counts.sum(axis=1) > 0)[:, None]
    _, tz, tp = em.mann_kendall(z)
    pattern, spot = em.classify_patterns(hot, cold, tz, tp)
    np.testing.assert_allclose(result.cube["gi_z"].to_numpy(), z.ravel(), rtol=1e-12, atol=1e-12)
    assert result.cells["pattern"].tolist() == pattern.tolist()
    assert result.cells["spot"].tolist() == spot.tolist()
    assert (result.cells["spot"] == "hot").sum() > 5  # the planted hot spots are there
    assert isinstance(result.cells, gpd.GeoDataFrame) and isinstance(result.cube, pd.DataFrame)


_NO_JIT = """
import numpy as np, pandas as pd
from numba.core.dispatcher import Dispatcher
import esda.crand, esda.getisord, esda.moran
from gis.hotspots.emerging import emerging_hotspots
from gis.hotspots.gistar import gi_star
from tests.gis.hotspots.hotspot_fixtures import lattice

cells = lattice(6)
cells["count"] = np.arange(36) % 7
gi_star(cells, permutations=0)
incidents = pd.DataFrame({
    "time": pd.date_range("2024-01-01", periods=360, freq="D"),
    "cell": cells["id"].to_numpy()[np.arange(360) % 36],
})
emerging_hotspots(incidents, cells, area_col="cell")
compiled = [
    name
    for module in (esda.crand, esda.getisord, esda.moran)
    for name, obj in vars(module).items()
    if isinstance(obj, Dispatcher) and obj.overloads
]
print(len(compiled), compiled)
"""


def test_normal_inference_compiles_no_numba_kernel() -> None:
    """The default hotspot path (normal p-values) never calls esda's numba kernels, so a
    fresh process's first job compiles nothing (it took 30-200 s per process)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _NO_JIT], capture_output=True, text=True, env=env, cwd=root
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "0", out.stdout
