"""The service's impact of a grid edit equals ``beatgrid redraw impact`` on the same demo,
without naming any layer: aux beats, joint points, addresses, officers and open incidents
are counted from the district's own layers (the event setup's, or the one of each kind)."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from sqlalchemy.orm import Session

from api.policy import Jurisdiction
from api.schemas import ImpactContext
from api.services.edits import impact_public
from api.store import layers as store
from beatgrid.commands.redraw import impact_of
from gis.district import District, load_district
from gis.redraw import split_grid

pytestmark = pytest.mark.slow  # seeds the whole demo district

CROWDED = "320105900006010"  # planted in truth.json: 1,113 households


@pytest.fixture(scope="module")
def district(demo_dir: Path) -> District:
    return load_district(demo_dir / "manifest.json")


def test_api_impact_without_named_layers_equals_the_cli(
    district: District, demo_session: Session
) -> None:
    grids = district.grids
    assert grids is not None
    shape = grids.set_index("id").loc[CROWDED].geometry
    _, miny, _, maxy = shape.bounds
    x = shape.centroid.x
    line = shapely.LineString([(x, miny - 1e-3), (x, maxy + 1e-3)])
    edit = split_grid(grids, CROWDED, line, communities=district.communities)
    cli = impact_of(district, edit.grids).summary()

    head = store.get_layer(demo_session, "grids").head_version
    store.save_version(
        demo_session, edit.grids.to_crs(4326), layer_id="grids", base_version=head,
        author="test", reason="split the crowded grid",
    )  # fmt: skip
    demo_session.commit()
    api = impact_public(
        demo_session, policy=Jurisdiction.everywhere(), layer_id="grids", a=head, b=head + 1,
        ctx=ImpactContext(),
    )  # fmt: skip
    assert api.summary == cli
    for key in ("aux_beats", "joint_points", "addresses", "officers", "open_incidents"):
        assert cli[key] > 0, key  # each part is really counted, not 0 on both sides
