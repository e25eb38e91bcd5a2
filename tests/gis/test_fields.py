"""Column-name recognition (gis.fields): aliases, tiers, ambiguity, mapping files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.errors import ConfigError, FieldError
from gis.fields import (
    fields_of,
    load_mapping,
    normalize,
    parse_map_options,
    recognise,
)
from gis.layers import LayerKind


@pytest.mark.parametrize(
    "column",
    [
        "网格编码",
        "网格编号",
        "网格ID",
        "wgbm",
        "WGBM",
        "GRID_ID",
        "grid_code",
        "gridid",
        "Grid Code",
        " ＧＲＩＤ＿ＩＤ ",
        "grid-id",
    ],
)
def test_grid_id_aliases(column: str) -> None:
    match = recognise([column, "other"], "grid")
    assert match.columns == {"id": column}
    assert match.how == {"id": "alias"}


@pytest.mark.parametrize(
    ("kind", "columns", "expected"),
    [
        (
            "grid",
            ["网格编码", "网格名称", "所属社区"],
            {"id": "网格编码", "name": "网格名称", "parent_id": "所属社区"},
        ),
        ("grid", ["wgbm", "wgmc", "sqbm"], {"id": "wgbm", "name": "wgmc", "parent_id": "sqbm"}),
        (
            "grid",
            ["GRID_ID", "NAME", "community_id"],
            {"id": "GRID_ID", "name": "NAME", "parent_id": "community_id"},
        ),
        (
            "beat",
            ["DISTRICT", "SECTOR", "BEAT", "BEAT_NUM"],
            {"id": "BEAT_NUM", "parent_id": "DISTRICT"},
        ),
        ("beat", ["beat", "precinct"], {"id": "beat", "parent_id": "precinct"}),
        ("station", ["DIST_LABEL", "DIST_NUM"], {"id": "DIST_NUM", "name": "DIST_LABEL"}),
        (
            "community",
            ["AREA_NUMBE", "COMMUNITY", "AREA_NUM_1"],
            {"id": "AREA_NUMBE", "name": "COMMUNITY"},
        ),
        (
            "incident",
            [
                "ID",
                "Case Number",
                "Date",
                "Block",
                "Primary Type",
                "Latitude",
                "Longitude",
                "X Coordinate",
            ],
            {"id": "ID", "time": "Date", "category": "Primary Type", "address": "Block"},
        ),
        (
            "incident",
            ["警情编号", "报警时间", "警情类别", "发生地址", "经度", "纬度"],
            {"id": "警情编号", "time": "报警时间", "category": "警情类别", "address": "发生地址"},
        ),
        (
            "street",
            ["adcode", "province", "city", "district"],
            {"id": "adcode", "name": "district"},
        ),
        (
            "assignment",
            ["警号", "姓名", "岗位", "责任区类型", "责任区编码"],
            {
                "officer_id": "警号",
                "name": "姓名",
                "role": "岗位",
                "area_kind": "责任区类型",
                "area_id": "责任区编码",
            },
        ),
    ],
)
def test_recognises_real_world_names(kind: str, columns: list[str], expected: dict) -> None:
    assert recognise(columns, kind).columns == expected


@pytest.mark.parametrize(
    ("columns", "lon", "lat"),
    [
        (["经度", "纬度"], "经度", "纬度"),
        (["lng", "lat"], "lng", "lat"),
        (["Longitude", "Latitude"], "Longitude", "Latitude"),
        (["x", "y"], "x", "y"),
        (["LON", "LAT", "X Coordinate", "Y Coordinate"], "LON", "LAT"),
    ],
)
def test_coordinate_columns(columns: list[str], lon: str, lat: str) -> None:
    match = recognise(["id", "time", "category", *columns], "incident", coordinates=True)
    assert (match.columns["lon"], match.columns["lat"]) == (lon, lat)


def test_canonical_name_wins_over_aliases() -> None:
    """A file written by beatgrid (``lon``) that kept the source's ``Longitude`` reads back."""
    match = recognise(["id", "lon", "lat", "Longitude", "Latitude"], "address", coordinates=True)
    assert match.columns["lon"] == "lon" and match.columns["lat"] == "lat"


def test_ambiguity_names_both_columns() -> None:
    with pytest.raises(FieldError) as err:
        recognise(["网格编码", "WGBM", "名称"], "grid", source="grids.csv")
    text = str(err.value)
    assert "'网格编码'" in text and "'WGBM'" in text and "grids.csv" in text
    assert err.value.problems[0].field == "id"


def test_case_variants_of_one_name_are_ambiguous() -> None:
    with pytest.raises(FieldError, match="'name' and 'NAME'"):
        recognise(["id", "name", "NAME"], "grid")


def test_mapping_wins_and_resolves_ambiguity() -> None:
    match = recognise(["网格编码", "WGBM"], "grid", mapping={"id": "WGBM"})
    assert match.columns["id"] == "WGBM" and match.how["id"] == "mapping"


def test_mapping_is_insensitive_to_case_and_width() -> None:
    assert recognise(["MY_COL"], "grid", mapping={"id": "ｍｙ＿ｃｏｌ"}).columns == {"id": "MY_COL"}


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [({"id": "NOPE"}, "no such column"), ({"colour": "A"}, "unknown field 'colour'")],
)
def test_bad_mapping_is_refused(mapping: dict, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        recognise(["A", "B"], "grid", mapping=mapping, source="g.shp")


def test_deterministic_and_ordered() -> None:
    columns = ["所属社区", "网格名称", "网格编码", "extra"]
    first = recognise(columns, "grid")
    assert list(first.columns) == ["id", "name", "parent_id"]
    assert recognise(list(reversed(columns)), "grid").columns == first.columns
    assert first.report() == [
        ("id", "网格编码", "alias"),
        ("name", "网格名称", "alias"),
        ("parent_id", "所属社区", "alias"),
    ]


def test_normalize() -> None:
    assert normalize("Ｐｒｉｍａｒｙ　Ｔｙｐｅ") == normalize("primary_type") == "primarytype"


def test_fields_of_tables_include_coordinates() -> None:
    assert fields_of(LayerKind.TRACK, coordinates=True)[-3:] == ("lon", "lat", "wkt")


def test_parse_map_options() -> None:
    assert parse_map_options(["id=WG BM", "parent_id = SQ"]) == {"id": "WG BM", "parent_id": "SQ"}
    with pytest.raises(ConfigError, match="FIELD=COLUMN"):
        parse_map_options(["id"])


def test_load_mapping_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "m.toml"
    toml.write_text('lon = "JD"\n[grid]\nid = "MY_COL"\n[beat]\nid = "B"\n', encoding="utf-8")
    assert load_mapping(toml, "grid") == {"lon": "JD", "id": "MY_COL"}
    assert load_mapping(toml, "beat") == {"lon": "JD", "id": "B"}
    js = tmp_path / "m.json"
    js.write_text(json.dumps({"grid": {"id": "编码列"}}, ensure_ascii=False), encoding="utf-8")
    assert load_mapping(js, "grid") == {"id": "编码列"}


@pytest.mark.parametrize("text", ["[grid\nid=", "[grid]\nid = 3\n", "grid = 5\n[grid]\n"])
def test_load_mapping_refuses_bad_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_mapping(path, "grid")


def test_load_mapping_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_mapping(tmp_path / "none.toml", "grid")


_NAMES = st.sampled_from(
    [
        "网格编码",
        "WGBM",
        "网格名称",
        "所属社区",
        "sqbm",
        "NAME",
        "name",
        "备注",
        "面积",
        "GRID_ID",
        "Shape_Area",
        "编码",
        "名称",
        "code",
        "代码",
        "经度",
        "纬度",
        "lng",
        "lat",
        "WKT",
        "x",
        "y",
    ]
)


@given(st.lists(_NAMES, unique=True, max_size=10), st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_recognition_is_a_deterministic_injection(columns: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    """Whatever the columns and their order: same answer, one column per field at most,
    and every column used is a column of the file; or an ambiguity error naming two."""
    shuffled = columns[:]
    rnd.shuffle(shuffled)
    try:
        first = recognise(columns, "grid", coordinates=True)
    except FieldError as err:
        assert all(" and " in p.message for p in err.problems)
        with pytest.raises(FieldError):
            recognise(shuffled, "grid", coordinates=True)
        return
    assert recognise(shuffled, "grid", coordinates=True).columns == first.columns
    used = list(first.columns.values())
    assert len(used) == len(set(used)) and set(used) <= set(columns)
    if "网格编码" in columns and "WGBM" not in columns and "GRID_ID" not in columns:
        assert first.columns["id"] == "网格编码"


def test_docs_list_every_alias() -> None:
    """docs/layers.md tells users the recognised names: it must not fall behind the code."""
    from gis.fields import _BY_KIND, _GENERIC

    text = (Path(__file__).resolve().parents[2] / "docs" / "layers.md").read_text("utf-8")
    words = {w for tiers in _BY_KIND.values() for t in tiers.values() for s in t for w in s.split()}
    words |= {w for s in _GENERIC.values() for w in s.split()}
    missing = sorted(w for w in words if w not in text)
    assert not missing, f"docs/layers.md lacks {missing}"
