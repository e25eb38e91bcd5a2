"""load_district: a manifest of layers → one District in one CRS, with a summary.

The hand-drawn district (EPSG:4490, Nanjing), 100 m cells::

    +------+------+
    | G003 | G004 |   community SQ02 = top row      beat B2 = right column
    +------+------+
    | G001 | G002 |   community SQ01 = bottom row   beat B1 = left column
    +------+------+
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from gis.crs import to_metric
from gis.district import ATTRIBUTE, District, load_district
from gis.errors import CRSError, DataQualityWarning, FieldError, FileFormatError
from gis.layers import LayerKind

X0, Y0, S = 118.700, 32.000, 0.001


def _cell(i: int, j: int, w: int = 1, h: int = 1):
    return box(X0 + i * S, Y0 + j * S, X0 + (i + w) * S, Y0 + (j + h) * S)


@pytest.fixture
def district_dir(tmp_path: Path) -> Path:
    grids = gpd.GeoDataFrame(
        {"id": ["G001", "G002", "G003", "G004"], "parent_id": ["SQ01", "SQ01", "SQ02", "SQ02"]},
        geometry=[_cell(0, 0), _cell(1, 0), _cell(0, 1), _cell(1, 1)],
        crs=4490,
    )
    communities = gpd.GeoDataFrame(
        {"社区编码": ["SQ01", "SQ02"], "社区名称": ["南苑", "北苑"], "所属街道": ["J1", "J1"]},
        geometry=[_cell(0, 0, 2, 1), _cell(0, 1, 2, 1)],
        crs=4490,
    )
    beats = gpd.GeoDataFrame(
        {"id": ["B1", "B2"], "parent_id": ["P1", "P1"]},
        geometry=[_cell(0, 0, 1, 2), _cell(1, 0, 1, 2)],
        crs=4490,
    )
    grids.to_file(tmp_path / "grids.geojson")
    communities.to_file(tmp_path / "communities.gpkg", layer="communities")
    beats.to_file(tmp_path / "beats.geojson")
    pd.DataFrame(
        {
            "id": ["J1", "J2"],
            "time": ["2024-01-01 10:00", "2024-01-02 11:00"],
            "category": ["盗窃", "纠纷"],
            "lon": [118.7005, 118.7015],
            "lat": [32.0005, 32.0015],
        }
    ).to_csv(tmp_path / "incidents.csv", index=False)
    pd.DataFrame(
        {"officer_id": ["001"], "role": ["officer"], "area_kind": ["beat"], "area_id": ["B1"]}
    ).to_csv(tmp_path / "assignments.csv", index=False)
    pd.DataFrame({"address_id": ["A1"], "time": ["2024-01-01"]}).to_csv(
        tmp_path / "visits.csv", index=False
    )
    manifest = {
        "name": "测试街道",
        "crs": "EPSG:4490",
        "metric_crs": "EPSG:4549",
        "layers": {
            "grid": {"path": "grids.geojson"},
            "communities": {"path": "communities.gpkg", "layer": "communities"},
            "beat": "beats.geojson",
        },
        "tables": {
            "incidents": {"path": "incidents.csv"},
            "assignments": {"path": "assignments.csv"},
            "visits": {"path": "visits.csv"},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return tmp_path


def test_load_district(district_dir: Path) -> None:
    district = load_district(district_dir)
    assert isinstance(district, District) and district.name == "测试街道"
    assert district.crs.to_epsg() == 4490 and district.metric_crs.to_epsg() == 4549
    assert district.grids["id"].tolist() == ["G001", "G002", "G003", "G004"]
    assert district.communities["name"].tolist() == ["南苑", "北苑"]
    assert district.incidents.crs.to_epsg() == 4490  # the table took the district's CRS
    assert district.assignments["area_id"].tolist() == ["B1"]
    assert district.streets is None and district.get("beat") is district.beats
    assert district.tables == {"visits": district_dir / "visits.csv"}
    assert set(district.layers) == {
        LayerKind.GRID,
        LayerKind.COMMUNITY,
        LayerKind.BEAT,
        LayerKind.INCIDENT,
        LayerKind.ASSIGNMENT,
    }


def test_summary(district_dir: Path) -> None:
    summary = load_district(district_dir).summary().set_index("layer")
    assert summary.loc["grid", "count"] == 4
    assert summary.loc["grid", "crs"] == "EPSG:4490"
    assert summary.loc["grid", "metric_crs"] == "EPSG:4549"
    # 4 cells of 0.001° x 0.001° at 32°N: 94.5 m x 110.9 m each
    assert summary.loc["grid", "area_km2"] == pytest.approx(4 * 0.0945 * 0.1109, rel=0.01)
    assert summary.loc["community", "area_km2"] == pytest.approx(
        summary.loc["grid", "area_km2"], rel=1e-9
    )  # the grids tile the communities: areas conserve
    assert summary.loc["grid", "minx"] == pytest.approx(X0)
    assert summary.loc["grid", "valid"] == 4 and summary.loc["grid", "repaired"] == 0
    assert pd.isna(summary.loc["incident", "area_km2"])
    assert summary.loc["assignment", "count"] == 1


def test_mixed_crs_is_refused(district_dir: Path) -> None:
    beats = gpd.read_file(district_dir / "beats.geojson").to_crs(4549)
    beats.to_file(district_dir / "beats.geojson")
    with pytest.raises(CRSError) as err:
        load_district(district_dir / "manifest.json")
    text = " ".join(str(p) for p in err.value.problems)
    assert "manifest.json" in text and "EPSG:4549" in text and "EPSG:4490" in text
    assert {p.field for p in err.value.problems} >= {"beat", "grid"}
    assert "to_crs" in text


def test_mixed_crs_reprojected_on_request(district_dir: Path) -> None:
    beats = gpd.read_file(district_dir / "beats.geojson").to_crs(4549)
    beats.to_file(district_dir / "beats.geojson")
    district = load_district(district_dir, to_crs="EPSG:4549")
    assert district.crs.to_epsg() == 4549
    assert all(v.gdf.crs.to_epsg() == 4549 for k, v in district.layers.items() if k != "assignment")
    assert district.grids.geometry.area.sum() == pytest.approx(4 * 94.5 * 110.9, rel=0.01)


def test_gcj02_district_is_converted(district_dir: Path, tmp_path_factory) -> None:
    out = tmp_path_factory.mktemp("gcj")
    for name in ("grids.geojson", "beats.geojson", "communities.gpkg"):
        shutil.copy(district_dir / name, out / name)
    manifest = json.loads((district_dir / "manifest.json").read_text("utf-8"))
    manifest["crs"] = "gcj02"
    manifest["tables"] = {}
    for entry in ("grid",):
        manifest["layers"][entry]["crs"] = "gcj02"
    manifest["layers"]["communities"]["crs"] = "gcj02"
    manifest["layers"]["beat"] = {"path": "beats.geojson", "crs": "gcj02"}
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    district = load_district(out)
    assert district.crs.to_epsg() == 4326
    assert all("GCJ-02" in layer.crs_note for layer in district.layers.values())


def test_layer_errors_propagate_with_file_and_row(district_dir: Path) -> None:
    grids = gpd.read_file(district_dir / "grids.geojson")
    grids.loc[2, "id"] = "G001"
    grids.to_file(district_dir / "grids.geojson")
    with pytest.raises(FieldError) as err:
        load_district(district_dir)
    assert "grids.geojson row 1 (id G001) field 'id'" in str(err.value)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not a readable JSON"),
        ('{"layers": {"grids": {}}}', "needs a 'path'"),
        ('{"layers": {"polygons": {"path": "x"}}}', "unknown layer kinds polygons"),
        ('{"layers": []}', "'layers' object"),
    ],
)
def test_bad_manifest(tmp_path: Path, content: str, fragment: str) -> None:
    (tmp_path / "manifest.json").write_text(content, "utf-8")
    with pytest.raises(FileFormatError, match=fragment) as err:
        load_district(tmp_path)
    assert str(err.value).startswith("manifest.json")


def test_missing_manifest_and_missing_layer_file(tmp_path: Path, district_dir: Path) -> None:
    with pytest.raises(FileFormatError, match="no manifest"):
        load_district(tmp_path / "nowhere")
    (district_dir / "beats.geojson").unlink()
    with pytest.raises(FileFormatError, match=r"beats\.geojson: 文件不存在 / file not found"):
        load_district(district_dir)


def test_attribute_names_cover_every_kind() -> None:
    assert set(ATTRIBUTE) == set(LayerKind)
    fields = District.__dataclass_fields__
    assert all(name in fields for name in ATTRIBUTE.values())


def test_repair_passes_through(district_dir: Path) -> None:
    grids = gpd.read_file(district_dir / "grids.geojson")
    grids.loc[3, "id"] = "G003"  # G003 drawn in two pieces
    grids.to_file(district_dir / "grids.geojson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        district = load_district(district_dir, repair=True)
    assert len(district.grids) == 3
    assert district.summary().set_index("layer").loc["grid", "repaired"] == 1


def test_demo_district_and_its_gcj02_copy_agree(demo_dir: Path) -> None:
    """The generated demo loads; its GCJ-02 copy with Chinese column names and a GBK
    shapefile is recognised without any mapping and lands on the original within 1 cm."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        demo = load_district(demo_dir)
        gcj = load_district(demo_dir / "gcj02")
    assert demo.crs.to_epsg() == 4490 and gcj.crs.to_epsg() == 4326
    assert set(gcj.layers) == set(demo.layers) - {LayerKind.ROAD}  # roads: main manifest only
    summary = demo.summary().set_index("layer")
    assert (summary["count"] > 0).all() and (summary["valid"] == summary["count"]).all()
    assert gcj.layers[LayerKind.GRID].column_map["id"] == "网格编码"
    assert gcj.grids["name"].tolist() == demo.grids["name"].tolist()  # GBK text intact
    assert set(gcj.assignments["role"]) <= {"officer", "auxiliary"}
    a, crs = to_metric(demo.grids.set_crs(4326, allow_override=True))
    b, _ = to_metric(gcj.grids, crs=crs)
    offsets = shapely.hausdorff_distance(a.geometry.array, b.geometry.array)
    assert float(np.max(offsets)) < 0.01


def test_district_cannot_be_held_in_gcj02(district_dir: Path) -> None:
    from gis.errors import ConfigError

    with pytest.raises(ConfigError, match="export only"):
        load_district(district_dir, to_crs="gcj02")
