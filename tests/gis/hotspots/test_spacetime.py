"""Space-time Gi* (Esri's Neighborhood Time Step) on hand-computed cubes.

Three cells in a row, neighbours by distance (100 m band), two or three monthly bins::

    +----+----+----+
    | a  | b  | c  |     a~b, b~c (a and c are 200 m apart: not neighbours)
    +----+----+----+
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.errors import ConfigError
from gis.hotspots.emerging import emerging_hotspots
from gis.hotspots.gistar import gi_arrays
from gis.hotspots.spacetime import spacetime_gi, spacetime_weights
from gis.hotspots.weights import spatial_weights
from tests.gis.hotspots.hotspot_fixtures import METRIC, lattice

ROW = gpd.GeoDataFrame(
    {"id": ["a", "b", "c"]},
    geometry=[shapely.box(x, 0, x + 100, 100) for x in (0, 100, 200)],
    crs=METRIC,
)


def _weights():
    return spatial_weights(ROW, kind="distance", distance_m=101)


def _gi_star_by_hand(y: np.ndarray, hood: list[int], i: int) -> float:
    """Getis-Ord Gi* z of observation ``i`` with binary neighbourhood ``hood`` (self included)."""
    n = len(y)
    mean, s = y.mean(), np.sqrt((y**2).mean() - y.mean() ** 2)
    w = len(hood)
    return float((y[hood].sum() - mean * w) / (s * np.sqrt((n * w - w**2) / (n - 1))))


def test_neighbourhood_is_space_in_this_and_previous_steps() -> None:
    # rows bin-major: a0 b0 c0 a1 b1 c1 a2 b2 c2; N = 1
    w = spacetime_weights(_weights(), 3, time_steps=1).w.sparse.toarray().astype(int)
    assert w.diagonal().sum() == 0  # esda's star=True adds the bin itself
    assert np.flatnonzero(w[5]).tolist() == [1, 2, 4]  # c1: b0 c0 b1
    assert np.flatnonzero(w[7]).tolist() == [3, 4, 5, 6, 8]  # b2: a1 b1 c1 a2 c2, not bin 0
    assert np.flatnonzero(w[1]).tolist() == [0, 2]  # b0: nothing before the first bin
    assert w[:3, 3:].sum() == 0  # never a later bin
    w2 = spacetime_weights(_weights(), 3, time_steps=2).w.sparse.toarray().astype(int)
    assert np.flatnonzero(w2[8]).tolist() == [1, 2, 4, 5, 7]  # c2: b, c in bins 0, 1, 2
    too_many = spacetime_weights(_weights(), 2, time_steps=5).w.sparse  # capped at the cube
    assert too_many.shape == (6, 6)


def test_cube_window_z_equals_the_formula() -> None:
    # bin 0: a=1, b=0, c=0; bin 1: a=0, b=0, c=3; y = [1, 0, 0, 0, 0, 3], n = 6
    counts = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    z, p = spacetime_gi(counts, _weights(), time_steps=1, global_window="cube")
    y = counts.T.ravel()
    # c1's neighbourhood: b0 c0 b1 c1 → sum 3, w = 4; mean 2/3, S² = 10/6 − 4/9 = 11/9
    expected = (3 - 4 * 2 / 3) / (np.sqrt(11 / 9) * np.sqrt((6 * 4 - 16) / 5))
    assert z[2, 1] == pytest.approx(expected)
    assert z[2, 1] == pytest.approx(_gi_star_by_hand(y, [1, 2, 4, 5], 5))
    assert z[0, 0] == pytest.approx(_gi_star_by_hand(y, [0, 1], 0))  # a0: a0 b0
    # b1's neighbourhood is the whole cube (0/0 in the formula): reported as z = 0, p = 1
    assert (z[1, 1], p[1, 1]) == (0.0, 1.0)
    assert ((p > 0) & (p <= 1)).all()


def test_time_window_compares_each_bin_with_its_window() -> None:
    counts = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 1.0], [0.0, 3.0, 0.0]])
    z, _ = spacetime_gi(counts, _weights(), time_steps=1, global_window="time_window")
    # bin 0 has no previous step: plain per-bin Gi*
    z0, _ = gi_arrays(counts[:, 0], _weights(), permutations=0, inference="normal", seed=0)
    assert z[:, 0] == pytest.approx(z0)
    # bin 2 is judged within bins 1–2 only: y = [0, 0, 3, 2, 1, 0]
    y = counts[:, 1:].T.ravel()
    assert z[0, 2] == pytest.approx(_gi_star_by_hand(y, [0, 1, 3, 4], 3))  # a2: a1 b1 a2 b2
    assert z[2, 2] == pytest.approx(_gi_star_by_hand(y, [1, 2, 4, 5], 5))
    with pytest.raises(ConfigError):
        spacetime_gi(counts, _weights(), time_steps=1, global_window="year")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        spacetime_weights(_weights(), 3, time_steps=-1)


def _incidents(counts: np.ndarray, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``counts[i, m]`` incidents at the centre of cell i on the 10th of month m (2024)."""
    cell, month = np.nonzero(counts)
    reps = counts[cell, month].astype(int)
    centres = cells.geometry.centroid.to_numpy()
    times = pd.to_datetime([f"2024-{m + 1:02d}-10" for m in np.repeat(month, reps)])
    return gpd.GeoDataFrame({"time": times}, geometry=np.repeat(centres[cell], reps), crs=cells.crs)


def test_emerging_time_steps_zero_is_per_bin_and_one_is_recorded() -> None:
    cells = lattice(5)
    rng = np.random.default_rng(1)
    counts = rng.poisson(2.0, (25, 4)).astype(float)
    counts[12] += [0, 0, 6, 12]  # the centre cell heats up
    inc = _incidents(counts, cells)
    flat = emerging_hotspots(inc, cells, time_steps=0)
    assert flat.time_steps == 0
    wts = spatial_weights(cells)
    z3, _ = gi_arrays(counts[:, 3], wts, permutations=0, inference="normal", seed=3)
    last = flat.cube[flat.cube["bin"] == flat.bins[-1]]["gi_z"].to_numpy()
    assert last == pytest.approx(z3)
    st = emerging_hotspots(inc, cells)
    assert (st.time_steps, st.global_window) == (1, "time_window")
    z_st, _ = spacetime_gi(counts, wts, time_steps=1)
    got = st.cube["gi_z"].to_numpy().reshape(25, 4)
    assert got == pytest.approx(z_st)
    cube = emerging_hotspots(inc, cells, global_window="cube")
    assert cube.global_window == "cube" and len(cube.cube) == 100
    with pytest.raises(ConfigError):
        emerging_hotspots(inc, cells, time_steps=-1)
