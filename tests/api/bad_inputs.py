"""The bad-input corpus: files and requests an attacker or a careless user sends.

Each :class:`Case` is one HTTP request; files are made here from the real data in
``../shared/data`` (Nanjing districts, Seattle beats, Chicago beats) and then broken.
Every case must be refused or answered without a 500 and without storing anything.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyogrio
import shapely

from tests.api.hardening_inputs import (
    SQUARE,
    dense_polygon,
    feature_collection,
    many_members,
    nanjing_streets,
    ring,
    shapefile_zip,
    zip_bomb,
)
from tests.conftest import SHARED_DATA


@dataclass(frozen=True)
class Case:
    """One request of the corpus (``who`` logs in; ``path`` may hold ``{layer}``)."""

    name: str
    method: str
    path: str
    who: str = "admin"
    kwargs: dict[str, Any] = field(default_factory=dict)


def _upload(name: str, data: bytes, *, who: str = "admin", **form: str) -> Case:
    fields = {"layer_id": f"corpus{abs(hash(name)) % 10**8}", "kind": "grid", "reason": "c"}
    return Case(
        f"file:{name}",
        "POST",
        "/layers",
        who,
        {"data": {**fields, **form}, "files": {"file": (name, data, "application/octet-stream")}},
    )


def _version(name: str, data: bytes, *, who: str = "west") -> Case:
    return Case(
        f"version:{name}",
        "POST",
        "/layers/{layer}/versions",
        who,
        {
            "data": {"base_version": "1", "reason": "c"},
            "files": {"file": (name, data, "application/octet-stream")},
        },
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _shapefile_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(SHARED_DATA / "chicago" / "police_beats.zip") as zf:
        return {Path(n).name: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _gpkg(two_layers: bool = False) -> bytes:
    streets = nanjing_streets()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.gpkg"
        pyogrio.write_dataframe(streets, path, layer="a")
        if two_layers:
            pyogrio.write_dataframe(streets, path, layer="b", append=False)
        return path.read_bytes()


def file_cases() -> list[Case]:
    """Broken files of every supported format (about 60)."""
    seattle = (SHARED_DATA / "seattle" / "spd-beats.geojson").read_bytes()
    parts = _shapefile_parts()
    shp = next(k for k in parts if k.endswith(".shp"))
    stem = shp[:-4]
    good = ring(*SQUARE)
    fc = feature_collection
    cases = [
        _upload("unclosed.geojson", fc(good, ring(*SQUARE[:-1]))),
        _upload("short.geojson", fc(ring(SQUARE[0], SQUARE[1], SQUARE[0]))),
        _upload("two.geojson", fc(ring(SQUARE[0], SQUARE[1]))),
        _upload("multi.geojson", fc({"type": "MultiPolygon", "coordinates": [[[[1, 2]]]]})),
        _upload("multiflat.geojson", fc({"type": "MultiPolygon", "coordinates": [[1, 2]]})),
        _upload("bowtie.geojson", fc(ring((0, 0), (1, 1), (1, 0), (0, 1), (0, 0)))),
        _upload("nan.geojson", fc(good).replace(b"118.7,", b"NaN,", 1)),
        _upload("inf.geojson", fc(good).replace(b"118.7,", b"Infinity,", 1)),
        _upload("huge.geojson", fc(good).replace(b"118.7,", b"1e999,", 1)),
        _upload("far.geojson", fc(good).replace(b"118.7,", b"1e300,", 1)),
        _upload("lat95.geojson", fc(ring((10, 95), (11, 95), (11, 96), (10, 95)))),
        _upload("truncated.geojson", seattle[:5000]),
        _upload("seattle_as_point.geojson", seattle, kind="joint_point"),
        _upload("empty_fc.geojson", b'{"type":"FeatureCollection","features":[]}'),
        _upload("null_geom.geojson", fc(None)),  # type: ignore[arg-type]
        _upload("point.geojson", fc({"type": "Point", "coordinates": [118.7, 32.0]})),
        _upload("line.geojson", fc({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})),
        _upload("collection.geojson", fc({"type": "GeometryCollection", "geometries": []})),
        _upload("bogus_type.geojson", fc({"type": "Bogus", "coordinates": [1, 2]})),
        _upload("string_coords.geojson", fc({"type": "Polygon", "coordinates": "abc"})),
        _upload("not_json.geojson", b"\x00\x01\x02 not json at all \xff\xfe"),
        _upload("array.geojson", b"[1, 2, 3]"),
        _upload("null.geojson", b"null"),
        _upload("utf16.geojson", fc(good).decode().encode("utf-16")),
        _upload("deep.geojson", b"[" * 100_000 + b"]" * 100_000),
        _upload("dup_ids.geojson", fc(good, good).replace(b'"S2"', b'"S1"')),
        _upload("no_ids.geojson", fc(good).replace(b'"id": "S1"', b'"x": 1')),
        _upload("props_list.geojson", fc(good).replace(b'{"id": "S1"}', b"[1,2]")),
        _upload("dense.geojson", fc(shapely.geometry.mapping(dense_polygon(250_000)))),
        _upload("bomb.zip", zip_bomb(megabytes=600)),
        _upload("members.zip", many_members(1001)),
        _upload("traversal.zip", _zip({f"../../{k}": v for k, v in parts.items()})),
        _upload("no_shx.zip", _zip({k: v for k, v in parts.items() if not k.endswith(".shx")})),
        _upload("no_dbf.zip", _zip({k: v for k, v in parts.items() if not k.endswith(".dbf")})),
        _upload("only_dbf.zip", _zip({k: v for k, v in parts.items() if k.endswith(".dbf")})),
        _upload("cut_shp.zip", _zip({**parts, shp: parts[shp][:2000]})),
        _upload("random.zip", bytes(range(256)) * 40),
        _upload("cut.zip", (SHARED_DATA / "chicago" / "police_beats.zip").read_bytes()[:30_000]),
        _upload("empty.zip", _zip({})),
        _upload("nested.zip", _zip({"inner.zip": shapefile_zip(nanjing_streets())})),
        _upload("bad_cpg.zip", _zip({**parts, f"{stem}.cpg": b"no-such-encoding-x"})),
        _upload("huge_cpg.zip", _zip({**parts, f"{stem}.cpg": b"UTF-8" + b" " * 5_000_000})),
        _upload("random.gpkg", bytes(range(256)) * 100),
        _upload("cut.gpkg", _gpkg()[:8192]),
        _upload("two_layers.gpkg", _gpkg(two_layers=True)),
        _upload("empty.csv", b""),
        _upload("header.csv", b"id,name,wkt\n"),
        _upload("bad_wkt.csv", "id,name,wkt\n1,玄武,POLYGON((1 2,3\n".encode("gbk")),
        _upload("letters.csv", b"id,lon,lat\n1,abc,def\n", kind="joint_point"),
        _upload("lat999.csv", b"id,lon,lat\n1,118.7,999\n", kind="joint_point"),
        _upload("nan.csv", b"id,lon,lat\n1,nan,inf\n", kind="joint_point"),
        _upload("e999.csv", b"id,lon,lat\n1,1e999,-1e999\n", kind="joint_point"),
        _upload("binary.csv", bytes(range(256)) * 50),
        _upload("bomb.xlsx", zip_bomb(member="xl/worksheets/sheet1.xml", megabytes=600)),
        _upload("random.xlsx", bytes(range(256)) * 20),
        _upload("bad.kml", b"<kml><Document><Placemark><Polygon>"),
        _upload("laughs.kml", _billion_laughs()),
        _upload("empty.kml", b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>'),
        _upload("random.fgb", bytes(range(256)) * 20),
        _upload("virus.exe", b"MZ\x90\x00"),
        _upload("noext", b"{}"),
        _upload("../../etc/passwd.geojson", fc(ring(*SQUARE[:-1]))),
        _upload("x" * 300 + ".geojson", fc(ring(*SQUARE[:-1]))),
        _upload("..", fc(ring(*SQUARE[:-1]))),
        _upload("网格" * 100 + ".zip", zip_bomb(megabytes=600)),
        _upload("gbk_name_bad.geojson", fc(ring(*SQUARE[:-1]), props={"name": "玄武"})),
        _version("unclosed.geojson", fc(ring(*SQUARE[:-1]))),
        _version("bomb.zip", zip_bomb(megabytes=600)),
        _version("outside.geojson", fc(ring((100, 30), (101, 30), (101, 31), (100, 30)))),
    ]
    return cases


def _billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE kml [{entities}]>'
        "<kml><Document><Placemark><name>&lol9;</name></Placemark></Document></kml>"
    ).encode()


CRS_VALUES = [
    "EPSG:999999",
    "+proj=garbage",
    "x" * 2000,
    "EPSG:4978",
    "EPSG:3857",
    "gk3:999",
    "EPSG:4326 ; DROP TABLE layers",
]


def crs_cases() -> list[Case]:
    """Wrong or malformed coordinate systems stated for lon/lat data."""
    data = feature_collection(ring(*SQUARE))
    return [_upload(f"crs{i}.geojson", data, crs=value) for i, value in enumerate(CRS_VALUES)]


def _patch(name: str, body: bytes | dict[str, Any], *, who: str = "admin") -> Case:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    return Case(
        f"patch:{name}",
        "PATCH",
        "/layers/{layer}/features",
        who,
        {"content": content, "headers": headers},
    )


def _feature(geometry: Any, **props: Any) -> dict[str, Any]:
    base = {"id": "G1", "name": "n", "parent_id": "C1"}
    return {"type": "Feature", "properties": {**base, **props}, "geometry": geometry}


def request_cases() -> list[Case]:
    """Bad values in queries, paths and JSON bodies (about 50)."""
    cases: list[Case] = []
    for bbox in ["-1e999,0,1,1", "nan,0,1,1", "1,1,inf,inf", "1,2,3", "3,3,1,1", "a,b,c,d",
                 "1e308,1e308,1e308,1e308", ",,,", "-180,-90,180,90,1"]:  # fmt: skip
        cases.append(
            Case(
                f"bbox:{bbox}",
                "GET",
                "/layers/{layer}/versions/1/features",
                "south",
                {"params": {"bbox": bbox}},
            )
        )
        cases.append(
            Case(
                f"ogc-bbox:{bbox}",
                "GET",
                "/ogc/collections/{layer}/items",
                "west",
                {"params": {"bbox": bbox}},
            )
        )
    body = {"base_version": 1, "reason": "c"}
    for literal in ("NaN", "Infinity", "-Infinity", "1e999", "-2E+400"):
        feature = (
            '{"type":"Feature","properties":{"id":"G1","v":LIT},'
            '"geometry":{"type":"Point","coordinates":[LIT,1]}}'
        ).replace("LIT", literal)
        text = '{"base_version": 1, "reason": "c", "upsert": [F]}'.replace("F", feature)
        cases.append(_patch(f"literal:{literal}", text.encode()))
    outside = ring((100, 30), (101, 30), (101, 31), (100, 30))
    dense = shapely.geometry.mapping(dense_polygon(250_000))
    cases += [
        _patch("malformed", b'{"base_version": 1, "reason": '),
        _patch("deep", b"[" * 100_000 + b"]" * 100_000),
        _patch("deep_object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        _patch("null_geometry", {**body, "upsert": [_feature(None)]}),
        _patch("bogus_type", {**body, "upsert": [_feature({"type": "Bogus"})]}),
        _patch("string_coords", {**body, "upsert": [_feature({"type": "Polygon", "x": 1})]}),
        _patch("short_ring", {**body, "upsert": [_feature(ring(SQUARE[0], SQUARE[1]))]}),
        _patch("not_a_feature", {**body, "upsert": [1, "x", None]}),
        _patch("negative_base", {**body, "base_version": -1, "upsert": []}),
        _patch("huge_base", {**body, "base_version": 2**40, "upsert": []}),
        _patch("empty_reason", {"base_version": 1, "reason": "", "upsert": []}),
        _patch("outside", {**body, "upsert": [_feature(outside)]}, who="west"),
        _patch("commander_edit", {**body, "upsert": [_feature(ring(*SQUARE))]}, who="commander"),
        _patch("dense", {**body, "upsert": [_feature(dense)]}),
        _patch("delete_unknown", {**body, "delete": ["nope" * 100]}),
    ]
    for z, x, y in [(23, 0, 0), (2, 9, 0), (0, -1, 0), (30, 2**22 + 1, 1)]:
        cases.append(Case(f"tile:{z}/{x}/{y}", "GET", f"/tiles/{{layer}}/{z}/{x}/{y}.pbf", "south"))
    cases.append(Case("tile:letters", "GET", "/tiles/{layer}/a/b/c.pbf"))
    for params in [{"limit": "0"}, {"limit": "1e999"}, {"offset": "-1"}, {"limit": "nan"}]:
        cases.append(Case(f"page:{params}", "GET", "/layers/{layer}/versions/1/features",
                          "south", {"params": params}))  # fmt: skip
    cases += [
        Case("version:2**31", "GET", f"/layers/{{layer}}/versions/{2**31}/features"),
        Case("diff:missing", "GET", "/layers/{layer}/diff", "south", {"params": {"a": 1, "b": 99}}),
        Case("layer:dots", "GET", "/layers/..%2F..%2Fetc"),
        Case("layer:long", "GET", "/layers/" + "a" * 5000),
        Case("layer:nul", "GET", "/layers/a%00b"),
    ]
    cases += _incident_cases() + _login_cases()
    return cases


def _incident_cases() -> list[Case]:
    one = {"id": "c-1", "time": "2024-05-01T09:00:00", "category": "theft",
           "lon": 118.705, "lat": 32.005}  # fmt: skip
    bad: list[tuple[str, list[dict[str, Any]]]] = [
        ("lat91", [{**one, "lat": 91}]),
        ("lon_text", [{**one, "lon": "abc"}]),
        ("time_garbage", [{**one, "time": "yesterday-ish"}]),
        ("long_id", [{**one, "id": "x" * 10_000}]),
        ("no_category", [{**one, "category": None}]),
        ("empty", []),
        ("repeated", [one, one]),
        ("outside", [{**one, "lon": 100.0, "lat": 30.0}]),
    ]
    return [
        Case(f"incident:{n}", "POST", "/incidents", "south", {"json": {"incidents": b}})
        for n, b in bad
    ]


def _login_cases() -> list[Case]:
    forms = [
        {"username": "u" * 500, "password": "x"},
        {"username": "admin", "password": "p" * 100_000},
        {"username": "ad\x00min", "password": "x\x00"},
        {"username": "", "password": ""},
        {"username": "admin"},
    ]
    return [Case(f"login:{i}", "POST", "/auth/token", "", {"data": f}) for i, f in enumerate(forms)]


CORPUS: list[Callable[[], list[Case]]] = [file_cases, crs_cases, request_cases]
