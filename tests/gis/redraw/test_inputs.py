"""Broken inputs on every entry point: each raises a domain error naming the layer."""

from __future__ import annotations

import pandas as pd
import pytest

from gis.errors import CRSError, FieldError
from gis.redraw import assess_impact, diff_grids
from gis.redraw.balance import grid_loads, propose_balance
from gis.redraw.beats import propose_beats


def _no_crs(frame):
    return frame.set_crs(None, allow_override=True)


@pytest.mark.parametrize(
    ("call", "error", "where"),
    [
        (
            lambda g, b: diff_grids(pd.DataFrame(g.drop(columns="geometry")), g),
            FieldError,
            "before",
        ),
        (lambda g, b: diff_grids(g, g.drop(columns="id")), FieldError, "after"),
        (lambda g, b: diff_grids(g, _no_crs(g)), CRSError, "after"),
        (
            lambda g, b: diff_grids(g, g, buildings=b.drop(columns="population")),
            FieldError,
            "buildings",
        ),
        (lambda g, b: assess_impact(g, g, beats=g.drop(columns="id")), FieldError, "beats"),
        (lambda g, b: assess_impact(g, g, aux_beats=_no_crs(g)), CRSError, "aux_beats"),
        (lambda g, b: assess_impact(g, g, joint_points=g.drop(columns="id")), FieldError, "points"),
        (lambda g, b: grid_loads(g, b.drop(columns="households")), FieldError, "buildings"),
        (
            lambda g, b: propose_balance(g.drop(columns="parent_id"), b, community_id="K1"),
            FieldError,
            "grids",
        ),
        (lambda g, b: propose_beats(g, "beats.shp", b), FieldError, "beats"),
    ],
)
def test_broken_inputs_name_the_layer(grids, buildings, call, error, where) -> None:
    with pytest.raises(error) as info:
        call(grids, buildings)
    assert info.value.problems[0].source == where
