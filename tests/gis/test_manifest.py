"""Broken manifests: every problem named with the file and the field, nothing loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis.district import load_district
from gis.errors import FileFormatError
from gis.manifest import parse_manifest, read_manifest


@pytest.mark.parametrize(
    ("content", "field", "fragment"),
    [
        ("{not json", None, "not a readable JSON manifest"),
        ("[1, 2]", None, "'layers' object"),
        ('{"layers": []}', "layers", "'layers' object"),
        ('{"layers": {"grid": {}}}', "layers.grid.path", "needs a 'path'"),
        ('{"layers": {"grid": {"path": ""}}}', "layers.grid.path", "at least 1 character"),
        ('{"layers": {"polygon": {"path": "p.shp"}}}', "layers", "unknown layer kinds polygon"),
        ('{"layers": {"grid": {"path": 5}}}', "layers.grid.path", "valid string, got 5"),
        ('{"layers": {"grid": {"path": "g.shp", "encodng": "gbk"}}}', "layers.grid.encodng",
         "unknown option 'encodng'"),
        ('{"tables": {"visit": {"path": "v.csv", "mapping": ["id"]}}}', "tables.visit.mapping",
         "valid dictionary"),
        ('{"name": ["a"], "layers": {}}', "name", "valid string"),
    ],
)  # fmt: skip
def test_broken_manifest_names_file_and_field(
    tmp_path: Path, content: str, field: str | None, fragment: str
) -> None:
    (tmp_path / "manifest.json").write_text(content, "utf-8")
    with pytest.raises(FileFormatError) as err:
        load_district(tmp_path)
    problem = err.value.problems[0]
    assert problem.source == "manifest.json" and problem.field == field
    assert fragment in problem.message
    assert str(err.value).startswith("manifest.json")


def test_every_problem_is_reported_at_once() -> None:
    data = {"layers": {"grid": {}, "beat": {"path": 1}}, "extras": {"roads": {"pth": "r"}}}
    with pytest.raises(FileFormatError) as err:
        parse_manifest(data, source="m.json")
    fields = {p.field for p in err.value.problems}
    assert {"layers.grid.path", "layers.beat.path", "extras.roads.path"} <= fields
    assert "extras.roads.pth" in fields


def test_a_good_manifest_keeps_options_and_extras(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(
        '{"crs": "gcj02", "seed": 7, "layers": {"incidents": {"path": "i.csv", "x": "经度",'
        ' "y": "纬度"}, "grid": "g.shp"}, "extras": {"roads": {"path": "r.geojson"}}}',
        "utf-8",
    )
    manifest = read_manifest(path)
    assert manifest.layers["incidents"].read_options() == {"lon": "经度", "lat": "纬度"}
    assert manifest.layers["grid"].path == "g.shp" and manifest.extras["roads"].path == "r.geojson"


def test_the_demo_lists_its_roads_as_an_extra(demo_dir: Path) -> None:
    district = load_district(demo_dir)
    assert district.extras["roads"] == demo_dir / "roads.geojson"
    assert district.extras["roads"].is_file()
