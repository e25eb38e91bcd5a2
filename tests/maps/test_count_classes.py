"""Count classes: the darkest class holds the few hot grids, not a fifth of the district."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from maps.styles import class_breaks, classify


@pytest.mark.parametrize("window", ["day", "week", "month"])
@pytest.mark.parametrize("value", ["count", "rate_km2"])
def test_demo_grid_counts_darkest_class_is_a_minority(
    demo_dir: Path, window: Literal["day", "week", "month"], value: str
) -> None:
    from gis.district import load_district
    from gis.hotspots.counts import count_incidents

    district = load_district(demo_dir)
    areas = count_incidents(district.incidents, district.grids, window=window).areas
    breaks = class_breaks(areas[value])
    classes = classify(areas[value], breaks)
    share = np.bincount(classes, minlength=len(breaks)) / len(areas)
    assert len(breaks) >= 3  # still a map, not two colours
    assert share[-1] < 0.15  # the darkest class: a few grids (40 % before)
    assert share[-2:].sum() < 0.25  # the two darkest together: a quarter at most
    assert share[0] == share.max()  # most of the district is in the lightest class
    assert breaks[-1] == areas[value].max()


def test_values_that_are_not_heavy_tailed_get_top_heavy_quantiles() -> None:
    values = pd.Series(np.arange(100, dtype=float))  # uniform: head/tail stops at once
    classes = classify(values, class_breaks(values))
    assert np.bincount(classes).tolist() == [51, 25, 15, 7, 2]


def test_head_tail_limits_are_the_means_of_the_heads() -> None:
    values = pd.Series([1.0] * 60 + [2.0] * 25 + [10.0] * 10 + [50.0] * 4 + [200.0])
    breaks = class_breaks(values)
    m1 = values.mean()
    m2 = values[values > m1].mean()
    m3 = values[values > m2].mean()
    np.testing.assert_allclose(breaks[:3], [m1, m2, m3])
    assert breaks[-1] == 200.0


def test_empty_and_constant_values() -> None:
    assert class_breaks(pd.Series([np.nan, np.inf])).tolist() == [0.0]
    assert class_breaks(pd.Series([3.0, 3.0, 3.0])).tolist() == [3.0]
