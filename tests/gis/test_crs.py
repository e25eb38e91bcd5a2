"""gis.crs: parsing CRS names, converting layers, choosing the metric CRS, checking coordinates."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box

from gis import crs as gcrs
from gis.errors import CRSError, CRSWarning

GEOD = pyproj.Geod(ellps="WGS84")


# --- parse_crs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "epsg", "chinese"),
    [
        ("EPSG:4326", 4326, None),
        (4490, 4490, None),
        ("4490", 4490, None),
        ("cgcs2000", 4490, None),
        ("CGCS 2000", 4490, None),
        ("国家2000", 4490, None),
        ("wgs84", 4326, None),
        ("WGS-84", 4326, None),
        ("gcj02", 4326, "gcj02"),
        ("GCJ-02", 4326, "gcj02"),
        ("amap", 4326, "gcj02"),
        ("gaode", 4326, "gcj02"),
        ("tencent", 4326, "gcj02"),
        ("高德", 4326, "gcj02"),
        ("bd09", 4326, "bd09"),
        ("BD-09", 4326, "bd09"),
        ("baidu", 4326, "bd09"),
        ("百度", 4326, "bd09"),
        ("UTM 50N", 32650, None),
        ("utm zone 33s", 32733, None),
        ("WGS 84 / UTM zone 50N", 32650, None),
        ("EPSG:4549", 4549, None),
        ("EPSG:4491", 4491, None),
        ("EPSG:4554", 4554, None),
        ("gk3:120", 4549, None),
        ("GK 120E", 4549, None),
        ("gk6:117", 4509, None),
        ("EPSG:3435", 3435, None),
        ("+proj=longlat +datum=WGS84 +no_defs", 4326, None),
        (pyproj.CRS.from_epsg(4549).to_wkt(), 4549, None),
        (pyproj.CRS.from_epsg(32650), 32650, None),
    ],
)
def test_parse_crs_accepts_what_users_write(text: object, epsg: int, chinese: str | None) -> None:
    src = gcrs.parse_crs(text)  # type: ignore[arg-type]
    assert src.crs.to_epsg(min_confidence=70) == epsg
    assert src.chinese == chinese
    assert src.name == {"gcj02": "GCJ-02", "bd09": "BD-09"}.get(chinese or "", src.name)
    assert gcrs.parse_crs(src) is src


@pytest.mark.parametrize("code", range(4491, 4555))
def test_every_cgcs2000_gauss_kruger_code_parses(code: int) -> None:
    src = gcrs.parse_crs(f"EPSG:{code}")
    assert src.crs.is_projected and "CGCS2000" in src.crs.name and src.name == f"EPSG:{code}"


@pytest.mark.parametrize(
    "text", ["nonsense", "EPSG:99999", "gk3:121", "utm 61n", "", "bd09mc", 3.5, True, None]
)
def test_parse_crs_refuses_unknown_text_clearly(text: object) -> None:
    with pytest.raises(CRSError) as info:
        gcrs.parse_crs(text, source="grids.shp")  # type: ignore[arg-type]
    message = str(info.value)
    assert "BD-09MC" in message or ("unknown coordinate system" in message and "gcj02" in message)
    assert message.startswith("grids.shp") and info.value.problems[0].field == "crs"


# --- metric CRS -------------------------------------------------------------------------------


def _layer(*geoms: object, crs: object = 4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [str(i) for i in range(len(geoms))]}, geometry=list(geoms), crs=crs
    )


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (118.78, 32.06, 4549),  # Nanjing: CM 120E
        (125.94, 41.73, 4551),  # Tonghua: CM 126E
        (113.19, 33.77, 4547),  # Pingdingshan: CM 114E
        (87.62, 43.83, 4538),  # Urumqi: CM 87E
        (-87.63, 41.88, 32616),  # Chicago: UTM 16N
        (-122.33, 47.61, 32610),  # Seattle: UTM 10N
        (151.21, -33.87, 32756),  # Sydney: UTM 56S
        (139.69, 35.69, 32654),  # Tokyo is outside the GCJ-02 box: UTM 54N
    ],
)
def test_metric_crs_by_location(lon: float, lat: float, epsg: int) -> None:
    layer = _layer(box(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05))
    assert gcrs.metric_crs(layer).to_epsg() == epsg
    assert gcrs.metric_crs((lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05)).to_epsg() == epsg


@lru_cache
def _to_gk(code: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(4326, code, always_xy=True)


@given(st.floats(73.5, 136.4), st.floats(18.0, 53.6), st.sampled_from([3, 6]))
@settings(max_examples=200, deadline=None)
def test_gauss_kruger_zone_is_the_nearest_central_meridian(
    lon: float, lat: float, width: int
) -> None:
    crs = gcrs.metric_crs((lon, lat, lon, lat), width=width)  # type: ignore[arg-type]
    authority, number = crs.srs.split(":")  # as built by from_epsg; to_epsg() is slow
    code = int(number)
    assert authority == "EPSG"
    assert (4534 <= code <= 4554) if width == 3 else (4502 <= code <= 4512)
    cm = 75 + (3 * (code - 4534) if width == 3 else 6 * (code - 4502))
    assert abs(cm - lon) <= width / 2 + 1.5  # the 75E/135E end zones stretch to the border
    x, _ = _to_gk(code).transform(lon, lat)
    assert 100_000 < x < 900_000  # x is the easting (false easting 500 km), not northing


def test_bounds_across_the_antimeridian_pick_a_zone_at_180() -> None:
    """Fiji: (west, south, east, north) with west > east, not a 359° wide layer."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "spans 359°" warning
        assert gcrs.metric_crs((179.5, -17.0, -179.5, -16.0)).to_epsg() in (32701, 32760)


def test_gauss_kruger_crs_outside_the_zones_is_refused() -> None:
    with pytest.raises(CRSError, match="Gauss-Kruger"):
        gcrs.gauss_kruger_crs(60.0)
    with pytest.raises(ValueError, match="width"):
        gcrs.gauss_kruger_crs(120.0, width=4)  # type: ignore[arg-type]


@pytest.mark.parametrize("own", [4549, 32650, 2385, 4526])
def test_a_layer_already_in_metres_keeps_its_crs(own: int) -> None:
    layer = _layer(Point(118.78, 32.06)).to_crs(own)
    assert gcrs.metric_crs(layer).to_epsg() == own
    metric, chosen = gcrs.to_metric(layer)
    assert chosen.to_epsg() == own and metric is not layer


@pytest.mark.parametrize("mercator", [3857, 3395])
def test_mercator_is_not_used_for_measuring(mercator: int) -> None:
    """Web Mercator areas are 1/cos²(32°) = 1.39x too big in Nanjing."""
    square = gpd.GeoDataFrame(geometry=[box(118.78, 32.06, 118.79, 32.07)], crs=4326)
    with pytest.warns(CRSWarning, match="Mercator"):
        metric, crs = gcrs.to_metric(square.to_crs(mercator))
    assert crs.to_epsg() == 4549
    geodesic = abs(GEOD.geometry_area_perimeter(square.geometry.iloc[0])[0])
    assert metric.geometry.area.iloc[0] == pytest.approx(geodesic, rel=1e-3)
    assert square.to_crs(mercator).geometry.area.iloc[0] > 1.3 * geodesic


def test_us_foot_layer_is_reprojected_to_metres(shared_data: Path) -> None:
    """Chicago community areas are in EPSG:3435 (US survey feet): not metres."""
    areas = gpd.read_file(shared_data / "chicago" / "community_areas.zip")
    assert areas.crs.to_epsg() == 3435
    metric, crs = gcrs.to_metric(areas)
    assert crs.to_epsg() == 32616
    feet = areas.geometry.area.to_numpy() * 0.3048006096**2
    metres = metric.geometry.area.to_numpy()
    assert np.allclose(metres, feet, rtol=2e-3)  # two projections, same ground


def test_to_metric_areas_match_geodesic_areas(shared_data: Path) -> None:
    nanjing = gcrs.to_wgs84(
        gpd.read_file(shared_data / "china" / "nanjing_amap_gcj02.geojson"), source="gcj02"
    )
    metric, crs = gcrs.to_metric(nanjing)
    assert crs.to_epsg() == 4549
    geodesic = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in nanjing.geometry])
    assert np.allclose(metric.geometry.area, geodesic, rtol=1e-3)
    six, crs6 = gcrs.to_metric(nanjing, width=6)
    assert crs6.to_epsg() == 4509 and np.allclose(six.geometry.area, geodesic, rtol=1e-3)


def test_to_metric_with_a_stated_crs_and_errors() -> None:
    layer = _layer(Point(118.78, 32.06), None, Polygon())
    metric, crs = gcrs.to_metric(layer, crs="gk3:120")
    assert crs.to_epsg() == 4549 and metric.geometry.iloc[1] is None
    assert metric.geometry.iloc[2].is_empty
    assert 300_000 < metric.geometry.iloc[0].x < 500_000  # easting first despite EPSG axes
    with pytest.raises(CRSError, match="not a projected CRS in metres"):
        gcrs.to_metric(layer, crs=4490)
    with pytest.raises(CRSError, match="no CRS"):
        gcrs.to_metric(gpd.GeoDataFrame(geometry=[Point(1, 2)]))
    with pytest.raises(CRSError, match="no coordinates"):
        gcrs.metric_crs(_layer(Polygon(), None))


def test_wide_layer_warns_about_distortion() -> None:
    with pytest.warns(CRSWarning, match="spans"):
        crs = gcrs.metric_crs(_layer(Point(100.0, 30.0), Point(120.0, 30.0)))
    assert crs.to_epsg() == 4546  # CM 111E, centre of the data


# --- to_wgs84 / from_wgs84 --------------------------------------------------------------------


def test_to_wgs84_and_back_for_every_source() -> None:
    layer = _layer(
        Point(118.78, 32.06), LineString([(118.7, 32.0), (118.8, 32.1)]), None, Polygon()
    )
    layer["name"] = ["a", "b", "c", "d"]
    layer = layer.set_index(pd.Index([10, 20, 30, 40])).rename_geometry("geom")
    for target in ("gcj02", "bd09"):
        shifted = gcrs.from_wgs84(layer, target=target)
        assert shifted.attrs["chinese_crs"] == target and shifted.crs.to_epsg() == 4326
        moved = GEOD.inv(118.78, 32.06, shifted.geometry.iloc[0].x, shifted.geometry.iloc[0].y)
        assert 100 < moved[2] < 1_500
        back = gcrs.to_wgs84(shifted, source=target)
        assert list(back["name"]) == ["a", "b", "c", "d"] and back.geometry.iloc[2] is None
        assert back.geometry.name == "geom" and list(back.index) == [10, 20, 30, 40]
        assert back.geometry.iloc[3].is_empty
        assert shapely.equals_exact(back.geometry.iloc[1], layer.geometry.iloc[1], 1e-10)
    assert layer.geometry.iloc[0].x == 118.78  # input untouched


def test_from_wgs84_reprojects_first_and_refuses_unknown_targets() -> None:
    gk = _layer(Point(118.78, 32.06)).to_crs(4549)
    out = gcrs.from_wgs84(gk, target="gcj-02")
    expect = gcrs.wgs84_to_gcj02(118.78, 32.06)
    assert out.geometry.iloc[0].x == pytest.approx(float(expect[0]), abs=1e-9)
    assert gcrs.from_wgs84(gk, target="wgs84").geometry.iloc[0].x == pytest.approx(118.78)
    with pytest.raises(ValueError, match="target"):
        gcrs.from_wgs84(gk, target="mars")  # type: ignore[arg-type]


def test_to_wgs84_from_a_projected_source_and_from_the_layer_crs() -> None:
    gk = _layer(Point(118.78, 32.06)).to_crs(4549)
    assert gcrs.to_wgs84(gk).geometry.iloc[0].x == pytest.approx(118.78)
    bare = gpd.GeoDataFrame(geometry=list(gk.geometry))  # no CRS, stated by the user
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gcrs.to_wgs84(bare, source="EPSG:4549").geometry.iloc[0].y == pytest.approx(32.06)
    with pytest.warns(CRSWarning, match="treated as EPSG:4547"):
        gcrs.to_wgs84(gk, source=4547)
    with pytest.raises(CRSError, match="no CRS"):
        gcrs.to_wgs84(bare)


# --- check_coordinates ------------------------------------------------------------------------


def _points(*xy: tuple[float, float], crs: object = 4326) -> gpd.GeoDataFrame:
    layer = gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(len(xy))]}, geometry=[Point(p) for p in xy], crs=crs
    )
    return layer


NANJING = (118.78, 32.06)
GK120 = (500_000.0, 3_548_000.0)  # CGCS2000 GK CM 120E, near Nanjing


@pytest.mark.parametrize(
    ("good", "bad", "crs", "expect"),
    [
        (NANJING, (32.06, 118.78), 4326, "swap"),  # (lat, lon) of Nanjing
        (NANJING, (32.06, 118.78), 4490, "swap"),
        (NANJING, (32.06, 118.78), "gcj02", "swap"),
        (NANJING, (200.0, 30.0), 4326, "out of range"),
        (NANJING, (118.78, -95.0), 4490, "out of range"),
        (NANJING, (-87.63, 41.88), "gcj02", "outside China"),
        (NANJING, (-87.63, 41.88), "bd09", "outside China"),
        (NANJING, (-87.63, 41.88), 4490, "area of use"),  # Chicago declared CGCS2000
        (GK120, NANJING, 4549, "area of use"),  # degrees in a metre CRS
        (GK120, (500_000.0, 7_000_000.0), 4549, "area of use"),  # 63°N: beyond China
        ((40_500_000.0, 3_548_000.0), GK120, 4528, "area of use"),  # zone 40 lost its prefix
        (GK120, (3_548_000.0, 500_000.0), 4549, "swap"),  # (northing, easting)
        (NANJING, (float("nan"), 32.0), 4326, "NaN"),
    ],
)
def test_check_coordinates_refuses_contradictions(
    good: tuple[float, float], bad: tuple[float, float], crs: object, expect: str
) -> None:
    layer = _points(good, bad, crs=None)
    with pytest.raises(CRSError) as info:
        gcrs.check_coordinates(layer, crs=crs, source="incidents.csv")  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert (problem.source, problem.row, problem.feature_id, problem.field) == (
        "incidents.csv",
        2,
        "p1",
        "geometry",
    )
    assert expect in problem.message


@pytest.mark.parametrize(
    ("xy", "crs"),
    [
        (NANJING, 4326),
        (NANJING, 4490),
        (NANJING, "gcj02"),
        (NANJING, "bd09"),
        (GK120, 4549),
        ((40_500_000.0, 3_548_000.0), 4528),  # zone 40 (CM 120E) with its prefix
        ((-87.63, 41.88), 4326),
        ((1_176_000.0, 1_900_000.0), 3435),  # Chicago in US feet
    ],
)
def test_check_coordinates_accepts_consistent_data(xy: tuple[float, float], crs: object) -> None:
    gcrs.check_coordinates(_points(xy, crs=None), crs=crs, source="ok.csv")  # type: ignore[arg-type]


def test_check_coordinates_collects_every_bad_row_up_to_a_cap() -> None:
    """30 swapped rows among 40: 20 named, then a count of the rest."""
    good = [NANJING] * 10
    swapped = [(32.0 + i / 100, 118.0 + i / 100) for i in range(30)]
    layer = _points(*good, *swapped)
    with pytest.raises(CRSError) as info:
        gcrs.check_coordinates(layer, source="x.csv", rows=np.arange(2, 42))
    problems = info.value.problems
    assert [p.row for p in problems[:20]] == list(range(12, 32))  # source rows, as given
    assert "10 more rows" in problems[20].message and len(problems) == 21
    assert "(and 20 more problems)" in str(info.value)


def test_check_coordinates_reports_the_worst_vertex_of_a_polygon_once() -> None:
    """A polygon with one vertex outside China, declared GCJ-02: one problem, that row."""
    half_out = Polygon([(135.0, 40.0), (139.0, 40.0), (139.0, 41.0), (135.0, 41.0)])
    layer = gpd.GeoDataFrame({"id": ["g1", "g2"]}, geometry=[box(118, 32, 119, 33), half_out])
    with pytest.raises(CRSError) as info:
        gcrs.check_coordinates(layer, crs="gcj02", source="grids.geojson")
    assert [p.feature_id for p in info.value.problems] == ["g2"]
    assert "lon 139" in info.value.problems[0].message


def test_xinjiang_swapped_is_caught_when_the_rest_of_the_layer_is_in_china() -> None:
    """(lat, lon) of Urumqi is (43.8, 87.6): a valid Arctic point in EPSG:4326."""
    layer = _points(NANJING, NANJING, (43.83, 87.62))
    with pytest.raises(CRSError, match="swap") as info:
        gcrs.check_coordinates(layer, source="x.csv")
    assert [p.row for p in info.value.problems] == [3]
    # rows without coordinates do not dilute "most of the layer is in China"
    blanks = gpd.GeoDataFrame(geometry=[None] * 5, crs=4326)
    with pytest.raises(CRSError, match="swap"):
        gcrs.check_coordinates(pd.concat([layer, blanks]), source="x.csv")
    # a layer that is mostly outside China is not second-guessed
    arctic = _points((43.83, 87.62), (40.0, 80.0), NANJING)
    gcrs.check_coordinates(arctic, source="arctic.csv")


@pytest.mark.parametrize("geoms", [[], [None], [Polygon()], [None, Point()]])
def test_check_coordinates_ignores_rows_without_coordinates(geoms: list[object]) -> None:
    gcrs.check_coordinates(gpd.GeoDataFrame(geometry=geoms, crs=4326), source="x.csv")


def test_check_coordinates_on_real_files(shared_data: Path) -> None:
    files: list[tuple[str, gcrs.CRSLike | None]] = [
        ("china/nanjing_amap_gcj02.geojson", "gcj02"),
        ("china/tonghua_amap_gcj02.geojson", "gcj02"),
        ("china/districts_tianditu_cgcs2000.geojson", 4490),
        ("chicago/community_areas.zip", None),
        ("seattle/spd-beats.geojson", None),
    ]
    for name, crs in files:
        gcrs.check_coordinates(gpd.read_file(shared_data / name), crs=crs, source=name)
    chicago = gpd.read_file(shared_data / "chicago" / "police_beats_simple.geojson")
    with pytest.raises(CRSError, match="outside China") as info:
        gcrs.check_coordinates(chicago, crs="gcj02", source="police_beats_simple.geojson")
    assert len(info.value.problems) == 21  # 20 beats named, then "257 more rows"


def test_metric_crs_follows_the_bulk_of_the_data_not_one_trip(shared_data) -> None:
    """GeoLife Beijing fixes (116.3°E) plus one trip to Harbin (126.6°E): Beijing's zone."""
    import pandas as pd

    fixes = pd.read_csv(shared_data / "tracks" / "geolife_beijing_sample.csv", sep=";")
    lon = [*fixes["longitude"], 126.63, 126.64]
    lat = [*fixes["latitude"], 45.75, 45.76]
    layer = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    bbox_centre = gcrs.metric_crs(tuple(layer.total_bounds))  # the old way
    assert bbox_centre.to_epsg() != 4548
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the bulk is not wide: no distortion warning
        assert gcrs.metric_crs(layer).to_epsg() == 4548  # CGCS2000 GK CM 117E
    metric = gcrs.to_metric(layer)[0]
    legs = metric.geometry.iloc[:-2].distance(metric.geometry.shift(-1).iloc[:-2])
    assert legs.median() < 50  # metres between consecutive fixes, as walked
