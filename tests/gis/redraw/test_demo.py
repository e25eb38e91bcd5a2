"""Edit → diff → impact → notice on the demo district (planted defects elsewhere)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from gis.district import District, load_district
from gis.redraw import assess_impact, split_grid
from gis.redraw._common import locate
from gis.redraw.notice import build_notice

CROWDED = "320105900006010"  # planted in truth.json: 1,113 households


@pytest.fixture(scope="module")
def district(demo_dir: Path) -> District:
    return load_district(demo_dir / "manifest.json")


def test_split_the_crowded_grid_and_assess(district: District) -> None:
    grids = district.grids
    shape = grids.set_index("id").loc[CROWDED].geometry
    _, miny, _, maxy = shape.bounds
    x = shape.centroid.x
    edit = split_grid(
        grids,
        CROWDED,
        shapely.LineString([(x, miny - 1e-3), (x, maxy + 1e-3)]),
        communities=district.communities,
    )
    assert edit.ok and edit.created == ("320105900006015",)
    impact = assess_impact(
        grids,
        edit.grids,
        beats=district.beats,
        aux_beats=district.aux_beats,
        joint_points=district.joint_points,
        addresses=district.addresses,
        incidents=district.incidents,
        assignments=district.assignments,
        buildings=district.buildings,
    )
    changed = impact.diff.changed.set_index("id")
    assert set(changed.index) == {CROWDED, "320105900006015"}
    assert changed["households_after"].sum() == changed["households_before"].sum() == 1113
    assert changed.loc[CROWDED, "lost_m2"] == pytest.approx(
        changed.loc["320105900006015", "area_after_m2"], rel=1e-6
    )
    # every address moving goes from the split grid into the new one, and all of those move
    new_piece = edit.grids.set_index("id").loc[["320105900006015"]].geometry.to_numpy()
    pts = np.asarray(district.addresses.geometry.array, dtype=object)
    inside = locate(pts, new_piece) == 0
    assert set(impact.addresses["grid_before"]) == {CROWDED}
    assert len(impact.addresses) == int(inside.sum()) > 0
    assert set(impact.aux_beats["grid_id"]) == {CROWDED}
    assert "aux_beat_changed" in set(impact.officers["reason"])
    assert set(impact.incidents["grid_after"]) <= {"320105900006015"}
    notice = build_notice(impact, grids, edit.grids, recipient="禾洲派出所")
    assert notice.html.count("<svg") == 3 and CROWDED in notice.html
