"""Each file is read once, and reading it once loses nothing.

``read_layer`` opens a GeoJSON/Shapefile/FlatGeobuf with one pyogrio call (its CRS comes
with the frame; layers are listed only for formats that can hold several), and a CSV's
bytes once (the encoding is detected from the same bytes pyarrow then parses).  The
frames must be exactly what the plain way gives: ``gpd.read_file`` / ``pd.read_csv`` of
the same file, the recognised columns renamed, :func:`validate_layer`, and GCJ-02 → WGS84.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.geopandas
import pytest

from gis import crs as gcrs
from gis.district import load_district
from gis.errors import FileFormatError
from gis.io import Layer, read_frame, read_layer
from gis.io.read import _lonlat_bounds
from gis.io.tabular import read_table
from gis.io.validate import validate_layer

GCJ02 = gcrs.parse_crs("gcj02")


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often pyogrio was asked to read, list or describe a file (the calls still run).

    ``opened`` counts the reads GDAL actually does for ``read_dataframe`` (arrow or not).
    """
    calls: Counter[str] = Counter()
    spied = [
        (pyogrio, "read_dataframe", "read_dataframe"),
        (pyogrio, "list_layers", "list_layers"),
        (pyogrio, "read_info", "read_info"),
        (pyogrio.geopandas, "read_arrow", "opened"),
        (pyogrio.geopandas, "read", "opened"),
    ]
    for module, name, label in spied:
        original = getattr(module, name)

        def counted(*args: Any, _label: str = label, _f: Callable[..., Any] = original, **kw: Any):
            calls[_label] += 1
            return _f(*args, **kw)

        monkeypatch.setattr(module, name, counted)
    return calls


def _plain(layer: Layer, *, crs: object = None, repair: bool = False) -> pd.DataFrame:
    """The layer's file read the plain way, renamed, validated and converted as read_layer
    says it does."""
    assert layer.path is not None
    rename = {s: c for c, s in layer.column_map.items() if c not in ("lon", "lat", "wkt")}
    if layer.path.suffix.lower() == ".csv":
        frame: pd.DataFrame = pd.read_csv(layer.path, dtype=str)
        if "lon" in layer.column_map:
            x = pd.to_numeric(frame[layer.column_map["lon"]])
            y = pd.to_numeric(frame[layer.column_map["lat"]])
            frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=crs)
    else:
        vector = gpd.read_file(layer.path)
        frame = vector if crs is None else vector.set_crs(crs, allow_override=True)
    validated = validate_layer(
        frame.rename(columns=rename),
        layer.kind,
        source=layer.source,
        repair=repair,
        tz="Asia/Shanghai" if crs in (4490, "EPSG:4490", GCJ02.crs) else "UTC",
    ).gdf.reset_index(drop=True)
    if isinstance(validated, gpd.GeoDataFrame) and crs is GCJ02.crs:
        return gcrs.to_wgs84(validated, source=GCJ02)
    return validated


def _same(ours: pd.DataFrame, plain: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, plain, check_exact=True)
    assert list(ours.dtypes) == list(plain.dtypes)
    assert getattr(ours, "crs", None) == getattr(plain, "crs", None)


def test_the_demo_district_reads_each_file_once(demo_dir: Path, opened: Counter[str]) -> None:
    district = load_district(demo_dir)
    vector = [k for k, v in district.layers.items() if v.path and v.path.suffix != ".csv"]
    assert len(vector) >= 9
    assert opened == {"read_dataframe": len(vector), "opened": len(vector)}


@pytest.mark.parametrize("folder", ["", "gcj02"], ids=["demo", "demo-gcj02"])
def test_the_demo_district_is_what_the_plain_way_gives(demo_dir: Path, folder: str) -> None:
    """Every layer and table, the GBK shapefile and the GCJ-02 conversion included."""
    district = load_district(demo_dir / folder)
    crs = GCJ02.crs if folder else "EPSG:4490"
    assert len(district.layers) >= 12
    for layer in district.layers.values():
        _same(layer.gdf, _plain(layer, crs=crs))


REAL = [
    ("seattle/spd-beats.geojson", "beat", {"mapping": {"id": "name"}}),
    ("chicago/community_areas.zip", "community", {}),  # EPSG:3435, encoding detected
    ("chicago/police_beats.zip", "beat", {"repair": True}),  # parts merged
    ("china/nanjing_amap_gcj02.geojson", "street", {"crs": "gcj02"}),
]


@pytest.mark.parametrize(("name", "kind", "options"), REAL, ids=[r[0] for r in REAL])
def test_a_real_file_is_read_once_and_is_what_the_plain_way_gives(
    shared_data: Path, opened: Counter[str], name: str, kind: str, options: dict[str, Any]
) -> None:
    layer = read_layer(shared_data / name, kind=kind, **options)
    listed = 1 if name.endswith(".zip") else 0  # a zip may hold several shapefiles
    assert opened == +Counter({"read_dataframe": 1, "opened": 1, "list_layers": listed})
    crs = GCJ02.crs if options.get("crs") == "gcj02" else None
    _same(layer.gdf, _plain(layer, crs=crs, repair=options.get("repair", False)))


def test_read_frame_opens_a_geojson_once(shared_data: Path, opened: Counter[str]) -> None:
    frame = read_frame(shared_data / "seattle" / "spd-precincts.geojson")
    assert opened == {"read_dataframe": 1, "opened": 1}
    _same(frame, gpd.read_file(shared_data / "seattle" / "spd-precincts.geojson"))


def test_a_geopackage_is_listed_to_choose_its_layer(
    tmp_path: Path, shared_data: Path, opened: Counter[str]
) -> None:
    path = tmp_path / "two.gpkg"
    frame = gpd.read_file(shared_data / "seattle" / "spd-beats.geojson")
    frame.to_file(path, layer="beats")
    frame.head(3).to_file(path, layer="few")
    opened.clear()
    with pytest.raises(FileFormatError, match="2 layers: beats, few"):
        read_layer(path, kind="beat", mapping={"id": "name"})
    assert opened == {"list_layers": 1}
    assert len(read_layer(path, kind="beat", layer="few", mapping={"id": "name"})) == 3
    assert opened == {"list_layers": 2, "read_dataframe": 1, "opened": 1}


TOPOJSON = """{"type": "Topology",
 "objects": {
  "beats": {"type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "arcs": [[0]], "properties": {"id": "B1"}}]},
  "grids": {"type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "arcs": [[0]], "properties": {"id": "G1"}}]}},
 "arcs": [[[118.7, 32.0], [118.71, 32.0], [118.71, 32.01], [118.7, 32.01], [118.7, 32.0]]]}
"""


def test_a_topojson_of_several_objects_asks_which(tmp_path: Path) -> None:
    """A .json may be TopoJSON, one layer per object: it is listed, not read blindly."""
    path = tmp_path / "areas.json"
    path.write_text(TOPOJSON)
    with pytest.raises(FileFormatError, match="2 layers: beats, grids"):
        read_layer(path, kind="beat")
    grids = read_layer(path, kind="grid", layer="grids").gdf
    assert grids["id"].tolist() == ["G1"]


CSV_TEXTS = {
    "plain": "id,lon,lat\nA1,118.7,32.0\nA2,118.8,32.1\n",
    "leading zeros and blanks": "id,code,lon,lat\n001,,118.7,32.0\n002, 7 ,118.8,\n",
    "NA spellings": "id,name,lon,lat\nA1,NA,118.7,32.0\nA2,null,118.8,32.1\n",
    "quoted newline": 'id,name,lon,lat\nA1,"two\nlines",118.7,32.0\n',
    "ragged row": "id,lon,lat\nA1,118.7\nA2,118.8,32.1\n",
    "index column": "id,lon\n0,A1,118.7\n1,A2,118.8\n",
    "semicolons": "id;lon;lat\nA1;118,7;32,0\n",
    "bom": "\ufeffid,lon,lat\nA1,118.7,32.0\n",
    "gbk": "编号,经度,纬度\n甲1,118.7,32.0\n",
}


@pytest.mark.parametrize("name", list(CSV_TEXTS))
def test_a_csv_table_is_what_pandas_c_parser_gives(tmp_path: Path, name: str) -> None:
    """The fast parser gives the C parser's table, or hands the file over to it."""
    path = tmp_path / "table.csv"
    encoding = "gbk" if name == "gbk" else "utf-8"
    path.write_bytes(CSV_TEXTS[name].encode(encoding))
    table = read_table(path)
    sep = ";" if name == "semicolons" else ","
    used = "gb18030" if name == "gbk" else "utf-8"
    expected = pd.read_csv(path, sep=sep, encoding=used, dtype=str, engine="c")
    expected.columns = [str(c).strip() for c in expected.columns]
    pd.testing.assert_frame_equal(table.frame, expected, check_exact=True)


def test_an_unclosed_quote_is_the_c_parsers_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('id,lon,lat\n"A1,118.7,32.0\nA2,118.8,32.1\n')
    with pytest.raises(FileFormatError, match="EOF inside string"):
        read_table(path)


def test_lonlat_bounds_are_those_of_the_converted_envelopes(shared_data: Path) -> None:
    areas = gpd.read_file(shared_data / "chicago" / "community_areas.zip")  # EPSG:3435, feet
    geoms = areas.geometry.to_numpy()
    expected = areas.geometry.envelope.to_crs(4326).bounds.to_numpy()
    np.testing.assert_allclose(_lonlat_bounds(geoms, areas.crs), expected, rtol=0, atol=1e-9)
    lonlat = areas.to_crs(4326)
    np.testing.assert_array_equal(
        _lonlat_bounds(lonlat.geometry.to_numpy(), lonlat.crs), lonlat.geometry.bounds.to_numpy()
    )
