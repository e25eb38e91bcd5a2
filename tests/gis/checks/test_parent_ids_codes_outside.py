"""Declared parent ids that match nothing, id normalisation, GB/T 2260 code prefixes,
and the outside layer (land belonging to no one here)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

from gis.checks import CheckConfig, check_layers
from gis.checks.ids import IdNormalization, suggest
from gis.errors import ConfigError
from gis.io import read_layer
from tests.gis.checks.helpers import found, run

CRS = "EPSG:4549"


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, crs=CRS)


def _two_stations() -> gpd.GeoDataFrame:
    return _frame(
        [
            {"id": "1", "code": "", "geometry": box(0, 0, 100, 100)},
            {"id": "2", "code": "", "geometry": box(100, 0, 200, 100)},
        ]
    )


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("zeros", ["007", "0", "A01"], ["7", "0", "A01"]),
        ("width=3", ["7", "12", "x"], ["007", "012", "x"]),
        ("upper", ["g1", " g2 "], ["G1", "G2"]),
        ("zeros,lower", ["01A", "01"], ["01a", "1"]),
        ("exact", ["01"], ["01"]),
    ],
)
def test_id_normalization_parses_and_applies(text, values, expected) -> None:
    assert IdNormalization.parse(text).apply(values) == expected


@pytest.mark.parametrize("bad", ["zeros,width=2", "width=x", "trim", "width=0"])
def test_id_normalization_refuses_bad_options(bad) -> None:
    with pytest.raises(ConfigError):
        IdNormalization.parse(bad)


def test_suggest_finds_the_simplest_normalisation() -> None:
    assert suggest(["01", "02"], ["1", "2"]) == IdNormalization(strip_zeros=True)
    assert suggest(["1", "2"], ["01", "02"]) == IdNormalization(strip_zeros=True)
    assert suggest(["g1"], ["G1"]) == IdNormalization(case="upper")
    assert suggest(["1"], ["1"]) is None  # already matching
    assert suggest(["9"], ["1"]) is None  # nothing helps: a real unknown parent


def test_parent_not_found_is_its_own_finding_with_a_suggestion() -> None:
    """
    +-----+-----+     b1, b2 declare "01", "02"; the stations are "1", "2";
    | b1  | b2  |     b3 declares "7": no station 7 whatever the spelling
    +-----+-----+
    """
    beats = _frame(
        [
            {"id": "b1", "parent_id": "01", "geometry": box(0, 0, 100, 100)},
            {"id": "b2", "parent_id": "02", "geometry": box(100, 0, 200, 100)},
        ]
    )
    report = run({"station": _two_stations(), "beat": beats})
    assert found(report) == {
        ("parent_not_found", "b1", "01"),
        ("parent_not_found", "b2", "02"),
    }
    assert "--parent-ids zeros" in report.summary("zh")
    assert "--parent-ids zeros" in report.violations["message_en"].iloc[0]
    fixed = run(
        {"station": _two_stations(), "beat": beats}, parent_ids=IdNormalization(strip_zeros=True)
    )
    assert fixed.ok
    assert "前导零" in fixed.summary("zh")  # the normalisation used is reported
    wrong = beats.assign(parent_id=["01", "7"])
    report = run(
        {"station": _two_stations(), "beat": wrong}, parent_ids=IdNormalization.parse("zeros")
    )
    assert found(report) == {("parent_not_found", "b2", "7")}


def test_declared_parent_that_exists_but_is_not_home_is_still_reported() -> None:
    beats = _frame([{"id": "b1", "parent_id": "02", "geometry": box(0, 0, 100, 100)}])
    report = run(
        {"station": _two_stations(), "beat": beats}, parent_ids=IdNormalization.parse("zeros")
    )
    assert ("crosses_parent", "b1", "02,1") in found(report)


def test_raw_chicago_beats_against_raw_districts_give_the_two_real_findings(shared_data) -> None:
    """The raw portal files, read as any user would (with --repair for the O'Hare pieces)."""
    beats = read_layer(shared_data / "chicago" / "police_beats.zip", kind="beat", repair=True)
    districts = read_layer(
        shared_data / "chicago" / "police_districts.zip", kind="station", repair=True
    )
    layers = {"beat": beats.gdf, "station": districts.gdf}
    literal = check_layers(layers)
    assert set(literal.violations["rule"]) == {"parent_not_found", "crosses_parent"}
    assert set(literal.violations.loc[lambda f: f["rule"] == "parent_not_found", "other_ids"]) == {
        f"0{d}" for d in range(1, 10)
    }
    assert "--parent-ids zeros" in literal.summary("en")
    report = check_layers(layers, config=CheckConfig(parent_ids=IdNormalization.parse("zeros")))
    v = report.violations.set_index("ids")
    assert list(v["rule"]) == ["crosses_parent", "crosses_parent"]
    assert v.loc["0411", "other_ids"] == "4,6"
    assert v.loc["0411", "area_m2"] == pytest.approx(140.0, abs=1)
    assert v.loc["0624", "other_ids"] == "3,6"
    assert v.loc["0624", "area_m2"] == pytest.approx(67.5, abs=0.5)


def _coded() -> dict[str, gpd.GeoDataFrame]:
    """
    street 320105900 ── community 320105900001 ── grids 320105900001001, …002
    """
    street = _frame([{"id": "S", "code": "320105900", "geometry": box(0, 0, 200, 100)}])
    community = _frame(
        [{"id": "C", "code": "320105900001", "parent_id": "S", "geometry": box(0, 0, 200, 100)}]
    )
    grids = _frame(
        [
            {
                "id": "g1",
                "code": "320105900001001",
                "parent_id": "C",
                "geometry": box(0, 0, 100, 100),
            },
            {
                "id": "g2",
                "code": "320105901002002",
                "parent_id": "C",
                "geometry": box(100, 0, 200, 100),
            },
        ]
    )
    return {"street": street, "community": community, "grid": grids}


def test_code_mismatch_follows_gbt2260_prefixes() -> None:
    report = run(_coded())
    assert found(report) == {("code_mismatch", "g2", "C")}
    message = report.violations["message_zh"].iloc[0]
    assert "320105901002002" in message and "320105900001" in message
    assert run(_coded(), codes="off").ok


def test_code_mismatch_stays_off_for_foreign_codes() -> None:
    layers = _coded()
    layers["community"] = layers["community"].assign(code="4")
    layers["grid"] = layers["grid"].assign(code=["0411", "0624"])
    layers["street"] = layers["street"].assign(code="1")
    assert run(dict(layers)).ok  # auto: Chicago-style codes are not division codes
    assert found(run(dict(layers), codes="on")) == {
        ("code_mismatch", "g1", "C"),
        ("code_mismatch", "g2", "C"),
        ("code_mismatch", "C", "S"),
    }
    with pytest.raises(ConfigError):
        CheckConfig(codes="maybe")  # type: ignore[arg-type]


def test_outside_layer_is_subtracted_before_gaps() -> None:
    """
    +----+----+----+
    | g1 | g2 | g3 |      o: a village of another jurisdiction inside the community
    +----+ o  +----+      (the grids leave a hole there): not a gap with the outside
    | g4 | g5 | g6 |      layer; the hole's part outside o still is
    +----+----+----+
    """
    cells = [box(x, y, x + 100, y + 100) for y in (100, 0) for x in (0, 100, 200)]
    hole = box(120, 80, 180, 120)
    grids = _frame(
        [{"id": f"g{i + 1}", "geometry": c.difference(hole)} for i, c in enumerate(cells)]
    )
    community = _frame([{"id": "C", "geometry": box(0, 0, 300, 200)}])
    before = run({"community": community, "grid": grids})
    assert {r for r, _, _ in found(before)} == {"gap"}
    outside = _frame([{"id": "村1", "geometry": hole}])
    after = run({"community": community, "grid": grids, "outside": outside})
    assert after.ok
    assert "辖区外区域" in after.summary("zh")
    part = _frame([{"id": "村1", "geometry": box(120, 80, 150, 120)}])
    partly = run({"community": community, "grid": grids, "outside": part})
    gaps = partly.violations
    assert list(gaps["rule"]) == ["gap"]
    assert gaps["area_m2"].iloc[0] == pytest.approx(30 * 40, rel=1e-6)
