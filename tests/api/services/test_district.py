"""District from the store, and the check job, without HTTP (both backends)."""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pytest
from fastapi import FastAPI
from shapely.geometry import box

from api.policy import Jurisdiction
from api.services.checks import run_check
from api.services.district import district_from_store
from api.store import layers as store
from api.store.incidents import IncidentQuery, create_incidents
from gis.checks import CheckConfig, check_layers
from gis.errors import ConfigError, NotFoundError
from tests.api.service_fixtures import JURISDICTIONS, X0, Y0, D, four_grids

SOUTH = Jurisdiction(area=JURISDICTIONS["south"])
BEATS = gpd.GeoDataFrame(
    {"id": ["B1", "B2"], "name": ["b1", "b2"], "parent_id": ["P1", "P1"]},
    geometry=[box(X0, Y0, X0 + D / 2, Y0 + 2 * D), box(X0 + D / 2, Y0, X0 + 2 * D, Y0 + 2 * D)],
    crs=4326,
)


def _store(app: FastAPI, uid: str) -> None:
    with app.state.sessions() as s:
        for suffix, frame, kind in (("g", four_grids(), "grid"), ("b", BEATS, "beat")):
            store.create_layer(
                s, frame, layer_id=uid + suffix, kind=kind, title=uid, source_crs="EPSG:4326",
                author="admin", reason="test",
            )  # fmt: skip
        records = [
            {"id": f"{uid}-{i}", "time": datetime(2025, 6, 10, 10), "category": "theft",
             "lon": X0 + D / 2, "lat": Y0 + (i + 0.5) * D / 2}
            for i in range(4)
        ]  # fmt: skip
        create_incidents(s, records, author="admin", policy=None)
        s.commit()


def test_district_from_store_reads_through_the_policy(app: FastAPI, uid: str) -> None:
    _store(app, uid)
    with app.state.sessions() as s:
        district = district_from_store(
            s, layers={"grid": uid + "g", "beat": uid + "b"}, policy=SOUTH,
            incidents=IncidentQuery(category="theft"),
        )  # fmt: skip
    assert district.source is None and district.crs is not None and district.crs.to_epsg() == 4326
    assert sorted(district.grids["id"]) == ["G1", "G2"]
    assert sorted(district.beats["id"]) == ["B1", "B2"]
    mine = district.incidents[district.incidents["id"].str.startswith(uid)]
    assert sorted(mine["id"]) == [f"{uid}-0", f"{uid}-1"]  # y = 32.0025, 32.0075 (not 32.0125…)


def test_district_from_store_refuses_wrong_kinds_and_unknown_layers(app: FastAPI, uid: str) -> None:
    _store(app, uid)
    with app.state.sessions() as s:
        with pytest.raises(ConfigError, match="not a beat layer"):
            district_from_store(s, layers={"beat": uid + "g"}, policy=SOUTH)
        with pytest.raises(ConfigError, match="not a layer kind"):
            district_from_store(s, layers={"grids!": uid + "g"}, policy=SOUTH)
        with pytest.raises(NotFoundError):
            district_from_store(s, layers={"grid": uid + "nope"}, policy=SOUTH)


def test_the_check_service_finds_what_the_library_finds_then_clips(app: FastAPI, uid: str) -> None:
    """The same findings as ``check_layers`` on the frames; a station keeps its own."""
    _store(app, uid)
    layers = {"grid": uid + "g", "beat": uid + "b"}
    with app.state.sessions() as s:
        everything = run_check(
            s, layers=layers, config=CheckConfig(), policy=Jurisdiction.everywhere()
        )
        south = run_check(s, layers=layers, config=CheckConfig(), policy=SOUTH)
    library = check_layers({"grid": four_grids(), "beat": BEATS})
    assert sorted(everything.findings["rule"]) == sorted(library.findings["rule"])
    assert everything.ok is library.ok is False
    split = everything.findings[everything.findings["rule"] == "grid_split_by_beat"]
    assert {"G1", "G3"} <= set(split["ids"])
    mine = south.findings[south.findings["rule"] == "grid_split_by_beat"]
    assert set(mine["ids"]) == set(split["ids"]) - {"G3", "G4"}
