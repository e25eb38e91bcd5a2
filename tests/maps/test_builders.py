"""The four builders: offline HTML, bilingual, no personal data, light geometry, bad input."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from gis.errors import ConfigError, CRSError, FieldError, GeometryError
from gis.hotspots.kde import kernel_density
from maps.alignment import alignment_map
from maps.base import MapOptions, render_html
from maps.changes import changes_map
from maps.coverage import coverage_map
from maps.display import for_display
from maps.hotspots import MAX_HEAT_POINTS, hotspot_map
from maps.labels import TITLES
from maps.pages import district_pages
from tests.maps.maps_sketch import CRS, SECRET_ADDRESS, SECRET_OFFICER, X0, Y0

URL = re.compile(r"https?://", re.IGNORECASE)
LINK = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?!["']|data:|#)([^"'\s>]+)|url\(["']?(?!["']|data:|#)"""
)


def _pages_html(results, lang, *, inline=False):  # type: ignore[no-untyped-def]
    opts = MapOptions(lang=lang)
    return {
        p.name: render_html(p.build(opts, None), inline=inline, options=opts)
        for p in district_pages(results)
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_map_is_offline_and_in_its_language(results, lang) -> None:  # type: ignore[no-untyped-def]
    pages = _pages_html(results, lang)
    assert set(pages) == {"alignment", "hotspots", "coverage", "changes"}
    for name, html in pages.items():
        assert not URL.search(html), f"{name}: {URL.search(html)} left in the page"
        links = [m.group(1) for m in LINK.finditer(html) if m.group(1)]
        assert links and all(u.startswith("/maps/static/") for u in links), (name, links)
        assert TITLES[name].get(lang) in _text(html), name
        other = "en" if lang == "zh" else "zh"
        assert TITLES[name].get(other) not in _text(html), name
        assert "cdn" not in html.lower() and "jquery" not in html.lower()
        assert "bootstrap" not in html.lower() and "font-awesome" not in html.lower()


def test_inline_pages_carry_everything(results) -> None:  # type: ignore[no-untyped-def]
    for name, html in _pages_html(results, "zh", inline=True).items():
        # Leaflet's code holds a link to leafletjs.com (an attribution, never fetched):
        # what matters is that no tag or stylesheet outside the code refers to a URL.
        outside = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
        assert not LINK.search(outside), f"{name} still links {LINK.search(outside)}"
        assert "<script src" not in html and '<link rel="stylesheet"' not in html
        assert "L.map(" in html and "leaflet-measure" in html
        assert "data:image/png;base64," in html  # the layer-control icon, inlined


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_personal_data_reaches_a_page(results, lang) -> None:  # type: ignore[no-untyped-def]
    for name, html in _pages_html(results, lang).items():
        assert SECRET_ADDRESS not in html and SECRET_OFFICER not in html, name


@pytest.mark.parametrize("column", ["address", "officer_name", "officer_id"])
def test_asking_for_a_personal_column_is_refused(cells, column) -> None:  # type: ignore[no-untyped-def]
    cells[column] = "x"
    with pytest.raises(ConfigError, match="personal"):
        for_display(cells, columns=["id", column], options=MapOptions(), source="cells")


def test_alignment_colours_by_rule_and_hides_noise(findings, grids, beats) -> None:  # type: ignore[no-untyped-def]
    m = alignment_map(findings, grids=grids, beats=beats, options=MapOptions(lang="en"))
    html = render_html(m, options=MapOptions())
    layers = _geojson_layers(html)
    split = next(f for f in layers if "grid split by beat" in json.dumps(f))
    props = split["features"][0]["properties"]
    assert props["style0"]["fillColor"] == "#d01c8b" and props["style0"]["weight"] == 3.0
    assert props["message"] == "grid g2 is split by beats b1, b2"
    assert "Misalignments · digitizing noise (1)" in _text(html)
    noise = next(f for f in layers if "digitizing noise" in json.dumps(f))
    assert noise["features"][0]["properties"]["ids"] == "g1,g2"


def test_accepted_findings_are_faint(findings, grids) -> None:  # type: ignore[no-untyped-def]
    findings.loc[0, "accepted"] = True
    html = render_html(alignment_map(findings, grids=grids), options=MapOptions())
    split = next(f for f in _geojson_layers(html) if "g2" in json.dumps(f["features"][:1]))
    props = split["features"][0]["properties"]
    assert props["accepted"] == "是" and props["style0"]["dashArray"] == "1 4"
    assert props["style0"]["fillOpacity"] < 0.2


def test_alignment_accepts_a_report_object(findings, grids) -> None:  # type: ignore[no-untyped-def]
    class Report:
        def __init__(self, frame: gpd.GeoDataFrame) -> None:
            self.findings = frame

    html = render_html(alignment_map(Report(findings), grids=grids), options=MapOptions())
    assert "网格 g2 被责任区 b1、b2 切分" in _text(html)


def test_alignment_with_no_findings(grids) -> None:  # type: ignore[no-untyped-def]
    empty = gpd.GeoDataFrame(
        {c: [] for c in ("rule", "severity", "ids", "other_ids", "area_m2", "length_m")}
        | {"width_m": [], "message_zh": [], "message_en": []},
        geometry=[],
        crs=CRS,
    )
    html = render_html(alignment_map(empty, grids=grids), options=MapOptions())
    assert "(0)" in _text(html) and "g1" in html


def test_hotspot_time_filter_carries_every_period(cells, periods, kde) -> None:  # type: ignore[no-untyped-def]
    html = render_html(hotspot_map(cells, periods=periods, kde=kde), options=MapOptions())
    spec = json.loads(re.search(r"var spec = (\{.*?\});\n", html).group(1))  # type: ignore[union-attr]
    assert set(spec["periods"]) == {"week", "month"}
    assert spec["periods"]["week"]["2024-W02"]["v"] == [2.0, 4.0, 0.0, 1.0]
    assert spec["periods"]["month"]["2024-01"]["v"] == [30.0, None, None, None]
    assert spec["overall"]["c"] == [3, 1, 0, -1]
    assert "L.heatLayer" in html and "leaflet-heat.js" in html


def test_hotspot_gi_colours_are_esris(cells) -> None:  # type: ignore[no-untyped-def]
    html = render_html(hotspot_map(cells, options=MapOptions(lang="en")), options=MapOptions())
    (cells_data,) = _geojson_layers(html)  # one copy of the cells for both overlays
    gi = cells_data
    fills = [f["properties"]["style1"]["fillColor"] for f in gi["features"]]
    assert fills == ["#d62f27", "#fab984", "#ffffbf", "#c0ccbe"]
    assert gi["features"][0]["properties"]["hotspot_class"] == "Hot spot, 99% confidence"


def test_heat_layer_refuses_raw_incidents(cells) -> None:  # type: ignore[no-untyped-def]
    n = MAX_HEAT_POINTS + 1
    pts = gpd.GeoDataFrame(
        {"density": np.ones(n)},
        geometry=gpd.points_from_xy(np.full(n, X0), np.full(n, Y0)),
        crs=CRS,
    )
    with pytest.raises(ConfigError, match="kernel-density surface"):
        hotspot_map(cells, kde=pts)


def test_period_without_values_is_named(cells) -> None:  # type: ignore[no-untyped-def]
    bad = {"day": {"2024-01-01": pd.DataFrame({"id": ["g1"]})}}
    with pytest.raises(FieldError, match="2024-01-01"):
        hotspot_map(cells, periods=bad)  # type: ignore[arg-type]


def test_coverage_styles_visits_and_dosage(coverage_grids, joint_points, dosage, tracks) -> None:  # type: ignore[no-untyped-def]
    m = coverage_map(coverage_grids, joint_points=joint_points, dosage=dosage, tracks=tracks)
    html = render_html(m, options=MapOptions())
    layers = _geojson_layers(html)
    visits = layers[-1]["features"]
    assert [f["properties"]["visited"] for f in visits] == ["是", "否"]
    assert [f["properties"]["style0"]["fillColor"] for f in visits] == ["#1a9850", "#d73027"]
    assert "巡逻不足的热点 (1)" in _text(html)


def test_tracks_must_be_lines(coverage_grids, joint_points) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GeometryError, match="row 1"):
        coverage_map(coverage_grids, tracks=joint_points.rename(columns={"id": "track_id"}))


def test_changes_map_shows_old_new_and_affected(grids, new_grids, grid_diff, beats) -> None:  # type: ignore[no-untyped-def]
    m = changes_map(grids, new_grids, diff=grid_diff, affected_beats=beats.iloc[:1])
    html = _text(render_html(m, options=MapOptions()))
    assert "原网格 (4)" in html and "新网格 (4)" in html and "受影响责任区 (1)" in html
    assert "边界调整" in html


def test_missing_crs_and_missing_columns_are_named(grids, findings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CRSError, match="grid"):
        alignment_map(findings, grids=grids.set_crs(None, allow_override=True))
    with pytest.raises(FieldError) as err:
        alignment_map(findings.drop(columns=["ids"]), grids=grids)
    assert err.value.problems[0].field == "ids" and err.value.problems[0].source == "findings"


@pytest.mark.parametrize("lang", ["fr", "ZH"])
def test_bad_options_are_refused(lang) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        MapOptions(lang=lang)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="z"):
        MapOptions(basemap_url="http://tiles.local/tile.png")


@pytest.mark.parametrize(
    "geom",
    [
        None,
        Polygon(),
        MultiPolygon([box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 20, Y0, X0 + 30, Y0 + 10)]),
        Polygon(
            [(X0, Y0), (X0 + 50, Y0), (X0 + 50, Y0 + 50), (X0, Y0 + 50)],
            [[(X0 + 10, Y0 + 10), (X0 + 20, Y0 + 10), (X0 + 20, Y0 + 20), (X0 + 10, Y0 + 20)]],
        ),
        Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)]),  # bow-tie
    ],
    ids=["none", "empty", "multipart", "hole", "invalid"],
)
def test_odd_geometries_are_drawn_or_dropped(grids, geom) -> None:  # type: ignore[no-untyped-def]
    odd = gpd.GeoDataFrame({"id": ["odd"]}, geometry=[geom], crs=CRS)
    frame = pd.concat([grids[["id", "geometry"]], odd], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        shown = for_display(frame, columns=["id"], options=MapOptions(), source="grids")
    drawable = geom is not None and not geom.is_empty
    assert ("odd" in set(shown["id"])) == drawable
    assert not shown.geometry.is_empty.any()
    if geom is not None and geom.geom_type == "Polygon" and geom.interiors:
        assert len(shown.geometry.iloc[-1].interiors) == 1


def test_display_geometry_is_rounded_light_and_shares_edges(grids) -> None:  # type: ignore[no-untyped-def]
    wiggly = grids.copy()
    # 1 m vertices along every edge, each shifted by up to 0.5 m the same way on both sides
    wiggly["geometry"] = shapely.transform(
        shapely.segmentize(np.asarray(wiggly.geometry.array), 1.0),
        lambda xy: xy + 0.5 * np.sin(xy[:, ::-1] * 1.7),
    )
    shown = for_display(
        wiggly, columns=["id"], options=MapOptions(), source="grids", simplify="coverage"
    )
    coords = shapely.get_coordinates(shown.geometry.array)
    assert np.allclose(coords, np.round(coords, 6), atol=0, rtol=0)
    assert shapely.get_num_coordinates(shown.geometry.array).sum() < 0.1 * (
        shapely.get_num_coordinates(wiggly.geometry.array).sum()
    )
    assert bool(shapely.coverage_is_valid(shown.geometry.array))  # no slivers between grids
    assert shown.crs.to_epsg() == 4326
    back = shown.to_crs(CRS).geometry.array
    drift = shapely.hausdorff_distance(np.asarray(back), np.asarray(wiggly.geometry.array))
    assert drift.max() <= MapOptions().simplify_m + 0.2  # + rounding to 1e-6 degrees


def test_gcj02_basemap_shifts_overlays(grids) -> None:  # type: ignore[no-untyped-def]
    wgs = for_display(grids, columns=["id"], options=MapOptions(), source="grids")
    gcj = for_display(grids, columns=["id"], options=MapOptions(basemap_crs="gcj02"), source="g")
    shift = gcj.to_crs(CRS).centroid.distance(wgs.to_crs(CRS).centroid)
    assert ((shift > 100) & (shift < 800)).all()  # GCJ-02 offsets are 100-700 m in China


def test_basemap_url_is_the_only_external_url(grids, findings) -> None:  # type: ignore[no-untyped-def]
    opts = MapOptions(basemap_url="http://pgis.local/tiles/{z}/{x}/{y}.png")
    html = render_html(alignment_map(findings, grids=grids, options=opts), options=opts)
    assert set(re.findall(r"https?://[^\s\"']+", html)) == {
        "http://pgis.local/tiles/{z}/{x}/{y}.png"
    }


def test_real_seattle_beats_and_chicago_counts(shared_data: Path) -> None:
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    beats["id"] = beats.index.astype(str)
    precincts = gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson")
    precincts["id"] = precincts.index.astype(str)
    empty = gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ("rule", "severity", "ids", "other_ids")}
        | {c: pd.Series(dtype=float) for c in ("area_m2", "length_m", "width_m")}
        | {"message_zh": pd.Series(dtype=object), "message_en": pd.Series(dtype=object)},
        geometry=gpd.GeoSeries([], crs=4326),
    )
    html = render_html(alignment_map(empty, grids=beats, beats=precincts), options=MapOptions())
    assert len(_geojson_layers(html)[0]["features"]) == len(beats)

    chicago = gpd.read_file(f"zip://{shared_data / 'chicago' / 'police_beats.zip'}")
    crimes = pd.read_csv(shared_data / "chicago" / "crimes_2016-01_sample.csv")
    cells = chicago.rename(columns={"BEAT_NUM": "id"})[["id", "geometry"]]
    counts = crimes["Beat"].astype(str).str.zfill(4).value_counts()  # test-side aggregation
    cells["count"] = cells["id"].map(counts).fillna(0).astype(int)
    cells[["gi_z", "gi_p_fdr", "hotspot_class"]] = [0.0, 1.0, 0]
    html = render_html(hotspot_map(cells, options=MapOptions(lang="en")), options=MapOptions())
    shown = _geojson_layers(html)[0]["features"]
    assert sum(int(f["properties"]["count"]) for f in shown) == cells["count"].sum() > 1000
    assert len(html) < 1_500_000  # 277 detailed beats, geometry sent once


def _geojson_layers(html: str) -> list[dict]:  # type: ignore[type-arg]
    """The GeoJSON payloads embedded in a page, in the order they were added."""
    found = re.findall(r"var geo_json_\w+_data = (\{.*?\});\n", html)
    return [json.loads(s) for s in found]


def _text(html: str) -> str:
    """The page with JSON's \\uXXXX escapes decoded, to search for Chinese labels."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), html)


def test_point_joint_points_become_circles(grids, findings) -> None:  # type: ignore[no-untyped-def]
    pts = gpd.GeoDataFrame({"id": ["j1"]}, geometry=[Point(X0 + 50, Y0 + 50)], crs=CRS)
    html = render_html(alignment_map(findings, grids=grids, joint_points=pts), options=MapOptions())
    assert "L.circleMarker(latlng" in html


def test_heat_from_a_real_density_surface(cells, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    crimes = pd.read_csv(shared_data / "chicago" / "crimes_2016-01_sample.csv")
    crimes = crimes.dropna(subset=["Longitude", "Latitude"])
    points = gpd.GeoSeries(gpd.points_from_xy(crimes["Longitude"], crimes["Latitude"]), crs=4326)
    surface = kernel_density(points)
    html = render_html(hotspot_map(cells, kde=surface), options=MapOptions())
    heat = json.loads(re.search(r"L\.heatLayer\(\s*(\[\[.*?\]\])", html, re.S).group(1))  # type: ignore[union-attr]
    assert 0 < len(heat) <= MAX_HEAT_POINTS
    lats, lons, weights = np.array(heat).T
    assert lats.min() > 41.6 and lats.max() < 42.1 and -87.95 < lons.min() < -87.5
    assert weights.max() == 1.0 and weights.min() > 0


def test_every_finding_has_a_marker_visible_at_any_zoom(findings, grids) -> None:  # type: ignore[no-untyped-def]
    html = render_html(alignment_map(findings, grids=grids), options=MapOptions())
    layers = [
        f for f in _geojson_layers(html) if any("rule" in x["properties"] for x in f["features"])
    ]
    assert layers and any(x["geometry"]["type"] != "Point" for f in layers for x in f["features"])
    for layer in layers:
        kinds = [x["geometry"]["type"] for x in layer["features"]]
        shapes = [k for k in kinds if k != "Point"]
        assert kinds and kinds.count("Point") >= len(shapes)  # a circle for each shape
