"""Every file in ../shared/data loads through read_layer with the right kind and CRS."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gis.crs import to_metric
from gis.errors import CRSWarning, DataQualityWarning
from gis.io import read_layer
from gis.layers import LayerKind

# file, kind, options, features after loading, CRS (EPSG), column map (subset)
CASES = [
    (
        "chicago/police_beats.zip",
        "beat",
        {"repair": True},
        275,
        4326,
        {"id": "BEAT_NUM", "parent_id": "DISTRICT"},
    ),
    (
        "chicago/police_beats_simple.geojson",
        "beat",
        {"repair": True},
        275,
        4326,
        {"id": "BEAT_NUM", "parent_id": "DISTRICT"},
    ),
    (
        "chicago/police_districts.zip",
        "station",
        {"repair": True},
        23,
        4326,
        {"id": "DIST_NUM", "name": "DIST_LABEL"},
    ),
    (
        "chicago/community_areas.zip",
        "community",
        {},
        77,
        3435,
        {"id": "AREA_NUMBE", "name": "COMMUNITY"},
    ),
    (
        "chicago/crimes_2016-01_sample.csv",
        "incident",
        {},
        1542,
        4326,
        {
            "id": "ID",
            "time": "Date",
            "category": "Primary Type",
            "address": "Block",
            "lon": "Longitude",
            "lat": "Latitude",
        },
    ),
    ("seattle/spd-beats.geojson", "beat", {"mapping": {"id": "name"}}, 51, 4326, {"id": "name"}),
    (
        "seattle/spd-precincts.geojson",
        "station",
        {"mapping": {"id": "name"}},
        5,
        4326,
        {"id": "name"},
    ),
    (
        "seattle/spd-mcpp-areas.geojson",
        "community",
        {"mapping": {"id": "NAME"}},
        61,
        4326,
        {"id": "NAME"},
    ),
    ("seattle/census-tracts.geojson", "community", {}, 136, 4326, {"id": "geoid", "name": "name"}),
    (
        "china/nanjing_amap_gcj02.geojson",
        "street",
        {"crs": "gcj02"},
        12,
        4326,
        {"id": "adcode", "name": "district"},
    ),
    (
        "china/pingdingshan_amap_gcj02.geojson",
        "street",
        {"crs": "gcj02"},
        None,
        4326,
        {"id": "adcode", "name": "district"},
    ),
    (
        "china/tonghua_amap_gcj02.geojson",
        "street",
        {"crs": "gcj02"},
        8,
        4326,
        {"id": "adcode", "name": "district"},
    ),
    (
        "china/districts_amap_wgs84.geojson",
        "street",
        {},
        65,
        4326,
        {"id": "district_adcode", "name": "district_name"},
    ),
    (
        "china/districts_tianditu_cgcs2000.geojson",
        "street",
        {"crs": "cgcs2000"},
        66,
        4490,
        {"id": "district_adcode", "name": "district_name"},
    ),
    (
        "tracks/geolife_beijing_sample.csv",
        "track",
        {"mapping": {"track_id": "user_id"}},
        2293,
        4326,
        {"track_id": "user_id", "time": "tracked_at", "lon": "longitude", "lat": "latitude"},
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "options", "count", "epsg", "columns"), CASES, ids=[c[0] for c in CASES]
)
def test_real_file_loads(
    shared_data: Path,
    name: str,
    kind: str,
    options: dict,
    count: int | None,
    epsg: int,
    columns: dict,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        warnings.simplefilter("ignore", CRSWarning)
        layer = read_layer(shared_data / name, kind=kind, **options)
    gdf = layer.gdf
    assert layer.kind is LayerKind(kind)
    assert gdf.crs.to_epsg() == epsg
    if count is not None:
        assert len(gdf) == count
    assert columns.items() <= layer.column_map.items()
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert gdf["id" if kind != "track" else "track_id"].map(type).eq(str).all()
    if kind not in ("track",):
        assert gdf["id"].is_unique


def test_every_shared_file_is_covered(shared_data: Path) -> None:
    """No file of shared/data is left out of CASES."""
    listed = {c[0] for c in CASES}
    on_disk = {
        str(p.relative_to(shared_data))
        for p in shared_data.rglob("*")
        if p.suffix in (".zip", ".geojson", ".csv")
    }
    assert on_disk <= listed


def test_chicago_incidents_keep_located_rows_and_list_the_rest(shared_data: Path) -> None:
    """Incidents without coordinates do not fail the layer: they are listed, row by row."""
    path = shared_data / "chicago" / "crimes_2016-01_sample.csv"
    with pytest.warns(DataQualityWarning, match="188 rows without usable coordinates"):
        layer = read_layer(path, kind="incident", crs="EPSG:4326")
    raw = pd.read_csv(path, dtype=str)
    missing_rows = np.flatnonzero(raw["Latitude"].isna().to_numpy()) + 1
    assert layer.rejected["row"].tolist() == missing_rows.tolist()
    assert len(layer.gdf) + len(layer.rejected) == len(raw) == 1730
    assert layer.gdf["time"].min() >= pd.Timestamp("2016-01-01")
    assert layer.gdf["time"].max() < pd.Timestamp("2016-01-04")
    assert layer.gdf["time"].dt.year.eq(2016).all()
    assert set(layer.gdf["category"]) >= {"BATTERY", "THEFT"}
    assert {"Beat", "District", "Ward"} <= set(layer.gdf.columns)  # kept for ground truth


def test_gcj02_nanjing_lands_on_the_wgs84_copy(shared_data: Path) -> None:
    """Read with crs='gcj02', the Amap districts match the publisher's WGS84 copy."""
    china = shared_data / "china"
    gcj = read_layer(china / "nanjing_amap_gcj02.geojson", kind="street", crs="gcj02").gdf
    wgs = read_layer(china / "districts_amap_wgs84.geojson", kind="street").gdf
    both = gcj.merge(wgs[["id", "geometry"]], on="id", suffixes=("", "_wgs"))
    assert len(both) >= 11
    a, crs = to_metric(gpd.GeoDataFrame(geometry=both.geometry, crs=4326))
    b, _ = to_metric(gpd.GeoDataFrame(geometry=both["geometry_wgs"], crs=4326), crs=crs)
    offsets = a.geometry.centroid.distance(b.geometry.centroid)
    # metres; the two publishers' outlines differ in detail, so centroids differ by tens of
    # metres; GCJ-02 read as WGS84 would be ~500 m off
    assert offsets.median() < 20.0 and offsets.max() < 60.0
    raw = gpd.read_file(china / "nanjing_amap_gcj02.geojson").merge(
        wgs[["id"]], left_on="adcode", right_on="id"
    )
    c, _ = to_metric(gpd.GeoDataFrame(geometry=raw.geometry, crs=4326), crs=crs)
    assert c.geometry.centroid.distance(b.geometry.centroid).min() > 300


def test_chicago_as_a_district(tmp_path: Path, shared_data: Path) -> None:
    """Real layers in two CRSs (EPSG:4326 and IL State Plane feet): refused as mixed, then
    reprojected on request; the city's area is measured in metres (about 606 km²)."""
    import json

    from gis.district import load_district
    from gis.errors import CRSError

    chicago = shared_data / "chicago"
    manifest = {
        "name": "Chicago",
        "layers": {
            "beat": {"path": str(chicago / "police_beats.zip")},
            "station": {"path": str(chicago / "police_districts.zip")},
            "community": {"path": str(chicago / "community_areas.zip")},
        },
        "tables": {
            "incident": {"path": str(chicago / "crimes_2016-01_sample.csv"), "crs": "EPSG:4326"}
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with pytest.raises(CRSError) as err:
            load_district(tmp_path, repair=True)
        assert {p.field for p in err.value.problems} == {"beat", "station", "community", "incident"}
        assert "EPSG:3435" in " ".join(str(p) for p in err.value.problems)
        district = load_district(tmp_path, repair=True, to_crs="EPSG:26916")
    summary = district.summary().set_index("layer")
    assert set(summary["crs"]) == {"EPSG:26916"}
    areas = summary["area_km2"].dropna()
    assert areas["community"] == pytest.approx(606, rel=0.02)
    assert areas["station"] == pytest.approx(areas["community"], rel=0.05)
    assert areas["beat"] == pytest.approx(areas["station"], rel=0.01)  # beats tile districts
    assert summary.loc["incident", "count"] == 1542
