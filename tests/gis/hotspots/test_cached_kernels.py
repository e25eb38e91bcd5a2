"""esda's permutation loop is compiled once per machine: a fresh process loads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

_JOB = """
import numpy as np
from gis.hotspots.gistar import gi_star
from gis.hotspots.kernels import cached_kernels
from tests.gis.hotspots.hotspot_fixtures import lattice

cells = lattice(6)
cells["count"] = np.arange(36) % 7
gi_star(cells, permutations=99)
kernel = cached_kernels()[next(iter(cached_kernels()))]
print(sum(kernel.stats.cache_hits.values()), sum(kernel.stats.cache_misses.values()))
"""


def _fresh_process() -> tuple[int, int]:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _JOB], capture_output=True, text=True, env=env, cwd=root
    )
    assert out.returncode == 0, out.stderr
    hits, misses = out.stdout.split()[-2:]
    return int(hits), int(misses)


def test_a_second_fresh_process_compiles_nothing() -> None:
    """The first process may compile (and store) the Gi* loop; the next one loads it."""
    _fresh_process()
    hits, misses = _fresh_process()
    assert (hits, misses) == (1, 0)


@pytest.mark.slow  # compiles esda's own loop for the comparison (~30 s)
def test_cached_loop_gives_esdas_p_values(monkeypatch: pytest.MonkeyPatch) -> None:
    import esda
    import esda.crand
    import libpysal

    from gis.hotspots.kernels import use_cached_kernels

    use_cached_kernels()
    ours_loop = esda.crand.compute_chunk
    w = libpysal.weights.lat2W(12, 12)
    y = np.random.default_rng(4).poisson(3, 144).astype(float)
    kwargs = {"permutations": 199, "seed": 7, "n_jobs": 1, "keep_simulations": True}
    with monkeypatch.context() as m:  # esda's own loop, for once
        m.setattr(esda.crand, "compute_chunk", ours_loop.esda_loop)
        theirs_g = esda.G_Local(y, w, transform="B", star=True, **kwargs)
        theirs_m = esda.Moran_Local(y, w, transformation="r", **kwargs)
    assert esda.crand.compute_chunk is ours_loop
    ours_g = esda.G_Local(y, w, transform="B", star=True, **kwargs)
    ours_m = esda.Moran_Local(y, w, transformation="r", **kwargs)
    np.testing.assert_array_equal(ours_g.p_sim, theirs_g.p_sim)
    np.testing.assert_array_equal(ours_g.rGs, theirs_g.rGs)
    np.testing.assert_array_equal(ours_m.p_sim, theirs_m.p_sim)
    np.testing.assert_array_equal(ours_m.rlisas, theirs_m.rlisas)


_WARMED = """
import esda.crand, esda.getisord, esda.moran
import numpy as np
from numba.core.registry import CPUDispatcher
from gis.hotspots.gistar import gi_star
from gis.hotspots.kernels import cached_kernels, warm_kernels
from gis.hotspots.local_moran import local_moran
from tests.gis.hotspots.hotspot_fixtures import lattice

def loaded():
    kernels = [k for m in (esda.crand, esda.getisord, esda.moran) for k in vars(m).values()
               if isinstance(k, CPUDispatcher)] + list(cached_kernels().values())
    return {id(k): len(k.signatures) for k in kernels}

warm_kernels()
before = loaded()
cells = lattice(15)
cells["count"] = np.random.default_rng(3).poisson(4, 225)
gi_star(cells, permutations=999)
local_moran(cells, permutations=999)
after = loaded()
print(sum(before.values()), sum(after.values()))
"""


def test_warmed_kernels_leave_nothing_to_load_for_a_real_job() -> None:
    """What a service warms at start is every kernel a real Gi* or local Moran job uses,
    with the job's argument types: the job then loads and compiles nothing."""
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _WARMED], capture_output=True, text=True, env=env, cwd=root
    )
    assert out.returncode == 0, out.stderr
    before, after = (int(v) for v in out.stdout.split()[-2:])
    assert before > 0 and after == before
