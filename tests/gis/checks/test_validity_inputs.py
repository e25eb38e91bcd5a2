"""Validity findings, GEOS failures reported not raised, and broken inputs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, MultiPolygon, Polygon

from gis.checks import CheckConfig, check_layers
from gis.checks.safe import guarded
from gis.errors import ConfigError, CRSError, FieldError, LayerError
from tests.gis.checks.conftest import GRID_BOXES, X0, Y0, frame, sq
from tests.gis.checks.helpers import found, run

BOWTIE = Polygon([(X0, Y0 + 100), (X0 + 100, Y0 + 200), (X0 + 100, Y0 + 100), (X0, Y0 + 200)])


@pytest.mark.parametrize(
    ("g1", "rule"),
    [
        (None, "empty_geometry"),
        (Polygon(), "empty_geometry"),
        (BOWTIE, "invalid_geometry"),
        (LineString([(X0, Y0 + 100), (X0 + 100, Y0 + 200)]), "invalid_geometry"),
    ],
    ids=["none", "empty", "bowtie", "linestring"],
)
def test_bad_geometry_is_a_finding_not_a_crash(district, g1, rule) -> None:
    geoms = [sq(*b) for b in GRID_BOXES.values()]
    geoms[0] = g1
    report = run(district(grid=frame(list(GRID_BOXES), geoms)))
    assert (rule, "G1", "") in found(report)


def test_multipart_and_holes_are_fine(district) -> None:
    """G1 as a two-part multipolygon and G6 with a hole filled by G9: consistent."""
    geoms = {g: sq(*b) for g, b in GRID_BOXES.items()}
    geoms["G1"] = MultiPolygon([sq(0, 100, 50, 200), sq(50, 100, 100, 200)]).buffer(0)
    geoms["G6"] = sq(300, 100, 400, 200).difference(sq(340, 140, 360, 160))
    geoms["G9"] = sq(340, 140, 360, 160)
    layers = district(grid=frame(list(geoms), list(geoms.values())), aux_beat=None)
    layers["assignments"] = None
    report = run(
        layers, rules=frozenset({"overlap", "gap", "not_covering_parent", "crosses_parent"})
    )
    assert report.ok


def test_duplicate_ids(district) -> None:
    grids = district()["grid"]
    grids.loc[grids["id"] == "G2", "id"] = "G1"
    assert ("duplicate_id", "G1", "") in found(run(district(grid=grids)))


def test_guarded_falls_back_per_feature_and_names_the_culprit() -> None:
    def fragile(a: np.ndarray) -> np.ndarray:
        if np.any(shapely.area(a) > 50):
            raise shapely.errors.GEOSException("TopologyException: side location conflict")
        return shapely.area(a)

    result = guarded(fragile, np.array([shapely.box(0, 0, 1, 1), shapely.box(0, 0, 10, 10)]))
    assert result.values[0] == 1.0 and result.values[1] is None
    assert result.failed.tolist() == [1] and "TopologyException" in result.errors[0]


def test_empty_layers_are_checked(district) -> None:
    empty = frame([], [])
    report = run(district(grid=empty, aux_beat=None, joint_point=None, assignments=None))
    assert report.figures["grids"] == 0


@pytest.mark.parametrize(
    ("layers", "error"),
    [
        ({"grid": frame(["G1"], [sq(0, 0, 1, 1)]).rename(columns={"id": "code"})}, FieldError),
        ({"grid": gpd.GeoDataFrame({"id": ["G1"]}, geometry=[sq(0, 0, 1, 1)])}, CRSError),
        ({"grid": pd.DataFrame({"id": ["G1"]})}, FieldError),
        ({"parish": frame(["G1"], [sq(0, 0, 1, 1)])}, FieldError),
        ({}, LayerError),
    ],
    ids=["no-id", "no-crs", "not-geo", "unknown-kind", "nothing"],
)
def test_broken_inputs_raise_domain_errors(layers, error) -> None:
    with pytest.raises(error):
        check_layers(layers)


def test_broken_assignments_name_the_missing_field(district) -> None:
    with pytest.raises(FieldError, match="area_id"):
        check_layers({"grid": district()["grid"]}, assignments=pd.DataFrame({"officer_id": ["P1"]}))


@pytest.mark.parametrize(
    "options",
    [
        {"tolerance_m": -1},
        {"sliver_area_m2": -5},
        {"aux_iou_min": 1.5},
        {"rules": frozenset({"nope"})},
        {"severities": {"gap": "fatal"}},
        {"rural_communities_per_officer": 0},
    ],
)
def test_bad_config_is_refused(options) -> None:
    with pytest.raises(ConfigError):
        CheckConfig(**options)


def test_severity_override_and_rule_selection(district) -> None:
    layers = district()
    layers["assignments"] = layers["assignments"].iloc[1:]
    report = run(dict(layers), severities={"grid_unstaffed": "warning"})
    assert set(report.violations["severity"]) == {"warning"}
    report = run(dict(district()), rules=frozenset({"overlap"}))
    assert report.findings.empty
