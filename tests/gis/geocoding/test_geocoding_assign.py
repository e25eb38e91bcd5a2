"""Points → areas: the boundary rule, tolerance, nearest area, and the one-answer invariant."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from gis.errors import ConfigError, DataQualityWarning, GeometryError
from gis.geocoding.assign import HOW_VALUES, assign_points, build_area_index

CRS = "EPSG:32650"  # UTM 50N: metres
X0, Y0 = 500_000.0, 3_500_000.0


def squares() -> gpd.GeoDataFrame:
    """Four 1 km squares, ids deliberately not in row order::

    y (km)
    2 +-----+-----+
      |  C  |  D  |
    1 +-----+-----+
      |  A  |  B  |
    0 +-----+-----+
      0     1     2   x (km)
    """
    cells = {"B": (1, 0), "D": (1, 1), "A": (0, 0), "C": (0, 1)}
    return gpd.GeoDataFrame(
        {"id": list(cells)},
        geometry=[
            box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
            for i, j in cells.values()
        ],
        crs=CRS,
    )


def pts(*xy_km: tuple[float, float] | None) -> gpd.GeoSeries:
    geoms = [None if p is None else Point(X0 + p[0] * 1000, Y0 + p[1] * 1000) for p in xy_km]
    return gpd.GeoSeries(geoms, crs=CRS)


def one(points: gpd.GeoSeries, tolerance_m: float = 0.0, layer=None):
    result = assign_points(
        points, {"grid": squares() if layer is None else layer}, tolerance_m=tolerance_m
    )
    return result.table


@pytest.mark.parametrize(
    ("where", "expected_id", "how"),
    [
        ((0.5, 0.5), "A", "inside"),
        ((1.5, 1.5), "D", "inside"),
        ((1.0, 0.5), "A", "shared"),  # edge A|B: lowest id wins
        ((1.5, 1.0), "B", "shared"),  # edge B|D
        ((1.0, 1.0), "A", "shared"),  # corner of all four
        ((0.0, 0.5), "A", "inside"),  # outer boundary of A only: areas are closed
        ((2.0, 2.0), "D", "inside"),  # outer corner
    ],
)
def test_boundary_rule(where, expected_id, how):
    table = one(pts(where))
    assert table.loc[0, "grid_id"] == expected_id
    assert table.loc[0, "grid_how"] == how
    assert table.loc[0, "grid_distance_m"] == 0.0


def test_boundary_rule_ignores_row_order():
    shuffled = squares().iloc[::-1].reset_index(drop=True)
    for where in [(1.0, 0.5), (1.0, 1.0), (1.5, 1.0)]:
        assert (
            one(pts(where), layer=shuffled).loc[0, "grid_id"] == one(pts(where)).loc[0, "grid_id"]
        )


def test_ids_compare_as_strings():
    layer = squares().assign(id=["10", "9", "11", "8"])  # B=10, D=9, A=11, C=8
    table = one(pts((1.0, 0.5)), layer=layer)  # edge A|B → "10" < "11"
    assert table.loc[0, "grid_id"] == "10"


def test_outside_gets_nearest_and_distance():
    table = one(pts((-0.0005, 0.5), (3.0, 0.5)))
    assert list(table["grid_how"]) == ["outside", "outside"]
    assert table["grid_id"].isna().all()
    assert list(table["grid_nearest_id"]) == ["A", "B"]
    assert table["grid_distance_m"].tolist() == pytest.approx([0.5, 1000.0])


def test_tolerance_places_near_points_and_reports_distance():
    table = one(pts((-0.0005, 0.5), (-0.002, 0.5), (2.0004, 1.5)), tolerance_m=1.0)
    assert list(table["grid_how"]) == ["tolerance", "outside", "tolerance"]
    assert table["grid_id"].tolist()[0] == "A" and table["grid_id"].tolist()[2] == "D"
    assert table["grid_distance_m"].tolist() == pytest.approx([0.5, 2.0, 0.4])


def test_tolerance_on_corner_gap_picks_lowest_equidistant():
    # 0.5 m below the A|B edge's lower end: equidistant from A and B
    table = one(pts((1.0, -0.0005)), tolerance_m=1.0)
    assert table.loc[0, "grid_id"] == "A"
    assert table.loc[0, "grid_how"] == "tolerance"


def test_alt_ids_list_other_areas_within_tolerance():
    table = one(pts((0.9998, 0.5), (0.5, 0.5), (0.9998, 0.9998)), tolerance_m=1.0)
    assert list(table["grid_id"]) == ["A", "A", "A"]
    assert list(table["grid_alt_ids"]) == ["B", "", "B,C,D"]


def test_missing_and_empty_points_are_invalid():
    geoms = gpd.GeoSeries([None, Point(), Point(X0 + 10, Y0 + 10)], crs=CRS)
    table = one(geoms)
    assert list(table["grid_how"]) == ["invalid", "invalid", "inside"]
    assert table["grid_id"].isna().tolist() == [True, True, False]


def test_a_point_too_far_to_project_is_outside_not_invalid():
    """Lon 30°E, 90° from the 120°E Gauss-Krüger meridian of grids near Nanjing, projects
    to infinity: a real point, in no area, with no nearest area to name."""
    wgs = gpd.GeoDataFrame({"id": ["N"]}, geometry=[box(118.70, 32.00, 118.71, 32.01)], crs=4326)
    points = gpd.GeoSeries([Point(30.0, 0.0), Point(118.705, 32.005), None], crs=4326)
    table = one(points, layer=wgs)
    assert list(table["grid_how"]) == ["outside", "inside", "invalid"]
    assert table["grid_id"].isna().tolist() == [True, False, True]
    assert np.isnan(table.loc[0, "grid_distance_m"]) and pd.isna(table.loc[0, "grid_nearest_id"])


def test_empty_input():
    table = one(gpd.GeoSeries([], crs=CRS))
    assert len(table) == 0
    assert "grid_id" in table


def test_every_layer_in_one_pass_and_points_in_geographic_crs():
    grids = squares()
    beats = gpd.GeoDataFrame(
        {"id": ["west", "east"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 2000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000)],
        crs=CRS,
    )
    lonlat = pts((0.5, 1.5), (1.5, 0.5)).to_crs(4326)
    result = assign_points(lonlat, {"grid": grids, "beat": beats})
    assert result.table[["grid_id", "beat_id"]].values.tolist() == [["C", "west"], ["B", "east"]]
    assert result.crs.to_epsg() == 32650  # the areas' own metric CRS
    assert result.counts().loc["inside"].tolist() == [2, 2]


def test_holes_multipolygons_and_duplicate_ids():
    ring = Polygon(
        [(X0, Y0), (X0 + 3000, Y0), (X0 + 3000, Y0 + 3000), (X0, Y0 + 3000)],
        holes=[
            [
                (X0 + 1000, Y0 + 1000),
                (X0 + 2000, Y0 + 1000),
                (X0 + 2000, Y0 + 2000),
                (X0 + 1000, Y0 + 2000),
            ]
        ],
    )
    island = box(X0 + 1200, Y0 + 1200, X0 + 1800, Y0 + 1800)
    far = MultiPolygon(
        [box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000), box(X0 + 7000, Y0, X0 + 8000, Y0 + 1000)]
    )
    layer = gpd.GeoDataFrame(
        {"id": ["ring", "island", "multi", "multi"]},
        geometry=[ring, island, far, box(X0 + 9000, Y0, X0 + 9500, Y0 + 500)],
        crs=CRS,
    )
    table = one(pts((0.5, 0.5), (1.1, 1.1), (1.5, 1.5), (7.5, 0.5), (9.2, 0.2)), layer=layer)
    assert table["grid_id"].fillna("-").tolist() == ["ring", "-", "island", "multi", "multi"]
    assert table.loc[1, "grid_how"] == "outside"  # in the hole, outside the island
    assert table.loc[1, "grid_distance_m"] == pytest.approx(100.0)


def test_invalid_polygon_repaired_with_warning():
    bowtie = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    layer = gpd.GeoDataFrame({"id": ["bow"]}, geometry=[bowtie], crs=CRS)
    with pytest.warns(DataQualityWarning, match="invalid"):
        table = one(pts((0.9, 0.5)), layer=layer)
    assert table.loc[0, "grid_id"] == "bow"


def test_rows_without_geometry_ignored_with_warning():
    layer = squares()
    layer.loc[len(layer)] = ["E", None]
    with pytest.warns(DataQualityWarning, match="without geometry"):
        assert one(pts((0.5, 0.5)), layer=layer).loc[0, "grid_id"] == "A"


@pytest.mark.parametrize(
    ("layers", "kwargs", "error"),
    [
        ({}, {}, ConfigError),
        ({"grid": squares()}, {"tolerance_m": -1.0}, ConfigError),
        ({"grid": squares().rename(columns={"id": "code"})}, {}, ConfigError),
        ({"grid": squares().set_crs(None, allow_override=True)}, {}, ConfigError),
        ({"grid": gpd.GeoDataFrame({"id": ["a"]}, geometry=[None], crs=CRS)}, {}, GeometryError),
    ],
)
def test_bad_area_layers(layers, kwargs, error):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        with pytest.raises(error):
            build_area_index(layers, **kwargs)


def test_points_without_crs_rejected():
    with pytest.raises(ConfigError, match="CRS"):
        assign_points(gpd.GeoSeries([Point(0, 0)]), {"grid": squares()})


def test_tolerance_must_match_prebuilt_index():
    index = build_area_index({"grid": squares()}, tolerance_m=1.0)
    with pytest.raises(ConfigError, match="tolerance"):
        assign_points(pts((0.5, 0.5)), index, tolerance_m=5.0)


# --- the invariant, on random tilings, with points on vertices and edges -------------------


def _voronoi(seeds: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    frame = box(0, 0, 1000, 1000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    cells = cells[~shapely.is_empty(cells)]
    moved = shapely.transform(cells, lambda xy: xy + np.array([X0, Y0]))
    return gpd.GeoDataFrame(
        {"id": [f"c{i:03d}" for i in range(len(moved))]}, geometry=moved, crs=CRS
    )


coord = st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seeds=st.lists(st.tuples(coord, coord), min_size=3, max_size=25, unique=True),
    free=st.lists(st.tuples(st.floats(-200, 1200), st.floats(-200, 1200)), max_size=40),
    tolerance=st.sampled_from([0.0, 0.5, 5.0]),
)
def test_exactly_one_answer_per_point_matches_brute_force(seeds, free, tolerance):
    layer = _voronoi(seeds)
    on_edges = shapely.get_coordinates(layer.geometry.boundary.to_numpy())[:60] - [X0, Y0]
    xy = np.vstack([np.array(free, dtype=float).reshape(-1, 2), on_edges])
    geoms = gpd.GeoSeries(shapely.points(xy + np.array([X0, Y0])), crs=CRS)
    table = assign_points(geoms, {"grid": layer}, tolerance_m=tolerance).table
    assert table["grid_how"].isin(HOW_VALUES).all()
    assert not table["grid_how"].isna().any()
    polys = layer.geometry.to_numpy()
    ids = layer["id"].to_numpy()
    for i, p in enumerate(geoms.to_numpy()):
        covering = sorted(ids[shapely.intersects(polys, p)])
        distances = shapely.distance(polys, p)
        how, got = table.loc[i, "grid_how"], table.loc[i, "grid_id"]
        if covering:
            assert got == covering[0]
            assert how == ("shared" if len(covering) > 1 else "inside")
        else:
            nearest = sorted(ids[distances == distances.min()])[0]
            assert table.loc[i, "grid_nearest_id"] == nearest
            assert table.loc[i, "grid_distance_m"] == pytest.approx(distances.min())
            if distances.min() <= tolerance:
                assert (how, got) == ("tolerance", nearest)
            else:
                assert how == "outside"
                assert got is pd.NA
