"""On the demo district: planted hot spots and trends are recovered, cold areas are not flagged.

``truth.json`` lists four planted hot spots (one category each, a disc of 110–160 m with
a monthly count following a trend) and two cold areas (a park and a lake, no incidents).
The analysis is the one a commander runs: 150 m hexagons, Gi* per category, Emerging Hot
Spot Analysis over monthly bins.

The generator's trend names are stories, Esri's patterns are definitions; the mapping:
"new" (appears in September, stays) is Esri *consecutive* (or *new* if it were only the
final bin); "diminishing" (95 → 6 a month, not hot in the last month) is Esri *historical*
(or *diminishing* while still hot at the end).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.hotspots.cells import make_cells
from gis.hotspots.counts import assign_points, count_incidents, population_by_area
from gis.hotspots.emerging import emerging_hotspots
from gis.hotspots.evaluation import evaluate_periods
from gis.hotspots.gistar import gi_star

ACCEPTED = {
    "intensifying": {"intensifying"},
    "persistent": {"persistent"},
    "new": {"new", "consecutive"},
    "diminishing": {"diminishing", "historical"},
}


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> dict:
    from gis.district import load_district

    district = load_district(demo_dir)
    assert district.grids is not None and district.incidents is not None
    truth = json.loads((demo_dir / "truth.json").read_text(encoding="utf-8"))
    cells = make_cells(district.grids, shape="hexagon", size_m=150)
    incidents = district.incidents.to_crs(cells.crs)
    incidents["cell"] = assign_points(incidents, cells.cells)
    planted = gpd.GeoDataFrame(
        truth["hotspots"],
        geometry=shapely.points([(h["lon"], h["lat"]) for h in truth["hotspots"]]),
        crs=4490,
    ).to_crs(cells.crs)
    planted["cell"] = assign_points(planted, cells.cells)
    cold = gpd.GeoSeries(shapely.from_wkt([c["wkt"] for c in truth["cold_areas"]]), crs=4490)
    cold_zone = shapely.union_all(cold.to_crs(cells.crs).to_numpy())
    cold_ids = cells.cells.loc[cells.cells.intersects(cold_zone), "id"].tolist()
    return {
        "district": district,
        "truth": truth,
        "cells": cells.cells,
        "incidents": incidents,
        "planted": planted,
        "cold_ids": cold_ids,
    }


def _category_counts(demo: dict, category: str) -> gpd.GeoDataFrame:
    sub = demo["incidents"][demo["incidents"]["category"] == category]
    counts = sub["cell"].value_counts().reindex(demo["cells"]["id"]).fillna(0)
    return demo["cells"].assign(count=counts.to_numpy())


def test_every_planted_hotspot_is_a_99_percent_gi_star_hot_spot(demo: dict) -> None:
    for _, h in demo["planted"].iterrows():
        # normal inference, as Esri's tool; FDR-corrected
        result = gi_star(_category_counts(demo, h["category"]), inference="normal")
        classes = result.cells.set_index("id")["hotspot_class"]
        assert classes[h["cell"]] == 3, h["id"]
        # and the cold areas are never flagged hot
        assert (classes.reindex(demo["cold_ids"]) <= 0).all(), h["id"]


@pytest.mark.slow  # numba compiles esda's permutation kernel on first use (~30 s)
def test_all_incidents_leave_cold_areas_unflagged(demo: dict) -> None:
    counts = demo["incidents"]["cell"].value_counts().reindex(demo["cells"]["id"]).fillna(0)
    result = gi_star(demo["cells"].assign(count=counts.to_numpy()), permutations=999)
    assert len(demo["cold_ids"]) >= 3
    # with 999 permutations the smallest two-sided p is 0.002, so after FDR the planted
    # centres are hot at 90 % at least (the 99 % class needs normal inference, above)
    classes = result.cells.set_index("id")["hotspot_class"]
    for _, h in demo["planted"].iterrows():
        sub = _category_counts(demo, h["category"])
        perm = gi_star(sub, permutations=999).cells.set_index("id")["hotspot_class"]
        assert perm[h["cell"]] >= 1, h["id"]
    assert (classes.reindex(demo["cold_ids"]) <= 0).all()
    assert result.permutations == 999 and result.fdr


def test_planted_trends_are_recovered_by_emerging_hot_spots(demo: dict) -> None:
    for _, h in demo["planted"].iterrows():
        sub = demo["incidents"][demo["incidents"]["category"] == h["category"]]
        result = emerging_hotspots(sub, demo["cells"], freq="month", area_col="cell")
        cell = result.cells.set_index("id").loc[h["cell"]]
        assert cell["spot"] == "hot", h["id"]
        assert cell["pattern"] in ACCEPTED[h["trend"]], (h["id"], h["trend"], cell["pattern"])
        cold = result.cells.set_index("id").reindex(demo["cold_ids"])
        assert not (cold["spot"] == "hot").any()


def test_counts_per_grid_conserve_incidents_and_give_rates(demo: dict) -> None:
    district = demo["district"]
    pop = population_by_area(district.buildings, district.grids)
    result = count_incidents(
        district.incidents, district.grids, window="month", at="2025-12-15", population=pop
    )
    inside = assign_points(district.incidents, district.grids).notna()
    times = district.incidents["time"]
    december = inside & (times >= "2025-12-01") & (times < "2026-01-01")
    assert result.areas["count"].sum() == december.sum()
    november = inside & (times >= "2025-11-01") & (times < "2025-12-01")
    assert result.areas["previous_count"].sum() == november.sum()
    assert result.areas["rate_1000"].notna().mean() > 0.9
    assert result.metric_crs.to_epsg() == 4549


def test_last_month_predicts_this_month(demo: dict) -> None:
    r = evaluate_periods(
        demo["incidents"],
        demo["cells"],
        train=("2025-11-01", "2025-12-01"),
        test=("2025-12-01", "2026-01-01"),
        area_share=0.03,
    )
    assert r.area_share >= 0.03 and r.pai > 2.0
