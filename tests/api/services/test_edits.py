"""The edit workflow without HTTP: refusals, guards, stored versions (both backends)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from fastapi import FastAPI
from shapely.geometry import LineString

from api.policy import Jurisdiction
from api.schemas import EditPublic, EditRefusal, SplitBody
from api.services import edits
from api.store import layers as store
from gis.errors import PermissionDenied
from tests.api.service_fixtures import CELLS, JURISDICTIONS, X0, Y0, D, four_grids

SPLIT_G1 = LineString([(X0 + D / 2, Y0 - D / 10), (X0 + D / 2, Y0 + D * 1.1)])


def test_refusal_lists_the_findings_without_geometry() -> None:
    """The 422 body of an edit that breaks tiling: bilingual text and one row per finding."""
    findings = gpd.GeoDataFrame(
        {"rule": ["overlap", "gap"], "feature_id": ["G1", None], "area_m2": [12.5, 3.0]},
        geometry=[CELLS["G1"], CELLS["G2"]],
        crs=4326,
    )
    refusal = edits._refused("重叠", "overlap", findings)
    assert refusal.detail == "重叠 / overlap" and refusal.error == "EditError"
    assert refusal.findings == [
        {"rule": "overlap", "feature_id": "G1", "area_m2": 12.5},
        {"rule": "gap", "feature_id": None, "area_m2": 3.0},
    ]
    assert edits._refused("a", "b", None).findings == []


def _grid_layer(app: FastAPI, uid: str) -> None:
    with app.state.sessions() as s:
        store.create_layer(
            s, four_grids(), layer_id=uid, kind="grid", title=uid, source_crs="EPSG:4326",
            author="admin", reason="test",
        )  # fmt: skip
        s.commit()


def test_split_inside_the_jurisdiction_stores_version_2(app: FastAPI, uid: str) -> None:
    _grid_layer(app, uid)
    west = Jurisdiction(area=JURISDICTIONS["west"], editable=frozenset({"grid"}), role="x")
    body = SplitBody(base_version=1, reason="split", grid_id="G1", line=SPLIT_G1.wkt)
    with app.state.sessions() as s:
        out = edits.split(s, policy=west, author="west", layer_id=uid, body=body)
    assert isinstance(out, EditPublic) and out.version.version == 2
    assert out.operation == "split" and len(out.created) == 1 and "G1" in out.reshaped


def test_split_outside_the_jurisdiction_is_refused_before_anything_is_read(
    app: FastAPI, uid: str
) -> None:
    """The station "south" edits beats only; a grid edit is PermissionDenied."""
    _grid_layer(app, uid)
    south = Jurisdiction(area=JURISDICTIONS["south"], editable=frozenset({"beat"}), role="x")
    body = SplitBody(base_version=1, reason="split", grid_id="G1", line=SPLIT_G1.wkt)
    with app.state.sessions() as s, pytest.raises(PermissionDenied):
        edits.split(s, policy=south, author="south", layer_id=uid, body=body)


def test_a_line_missing_the_grid_is_a_refusal_and_nothing_is_stored(app: FastAPI, uid: str) -> None:
    _grid_layer(app, uid)
    line = LineString([(X0 - 1, Y0 - 1), (X0 - 0.9, Y0 - 0.9)])
    body = SplitBody(base_version=1, reason="split", grid_id="G1", line=line.wkt)
    with app.state.sessions() as s:
        out = edits.split(s, policy=Jurisdiction.everywhere(), author="a", layer_id=uid, body=body)
        assert isinstance(out, EditRefusal) and out.en
        assert store.get_layer(s, uid).head_version == 1
