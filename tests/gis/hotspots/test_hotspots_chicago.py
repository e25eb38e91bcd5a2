"""Real data: the Chicago crimes sample (1–3 Jan 2016) against the police beats."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from gis.errors import FieldError
from gis.hotspots.cells import derived_size, make_cells
from gis.hotspots.counts import assign_points, count_incidents
from gis.hotspots.gistar import gi_star
from gis.hotspots.kde import kernel_density


@pytest.fixture(scope="module")
def chicago(shared_data) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    beats = gpd.read_file(shared_data / "chicago" / "police_beats.zip")
    beats = beats.rename(columns={"BEAT_NUM": "id"})[["id", "geometry"]]
    raw = pd.read_csv(shared_data / "chicago" / "crimes_2016-01_sample.csv")
    raw = raw.dropna(subset=["Latitude", "Longitude"])
    crimes = gpd.GeoDataFrame(
        {
            "time": pd.to_datetime(raw["Date"], format="%m/%d/%Y %I:%M:%S %p"),
            "category": raw["Primary Type"].to_numpy(),
            "beat": raw["Beat"].astype(str).str.zfill(4).to_numpy(),
        },
        geometry=gpd.points_from_xy(raw["Longitude"], raw["Latitude"]),
        crs=4326,
    )
    return beats, crimes


def test_counts_per_beat_match_the_police_recorded_beat(chicago) -> None:
    beats, crimes = chicago
    ours = assign_points(crimes, beats)
    agree = (ours == crimes["beat"]).mean()
    assert agree > 0.9  # the rest sit on beat boundaries (see shared/data/README.md)
    by_recorded = count_incidents(
        crimes,
        beats.drop_duplicates("id"),
        window="custom",
        start="2016-01-01",
        end="2016-01-04",
        area_col="beat",
    )
    assert by_recorded.areas["count"].sum() == crimes["beat"].isin(beats["id"]).sum()


def test_duplicate_beat_ids_are_refused_then_dissolved(chicago) -> None:
    beats, crimes = chicago
    counts = count_incidents(crimes, beats, window="custom", start="2016-01-01", end="2016-01-04")
    if beats["id"].duplicated().any():
        with pytest.raises(FieldError, match="duplicate id"):
            gi_star(counts.areas, weights="queen")
    dissolved = beats.dissolve("id", as_index=False)
    counts = count_incidents(
        crimes, dissolved, window="custom", start="2016-01-01", end="2016-01-04"
    )
    result = gi_star(counts.areas, weights="queen", inference="normal")
    assert result.n_hot > 0 and len(result.cells) == dissolved["id"].nunique()
    # rates per km²: Chicago beats are ~0.1–40 km² (O'Hare is the big one)
    assert counts.areas["area_km2"].between(0.05, 60).all()


def test_hexagons_and_density_on_real_points(chicago) -> None:
    beats, crimes = chicago
    cells = make_cells(beats, shape="hexagon", points=crimes)
    assert cells.crs.is_projected and 100 <= len(cells.cells) <= 12_000
    assert derived_size(beats, crimes) == cells.size_m  # the size alone, no cells built
    surface = kernel_density(crimes)
    total = surface.density.sum() * surface.cell_m**2 / 1e6
    assert total == pytest.approx(len(crimes), rel=1e-6)
    assert 100 < surface.bandwidth_m < 5000
