"""Visit coverage (规范化服务走访覆盖率): key addresses need a joint police + grid-worker visit."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.coverage.visits import visit_coverage
from gis.errors import FieldError
from tests.gis.coverage.coverage_fixtures import METRIC, two_squares


def addresses() -> gpd.GeoDataFrame:
    """Three addresses in A (a1 key, a2 attention, a3 ordinary), two in B (b1 ordinary, b2 key)."""
    return gpd.GeoDataFrame(
        {
            "id": ["a1", "a2", "a3", "b1", "b2"],
            "level": ["key", "关注类", "ordinary", None, "重点"],
        },
        geometry=shapely.points([(10, 10), (20, 20), (30, 30), (150, 50), (160, 50)]),
        crs=METRIC,
    )


def visits() -> pd.DataFrame:
    rows = [
        ("a1", "2024-05-03 09:00", "police"),  # a1: police and grid worker
        ("a1", "2024-05-03 15:00", "grid_worker"),  #     on the same day → joint
        ("a2", "2024-05-04 09:00", "police"),  # a2: different days → not joint
        ("a2", "2024-05-05 09:00", "grid_worker"),
        ("a3", "2024-05-06 09:00", "grid_worker"),  # ordinary: any visit
        ("b2", "2024-05-07 09:00", "joint"),  # recorded as joint
        ("b1", "2024-04-20 09:00", "grid_worker"),  # before the period
    ]
    a, t, r = zip(*rows, strict=True)
    return pd.DataFrame({"address_id": a, "time": pd.to_datetime(list(t)), "visitor_role": r})


def test_coverage_by_hand() -> None:
    r = visit_coverage(addresses(), visits(), two_squares(), start="2024-05-01", end="2024-06-01")
    g = r.grids.set_index("id")
    assert (g.loc["A", "addresses"], g.loc["A", "covered"], g.loc["A", "visited_any"]) == (3, 2, 3)
    assert g.loc["A", "coverage"] == pytest.approx(2 / 3)
    assert (g.loc["A", "key_addresses"], g.loc["A", "key_covered"]) == (2, 1)
    assert g.loc["B", "coverage"] == pytest.approx(1 / 2) and g.loc["B", "key_coverage"] == 1.0
    assert r.uncovered["id"].tolist() == ["a2", "b1"]  # attention before ordinary


def test_same_day_pair_can_be_switched_off() -> None:
    r = visit_coverage(addresses(), visits(), two_squares(), same_day_pair=False)
    assert r.addresses.set_index("id").loc["a1", "covered"] == False  # noqa: E712
    # without a period, b1's April visit counts
    assert r.addresses.set_index("id").loc["b1", "covered"] == True  # noqa: E712


def test_grid_col_path_and_empty_grid() -> None:
    addr = pd.DataFrame(addresses().drop(columns="geometry")).assign(grid=["A"] * 3 + ["A"] * 2)
    r = visit_coverage(addr, visits(), two_squares(), grid_col="grid")
    assert r.grids.set_index("id").loc["A", "addresses"] == 5
    assert pd.isna(r.grids.set_index("id").loc["B", "coverage"])


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda a, v: (a.assign(level=["key", "VIP", "", "", ""]), v), "level"),
        (lambda a, v: (a, v.assign(visitor_role="neighbour")), "visitor_role"),
        (lambda a, v: (a, v.drop(columns="visitor_role")), "visitor_role"),
        (lambda a, v: (pd.DataFrame(a.drop(columns="geometry")), v), "grid"),
    ],
)
def test_broken_inputs(mutate, match: str) -> None:
    a, v = mutate(addresses(), visits())
    with pytest.raises(FieldError, match=match):
        visit_coverage(a, v, two_squares())
