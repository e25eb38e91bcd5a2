"""``read_layer``: any supported file → a validated :class:`~gis.io.layer.Layer`.

The steps, each a small function::

    _open  (vector file via pyogrio, or CSV/XLSX table)  →  recognise columns (gis.fields)
      →  build point/WKT geometry for tables  →  settle the CRS  →  drop unplaceable points
      →  validate_layer  →  gis.crs.check_coordinates  →  GCJ-02/BD-09 → WGS84
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis import crs as gcrs
from gis.errors import (
    CRSError,
    CRSWarning,
    DataQualityWarning,
    FileFormatError,
    Problem,
)
from gis.fields import ColumnMatch, header_score, recognise
from gis.i18n import Text
from gis.io.layer import Layer
from gis.io.limits import InputLimits, check_archive, check_vertices
from gis.io.plausible import check_crs_fits, check_extent
from gis.io.tabular import from_lonlat, from_wkt, plausible_lonlat, read_table
from gis.io.validate import kind_spec, validate_layer
from gis.io.vector import (
    PARQUET_SUFFIXES,
    VECTOR_SUFFIXES,
    is_geoparquet,
    pick_layer,
    read_vector,
)
from gis.layers import LayerKind, LayerSpec

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
SUPPORTED = (*VECTOR_SUFFIXES, *PARQUET_SUFFIXES, *TABLE_SUFFIXES)


@dataclass
class _Raw:
    """What a file gave, before validation."""

    frame: pd.DataFrame
    match: ColumnMatch
    geometry: np.ndarray | None
    declared_crs: str | None
    rejected: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_layer(
    path: str | Path,
    *,
    kind: LayerKind | str,
    layer: str | None = None,
    crs: str | int | pyproj.CRS | None = None,
    encoding: str | None = None,
    mapping: Mapping[str, str] | None = None,
    lon: str | None = None,
    lat: str | None = None,
    wkt: str | None = None,
    repair: bool = False,
    limits: InputLimits | None = None,
    tz: str | None = None,
) -> Layer:
    """Read, recognise, validate and convert one layer of a file.

    Parameters
    ----------
    path
        GeoJSON, Shapefile (``.shp`` or ``.zip``), GeoPackage, KML/KMZ, GeoParquet, CSV or
        XLSX (with lon/lat or WKT columns).
    kind
        Layer kind to read it as (``"grid"``, ``LayerKind.BEAT`` …).
    layer
        Layer (GeoPackage, KML) or sheet (XLSX) name; needed when the file holds several.
    crs
        The coordinate system, when the file does not declare it or declares it wrongly:
        ``"EPSG:4490"``, ``4326``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"``, WKT, proj string.
        GCJ-02 and BD-09 data is converted to WGS84.
    encoding
        Force the attribute encoding (``"gbk"``); detected when omitted.
    mapping
        Canonical field → column, for columns not recognised automatically.
    lon, lat, wkt
        Coordinate columns of a table, when not recognised automatically.
    repair
        Repair invalid polygons (reported in ``Layer.repairs``) instead of refusing them.
    limits
        Archive size and member count, vertices per feature and per layer (default
        :class:`~gis.io.limits.InputLimits`); an archive is judged before it is read.
    tz
        Local time zone (IANA name) for times that carry a zone: they are converted to it
        and kept as local wall-clock time, so days are counted in local time.  Default
        ``Asia/Shanghai`` for data in China, UTC elsewhere.

    Returns
    -------
    Layer
        In the declared CRS, or WGS84 for GCJ-02/BD-09 input.

    Raises
    ------
    FileFormatError, FieldError, GeometryError, CRSError
        Every problem found, each naming the file, row, feature id and field.
    LimitError
        The input is over one of ``limits``.

    Examples
    --------
    >>> grids = read_layer("grids.shp", kind="grid", crs="EPSG:4490")  # doctest: +SKIP
    >>> grids.column_map                                              # doctest: +SKIP
    {'id': 'WGBM', 'name': '网格名称', 'parent_id': '所属社区'}
    """
    path = Path(path)
    sp = kind_spec(kind)
    source = path.name if layer is None else f"{path.name}::{layer}"
    coords = {k: v for k, v in (("lon", lon), ("lat", lat), ("wkt", wkt)) if v is not None}
    limits = limits or InputLimits()
    check_file(path)
    check_archive(path, limits=limits)
    raw = _open(path, sp, layer=layer, encoding=encoding, mapping={**(mapping or {}), **coords})
    if sp.geometry == "none":
        table = _canonical(raw.frame, raw.match).reset_index(drop=True)
        result = validate_layer(
            table,
            sp.kind,
            source=source,
            crs_note="no geometry",
            column_map=raw.match.columns,
            tz=tz or "UTC",
        )
        return replace(result, path=path, warnings=(*raw.notes, *result.warnings))
    spatial = _spatial(raw, sp, crs=crs, source=source, repair=repair, limits=limits, tz=tz)
    return replace(spatial, path=path)


def read_frame(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | int | pyproj.CRS | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file that is no layer kind (findings, hot-spot cells, a road network).

    The same file checks, encoding detection, CRS rules, coordinate check and GCJ-02/BD-09
    → WGS84 conversion as :func:`read_layer`, without column recognition or validation:
    the columns come back as the file has them.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile, KML, FlatGeobuf or GeoParquet.
    layer
        The layer to read when the file holds it (``results.gpkg::cell_hotspots``); a file
        of one layer is read whatever its layer is called, a file of several gives its first
        layer when ``layer`` is None.
    crs
        The coordinate system when the file does not declare it, as for ``read_layer``.
    encoding
        Force the attribute encoding; detected when omitted.

    Raises
    ------
    FileFormatError
        Missing, empty, unreadable or unsupported file, no features, no geometry.
    CRSError
        No CRS stated or declared, or coordinates that contradict it.
    """
    path = Path(path)
    source = path.name if layer is None else f"{path.name}::{layer}"
    check_file(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        raise FileFormatError.single(
            source, str(Text("需要矢量文件", "a table has no geometry here; give a vector file"))
        )
    layer = pick_layer(path, layer)
    raw = read_vector(path, layer=layer, encoding=encoding)
    frame = raw.frame
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise FileFormatError.single(source, str(Text("文件没有几何", "the file has no geometry")))
    src, _ = _settle_crs(raw.crs, None, crs, source=source)
    frame = frame.set_crs(src.crs, allow_override=True)
    if len(frame):
        gcrs.check_coordinates(frame, crs=src, source=source)
    return gcrs.to_wgs84(frame, source=src) if src.chinese is not None else frame


def _spatial(
    raw: _Raw,
    sp: LayerSpec,
    *,
    crs: str | int | pyproj.CRS | None,
    source: str,
    repair: bool,
    limits: InputLimits,
    tz: str | None,
) -> Layer:
    """CRS, unplaceable points, coordinate check, validation, GCJ-02/BD-09 conversion."""
    geometry = raw.geometry
    if geometry is None and isinstance(raw.frame, gpd.GeoDataFrame):
        geometry = np.asarray(raw.frame.geometry.array, dtype=object)  # a file without .prj
    src, note = _settle_crs(raw.declared_crs, geometry, crs, source=source)
    gdf = gpd.GeoDataFrame(
        _canonical(raw.frame, raw.match),
        geometry=raw.geometry if raw.geometry is not None else raw.frame.geometry.to_numpy(),
        crs=src.crs,
    )
    gdf, rows, rejected = _drop_unplaceable(gdf, sp, raw.rejected, source)
    check_vertices(gdf.geometry.to_numpy(), limits=limits, source=source, rows=rows)
    _check_plausible(gdf, src, source=source, rows=rows, limits=limits)
    result = validate_layer(
        gdf,
        sp.kind,
        source=source,
        repair=repair,
        rows=rows,
        crs_note=note,
        column_map=raw.match.columns,
        tz=tz or default_zone(gdf),
    )
    out = result.gdf.reset_index(drop=True)
    if src.chinese is not None:
        out = gcrs.to_wgs84(out, source=src)
    notes = (*raw.notes, *_rejected_notes(rejected, source))
    return replace(result, gdf=out, warnings=(*notes, *result.warnings), rejected=rejected)


def _check_plausible(
    gdf: gpd.GeoDataFrame,
    src: gcrs.SourceCRS,
    *,
    source: str,
    rows: np.ndarray,
    limits: InputLimits,
) -> None:
    """The CRS fits the values, the values fit the CRS, and no feature is world-sized."""
    geoms = gdf.geometry.to_numpy()
    check_crs_fits(src.crs, shapely.get_coordinates(geoms), name=src.name, source=source)
    gcrs.check_coordinates(gdf, crs=src, source=source, rows=rows)
    check_extent(_lonlat_bounds(geoms, src.crs), limits=limits, source=source, rows=rows)


def _lonlat_bounds(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Each feature's bounding box in longitude/latitude, (n, 4): its corners converted
    (what converting its envelope gives, without building an envelope per feature)."""
    box = shapely.bounds(geoms)
    if crs.is_geographic or len(box) == 0:
        return box
    xs, ys = box[:, [0, 0, 2, 2]], box[:, [1, 3, 1, 3]]
    lon, lat = _to_lonlat(crs).transform(xs.ravel(), ys.ravel())
    lon, lat = np.reshape(lon, xs.shape), np.reshape(lat, ys.shape)
    return np.column_stack([lon.min(axis=1), lat.min(axis=1), lon.max(axis=1), lat.max(axis=1)])


@lru_cache(maxsize=32)
def _to_lonlat(crs: pyproj.CRS) -> pyproj.Transformer:
    """One transformer per source CRS (building one costs ~0.1-0.6 s; a district's
    layers share their CRS)."""
    return pyproj.Transformer.from_crs(crs, 4326, always_xy=True)


def default_zone(gdf: gpd.GeoDataFrame) -> str:
    """``Asia/Shanghai`` when the bulk of the features lies in China, else ``UTC``."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)[:: max(1, len(gdf) // 10_000)]
    box = shapely.bounds(geoms)
    x, y = (box[:, 0] + box[:, 2]) / 2.0, (box[:, 1] + box[:, 3]) / 2.0
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any() or gdf.crs is None:
        return "UTC"
    lon, lat = _to_lonlat(pyproj.CRS.from_user_input(gdf.crs)).transform(x[ok], y[ok])
    china = gcrs.in_china(float(np.median(lon)), float(np.median(lat)))
    return "Asia/Shanghai" if bool(china) else "UTC"


def _open(
    path: Path,
    sp: LayerSpec,
    *,
    layer: str | None,
    encoding: str | None,
    mapping: Mapping[str, str],
) -> _Raw:
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES or (suffix in PARQUET_SUFFIXES and not is_geoparquet(path)):
        return _open_table(path, sp, layer=layer, encoding=encoding, mapping=mapping)
    raw = read_vector(path, layer=layer, encoding=encoding)
    if len(raw.frame) == 0:
        raise FileFormatError.single(
            path.name, str(Text("文件没有要素", "the file has no features"))
        )
    spatial = isinstance(raw.frame, gpd.GeoDataFrame) and raw.frame.geometry.name in raw.frame
    if sp.geometry != "none" and not spatial:
        raise FileFormatError.single(
            path.name,
            f"the layer has no geometry; {sp.label_en} needs one ({sp.label_zh}需要几何)",
            field="geometry",
        )
    geometry_name = raw.frame.geometry.name if spatial else None
    columns = [c for c in raw.frame.columns if c != geometry_name]
    fields = {k: v for k, v in mapping.items() if k not in ("lon", "lat", "wkt")}
    match = recognise(columns, sp.kind, mapping=fields, source=path.name)
    notes = [raw.frame.attrs["encoding_note"]] if "encoding_note" in raw.frame.attrs else []
    return _Raw(raw.frame, match, None, raw.crs, notes=notes)


def check_file(path: Path) -> None:
    if not path.exists():
        raise FileFormatError.single(path.name, str(Text("文件不存在", f"file not found: {path}")))
    if path.is_dir():
        raise FileFormatError.single(
            path.name, str(Text("这是文件夹，不是文件", "is a folder, not a file"))
        )
    if path.stat().st_size == 0:
        raise FileFormatError.single(
            path.name, str(Text("文件为空", "the file is empty (0 bytes)"))
        )
    if path.suffix.lower() not in SUPPORTED:
        raise FileFormatError.single(
            path.name,
            str(
                Text(
                    "不支持的格式",
                    f"unknown format {path.suffix!r}; supported: {', '.join(SUPPORTED)}",
                )
            ),
        )


def _open_table(
    path: Path,
    sp: LayerSpec,
    *,
    layer: str | None,
    encoding: str | None,
    mapping: Mapping[str, str],
) -> _Raw:
    score = partial(header_score, kind=sp.kind, coordinates=sp.geometry != "none")
    table = read_table(path, encoding=encoding, layer=layer, header_score=score)
    frame = table.frame
    has_geometry = sp.geometry != "none"
    match = recognise(
        list(frame.columns), sp.kind, mapping=mapping, coordinates=has_geometry, source=path.name
    )
    notes = [f"text encoding: {table.encoding}"] if table.encoding not in (None, "utf-8") else []
    if frame.attrs.get("header_row", 1) > 1:
        row = frame.attrs["header_row"]
        notes.append(
            str(
                Text(
                    f"表头位于第 {row} 行，行号从其下一行起算",
                    f"header found on sheet row {row}; rows are counted from the row below it",
                )
            )
        )
    if not has_geometry:
        return _Raw(frame, match, None, None, notes=notes)
    cols = match.columns
    if "wkt" in cols:
        located = from_wkt(frame, wkt=cols["wkt"], source=path.name)
    elif "lon" in cols and "lat" in cols:
        located = from_lonlat(frame, lon=cols["lon"], lat=cols["lat"], source=path.name)
    else:
        raise FileFormatError.single(
            path.name,
            str(
                Text(
                    "找不到坐标列：需要经度、纬度列或 WKT 列，可用 --map 指定",
                    "no coordinate columns found: need lon and lat or a WKT column; "
                    f"columns are {', '.join(map(str, frame.columns))}; name them with "
                    "--map lon=COL --map lat=COL or --map wkt=COL",
                )
            ),
            field="lon/lat",
        )
    return _Raw(frame, match, located.geometry, None, rejected=located.reasons, notes=notes)


def _canonical(frame: pd.DataFrame, match: ColumnMatch) -> pd.DataFrame:
    """Rename matched columns to canonical names; a clashing unmatched column gets ``_src``."""
    fields = {f: c for f, c in match.columns.items() if f not in ("lon", "lat", "wkt")}
    chosen = set(fields.values())
    clash = {c: f"{c}_src" for c in frame.columns if c in fields and c not in chosen}
    renamed = frame.rename(columns=clash).rename(columns={c: f for f, c in fields.items()})
    if isinstance(renamed, gpd.GeoDataFrame) and renamed.geometry.name in renamed:
        return pd.DataFrame(renamed.drop(columns=renamed.geometry.name))
    return renamed


def _settle_crs(
    declared: str | None,
    geometry: np.ndarray | None,
    crs: str | int | pyproj.CRS | None,
    *,
    source: str,
) -> tuple[gcrs.SourceCRS, str]:
    """The CRS stated by the user, else declared in the file, else assumed for lon/lat."""
    if crs is not None:
        src = gcrs.parse_crs(crs, source=source)
        said = f" (the file declared {_short(declared)})" if declared else ""
        return src, _note(src, f"stated by the user{said}")
    if declared is not None:
        return gcrs.parse_crs(declared, source=source), f"declared in the file: {_short(declared)}"
    if geometry is not None and plausible_lonlat(geometry):
        message = str(
            Text(
                "未指定坐标系，按 WGS84 处理",
                f"{source}: no CRS stated; the coordinates are plausible longitude/latitude, so "
                "EPSG:4326 (WGS84) is assumed. If they come from Amap/Tencent or Baidu, state "
                "crs='gcj02' or 'bd09'",
            )
        )
        warnings.warn(message, CRSWarning, stacklevel=3)
        return gcrs.parse_crs("EPSG:4326"), "assumed EPSG:4326: no CRS stated, values are lon/lat"
    raise CRSError.single(
        source,
        str(
            Text(
                "坐标系未知，请用 --crs 指定",
                "the coordinate system is unknown: the file does not declare it and the values are "
                "not longitude/latitude. State it with crs= (CLI: --crs), e.g. EPSG:4490, "
                "EPSG:4549, gcj02, bd09",
            )
        ),
        field="geometry",
    )


def _note(src: gcrs.SourceCRS, how: str) -> str:
    if src.chinese is not None:
        return f"{src.name} {how}; converted to WGS84 (EPSG:4326) on read"
    return f"{src.name} {how}"


def _short(text: str) -> str:
    try:
        found = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return text[:60]
    authority = found.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else found.name


def _drop_unplaceable(
    gdf: gpd.GeoDataFrame, sp: LayerSpec, reasons: list[Problem], source: str
) -> tuple[gpd.GeoDataFrame, np.ndarray, pd.DataFrame]:
    """Point layers keep their located rows; the others are listed, not loaded."""
    rows = np.arange(1, len(gdf) + 1)
    if sp.geometry != "point":
        return gdf, rows, _rejected_frame([])
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xy_zero = ~missing & (shapely.get_x(geoms) == 0) & (shapely.get_y(geoms) == 0)
    listed = {p.row for p in reasons}
    extra = [
        Problem(
            str(Text("无坐标或坐标为 0,0", "no geometry, or (0, 0)")),
            source,
            row=int(r),
            field="geometry",
        )
        for r in rows[(missing | xy_zero)]
        if int(r) not in listed
    ]
    keep = ~(missing | xy_zero)
    if keep.all() and not reasons:
        return gdf, rows, _rejected_frame([])  # every row placed: no copy of the frame
    if not keep.any():
        raise FileFormatError.single(
            source,
            str(Text("没有一行有可用坐标", "no row has usable coordinates")),
            field="geometry",
        )
    return gdf[keep], rows[keep], _rejected_frame([*reasons, *extra])


def _rejected_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series([p.row for p in problems], dtype="int64"),
            "field": [p.field for p in problems],
            "reason": [p.message for p in problems],
        }
    ).sort_values("row", ignore_index=True)


def _rejected_notes(rejected: pd.DataFrame, source: str) -> list[str]:
    if rejected.empty:
        return []
    shown = ", ".join(map(str, rejected["row"].head(10)))
    more = " …" if len(rejected) > 10 else ""
    note = str(
        Text(
            "缺少坐标的行未导入",
            f"{len(rejected)} rows without usable coordinates were not loaded "
            f"(rows {shown}{more}); "
            "see Layer.rejected",
        )
    )
    warnings.warn(f"{source}: {note}", DataQualityWarning, stacklevel=3)
    return [note]
