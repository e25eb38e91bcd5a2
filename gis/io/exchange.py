"""Shapefile and KML/KMZ: the formats 综治 and police platforms import.

- **Shapefile**: one geometry family per file (points, lines or polygons; single and
  multi parts mix), field names of at most 10 *bytes* in the chosen encoding (a Chinese
  character takes 2 in GBK, 3 in UTF-8), dates as text, and a ``.cpg`` file naming the
  encoding (``UTF-8`` by default, ``GBK`` for older Chinese desktop GIS).  Long names are
  shortened, uniquely, never cut inside a character.
- **KML/KMZ**: always longitude/latitude (KML requires WGS84; ``to_crs="gcj02"`` gives
  Amap-offset coordinates for Chinese viewers that expect them); the ``name`` column
  names the placemarks.  KMZ is the KML zipped as ``doc.kml``.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from gis.errors import ConfigError, FileFormatError
from gis.i18n import Text

ShapefileEncoding = Literal["utf-8", "gbk"]
FIELD_BYTES = 10
_FAMILY = {0: "point", 4: "point", 1: "line", 5: "line", 3: "polygon", 6: "polygon"}


def write_shapefile(
    gdf: gpd.GeoDataFrame, path: Path, *, encoding: ShapefileEncoding = "utf-8"
) -> Path:
    """Write ``gdf`` as ``path`` (``.shp`` with ``.shx``, ``.dbf``, ``.prj``, ``.cpg``)."""
    if encoding not in ("utf-8", "gbk"):
        raise ConfigError(f"shapefile encoding must be utf-8 or gbk, got {encoding!r}")
    _one_family(gdf, path)
    table = _fields(gdf, encoding)
    for old in path.parent.glob(f"{path.stem}.*"):
        if old.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            old.unlink()
    try:
        pyogrio.write_dataframe(
            table, path, driver="ESRI Shapefile", encoding=encoding.upper(), promote_to_multi=True
        )
    except UnicodeEncodeError as exc:
        raise FileFormatError.single(
            path.name,
            str(Text("无法用该编码写入", f"text cannot be written in {encoding.upper()}: {exc}")),
        ) from exc
    path.with_suffix(".cpg").write_text("UTF-8" if encoding == "utf-8" else "GBK", encoding="ascii")
    return path


def write_kml(gdf: gpd.GeoDataFrame, path: Path, *, zipped: bool = False) -> Path:
    """Write ``gdf`` as KML (or KMZ when ``zipped``) in longitude/latitude."""
    frame = gdf
    if gdf.crs is not None and not gdf.crs.is_geographic:
        frame = gdf.to_crs(4326)
    frame = _plain_values(frame)
    options = {"NameField": "name"} if "name" in frame.columns else {}
    if not zipped:
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, driver="KML", dataset_options=options)
        return path
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "doc.kml"
        pyogrio.write_dataframe(frame, doc, driver="KML", dataset_options=options)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(doc, "doc.kml")
    return path


def _one_family(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """A shapefile holds one geometry family: name the first row of another one."""
    geoms = gdf.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    families = pd.Series(shapely.get_type_id(geoms[present])).map(_FAMILY)
    if families.isna().any():
        row = int(families.index[families.isna()][0]) + 1
        raise FileFormatError.single(
            path.name,
            str(
                Text(
                    "几何集合无法写入 Shapefile",
                    "geometry collections cannot go to a shapefile; export to GeoPackage",
                )
            ),
            row=row,
            field="geometry",
        )
    kinds = families.unique()
    if len(kinds) > 1:
        row = int(families.index[families != families.iloc[0]][0]) + 1
        raise FileFormatError.single(
            path.name,
            f"a shapefile holds one geometry type, this layer has {', '.join(kinds)} "
            "(Shapefile 只能存一种几何类型); export to GeoPackage or split the layer",
            row=row,
            field="geometry",
        )


def _fields(gdf: gpd.GeoDataFrame, encoding: str) -> gpd.GeoDataFrame:
    """Attribute names within 10 bytes (unique), values a .dbf can hold."""
    table = _plain_values(gdf)
    used: set[str] = set()
    names = {}
    for column in table.columns:
        if column == table.geometry.name:
            continue
        names[column] = _short(str(column), encoding, used)
    return table.rename(columns=names)


def _short(name: str, encoding: str, used: set[str]) -> str:
    """``name`` cut to 10 bytes on a character boundary, made unique with a number."""
    cut = _fit(name, encoding, FIELD_BYTES)
    candidate, n = cut, 1
    while candidate.lower() in used:
        suffix = f"_{n}"
        candidate = _fit(name, encoding, FIELD_BYTES - len(suffix)) + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _fit(text: str, encoding: str, limit: int) -> str:
    out = ""
    for ch in text:
        if len((out + ch).encode(encoding, errors="replace")) > limit:
            break
        out += ch
    return out


def _plain_values(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dates as ISO text, booleans as integers: what .dbf and KML carry everywhere."""
    out = gdf.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
        elif pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(int)
    return out
