"""Vector files through pyogrio: GeoJSON, Shapefile (.shp or .zip), GeoPackage, KML/KMZ,
and GeoParquet through pyarrow.

Each reader returns the raw frame, the CRS the file declares (or None) and the encoding
it used; field recognition and validation happen afterwards in :mod:`gis.io.read`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.errors import ShapelyError

from gis.errors import FileFormatError, GeometryError, Problem
from gis.i18n import Text
from gis.io.encoding import shapefile_encoding

VECTOR_SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg", ".kml", ".kmz", ".fgb", ".gml")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")


@dataclass(frozen=True)
class RawVector:
    """A vector layer as read: frame, declared CRS, encoding used and the layer read."""

    frame: gpd.GeoDataFrame
    crs: str | None
    encoding: str | None
    layer: str | None


def read_vector(path: Path, *, layer: str | None, encoding: str | None) -> RawVector:
    """Read one layer of a vector file, choosing it and its encoding.

    Raises
    ------
    FileFormatError
        Unreadable file, unknown layer, or several layers and none named (the message lists
        them).
    """
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(path)
    target = gdal_path(path)
    # A GeoJSON or FlatGeobuf file holds one layer; GDAL parses the whole file for every
    # open, so it is opened once, not three times.
    chosen = _choose_layer(path, target, layer)
    used, how = encoding, "given"
    if encoding is None and is_shapefile(path):
        used, how = shapefile_encoding(path)
    try:  # one read: the frame's CRS is the one the file declares (no read_info)
        try:
            frame = pyogrio.read_dataframe(
                target, layer=chosen, encoding=used, use_arrow=_arrow_ok(path, used)
            )
        except ShapelyError:
            raise _unparsable(path, target, chosen) from None
    except (DataSourceError, DataLayerError, UnicodeError, LookupError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法读取文件", f"cannot read the file: {exc}"))
        ) from exc
    if path.suffix.lower() in (".kml", ".kmz"):
        frame = _tidy_kml(frame)
    if used is not None and how == "detected" and used != "utf-8":
        frame.attrs["encoding_note"] = f"attribute encoding detected as {used} (no .cpg file)"
    declared = frame.crs.to_string() if getattr(frame, "crs", None) is not None else None
    return RawVector(frame, declared, used, chosen)


MAX_LISTED = 100
"""Unparsable geometries named in one error, at most."""


def _unparsable(path: Path, target: str, layer: str | None) -> GeometryError:
    """Name the rows whose geometry GEOS cannot build (unclosed rings, rings of fewer than
    4 points, malformed multipolygons): read the raw WKB and parse each one alone."""
    _meta, _fids, wkb, _fields = pyogrio.raw.read(target, layer=layer, columns=[])
    problems: list[Problem] = []
    for row, blob in enumerate(np.asarray(wkb, dtype=object), start=1):
        if blob is None:
            continue
        try:
            shapely.from_wkb(blob)
        except ShapelyError as exc:
            reason = str(exc).split(":", 1)[-1].strip()
            problems.append(
                Problem(
                    str(
                        Text(
                            "几何无法构建：环未闭合或点数不足",
                            f"the geometry cannot be built: {reason}; "
                            "a polygon ring needs at least 4 "
                            "points and must end where it starts",
                        )
                    ),
                    path.name,
                    row=row,
                    field="geometry",
                )
            )
            if len(problems) >= MAX_LISTED:
                break
    if not problems:
        problems.append(Problem(str(Text("几何无法构建", "a geometry cannot be built")), path.name))
    return GeometryError(problems)


_KML_STRUCTURE = (
    "Name",
    "description",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
    "snippet",
)


def _tidy_kml(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop LIBKML's empty structural columns; its ``id`` is the placemark's XML id, not a
    business id, so it becomes ``kml_id``."""
    empty = [
        c for c in _KML_STRUCTURE if c in frame.columns and frame[c].replace("", None).isna().all()
    ]
    tidy = frame.drop(columns=empty)
    if "id" in tidy.columns:
        tidy = tidy.rename(columns={"id": "kml_id"})
    return tidy


def is_geoparquet(path: Path) -> bool:
    """Does a Parquet file carry GeoParquet metadata (else it is a plain table)?"""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except Exception:  # unreadable: let the GeoParquet reader say why
        return True
    return b"geo" in metadata


def _read_parquet(path: Path) -> RawVector:
    try:
        frame = gpd.read_parquet(path)
    except Exception as exc:  # pyarrow and geopandas raise many types for a bad file
        raise FileFormatError.single(
            path.name, str(Text("无法读取 GeoParquet", f"cannot read GeoParquet: {exc}"))
        ) from exc
    crs = frame.crs.to_wkt() if frame.crs is not None else None
    return RawVector(frame, crs, None, None)


def is_shapefile(path: Path) -> bool:
    if path.suffix.lower() == ".shp":
        return True
    if path.suffix.lower() != ".zip":
        return False
    with zipfile.ZipFile(path) as zf:
        return any(n.lower().endswith(".shp") for n in zf.namelist())


def gdal_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            raise FileFormatError.single(
                path.name, str(Text("文件不是 zip 压缩包", "not a zip archive"))
            )
        return f"/vsizip/{path.resolve()}"
    if path.suffix.lower() == ".kmz":
        if not zipfile.is_zipfile(path):
            raise FileFormatError.single(
                path.name, str(Text("不是 KMZ 压缩包", "not a KMZ (zip) archive"))
            )
        with zipfile.ZipFile(path) as zf:
            kml = next((n for n in zf.namelist() if n.lower().endswith(".kml")), None)
        if kml is None:
            raise FileFormatError.single(
                path.name, "the KMZ holds no .kml document (KMZ 中没有 .kml 文件)"
            )
        return f"/vsizip/{path.resolve()}/{kml}"
    return str(path)


def _arrow_ok(path: Path, encoding: str | None) -> bool:
    # Arrow is fastest; for shapefiles pyogrio applies the encoding through GDAL's
    # SHAPE_ENCODING, elsewhere only the row-by-row reader decodes a forced encoding.
    if path.suffix.lower() in (".kml", ".kmz"):
        return False
    return encoding is None or _is_shapefile_path(path)


def _is_shapefile_path(path: Path) -> bool:
    return path.suffix.lower() in (".shp", ".zip")


_SINGLE_LAYER = (".geojson", ".json", ".shp", ".fgb")
"""Formats that hold exactly one layer: nothing to choose, so the file is not opened to
list its layers (a GeoJSON was parsed once to list, once for its CRS, once to read)."""

_TOPOJSON_HEAD = 4096


def holds_one_layer(path: Path) -> bool:
    """Is the file of a format that holds exactly one layer (GeoJSON, Shapefile,
    FlatGeobuf)?  A ``.json`` may be TopoJSON, one layer per object: its first bytes say so.
    """
    suffix = path.suffix.lower()
    if suffix not in _SINGLE_LAYER:
        return False
    if suffix not in (".json", ".geojson"):
        return True
    try:
        with path.open("rb") as f:
            head = f.read(_TOPOJSON_HEAD)
    except OSError:
        return True  # reading it names the problem
    return b'"Topology"' not in head


def _choose_layer(path: Path, target: str, layer: str | None) -> str | None:
    if layer is None and holds_one_layer(path):
        return None
    try:
        listed = pyogrio.list_layers(target)
    except (DataSourceError, DataLayerError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法打开文件", f"cannot open the file: {_first_line(exc)}"))
        ) from exc
    names = [str(n) for n in listed[:, 0]]
    if layer is not None:
        if layer not in names:
            raise FileFormatError.single(
                path.name,
                str(Text("没有该图层", f"no layer {layer!r}; layers are {', '.join(names)}")),
                field="layer",
            )
        return layer
    if len(names) > 1:
        raise FileFormatError.single(
            path.name,
            str(
                Text(
                    "文件含多个图层，请用 --layer 指定",
                    f"the file holds {len(names)} layers: {', '.join(names)}; choose one with "
                    "--layer NAME",
                )
            ),
            field="layer",
        )
    return names[0] if names else None


def pick_layer(path: Path, wanted: str | None) -> str | None:
    """The layer of a result file to read: ``wanted`` when the file holds it.

    A file of one layer is read whatever its layer is called (None); a file of several
    gives ``wanted``, or its first layer when nothing is wanted (a result GeoPackage keeps
    its main layer first).  None too for a file that cannot be listed: reading it names the
    problem.

    Raises
    ------
    FileFormatError
        The file holds several layers and none is called ``wanted``.
    """
    if path.suffix.lower() in PARQUET_SUFFIXES or holds_one_layer(path):
        return None  # one layer: read whatever it is called, without opening the file twice
    try:
        names = [str(n) for n in pyogrio.list_layers(gdal_path(path))[:, 0]]
    except (DataSourceError, DataLayerError, ValueError):
        return None
    if wanted in names:
        return wanted
    if len(names) <= 1:
        return None
    if wanted is None:
        return names[0]
    raise FileFormatError.single(
        path.name,
        str(Text("没有该图层", f"no layer {wanted!r}; layers are {', '.join(names)}")),
        field="layer",
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
