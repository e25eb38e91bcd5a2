"""Track cleaning: duplicates, spikes, gaps, one-way jumps, legs; GeoLife real fixes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.coverage.tracks import clean_tracks
from gis.errors import ConfigError, FieldError
from tests.gis.coverage.coverage_fixtures import METRIC, fixes


def test_straight_walk_gives_exact_legs() -> None:
    # 1.5 m/s east along y = 50, a fix every 20 s
    xs = [0, 30, 60, 90, 120]
    ct = clean_tracks(fixes([(x, 50) for x in xs], [0, 20, 40, 60, 80]), crs=METRIC)
    assert len(ct.legs) == 4 and ct.n_segments == 1
    np.testing.assert_allclose(ct.legs["metres"], 30.0)
    np.testing.assert_allclose(ct.legs["seconds"], 20.0)
    np.testing.assert_allclose(ct.legs["speed_kmh"], 5.4)
    assert ct.dropped.empty and ct.crs.is_projected


def test_spike_is_dropped_and_the_track_stays_whole() -> None:
    # fix 2 jumps 5 km away and back within 10 s: 500 m/s
    xy = [(0, 0), (10, 0), (5000, 0), (30, 0), (40, 0)]
    ct = clean_tracks(fixes(xy, [0, 10, 20, 30, 40]), crs=METRIC)
    assert ct.dropped["reason"].tolist() == ["spike"] and ct.dropped.index.tolist() == [2]
    assert ct.n_segments == 1 and len(ct.legs) == 3
    assert ct.legs["speed_kmh"].max() < 80


def test_run_of_two_spikes_needs_two_passes() -> None:
    xy = [(0, 0), (10, 0), (5000, 0), (5010, 0), (30, 0), (40, 0)]
    ct = clean_tracks(fixes(xy, [0, 10, 20, 25, 30, 40]), crs=METRIC)
    # the pair sits far away together: each is slow to its twin, fast to the rest —
    # not a spike by the two-sided rule, so the track is cut instead (one-way jumps)
    assert ct.legs["speed_kmh"].max() < 80
    assert ct.n_segments == 3


def test_gap_splits_segments_and_no_leg_crosses_it() -> None:
    xy = [(0, 0), (10, 0), (20, 0), (30, 0)]
    ct = clean_tracks(fixes(xy, [0, 10, 1000, 1010]), crs=METRIC, max_gap_s=300)
    assert ct.n_segments == 2 and len(ct.legs) == 2
    assert (ct.legs["seconds"] == 10).all()


def test_duplicates_missing_and_order() -> None:
    f = fixes([(0, 0), (10, 0), (20, 0), (30, 0)], [30, 0, 10, 10])
    f.loc[3, "geometry"] = None
    ct = clean_tracks(f, crs=METRIC)
    assert set(ct.dropped["reason"]) == {"missing"}
    assert ct.fixes["time"].is_monotonic_increasing
    g = fixes([(0, 0), (10, 0), (11, 0)], [0, 10, 10])
    assert clean_tracks(g, crs=METRIC).dropped["reason"].tolist() == ["duplicate_time"]


def test_tracks_are_kept_apart() -> None:
    a = fixes([(0, 0), (10, 0)], [0, 10], track="A")
    b = fixes([(1000, 0), (1010, 0)], [5, 15], track="B")
    ct = clean_tracks(pd.concat([a, b], ignore_index=True), crs=METRIC)
    assert sorted(ct.legs["track_id"]) == ["A", "B"] and (ct.legs["metres"] == 10).all()


def test_guards() -> None:
    with pytest.raises(FieldError):
        clean_tracks(fixes([(0, 0)], [0]).drop(columns="track_id"))
    with pytest.raises(ConfigError):
        clean_tracks(fixes([(0, 0)], [0]), max_speed_kmh=0)
    one = clean_tracks(fixes([(0, 0)], [0]), crs=METRIC)
    assert one.legs.empty and one.n_segments == 1


def test_geolife_real_fixes(shared_data) -> None:
    raw = pd.read_csv(shared_data / "tracks" / "geolife_beijing_sample.csv", sep=";")
    gdf = gpd.GeoDataFrame(
        {
            "track_id": raw["user_id"].astype(str),
            "time": pd.to_datetime(raw["tracked_at"]).dt.tz_localize(None),
        },
        geometry=shapely.points(raw["longitude"], raw["latitude"]),
        crs=4326,
    )
    ct = clean_tracks(gdf, max_speed_kmh=120, max_gap_s=300)
    assert ct.crs.is_projected and len(ct.legs) > 1000
    assert ct.legs["speed_kmh"].max() <= 120
    assert (ct.legs["seconds"] <= 300).all()
    kept, dropped = len(ct.fixes), len(ct.dropped)
    assert kept + dropped == len(gdf)
    # the walks and rides of the sample are a few to tens of km in total
    assert 5_000 < ct.legs["metres"].sum() < 200_000


def _longest_step_kmh(lines: gpd.GeoDataFrame, times: pd.DataFrame) -> float:
    """Fastest hop between consecutive vertices of the lines (metric CRS), from fix times."""
    fastest = 0.0
    for geom, (_, row) in zip(lines.geometry, lines.iterrows(), strict=True):
        xy = shapely.get_coordinates(geom)
        hop = np.hypot(*np.diff(xy, axis=0).T)
        seg = times[times["segment_id"] == row["segment_id"]].sort_values("time")
        dt = np.diff(seg["time"].to_numpy()).astype("timedelta64[ms]").astype(float) / 1000
        fastest = max(fastest, float((hop / dt).max() * 3.6))
    return fastest


def test_track_lines_break_at_a_one_way_jump_and_a_gap() -> None:
    from gis.coverage.tracks import track_lines

    # walk east, jump 3 km in 10 s and walk on there, then fall silent 20 min, walk again
    xy = [(0, 0), (10, 0), (20, 0), (3020, 0), (3030, 0), (3040, 0), (3050, 0), (3060, 0)]
    seconds = [0, 10, 20, 30, 40, 50, 1250, 1260]
    lines = track_lines(fixes(xy, seconds), max_speed_kmh=80, max_gap_s=300)
    assert lines["fixes"].tolist() == [3, 3, 2]
    assert lines.crs == METRIC and (lines.length <= 40).all()  # no line crosses the jump
    # the thresholds are the caller's: at 2,000 km/h and one hour the track is one line
    assert len(track_lines(fixes(xy, seconds), max_speed_kmh=2000, max_gap_s=3600)) == 1


def test_track_lines_of_geolife_have_no_jump_left(shared_data) -> None:
    from gis.coverage.tracks import clean_tracks, track_lines

    raw = pd.read_csv(shared_data / "tracks" / "geolife_beijing_sample.csv", sep=";")
    gdf = gpd.GeoDataFrame(
        {
            "track_id": raw["user_id"].astype(str),
            "time": pd.to_datetime(raw["tracked_at"]).dt.tz_localize(None),
        },
        geometry=shapely.points(raw["longitude"], raw["latitude"]),
        crs=4326,
    )
    naive = shapely.get_coordinates(gdf.to_crs(32650).sort_values("time").geometry.to_numpy())
    assert np.hypot(*np.diff(naive, axis=0).T).max() > 1000  # the raw sample jumps 1.4 km
    lines = track_lines(gdf, max_speed_kmh=120, max_gap_s=300)
    assert lines.crs.equals(gdf.crs) and len(lines) > 1
    cleaned = clean_tracks(gdf, max_speed_kmh=120, max_gap_s=300)
    metric = lines.to_crs(cleaned.crs)
    assert _longest_step_kmh(metric, cleaned.fixes) <= 120
    assert (
        lines["fixes"].sum()
        == cleaned.fixes.groupby("segment_id").size().loc[lambda n: n >= 2].sum()
    )


def test_demo_track_lines_stay_in_the_district(demo_dir) -> None:
    from gis.coverage.tracks import track_lines
    from gis.district import load_district

    district = load_district(demo_dir)
    tracks, street = district.tracks, district.streets
    assert tracks is not None and street is not None
    raw_out = 0.0
    area = shapely.union_all(street.to_crs(tracks.crs).geometry.array)
    for _, fx in tracks.sort_values("time").groupby("track_id"):
        line = shapely.linestrings(shapely.get_coordinates(fx.geometry.to_numpy()))
        raw_out += float(shapely.difference(line, area.buffer(0.002)).length)
    lines = track_lines(tracks, max_speed_kmh=80, max_gap_s=300)
    outside = shapely.difference(lines.geometry.array, area.buffer(0.002))
    broken_out = float(shapely.length(outside).sum())
    assert raw_out > 0  # the demo plants jumps of 200-900 m; some leave the district
    assert broken_out < raw_out / 10  # measured: 1/13 of the raw length outside remains
