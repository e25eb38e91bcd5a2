"""PAI and hit rate on hand cases (Chainey et al. 2008)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.errors import ConfigError, FieldError
from gis.hotspots.evaluation import evaluate_periods, pai
from tests.gis.hotspots.hotspot_fixtures import METRIC, lattice


def strip() -> gpd.GeoDataFrame:
    """Ten 1 km² cells in a row; training scores 10, 9, …, 1::

    +----+----+----+----+----+----+----+----+----+----+
    | c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9 |
    +----+----+----+----+----+----+----+----+----+----+
    """
    return gpd.GeoDataFrame(
        {"id": [f"c{i}" for i in range(10)], "count": list(range(10, 0, -1))},
        geometry=[shapely.box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(10)],
        crs=METRIC,
    )


def test_pai_by_hand() -> None:
    # 20 test incidents, 8 in c0 and 4 in c1; flag 20 % of the area = c0, c1
    test = pd.Series({"c0": 8, "c1": 4, "c5": 6, "c9": 2})
    r = pai(strip(), test, area_share=0.2)
    assert r.flagged == ("c0", "c1")
    assert r.hit_rate == pytest.approx(12 / 20)
    assert r.pai == pytest.approx((12 / 20) / (2 / 10))  # 3.0
    assert (r.n_hit, r.n_total) == (12, 20)
    assert r.area_flagged_km2 == pytest.approx(2.0) and r.area_total_km2 == pytest.approx(10.0)


def test_share_is_rounded_up_to_whole_cells() -> None:
    r = pai(strip(), np.array([5, 0, 0, 0, 0, 0, 0, 0, 0, 5]), area_share=0.03)
    assert r.flagged == ("c0",) and r.area_share == pytest.approx(0.1)
    assert r.pai == pytest.approx(0.5 / 0.1)


def test_perfect_and_useless_maps() -> None:
    all_in_top = pai(strip(), np.array([7] + [0] * 9), area_share=0.1)
    none_in_top = pai(strip(), np.array([0] * 9 + [7]), area_share=0.1)
    assert all_in_top.pai == pytest.approx(10.0) and none_in_top.pai == 0.0
    assert np.isnan(pai(strip(), np.zeros(10), area_share=0.1).hit_rate)


def test_evaluate_periods_train_on_one_month_test_on_the_next() -> None:
    cells = lattice(3, size=1000)
    # training (January): 5 in r1c1, 1 in r0c0; test (February): 3 in r1c1, 1 in r2c2
    xy = [(1500, 1500)] * 5 + [(500, 500)] + [(1500, 1500)] * 3 + [(2500, 2500)]
    times = ["2024-01-10"] * 6 + ["2024-02-10"] * 4
    inc = gpd.GeoDataFrame(
        {"time": pd.to_datetime(times)},
        geometry=shapely.points(np.array(xy, dtype=float)),
        crs=METRIC,
    )
    r = evaluate_periods(
        inc,
        cells,
        train=("2024-01-01", "2024-02-01"),
        test=("2024-02-01", "2024-03-01"),
        area_share=1 / 9,
    )
    assert r.flagged == ("r1c1",) and r.hit_rate == pytest.approx(0.75)
    assert r.pai == pytest.approx(0.75 * 9)


def test_guards() -> None:
    with pytest.raises(ConfigError):
        pai(strip(), np.zeros(10), area_share=0)
    with pytest.raises(ConfigError):
        pai(strip(), np.zeros(3))
    with pytest.raises(FieldError):
        pai(strip(), np.zeros(10), score="density")
