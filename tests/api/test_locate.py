"""Locating points in a stored layer: the engine's index is cached per version.

Version 1 is the four grids; version 2 moves the G1|G2 boundary east by half a cell::

    v1  32.01 +------+------+      v2  +---------+---+
              |  G1  |  G2  |          |   G1    |G2 |     P = (118.712, 32.005)
        32.00 +------+-P----+          +---------+-P-+     lies in G2 in v1, G1 in v2
          118.70  118.71  118.72
"""

from __future__ import annotations

import numpy as np
import pytest
from fastapi import FastAPI
from shapely.geometry import box

from api.store import layers as store
from api.store.locate import _index, locate_points
from gis.errors import ConfigError
from tests.api.service_fixtures import four_grids

P = (118.712, 32.005)


def _two_versions(app: FastAPI, uid: str) -> None:
    v2 = four_grids()
    v2.loc[v2.id == "G1", "geometry"] = box(118.70, 32.00, 118.715, 32.01)
    v2.loc[v2.id == "G2", "geometry"] = box(118.715, 32.00, 118.72, 32.01)
    with app.state.sessions() as s:
        store.create_layer(s, four_grids(), layer_id=uid, kind="grid", title="t",
                           source_crs="EPSG:4326", author="a", reason="import")  # fmt: skip
        s.commit()
        assert list(locate_points(s, uid, [P[0]], [P[1]]).ids) == ["G2"]  # v1, cached now
        store.save_version(s, v2, layer_id=uid, base_version=1, author="a", reason="move")
        s.commit()


def test_a_new_version_is_located_in_not_the_cached_old_one(app: FastAPI, uid: str) -> None:
    _two_versions(app, uid)
    with app.state.sessions() as s:
        newest = locate_points(s, uid, [P[0]], [P[1]])
        old = locate_points(s, uid, [P[0]], [P[1]], version=1)
        again = locate_points(s, uid, [P[0]], [P[1]], version=2)
    assert list(newest.ids) == ["G1"] and list(again.ids) == ["G1"]
    assert list(old.ids) == ["G2"]
    assert list(newest.how) == ["inside"] and newest.distance_m[0] == 0.0


def test_the_index_of_a_version_is_built_once(app: FastAPI, uid: str) -> None:
    _two_versions(app, uid)
    with app.state.sessions() as s:
        first = _index(s, uid, None, 0.0)
        second = _index(s, uid, 2, 0.0)
        older = _index(s, uid, 1, 0.0)
        wider = _index(s, uid, 2, 5.0)
    assert first is second  # the same cached index: no rebuild per request
    assert older is not first and wider is not first


def test_located_arrays_are_writable_and_outside_points_have_none(app: FastAPI, uid: str) -> None:
    _two_versions(app, uid)
    with app.state.sessions() as s:
        got = locate_points(s, uid, [118.705, 120.0], [32.015, 30.0], nearest=True)
        quick = locate_points(s, uid, [118.705, 120.0], [32.015, 30.0])
    assert list(got.ids) == ["G3", None] and list(got.how) == ["inside", "outside"]
    assert got.distance_m[1] > 100_000
    assert list(quick.ids) == ["G3", None] and np.isnan(quick.distance_m[1])  # not asked for
    got.ids[0] = None  # the routes blank what lies outside a user's jurisdiction
    assert got.ids.dtype == object and got.how.dtype == object


@pytest.mark.parametrize(
    ("lon", "lat"), [([1.0, 2.0], [1.0]), ([np.nan], [32.0]), ([np.inf], [32.0])]
)
def test_bad_coordinates_are_refused(app: FastAPI, uid: str, lon: list, lat: list) -> None:
    _two_versions(app, uid)
    with app.state.sessions() as s, pytest.raises(ConfigError, match="lon and lat"):
        locate_points(s, uid, lon, lat)
