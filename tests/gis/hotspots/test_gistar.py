"""Gi*: hand-computed values on a 3x3 lattice, equality with esda, classes, FDR, guards."""

from __future__ import annotations

from collections.abc import Sequence

import esda
import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy import stats

from gis.errors import ConfigError, FieldError
from gis.hotspots.gistar import fdr_adjust, gi_star, hotspot_classes
from gis.hotspots.weights import default_band, incremental_autocorrelation, spatial_weights
from tests.gis.hotspots.hotspot_fixtures import lattice

# values on the lattice, row 0 at the bottom:
#   6 7 8
#   4 9 5
#   1 2 3
VALUES = [1, 2, 3, 4, 9, 5, 6, 7, 8]


def _hand_gi_star(values: Sequence[float], neighbours: dict[int, list[int]]) -> np.ndarray:
    """Ord & Getis (1995) Gi* with binary weights, the cell itself included."""
    x = np.asarray(values, dtype=float)
    n, mean = len(x), x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    z = []
    for i in range(n):
        js = [i, *neighbours[i]]
        wsum = len(js)
        num = x[js].sum() - mean * wsum
        den = s * np.sqrt((n * wsum - wsum**2) / (n - 1))
        z.append(num / den)
    return np.array(z)


def _rook(n: int = 3) -> dict[int, list[int]]:
    out = {}
    for r in range(n):
        for c in range(n):
            out[r * n + c] = [
                rr * n + cc
                for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                if 0 <= rr < n and 0 <= cc < n
            ]
    return out


def test_gi_star_matches_hand_computation_on_3x3() -> None:
    cells = lattice(3).assign(count=VALUES)
    result = gi_star(cells, distance_m=100.01, permutations=0)
    hand = _hand_gi_star(VALUES, _rook())
    np.testing.assert_allclose(result.cells["gi_z"], hand, rtol=1e-10)
    # the two worked by hand on paper: centre 2 / (2.58199 * 1.58114), corner -8 / (2.58199 * 1.5)
    assert result.cells["gi_z"].iloc[4] == pytest.approx(0.489898, abs=1e-6)
    assert result.cells["gi_z"].iloc[0] == pytest.approx(-2.065591, abs=1e-6)
    np.testing.assert_allclose(result.cells["gi_p"], 2 * stats.norm.sf(np.abs(hand)))


def test_default_band_is_rook_on_small_lattice() -> None:
    cells = lattice(3)
    w = spatial_weights(cells)
    assert w.distance_m == pytest.approx(100.01)
    assert w.w.cardinalities["r1c1"] == 4 and w.w.cardinalities["r0c0"] == 2


@pytest.mark.parametrize("kind", ["distance", "queen"])
def test_z_equals_esda_on_same_weights(kind: str) -> None:
    rng = np.random.default_rng(1)
    cells = lattice(8).assign(count=rng.poisson(3, 64))
    wts = spatial_weights(cells, kind=kind)  # type: ignore[arg-type]
    ours = gi_star(cells, weights=wts, permutations=99, seed=7)
    ref = esda.G_Local(
        cells["count"].to_numpy(float),
        wts.w,
        transform="B",
        star=True,
        permutations=99,
        seed=7,
        n_jobs=1,
    )
    np.testing.assert_allclose(ours.cells["gi_z"], ref.Zs)
    np.testing.assert_allclose(ours.cells["gi_p"], np.minimum(1, 2 * ref.p_sim))
    assert ours.permutations == 99 and ours.inference == "permutation"


def test_planted_cluster_is_hot_and_empty_corner_cold() -> None:
    rng = np.random.default_rng(3)
    cells = lattice(15)
    counts = rng.poisson(4, len(cells)).astype(float)
    block = [r * 15 + c for r in range(2, 5) for c in range(2, 5)]
    counts[block] += 25
    cold = [r * 15 + c for r in range(11, 15) for c in range(11, 15)]
    counts[cold] = 0
    result = gi_star(cells.assign(count=counts), permutations=999)
    classes = result.cells["hotspot_class"].to_numpy()
    assert (classes[block] >= 2).all()
    assert (classes[[r * 15 + c for r in range(12, 15) for c in range(12, 15)]] < 0).all()
    assert result.n_hot >= 9 and result.n_cold >= 1
    assert set(np.unique(classes)) <= {-3, -2, -1, 0, 1, 2, 3}


def test_classes_follow_esri_bins() -> None:
    z = np.array([4.0, 2.2, 1.7, 0.1, -1.7, -2.2, -4.0, np.nan])
    p = np.array([0.001, 0.03, 0.08, 0.9, 0.08, 0.03, 0.001, 1.0])
    assert hotspot_classes(z, p).tolist() == [3, 2, 1, 0, -1, -2, -3, 0]


def test_fdr_is_benjamini_hochberg() -> None:
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    np.testing.assert_allclose(fdr_adjust(p), [0.05] * 5)
    assert fdr_adjust(np.array([])).size == 0
    assert (fdr_adjust(np.array([0.001, 0.5])) >= [0.001, 0.5]).all()


def test_fdr_makes_classes_stricter() -> None:
    rng = np.random.default_rng(5)
    cells = lattice(12).assign(count=rng.poisson(5, 144))
    loose = gi_star(cells, fdr=False, permutations=0)
    strict = gi_star(cells, fdr=True, permutations=0)
    assert (strict.cells["hotspot_class"] != 0).sum() <= (loose.cells["hotspot_class"] != 0).sum()
    assert (strict.cells["gi_p_fdr"] >= strict.cells["gi_p"] - 1e-12).all()


def test_constant_values_give_no_hot_spot() -> None:
    result = gi_star(lattice(4).assign(count=3), permutations=99)
    assert (result.cells["hotspot_class"] == 0).all() and (result.cells["gi_z"] == 0).all()


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (lattice(3), FieldError),  # no count column
        (lattice(3).assign(count=1.0).iloc[:2], ConfigError),  # too few cells
        (lattice(3).assign(count=[1, 2, None, 4, 5, 6, 7, 8, 9]), ConfigError),  # missing value
    ],
)
def test_bad_input_is_refused(frame: gpd.GeoDataFrame, error: type[Exception]) -> None:
    with pytest.raises(error):
        gi_star(frame)


def test_bad_band_is_refused() -> None:
    with pytest.raises(ConfigError):
        gi_star(lattice(3).assign(count=VALUES), distance_m=-5)
    with pytest.raises(ConfigError):
        default_band(np.zeros((1, 2)))


def test_incremental_autocorrelation_peaks_at_the_cluster_scale() -> None:
    # 20x20 cells of 100 m; blobs of ~3 cells radius spaced 1 km apart
    cells = lattice(20)
    xy = shapely.get_coordinates(cells.geometry.centroid.to_numpy())
    centres = np.array([[x, y] for x in (250, 1250) for y in (250, 1250)]) + 250
    d = np.min(np.hypot(*(xy[:, None, :] - centres[None, :, :]).transpose(2, 0, 1)), axis=1)
    cells = cells.assign(count=np.where(d < 300, 10.0, 1.0))
    search = incremental_autocorrelation(cells, distances_m=np.arange(100, 1100, 100) + 0.5)
    assert search.peak_m is not None and 100 < search.peak_m < 800
    assert len(search.z) == 10 and search.z.max() > 5
