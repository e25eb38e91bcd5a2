"""Records → areas with a status per row: every kind of bad input, one bad row never
sinks the batch, address fallback, duplicate ids, Chinese coordinate systems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.crs import wgs84_to_bd09, wgs84_to_gcj02
from gis.geocoding.assign import build_area_index
from gis.geocoding.match import Gazetteer
from gis.geocoding.pipeline import GeocodeOptions, SeenIds, geocode_frame
from gis.geocoding.status import REASONS, Status
from tests.gis.geocoding.geocoding_sketch import beats, gazetteer_frame, grids, lonlat


@pytest.fixture(scope="module")
def areas():
    return build_area_index({"grid": grids(), "beat": beats()}, tolerance_m=1.0)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_frame(gazetteer_frame())


def run(areas, records, **options):
    return geocode_frame(pd.DataFrame(records), areas, options=GeocodeOptions(**options))


LON, LAT = lonlat(0.5, 0.5)


@pytest.mark.parametrize(
    ("lon", "lat", "status"),
    [
        (LON, LAT, "ok"),
        (str(LON), str(LAT), "ok"),
        ("１１８．７", "３２．０", "ok"),  # full-width digits are numbers too (here: outside)
        (None, LAT, "missing_coordinates"),
        ("", " ", "missing_coordinates"),
        ("abc", LAT, "non_numeric"),
        ("118,7", LAT, "non_numeric"),
        (0, 0, "zero_coordinates"),
        ("0", "0.0", "zero_coordinates"),
        (LAT, LON, "swapped_lat_lon"),
        (200.0, LAT, "out_of_range"),
        (LON, -95.0, "out_of_range"),
        (np.inf, LAT, "out_of_range"),
    ],
)
def test_each_bad_coordinate_gets_its_status(areas, lon, lat, status):
    out = run(areas, {"lon": [lon], "lat": [lat]})
    got = out.loc[0, "status"]
    if status == "ok" and isinstance(lon, str) and "１" in lon:
        assert got == "outside"  # parsed fine, just far from the sketch
        return
    assert got == status
    assert out.loc[0, "reason_en"].startswith(REASONS[Status(status)].en)
    assert out.loc[0, "reason_zh"].startswith(REASONS[Status(status)].zh)
    if status != "ok":
        assert out.loc[0, "grid_how"] == "invalid"
        assert "lon=" in out.loc[0, "reason_en"]  # the bad value is named


def test_one_bad_row_never_sinks_the_batch(areas):
    records = {
        "lon": [LON, "x", None, 0, LAT, 999, *lonlat(1.5, 1.5)[:1]],
        "lat": [LAT, LAT, LAT, 0, LON, LAT, lonlat(1.5, 1.5)[1]],
    }
    out = run(areas, records)
    assert out["status"].tolist() == [
        "ok",
        "non_numeric",
        "missing_coordinates",
        "zero_coordinates",
        "swapped_lat_lon",
        "out_of_range",
        "ok",
    ]
    assert out["grid_id"].fillna("-").tolist() == ["G1", "-", "-", "-", "-", "-", "G4"]
    assert out["source_row"].tolist() == list(range(1, 8))


def test_tolerance_and_outside_statuses_name_the_nearest_area(areas):
    just_out = lonlat(-0.0005, 0.5)  # 0.5 m west of G1
    far = lonlat(-1.0, 0.5)
    out = run(areas, {"lon": [just_out[0], far[0]], "lat": [just_out[1], far[1]]})
    assert out["status"].tolist() == ["tolerance", "outside"]
    assert out.loc[0, "grid_id"] == "G1"
    assert out.loc[0, "grid_distance_m"] == pytest.approx(0.5, abs=0.01)
    assert "nearest G1 at 1000" in out.loc[1, "reason_en"]
    assert "最近 G1" in out.loc[1, "reason_zh"]


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_chinese_consumer_coordinates_are_converted(areas, system):
    lon, lat = np.array([lonlat(1.5, 0.5)[0]]), np.array([lonlat(1.5, 0.5)[1]])
    shifted = (wgs84_to_gcj02 if system == "gcj02" else wgs84_to_bd09)(lon, lat)
    raw = run(areas, {"lon": shifted[0], "lat": shifted[1]})
    assert abs(raw.loc[0, "geocode_lon"] - lon[0]) > 1e-3  # read as WGS84: 100s of m off
    out = run(areas, {"lon": shifted[0], "lat": shifted[1]}, source_crs=system)
    assert out.loc[0, "grid_id"] == "G2"
    assert out.loc[0, "geocode_lon"] == pytest.approx(lon[0], abs=1e-7)


def test_projected_input_crs(areas):
    out = run(
        areas,
        {"x": [500_500.0, 501_500.0], "y": [3_541_500.0, 3_540_500.0]},
        x="x",
        y="y",
        source_crs="EPSG:4549",
    )
    assert out["grid_id"].tolist() == ["G3", "G2"]
    assert out["status"].tolist() == ["ok", "ok"]


def test_address_fallback_and_its_statuses(areas, gazetteer):
    records = {
        "lon": [None, None, None, None, None, "bad", LON],
        "lat": [None, None, None, None, None, LAT, LAT],
        "addr": [
            "江东中路110号",
            "江东中路１１０號",
            "莫愁湖小去12栋",  # typo
            "中山路1号",
            "",
            "江东中路108号三幢二单元五零一",
            "anything: coordinates win",
        ],
    }
    out = run(areas, records, address="addr", gazetteer=gazetteer)
    assert out["status"].tolist() == [
        "address",
        "address",
        "address",
        "unmatched",
        "missing_coordinates",
        "address",
        "ok",
    ]
    # the gazetteer spells the first two with the province/city/district prefix
    assert out["match_method"].fillna("-").tolist() == [
        "normalized",
        "normalized",
        "fuzzy",
        "unmatched",
        "-",
        "normalized",
        "-",
    ]
    assert out["grid_id"].fillna("-").tolist() == ["G2", "G2", "G3", "-", "-", "G1", "G1"]
    assert out["geocode_source"].tolist() == ["address"] * 3 + ["", "", "address", "coordinates"]
    assert out.loc[2, "matched_address"] == "江苏省南京市建邺区莫愁湖小区12栋"


def test_address_only_records(areas, gazetteer):
    out = run(
        areas,
        {"addr": ["应天大街88号", "  ", None, "\ufffd\ufffd路3号", "Ã¥Ã¦Â·Â¯"]},
        x=None,
        y=None,
        address="addr",
        gazetteer=gazetteer,
    )
    assert out["status"].tolist() == [
        "address",
        "empty_address",
        "empty_address",
        "bad_encoding",
        "bad_encoding",
    ]
    assert out.loc[0, "beat_id"] == "E"


def test_ambiguous_address_goes_to_review_not_guessed(areas, gazetteer):
    # 108号3栋2单元 without the flat: two flats of one building, same point → placed;
    # 应天大街 without a number: two buildings at different points → review
    out = run(areas, {"addr": ["应天大街8号"]}, x=None, y=None, address="addr", gazetteer=gazetteer)
    assert out.loc[0, "status"] in ("review", "unmatched")
    assert pd.isna(out.loc[0, "geocode_lon"])
    assert out.loc[0, "grid_how"] == "invalid"


def test_duplicate_ids_flagged_across_chunks(areas):
    seen = SeenIds()
    first = geocode_frame(
        pd.DataFrame({"id": ["a", "b", "a"], "lon": [LON] * 3, "lat": [LAT] * 3}),
        areas,
        options=GeocodeOptions(id_column="id"),
        seen=seen,
    )
    second = geocode_frame(
        pd.DataFrame({"id": ["c", "b", None], "lon": [LON] * 3, "lat": [LAT] * 3}, index=[3, 4, 5]),
        areas,
        options=GeocodeOptions(id_column="id"),
        first_row=4,
        seen=seen,
    )
    assert first["status"].tolist() == ["ok", "ok", "duplicate_id"]
    assert second["status"].tolist() == ["ok", "duplicate_id", "ok"]
    assert "first in row 1" in first.loc[2, "reason_en"]
    assert "first in row 2" in second.loc[4, "reason_en"]
    assert second.loc[4, "grid_id"] == "G1"  # still placed


def test_columns_missing_from_the_file_mean_no_coordinates(areas):
    out = run(areas, {"something": [1, 2]})
    assert out["status"].tolist() == ["missing_coordinates"] * 2
