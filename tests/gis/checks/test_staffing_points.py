"""Staffing ("一村（格）一警", Nanjing 2016) and joint-defense points."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import Point

from tests.gis.checks.conftest import X0, Y0, frame, sq
from tests.gis.checks.helpers import found, run


def _assignments(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["officer_id", "role", "area_kind", "area_id"])


def test_grid_without_anyone_is_unstaffed(district) -> None:
    layers = district()
    table = layers["assignments"]
    layers["assignments"] = table[table["area_id"] != "A3"]
    assert ("grid_unstaffed", "G3", "A3") in found(run(layers))


@pytest.mark.parametrize(
    ("via", "expected"),
    [("grid", {f"G{i}" for i in range(1, 9)}), ("grid_or_beat", set())],
)
def test_beat_officer_staffs_grids_only_when_allowed(district, via, expected) -> None:
    only_officers = _assignments([("P1", "officer", "beat", "B1"), ("P2", "officer", "beat", "B2")])
    report = run(district(assignments=only_officers), staffing_via=via)
    assert {i for r, i, _ in found(report) if r == "grid_unstaffed"} == expected


def test_direct_grid_assignment_staffs_it(district) -> None:
    rows = [(f"F{i}", "auxiliary", "grid", f"G{i}") for i in range(1, 9)]
    rows += [("P1", "officer", "community", "C1"), ("P2", "officer", "community", "C2")]
    report = run(district(assignments=_assignments(rows)))
    assert report.ok


def test_urban_community_without_officer(district) -> None:
    layers = district()
    table = layers["assignments"]
    layers["assignments"] = table[table["area_id"] != "B2"]
    assert ("community_understaffed", "C2", "") in found(run(layers))


def test_rural_officer_may_serve_up_to_three(district) -> None:
    """Two rural communities served by one officer: fine (Nanjing 2016: one per 2–3)."""
    communities = district()["community"].assign(urban=False)
    rows = [(f"F{i}", "auxiliary", "aux_beat", f"A{i}") for i in range(1, 9)]
    rows += [("P1", "officer", "beat", "B1"), ("P1", "officer", "beat", "B2")]
    report = run(district(community=communities, assignments=_assignments(rows)))
    assert report.ok
    report = run(
        district(community=communities, assignments=_assignments(rows)),
        rural_communities_per_officer=1,
    )
    assert {i for r, i, _ in found(report) if r == "community_understaffed"} == {"C1", "C2"}


def test_joint_points_outside_straddling_and_missing(district) -> None:
    """J1 straddles G1/G2 by 10 m, J2 removed (G2 has none), J8 off the map."""
    jp = district()["joint_point"]
    jp = jp[jp["id"] != "J2"].copy()
    jp.loc[jp["id"] == "J1", "geometry"] = sq(80, 140, 110, 160)
    jp.loc[jp["id"] == "J8", "geometry"] = sq(900, 900, 910, 910)
    report = run(district(joint_point=jp))
    got = {(r, i, o) for r, i, o in found(report) if "joint" in r}
    assert got == {
        ("joint_point_outside_grid", "J1", "G1,G2"),
        ("joint_point_outside_grid", "J8", ""),
        ("grid_without_joint_point", "G2", ""),
        ("grid_without_joint_point", "G8", ""),
    }


def test_point_joint_points_on_a_shared_boundary_are_noise(district) -> None:
    """Points allowed: on the G1/G2 edge is noise; 1 m outside the district is noise."""
    points = [Point(X0 + 50 + 100 * (i % 4), Y0 + 50 + 100 * (i // 4)) for i in range(8)]
    ids = ["J3", "J4", "J7", "J8", "J1", "J2", "J5", "J6"]
    points[4] = Point(X0 + 100, Y0 + 150)  # J1 on the G1/G2 edge
    points[3] = Point(X0 + 401, Y0 + 50)  # J8 1 m outside G8
    report = run(district(joint_point=frame(ids, points)))
    noise = {(r, i) for r, i, _ in found(report, noise=True)}
    assert {("joint_point_outside_grid", "J1"), ("joint_point_outside_grid", "J8")} <= noise
    assert ("grid_without_joint_point", "G8", "") in found(report)
