"""The checks take a District, Layers or frames and find exactly the same things.

``check_district`` takes a :class:`gis.district.District`; ``check_layers`` takes kind →
GeoDataFrame or kind → :class:`gis.io.Layer` (a Layer holds its frame as ``.gdf``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from gis.checks import check_district, check_layers
from gis.checks.exceptions import ExceptionRegister
from gis.checks.run import LAYER_ATTRIBUTES
from gis.district import District, load_district
from gis.errors import CRSError, FieldError
from gis.io import validate_layer
from gis.layers import LayerKind


def _comparable(findings: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(findings.drop(columns="geometry"))
    table["wkb"] = findings.geometry.to_wkb(hex=True).to_numpy()
    return table.sort_values(["rule", "layer", "ids", "other_ids", "wkb"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def district(demo_dir: Path) -> District:
    return load_district(demo_dir / "manifest.json")


def test_district_layers_and_frames_give_identical_findings(district: District) -> None:
    no_exceptions = ExceptionRegister()
    by_district = check_district(district, exceptions=no_exceptions)
    frames = {kind: getattr(district, attr) for kind, attr in LAYER_ATTRIBUTES.items()}
    by_frames = check_layers(
        frames,
        assignments=district.assignments,
        exceptions=no_exceptions,
        metric_crs=district.metric_crs,
    )
    records = {
        kind: district.layers[LayerKind(kind)]
        for kind in LAYER_ATTRIBUTES
        if LayerKind(kind) in district.layers
    }
    assert len(records) == len(LAYER_ATTRIBUTES)  # every checked kind came as a gis.io Layer
    by_layers = check_layers(
        records,
        assignments=district.layers[LayerKind.ASSIGNMENT],
        exceptions=no_exceptions,
        metric_crs=district.metric_crs,
    )
    assert len(by_district.findings) > 0
    expected = _comparable(by_district.findings)
    pd.testing.assert_frame_equal(_comparable(by_frames.findings), expected)
    pd.testing.assert_frame_equal(_comparable(by_layers.findings), expected)
    assert by_district.metric_crs == by_frames.metric_crs == by_layers.metric_crs


def _grids() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["G1", "G2"]}, geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=4549
    )


def test_a_validated_layer_and_its_frame_are_checked_alike() -> None:
    layer = validate_layer(_grids(), kind="grid", source="grids.geojson")
    assert check_layers({"grid": layer}).ok and check_layers({"grid": layer.gdf}).ok


def test_broken_inputs_name_the_layer_and_field() -> None:
    with pytest.raises(FieldError, match="unknown layer kind") as unknown:
        check_layers({"incident": _grids()})
    assert unknown.value.problems[0].source == "incident"
    with pytest.raises(FieldError, match="missing column") as no_id:
        check_layers({"grid": _grids().drop(columns="id")})
    assert (no_id.value.problems[0].source, no_id.value.problems[0].field) == ("grid", "id")
    with pytest.raises(FieldError, match="expected a GeoDataFrame"):
        check_layers({"grid": pd.DataFrame({"id": ["G1"]})})
    with pytest.raises(CRSError, match="no coordinate system"):
        check_layers({"grid": _grids().set_crs(None, allow_override=True)})
    with pytest.raises(FieldError, match="area_kind") as table:
        check_layers({"grid": _grids()}, assignments=pd.DataFrame({"officer_id": ["o"]}))
    assert table.value.problems[0].source == "assignments"
