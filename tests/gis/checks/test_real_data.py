"""Real public data from ../shared/data: nesting, never-aligned layers, repairs.

Figures asserted here are the ones measured when the data was collected
(see ``docs/checks.md``, "Real data").
"""

from __future__ import annotations

import geopandas as gpd
import pytest

from gis.checks import CheckConfig, check_layers
from gis.checks.repair import clean_layer, realign_beats


@pytest.fixture(scope="module")
def chicago(shared_data):
    beats = gpd.read_file(shared_data / "chicago" / "police_beats.zip")
    districts = gpd.read_file(shared_data / "chicago" / "police_districts.zip")
    areas = gpd.read_file(shared_data / "chicago" / "community_areas.zip")
    return (
        beats.assign(id=beats["BEAT_NUM"].astype(str)),
        districts.assign(id=districts["DIST_NUM"].astype(str)),
        areas.assign(id=areas["AREA_NUMBE"].astype(str)),
    )


@pytest.fixture(scope="module")
def seattle(shared_data):
    beats = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    precincts = gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson")
    return beats.assign(id=beats["name"]), precincts.assign(id=precincts["name"])


def test_chicago_beats_nest_in_districts_but_for_two_slivers(chicago) -> None:
    beats, districts, _ = chicago
    report = check_layers({"station": districts, "beat": beats})
    v = report.violations
    crossing = v[v["rule"] == "crosses_parent"].set_index("ids")
    assert set(crossing.index) == {"0411", "0624"}
    assert crossing.loc["0411", "area_m2"] == pytest.approx(140.0, abs=2)
    assert crossing.loc["0624", "area_m2"] == pytest.approx(67.5, abs=2)
    assert (crossing["width_m"] < 11).all()
    # beat 3100 and district 31 (O'Hare) are each drawn twice in the portal export
    assert set(v.loc[v["rule"] == "duplicate_id", "ids"]) == {"3100", "31"}
    assert set(v["rule"]) == {"crosses_parent", "duplicate_id"}


def test_seattle_beats_nest_in_precincts(seattle) -> None:
    beats, precincts = seattle
    report = check_layers({"station": precincts, "beat": beats})
    assert report.ok, report.violations[["rule", "ids", "message_en"]].to_string()


def test_chicago_beats_against_community_areas_never_aligned(chicago) -> None:
    beats, _, areas = chicago
    report = check_layers(
        {"grid": areas, "beat": beats}, config=CheckConfig(rules=frozenset({"grid_split_by_beat"}))
    )
    assert len(report.violations) == 77  # every community area is cut by some beat
    assert 0.3 < report.figures["share_area_consistent"] < 0.5


def test_repairs_on_real_data_recheck_clean(chicago, seattle) -> None:
    beats, districts, _ = chicago
    sbeats, precincts = seattle
    for grids, parents in ((beats, districts), (sbeats, precincts)):
        cleaned = clean_layer(grids, kind="beat", tolerance_m=2.0).layer
        proposal = realign_beats(cleaned, parents)
        report = check_layers(
            {"grid": cleaned, "beat": proposal.layer},
            config=CheckConfig(
                rules=frozenset({"overlap", "gap", "grid_split_by_beat", "beat_boundary_off_grid"})
            ),
        )
        assert report.ok, report.violations[["rule", "ids", "message_en"]].head().to_string()


def test_tianditu_against_amap_district_outlines(shared_data) -> None:
    """Two sources of Nanjing's 11 districts: matched one to one, differing by hundreds of m."""
    china = shared_data / "china"
    amap = gpd.read_file(china / "districts_amap_wgs84.geojson")
    tianditu = gpd.read_file(china / "districts_tianditu_cgcs2000.geojson")
    layers = {
        kind: frame[frame["city_name"] == "南京市"].assign(
            id=lambda d: d["district_adcode"].astype(str)
        )
        for kind, frame in (("aux_beat", amap), ("grid", tianditu))
    }
    rules = frozenset({"aux_beat_mismatch", "aux_beat_missing", "aux_beat_extra"})
    report = check_layers(layers, config=CheckConfig(rules=rules))
    f = report.findings
    assert set(f["rule"]) == {"aux_beat_mismatch"} and len(f) == 11
    assert (f["ids"] == f["other_ids"]).all()  # each district matched with itself
    assert 100 < f["width_m"].median() < 2000  # widest difference per district, metres
