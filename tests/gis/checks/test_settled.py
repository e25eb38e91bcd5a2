"""Children settled in their parent without intersecting (``gis.checks.pairs.settled``).

A child that lies in one parent but for specks is taken as wholly in it: the nesting
findings must be those of the exact intersections minus the specks, and every home
the same.  Checked on the real Seattle beats (34 crossings of their precincts, all
narrower than 1 cm) and Chicago beats (two real slivers), and on drawn cases at the
edges of the proof.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis import crs as gcrs
from gis.checks.nesting import _ROUND_OFF_M, check_nesting
from gis.checks.noise import measure
from gis.checks.pairs import _band, pairs, settled
from tests.gis.checks.conftest import sq

SPECK_M = 0.01


def _metric(children: gpd.GeoDataFrame, parents: gpd.GeoDataFrame) -> tuple:
    crs = gcrs.metric_crs(parents)
    c, p = children.to_crs(crs), parents.to_crs(crs)
    return (
        np.asarray(c.geometry.array, dtype=object),
        c["id"].astype(str).to_numpy(),
        np.asarray(p.geometry.array, dtype=object),
        p["id"].astype(str).to_numpy(),
    )


def _nest(geoms, ids, parent_geoms, parent_ids, speck_m: float):
    return check_nesting(
        geoms,
        ids,
        parent_geoms,
        parent_ids,
        kind="beat",
        parent_kind="station",
        speck_m=speck_m,
        parent_union=shapely.union_all(parent_geoms),
    )


def _settled_in(children: np.ndarray, parents: np.ndarray, speck_m: float = SPECK_M):
    found = pairs(shapely.STRtree(parents), children)
    return settled(
        children,
        parents,
        shapely.union_all(parents),
        found.part_child,
        found.part_parent,
        speck_m=speck_m,
        round_off_m=_ROUND_OFF_M,
    )


def _beyond_specks(findings) -> list[tuple]:
    """(rule, ids, other_ids, area) of the findings the report keeps (no specks)."""
    width = measure(np.asarray(findings["geometry"], dtype=object), tolerance_m=2.0).width_m
    kept = findings[width >= SPECK_M]
    area = shapely.area(np.asarray(kept["geometry"], dtype=object))
    rows = zip(kept["rule"], kept["ids"], kept["other_ids"], np.round(area, 6), strict=True)
    return sorted(rows)


@pytest.fixture(scope="module")
def seattle(shared_data):
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    precincts = gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson")
    return _metric(beats.assign(id=beats["name"]), precincts.assign(id=precincts["name"]))


@pytest.fixture(scope="module")
def chicago(shared_data):
    beats = gpd.read_file(shared_data / "chicago" / "police_beats.zip")
    districts = gpd.read_file(shared_data / "chicago" / "police_districts.zip")
    return _metric(
        beats.assign(id=beats["BEAT_NUM"].astype(str)),
        districts.assign(id=districts["DIST_NUM"].astype(str)),
    )


@pytest.mark.parametrize("layers", ["seattle", "chicago"])
def test_settling_keeps_every_home_and_every_finding_but_specks(layers, request) -> None:
    geoms, ids, parent_geoms, parent_ids = request.getfixturevalue(layers)
    exact = _nest(geoms, ids, parent_geoms, parent_ids, speck_m=0.0)
    fast = _nest(geoms, ids, parent_geoms, parent_ids, speck_m=SPECK_M)
    np.testing.assert_array_equal(fast.home, exact.home)
    assert _beyond_specks(fast.findings) == _beyond_specks(exact.findings)
    child, home = _settled_in(geoms, parent_geoms)
    assert len(child) > 0  # the real layers do have children met by specks only
    np.testing.assert_array_equal(home, exact.home[child])


def test_band_bounds_hold_on_real_pieces(seattle) -> None:
    """For every settled child, its part in no parent and each of its pieces in other
    parents than its home are within their bounds, measured by exact overlays."""
    geoms, _, parent_geoms, _ = seattle
    union = shapely.union_all(parent_geoms)
    found = pairs(shapely.STRtree(parent_geoms), geoms)
    c, p = found.part_child, found.part_parent
    child, home = _settled_in(geoms, parent_geoms)
    loose = shapely.area(shapely.difference(geoms[child], union))
    assert (loose <= _band(geoms[child], np.array([union]), np.zeros(len(child), int), 0.005)).all()
    home_of = np.full(len(geoms), -1)
    home_of[child] = home
    rest = (home_of[c] >= 0) & (p != home_of[c])  # the other pieces of settled children
    pieces = shapely.area(shapely.intersection(geoms[c[rest]], parent_geoms[p[rest]]))
    assert rest.any()
    assert (pieces <= _band(geoms[c[rest]], parent_geoms, p[rest], 0.45 * SPECK_M)).all()


def _children(*geoms) -> tuple[np.ndarray, np.ndarray]:
    return np.array(geoms, dtype=object), np.array([f"B{i}" for i in range(len(geoms))])


PARENTS = np.array([sq(0, 0, 100, 100), sq(100, 0, 200, 100)], dtype=object)


def _settled(children: np.ndarray) -> np.ndarray:
    return _settled_in(children, PARENTS)[0]


def test_millimetres_over_the_edge_are_settled_a_centimetre_is_not() -> None:
    children, _ = _children(
        sq(0, 0, 100.004, 100),  # 4 mm into the neighbour: a speck
        sq(0, 0, 100.02, 100),  # 2 cm: a real (if tiny) crossing, measured exactly
        sq(50, 0, 150, 100),  # half and half
    )
    assert _settled(children).tolist() == [0]


def test_a_child_mostly_outside_every_parent_is_not_settled() -> None:
    """The speck inside a parent must not make it the child's home by default: the
    child is an orphan but for it, which only the exact areas tell."""
    children, _ = _children(sq(199.996, 0, 400, 100), sq(-50, 0, 50, 100))
    assert _settled(children).tolist() == []


def test_settling_is_off_without_a_speck_size() -> None:
    children, ids = _children(sq(0, 0, 100.004, 100))
    assert _settled_in(children, PARENTS, speck_m=0.0)[0].tolist() == []
    nest = _nest(children, ids, PARENTS, np.array(["P0", "P1"]), speck_m=0.0)
    assert nest.home.tolist() == [0]
    assert nest.findings["rule"].tolist() == ["crosses_parent"]  # the speck, measured
    settled_nest = _nest(children, ids, PARENTS, np.array(["P0", "P1"]), speck_m=SPECK_M)
    assert settled_nest.home.tolist() == [0]
    assert settled_nest.findings.empty
