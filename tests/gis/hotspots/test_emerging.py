"""Emerging hot spots: each Esri pattern on a hand-built series; Mann-Kendall; a planted cube."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from gis.errors import ConfigError
from gis.hotspots.emerging import classify_patterns, emerging_hotspots, mann_kendall
from tests.gis.hotspots.hotspot_fixtures import METRIC, lattice

H, C, _ = 1, -1, 0
UP, DOWN, FLAT = (3.0, 0.001), (-3.0, 0.001), (0.2, 0.8)

# ten time bins per case: +1 hot bin, -1 cold bin, 0 neither; trend (z, p) of the Gi* z series
CASES = [
    ("new", "hot", [_, _, _, _, _, _, _, _, _, H], FLAT),
    ("oscillating", "hot", [C, _, _, _, _, _, _, _, _, H], FLAT),  # cold history wins
    ("consecutive", "hot", [_, _, _, _, _, _, _, H, H, H], UP),
    ("intensifying", "hot", [H, H, H, H, H, H, H, H, H, H], UP),
    ("intensifying", "hot", [_, H, H, H, H, H, H, H, H, H], UP),  # 90 % is enough
    ("persistent", "hot", [H, H, H, H, H, H, H, H, H, H], FLAT),
    ("persistent", "hot", [H, H, H, H, _, H, H, H, H, H], FLAT),
    ("diminishing", "hot", [H, H, H, H, H, H, H, H, H, H], DOWN),
    ("sporadic", "hot", [H, _, H, _, _, H, _, _, _, H], FLAT),
    ("sporadic", "hot", [H, _, _, _, _, _, _, _, H, H], UP),  # hot before the final run
    ("oscillating", "hot", [H, _, C, _, _, H, _, _, _, H], FLAT),
    ("oscillating", "hot", [C, C, _, _, _, _, _, _, H, H], UP),
    ("historical", "hot", [H, H, H, H, H, H, H, H, H, _], DOWN),
    ("none", "", [_, _, _, _, _, _, _, _, _, _], FLAT),
    ("none", "", [H, H, _, _, _, _, _, _, _, _], FLAT),  # was hot, not any more, < 90 %
    ("new", "cold", [_, _, _, _, _, _, _, _, _, C], FLAT),
    ("consecutive", "cold", [_, _, _, _, _, _, _, _, C, C], DOWN),
    ("intensifying", "cold", [C, C, C, C, C, C, C, C, C, C], DOWN),  # colder and colder
    ("diminishing", "cold", [C, C, C, C, C, C, C, C, C, C], UP),
    ("persistent", "cold", [C, C, C, C, C, C, C, C, C, C], FLAT),
    ("sporadic", "cold", [_, C, _, _, C, _, _, _, _, C], FLAT),
    ("oscillating", "cold", [_, H, _, _, C, _, _, _, _, C], FLAT),
    ("historical", "cold", [C, C, C, C, C, C, C, C, C, _], UP),
]


@pytest.mark.parametrize(("pattern", "spot", "bins", "trend"), CASES)
def test_each_esri_pattern(pattern: str, spot: str, bins: list[int], trend: tuple) -> None:
    b = np.array([bins])
    got, got_spot = classify_patterns(b == 1, b == -1, np.array([trend[0]]), np.array([trend[1]]))
    assert (got[0], got_spot[0]) == (pattern, spot)


def test_all_cases_at_once_are_vectorized() -> None:
    b = np.array([c[2] for c in CASES])
    tz = np.array([c[3][0] for c in CASES])
    tp = np.array([c[3][1] for c in CASES])
    got, _ = classify_patterns(b == 1, b == -1, tz, tp)
    assert got.tolist() == [c[0] for c in CASES]


def test_mann_kendall_by_hand_and_against_kendalltau() -> None:
    x = np.array([[3.0, 1, 4, 1, 5, 9, 2, 6], [1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]])
    s, z, p = mann_kendall(x)
    assert s.tolist()[1:] == [28, -28]
    # without ties S = tau · n(n−1)/2
    tau = stats.kendalltau(np.arange(8), x[1]).statistic
    assert s[1] == pytest.approx(tau * 28)
    # the first row has one tie (1, 1): var = (8·7·21 − 2·1·9)/18 = 64.333
    s0 = sum(np.sign(x[0, j] - x[0, i]) for i in range(8) for j in range(i + 1, 8))
    assert s[0] == s0
    assert z[0] == pytest.approx((s0 - np.sign(s0)) / np.sqrt((8 * 7 * 21 - 18) / 18))
    assert p[1] < 0.001 and p[2] < 0.001 and z[2] < 0
    flat = mann_kendall(np.ones((1, 5)))
    assert flat[1][0] == 0 and flat[2][0] == 1


def planted_cube(seed: int = 0) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, int, int]:
    """9x9 cells of 100 m, 12 months; a background of ~2 incidents per cell and month; cell
    ``new`` (r2c2) and its neighbours get 15 extra in the last month only; ``steady`` (r6c6)
    and its neighbours get 12 extra every month."""
    rng = np.random.default_rng(seed)
    cells = lattice(9)
    rows = []
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    for m, start in enumerate(months):
        counts = rng.poisson(2, 81)
        for r in range(1, 4):
            for c in range(1, 4):
                if m == 11:
                    counts[r * 9 + c] += 15
        for r in range(5, 8):
            for c in range(5, 8):
                counts[r * 9 + c] += 12
        for i, k in enumerate(counts):
            r, c = divmod(i, 9)
            x = c * 100 + rng.uniform(5, 95, k)
            y = r * 100 + rng.uniform(5, 95, k)
            t = start + pd.to_timedelta(rng.uniform(0, 27, k), unit="D")
            rows.append(pd.DataFrame({"x": x, "y": y, "time": t}))
    frame = pd.concat(rows, ignore_index=True)
    inc = gpd.GeoDataFrame(
        frame[["time"]], geometry=shapely.points(frame[["x", "y"]].to_numpy()), crs=METRIC
    )
    return inc, cells, 2 * 9 + 2, 6 * 9 + 6


def test_planted_new_and_persistent_hot_spots_are_found() -> None:
    inc, cells, new, steady = planted_cube()
    result = emerging_hotspots(inc, cells, freq="month")
    patterns = result.cells["pattern"].to_numpy()
    spots = result.cells["spot"].to_numpy()
    assert (patterns[new], spots[new]) == ("new", "hot")
    assert (patterns[steady], spots[steady]) == ("persistent", "hot")
    assert len(result.bins) == 12
    assert len(result.cube) == 81 * 12 and result.cube["count"].sum() == len(inc)
    assert result.cells["count"].sum() == len(inc)
    assert set(result.cells["label_en"]) >= {"New Hot Spot", "Persistent Hot Spot"}
    assert result.cells.loc[new, "label_zh"] == "新增热点"


def test_area_col_path_and_guards() -> None:
    inc, cells, new, _ = planted_cube()
    from gis.hotspots.counts import assign_points

    table = pd.DataFrame({"time": inc["time"], "cell": assign_points(inc, cells)})
    by_col = emerging_hotspots(table, cells, area_col="cell")
    assert by_col.cells.loc[new, "pattern"] == "new"
    with pytest.raises(ConfigError):  # one bin only
        emerging_hotspots(inc, cells, freq="Y")
    with pytest.raises(ConfigError):
        emerging_hotspots(pd.DataFrame({"time": inc["time"]}), cells)
