"""Real data: Chicago incidents against the police-recorded beat, district and community.

Measured (1,730 incidents of 1-3 Jan 2016; 188 without coordinates):

============  ===================  =====================  ===========================
layer         strict agreement     with 1 m tolerance     remaining disagreements
============  ===================  =====================  ===========================
beat          1,414 / 1,542 (91.7%) 1,540 / 1,542          2: recorded beat 832 m and
                                                          1,245 m from the coordinates
district      1,513 / 1,542 (98.1%) 1,542 / 1,542          0
community     1,504 / 1,542 (97.5%) 1,540 / 1,542          the same 2 records
============  ===================  =====================  ===========================

Every strict disagreement but those two lies within 0.16 m of the recorded area (the
portal geocodes incidents to the block, often onto the boundary street itself); 3 points
lie 0.1 m outside every beat and are placed by the tolerance.  The two others are
records whose own X/Y (EPSG:3435) agree with their latitude/longitude to 0.1 mm, so the
recorded beat, not the geocoder, contradicts the coordinates (a CTA-train incident on
Fullerton Ave, and a residence on S Normal Ave 1.2 km outside beat 0915).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

from gis.geocoding.assign import assign_xy, build_area_index, near_other, place_xy
from gis.geocoding.pipeline import GeocodeOptions, geocode_frame

LAYERS = {
    "beat": ("police_beats.zip", "BEAT_NUM", "Beat"),
    "district": ("police_districts.zip", "DIST_NUM", "District"),
    "community": ("community_areas.zip", "AREA_NUMBE", "Community Area"),
}


@pytest.fixture(scope="module")
def chicago(shared_data):
    folder = shared_data / "chicago"
    layers = {
        name: gpd.read_file(folder / file)[[column, "geometry"]].rename(columns={column: "id"})
        for name, (file, column, _) in LAYERS.items()
    }
    for layer in layers.values():  # "0611" and "611" are the same beat
        layer["id"] = layer["id"].astype(int).astype(str)
    crimes = pd.read_csv(folder / "crimes_2016-01_sample.csv", dtype=str)
    return layers, crimes


@pytest.fixture(scope="module")
def results(chicago):
    layers, crimes = chicago
    options = GeocodeOptions(x="Longitude", y="Latitude", id_column="ID")
    return {
        tol: geocode_frame(crimes, build_area_index(layers, tolerance_m=tol), options=options)
        for tol in (0.0, 1.0)
    }


def _agreement(crimes: pd.DataFrame, out: pd.DataFrame, layer: str) -> tuple[int, int, int]:
    """(strict agreements, agreements within the tolerance, records with coordinates)."""
    recorded = crimes[LAYERS[layer][2]].astype(int).astype(str)
    located = out["coord_status"] == "ok"
    strict = (out[f"{layer}_id"].fillna("") == recorded) & located
    alt = out.get(f"{layer}_alt_ids", pd.Series("", index=out.index)).fillna("")
    listed = np.array([r in a.split(",") for r, a in zip(recorded, alt, strict=True)])
    within = strict.to_numpy(dtype=bool) | listed
    return int(strict.sum()), int((within & located.to_numpy()).sum()), int(located.sum())


@pytest.mark.parametrize(
    ("layer", "strict", "tolerant"),
    [("beat", 1414, 1540), ("district", 1513, 1542), ("community", 1504, 1540)],
)
def test_agreement_with_police_records(chicago, results, layer, strict, tolerant):
    _, crimes = chicago
    s0, _, n = _agreement(crimes, results[0.0], layer)
    s1, t1, _ = _agreement(crimes, results[1.0], layer)
    assert n == 1542
    assert s0 == strict
    assert t1 == tolerant
    assert s1 >= s0  # the tolerance only adds (the 3 points 0.1 m outside every beat)


def test_strict_disagreements_lie_on_boundaries(chicago, results):
    layers, crimes = chicago
    out = results[0.0]
    recorded = crimes["Beat"].astype(int).astype(str)
    wrong = np.flatnonzero((out["coord_status"] == "ok") & (out["beat_id"].fillna("") != recorded))
    beats = layers["beat"].to_crs(32616)
    points = gpd.GeoSeries(
        gpd.points_from_xy(crimes["Longitude"].astype(float), crimes["Latitude"].astype(float)),
        crs=4326,
    ).to_crs(32616)
    gap = np.array(
        [beats[beats["id"] == recorded.iloc[i]].distance(points.iloc[i]).min() for i in wrong]
    )
    assert len(wrong) == 1542 - 1414
    assert (gap < 0.16).sum() == len(wrong) - 2
    far = sorted(crimes["ID"].iloc[wrong[gap > 1]].tolist())
    assert far == ["10365892", "10366879"]
    assert sorted(np.round(gap[gap > 1])) == [832.0, 1245.0]


def test_statuses_of_the_real_file(results):
    strict, tolerant = results[0.0], results[1.0]
    assert (strict["status"] == "missing_coordinates").sum() == 188
    assert (strict["status"] == "outside").sum() == 3  # 0.1 m outside every beat
    assert (tolerant["status"] == "tolerance").sum() == 3
    assert (tolerant["status"] == "ok").sum() == 1539
    assert tolerant.loc[tolerant["status"] == "tolerance", "beat_distance_m"].max() < 0.2


@pytest.mark.parametrize("tolerance", [0.0, 1.0, 200.0])
def test_the_array_core_answers_as_the_frame(chicago, tolerance: float) -> None:
    """``place_xy`` (what the service's point route uses) gives every column of
    ``assign_xy`` on the real incidents: ids, how, distances and the other areas near."""
    layers, crimes = chicago
    index = build_area_index({"beat": layers["beat"]}, tolerance_m=tolerance)
    lon = pd.to_numeric(crimes["Longitude"]).to_numpy()
    lat = pd.to_numeric(crimes["Latitude"]).to_numpy()
    x, y = index.transformer(pyproj.CRS.from_epsg(4326)).transform(lon, lat)
    table = assign_xy(x, y, index, nearest=True)
    layer = index.layers[0]
    placed = place_xy(layer, x, y, tolerance_m=tolerance, nearest=True)
    ids = placed.ids(layer)
    assert [None if pd.isna(v) else v for v in table["beat_id"]] == list(ids)
    assert list(table["beat_how"].astype(str)) == list(placed.how_names())
    assert np.array_equal(table["beat_distance_m"].to_numpy(), placed.distance_m, equal_nan=True)
    near = near_other(layer, x, y, placed, tolerance)
    if tolerance > 0:
        assert np.array_equal((table["beat_alt_ids"] != "").to_numpy(dtype=bool), near)
        assert near.any()
    assert (placed.how_names() == "invalid").sum() == crimes["Longitude"].isna().sum() > 0
