"""``district_results``: gis's analyses run for the maps, on the sketch and the demo."""

from __future__ import annotations

import warnings
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

from gis.district import District
from gis.errors import DataQualityWarning
from maps.base import MapOptions, render_html
from maps.pages import district_pages
from maps.results import district_results
from tests.maps.maps_sketch import CRS, X0, Y0


@pytest.fixture()
def district(grids, beats, joint_points):  # type: ignore[no-untyped-def]
    """The sketch with 400 incidents (most in g1) over 60 days and one patrol in g1-g2."""
    rng = np.random.default_rng(5)
    x = np.where(rng.random(400) < 0.7, rng.uniform(0, 100, 400), rng.uniform(0, 400, 400))
    times = pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.uniform(0, 60, 400), unit="D")
    incidents = gpd.GeoDataFrame(
        {"id": [f"i{i}" for i in range(400)], "time": times, "category": "theft"},
        geometry=gpd.points_from_xy(X0 + x, Y0 + rng.uniform(0, 200, 400)),
        crs=CRS,
    )
    walk = np.linspace(0, 190, 40)
    tracks = gpd.GeoDataFrame(
        {
            "track_id": "t1",
            "officer_id": "p1",
            "time": pd.Timestamp("2024-04-29 09:00") + pd.to_timedelta(np.arange(40) * 30, "s"),
        },
        geometry=gpd.points_from_xy(X0 + 5 + walk, np.full(40, Y0 + 100)),
        crs=CRS,
    )
    return District(
        name="sketch", crs=pyproj.CRS(CRS), source=None, grids=grids, beats=beats,
        joint_points=joint_points, incidents=incidents, tracks=tracks,
    )  # fmt: skip


def test_sketch_gets_three_maps(district) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # esda's own notice
        results = district_results(district)
    assert results.cells is not None and results.cells.loc[0, "count"] > 0
    assert set(results.periods or {}) == {"day", "week", "month"}
    assert len(results.periods["month"]) == 12  # type: ignore[index]
    assert results.tracks is not None and results.tracks.geom_type.eq("LineString").all()
    pages = district_pages(results)
    assert [p.name for p in pages] == ["alignment", "hotspots", "coverage"]
    for page in pages:
        assert "L.map(" in render_html(page.build(MapOptions(), None), options=MapOptions())


def test_a_failing_analysis_leaves_only_its_map_out(district) -> None:  # type: ignore[no-untyped-def]
    broken = replace(district, incidents=district.incidents.drop(columns=["time"]))
    with pytest.warns(DataQualityWarning, match="hotspots"):
        results = district_results(broken)
    assert results.cells is None and results.coverage_grids is not None


@pytest.mark.slow
def test_demo_district_maps(demo_dir) -> None:  # type: ignore[no-untyped-def]
    from gis.district import load_district

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = district_results(load_district(demo_dir / "manifest.json"))
    pages = {p.name: p for p in district_pages(results)}
    assert {"alignment", "hotspots", "coverage"} <= set(pages)
    for page in pages.values():
        html = render_html(page.build(MapOptions(lang="en"), None), options=MapOptions())
        assert len(html) < 5_000_000
