"""The jurisdiction policy: one rule for what a user sees, one guard for what they edit.

The station's jurisdiction is the bottom row of the hand-drawn district::

    32.02 +------+------+
          |  G3  |  G4  |     neighbours: touch the station along y = 32.01
    32.01 +------+------+
          |  G1  |  G2  |     the station "south"
    32.00 +------+------+
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from api.auth import Principal
from api.policy import BOUNDARY_DEG, Jurisdiction
from gis.errors import PermissionDenied
from tests.api.service_fixtures import CELLS, JURISDICTIONS, X0, Y0, D

SOUTH = Jurisdiction(area=JURISDICTIONS["south"], editable=frozenset({"beat"}), role="station")


@pytest.mark.parametrize(
    ("geom", "inside"),
    [
        (CELLS["G1"], True),  # its own grid, on its boundary
        (CELLS["G3"], False),  # a neighbour's grid touching the boundary
        (box(X0, Y0 + D - 0.001, X0 + D, Y0 + 2 * D), True),  # overlaps by ~100 m
        (LineString([(X0, Y0 + D), (X0 + D, Y0 + D)]), False),  # a line on the boundary
        (LineString([(X0, Y0 + D / 2), (X0 + D, Y0 + D / 2)]), True),
        (Point(X0 + D / 2, Y0 + D), False),  # a point on the boundary
        (Point(X0 + D / 2, Y0 + D / 2), True),
        (Point(X0 + 5, Y0), False),
        (Polygon(), False),
        (None, False),
    ],
    ids=["own", "neighbour", "overlapping", "line-on-edge", "line-in", "point-on-edge",
         "point-in", "far", "empty", "none"],
)  # fmt: skip
def test_one_rule_for_every_geometry_kind(geom: object, inside: bool) -> None:
    assert SOUTH.keep([geom]).tolist() == [inside]


def test_round_off_from_a_reprojection_does_not_leak_a_neighbour() -> None:
    """A neighbour's grid that went through metres and back lands 1e-9° off the line."""
    wobbly = gpd.GeoSeries([CELLS["G3"]], crs=4326).to_crs(32650).to_crs(4326).iloc[0]
    nudged = shapely.affinity.translate(CELLS["G3"], yoff=-BOUNDARY_DEG / 10)
    assert SOUTH.keep([wobbly, nudged]).tolist() == [False, False]


def test_points_and_frames_follow_the_same_rule() -> None:
    lon = np.array([X0 + D / 2, X0 + D / 2, X0 + D / 2])
    lat = np.array([Y0 + D / 2, Y0 + D, Y0 + 1.5 * D])
    assert SOUTH.mask(lon, lat).tolist() == [True, False, False]
    assert SOUTH.mask(lon, lat).tolist() == SOUTH.keep(shapely.points(lon, lat)).tolist()
    frame = gpd.GeoDataFrame({"id": list(CELLS)}, geometry=list(CELLS.values()), crs=4326)
    assert list(SOUTH.clip(frame)["id"]) == ["G1", "G2"]
    metric = frame.to_crs(32650)  # any CRS: tested in WGS84
    assert list(SOUTH.clip(metric)["id"]) == ["G1", "G2"]


def test_admins_see_everything_users_without_a_jurisdiction_nothing() -> None:
    admin = Jurisdiction.of(Principal("root", "admin"))
    nobody = Jurisdiction.of(Principal("lost", "station"))
    everything = list(CELLS.values())
    assert admin.unrestricted and admin.sql("geom") is None and admin.keep(everything).all()
    assert nobody.nowhere and not nobody.keep(everything).any()
    assert nobody.sql_text("geom") == (" AND false", {})
    assert admin.bounds((0.0, 0.0, 1.0, 1.0)) == (0.0, 0.0, 1.0, 1.0)


def test_of_a_user_takes_role_and_area() -> None:
    user = Principal("s", "station", JURISDICTIONS["south"])
    policy = Jurisdiction.of(user)
    assert policy.area == JURISDICTIONS["south"] and policy.editable == {"beat", "aux_beat"}
    bounds = policy.bounds()
    assert bounds is not None and (bounds[0], bounds[3]) == pytest.approx((X0, Y0 + D), abs=1e-6)


def test_guard_refuses_edits_outside_and_kinds_the_role_does_not_edit() -> None:
    SOUTH.guard(CELLS["G1"])  # inside: fine
    SOUTH.guard(box(X0, Y0, X0 + D, Y0 + D + 5e-6))  # sticks out by ~0.5 m: noise
    with pytest.raises(PermissionDenied):
        SOUTH.guard([CELLS["G1"], CELLS["G3"]])
    with pytest.raises(PermissionDenied):
        SOUTH.edit_guard("grid")
    SOUTH.edit_guard("beat")([CELLS["G2"]])
    Jurisdiction.everywhere().edit_guard("grid")([CELLS["G3"]])


def test_sql_text_carries_the_core_not_the_area() -> None:
    fragment, params = SOUTH.sql_text("geom")
    assert fragment.startswith(" AND ST_Intersects(geom, ")
    core = shapely.from_wkb(params["jurisdiction"])
    assert core.within(SOUTH.area) and core.area == pytest.approx(SOUTH.area.area, rel=1e-4)


def test_interior_boxes_lie_inside_the_core_and_do_not_overlap(shared_data) -> None:
    """What SQLite counts without a test: every box wholly inside the core (so a point on
    the jurisdiction's boundary is never counted by a box), none overlapping another,
    together most of a real district (秦淮区's outline, hundreds of vertices)."""
    frame = gpd.read_file(shared_data / "china" / "districts_amap_wgs84.geojson")
    area = frame[frame.geometry.contains(Point(118.80, 32.02))].geometry.iloc[0]
    for policy in (Jurisdiction(area=area), SOUTH):
        boxes = [box(*b) for b in policy.interior()]
        assert boxes and all(policy.core.contains(b) for b in boxes)
        union = shapely.union_all(boxes)
        assert sum(b.area for b in boxes) == pytest.approx(union.area, rel=1e-9)
        assert union.area > 0.85 * policy.area.area
    assert Jurisdiction(area=None).interior() == ()
    assert Jurisdiction(area=Polygon()).interior() == ()
