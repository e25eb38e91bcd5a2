"""Real-style address forms against the demo's standard-address table.

The strings below follow how addresses are written in Chinese police and 12345 records
(门牌 only, 门牌-楼-室 shorthand, 小区 names, "附近/旁边/对面", "A路与B路交叉口"); they are
written by hand, not drawn from the generator, each with the outcome a reviewer expects.
The demo's roads all run east-west, so the crossing road 江东中路 is drawn here by hand.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.geocoding.forms import match_forms, pois_from_buildings
from gis.geocoding.match import load_gazetteer

CASES = [
    # (address, expected status, expected form)
    ("清溪路115号", "matched", "door_plate"),
    ("江苏省南京市建邺区望洲路136号", "matched", "door_plate"),
    ("锦岸路110-1-201", "matched", "building"),
    ("锦岸路110号1栋201室", "matched", "building"),
    ("建邺区锦岸路110号1栋1单元201室", "matched", "normalized"),
    ("云禾大街121号附近", "matched", "nearby_door_plate"),
    ("望洲路136号旁边", "matched", "nearby_door_plate"),
    ("清溪路115号对面", "matched", "nearby_door_plate"),
    ("清洲佳园", "matched", "poi"),
    ("清洲佳园小区3栋", "matched", "poi"),
    ("清洲家园", "review", "poi"),  # one character off: a person decides
    ("清溪路与江东中路交叉口", "matched", "intersection"),
    ("锦岸路和江东中路路口", "matched", "intersection"),
    ("清溪路与锦岸路交叉口", "unmatched", "intersection"),  # parallel roads never cross
    ("清溪路和长江路交叉口", "unmatched", "intersection"),  # no such road here
    ("锦岸路999号", "unmatched", "door_plate"),
    ("火星路1号", "unmatched", "door_plate"),
    ("某某小区", "unmatched", "poi"),
    ("", "empty", ""),
]


@pytest.fixture(scope="module")
def setting(demo_dir: Path):
    gazetteer = load_gazetteer(demo_dir / "gazetteer.csv")
    roads = gpd.read_file(demo_dir / "roads.geojson")
    west, south, east, north = roads.total_bounds
    x = (west + east) / 2
    cross = gpd.GeoDataFrame(
        {"name": ["江东中路"]},
        geometry=[shapely.LineString([(x, south - 0.01), (x + 0.001, north + 0.01)])],
        crs=roads.crs,
    )
    roads = pd.concat([roads, cross], ignore_index=True)
    pois = pois_from_buildings(gpd.read_file(demo_dir / "buildings.geojson"))
    return gazetteer, roads, pois


def test_real_style_addresses_have_the_expected_outcome(setting) -> None:
    gazetteer, roads, pois = setting
    text = pd.Series([c[0] for c in CASES])
    out = match_forms(text, gazetteer, roads=roads, pois=pois)
    got = list(zip(out["match_status"], out["match_form"].fillna(""), strict=True))
    expected = [(c[1], c[2]) for c in CASES]
    wrong = [(t, g, e) for t, g, e in zip(text, got, expected, strict=True) if g != e]
    assert not wrong, wrong
    placed = out["match_status"] == "matched"
    assert out.loc[placed, ["match_lon", "match_lat"]].notna().all().all()
    assert out.loc[~placed, "match_lon"].isna().all()  # nothing unsure is placed
    assert (out.loc[placed, "match_confidence"] > 0.5).all()
    near = out["match_form"].fillna("").str.startswith("nearby")
    assert (out.loc[near, "match_confidence"] < 0.85).all()  # 附近 is less sure


def test_door_plate_is_the_centre_of_its_buildings(setting) -> None:
    gazetteer, roads, pois = setting
    out = match_forms(pd.Series(["清溪路115号"]), gazetteer, roads=roads, pois=pois)
    table = gazetteer.table
    rows = table[(table["block"] == "清溪路") & table["numbers"].str.startswith("115|")]
    assert out["match_lon"].iloc[0] == pytest.approx(rows["lon"].mean())
    assert out["match_lat"].iloc[0] == pytest.approx(rows["lat"].mean())


def test_intersection_is_where_the_centre_lines_cross(setting) -> None:
    gazetteer, roads, pois = setting
    out = match_forms(pd.Series(["清溪路与江东中路交叉口"]), gazetteer, roads=roads, pois=pois)
    named = roads.set_index("name").geometry
    point = named["清溪路"].intersection(named["江东中路"])
    assert out["match_lon"].iloc[0] == pytest.approx(point.x)
    assert out["match_lat"].iloc[0] == pytest.approx(point.y)
