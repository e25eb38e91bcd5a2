"""Which attributes count as personal data and never reach maps or tiles."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from api.privacy import is_personal, public_frame


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("phone", "grid"), ("Mobile", "beat"), ("联系电话", "grid"), ("手机号", "station"),
        ("姓名", "beat"), ("officer_name", "beat"), ("id_card", "building"),
        ("身份证号", "address"), ("victim", "incident"), ("persons", "incident"),
        ("address", "incident"), ("name", "assignment"), ("email", "grid"),
    ],
)  # fmt: skip
def test_personal(column: str, kind: str) -> None:
    assert is_personal(column, kind=kind)


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("name", "grid"), ("id", "incident"), ("parent_id", "beat"), ("address", "address"),
        ("category", "incident"), ("households", "building"), ("code", "community"),
    ],
)  # fmt: skip
def test_not_personal(column: str, kind: str) -> None:
    assert not is_personal(column, kind=kind)


def test_public_frame_keeps_geometry_and_public_columns() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["1"], "category": ["theft"], "address": ["某路1号"], "报警人电话": ["139"]},
        geometry=[Point(118.7, 32.0)],
        crs=4326,
    )
    out = public_frame(frame, kind="incident")
    assert list(out.columns) == ["id", "category", "geometry"]
    assert out.crs == frame.crs
