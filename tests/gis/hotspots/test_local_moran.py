"""Local Moran's I: clusters and outliers on a planted pattern; equality with esda."""

from __future__ import annotations

import esda
import numpy as np
import pytest

from gis.errors import ConfigError
from gis.hotspots.local_moran import local_moran
from gis.hotspots.weights import spatial_weights
from tests.gis.hotspots.hotspot_fixtures import lattice


def test_planted_cluster_and_outlier() -> None:
    rng = np.random.default_rng(2)
    cells = lattice(12)
    y = rng.poisson(3, 144).astype(float)
    hh = [r * 12 + c for r in range(1, 4) for c in range(1, 4)]
    y[hh] = 30
    outlier = 9 * 12 + 9
    y[[r * 12 + c for r in range(8, 11) for c in range(8, 11)]] = 0
    y[outlier] = 40
    result = local_moran(cells.assign(count=y), permutations=999, fdr=False)
    labels = result.cells["lisa_cluster"].to_numpy()
    assert (labels[[1 * 12 + 1, 2 * 12 + 2]] == "HH").all()
    assert labels[outlier] == "HL"
    assert set(labels) <= {"HH", "LL", "HL", "LH", "ns"}


def test_equals_esda() -> None:
    cells = lattice(6).assign(count=np.arange(36.0) % 7)
    wts = spatial_weights(cells)
    ours = local_moran(cells, weights=wts, permutations=99, seed=3)
    wts.w.transform = "R"
    ref = esda.Moran_Local(cells["count"].to_numpy(), wts.w, permutations=99, seed=3, n_jobs=1)
    np.testing.assert_allclose(ours.cells["lisa_i"], ref.Is)
    np.testing.assert_allclose(ours.cells["lisa_p"], ref.p_sim)


def test_guards() -> None:
    with pytest.raises(ConfigError):
        local_moran(lattice(3).assign(count=1.0), permutations=0)
