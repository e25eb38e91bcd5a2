"""``write_layer``: a layer to GeoJSON, GeoPackage, GeoParquet, Shapefile, KML/KMZ, CSV or XLSX.

Shapefile (with ``.cpg``; ``encoding="gbk"`` for older Chinese desktop GIS) and KML/KMZ
are in :mod:`gis.io.exchange`.

CSV and XLSX carry the geometry as text: ``lon``/``lat`` columns for point layers in a
geographic CRS (``x``/``y`` in a projected one), a ``wkt`` column otherwise.  CSV is
written as UTF-8 with a byte-order mark so that Excel shows Chinese text correctly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from gis import crs as gcrs
from gis.errors import ConfigError, FileFormatError
from gis.i18n import Text
from gis.io.exchange import ShapefileEncoding, write_kml, write_shapefile

Format = Literal["geojson", "gpkg", "parquet", "shp", "kml", "kmz", "csv", "xlsx"]

_BY_SUFFIX: dict[str, Format] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".shp": "shp",
    ".kml": "kml",
    ".kmz": "kmz",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
EXCEL_CELL_LIMIT = 32_767
"""Excel refuses longer text in one cell."""


def write_layer(
    gdf: gpd.GeoDataFrame | pd.DataFrame,
    path: str | Path,
    *,
    format: Format | None = None,
    layer: str | None = None,
    to_crs: str | int | pyproj.CRS | None = None,
    encoding: ShapefileEncoding = "utf-8",
) -> Path:
    """Write a layer; the format follows the file suffix unless given.

    Parameters
    ----------
    gdf
        The layer (a plain DataFrame for officer assignments: CSV/XLSX only).
    path
        Output file.  A GeoPackage that exists keeps its other layers; the named layer is
        replaced.
    format
        ``"geojson"``, ``"gpkg"``, ``"parquet"``, ``"shp"``, ``"kml"``, ``"kmz"``,
        ``"csv"`` or ``"xlsx"``.
    layer
        Layer name in a GeoPackage (default: the file stem) or sheet name in XLSX.
    to_crs
        Write in another CRS, including ``"gcj02"`` / ``"bd09"`` for Amap/Baidu users
        (converted from WGS84 with :func:`gis.crs.from_wgs84`).  KML is always lon/lat.
    encoding
        Shapefile attribute encoding, written to the ``.cpg`` file: ``"utf-8"`` or ``"gbk"``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> write_layer(layer.gdf, "grids.xlsx", to_crs="gcj02")  # doctest: +SKIP
    """
    path = Path(path)
    fmt = format or _BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError(
            str(
                Text(
                    "不支持的输出格式",
                    f"{path.name}: unknown output format {path.suffix!r}; use one of "
                    f"{', '.join(sorted(_BY_SUFFIX))} or format=",
                )
            )
        )
    if to_crs is not None and isinstance(gdf, gpd.GeoDataFrame):
        gdf = _reproject(gdf, to_crs)
    try:
        if fmt in ("csv", "xlsx"):
            _write_table(gdf, path, fmt=fmt, sheet=layer)
        elif not isinstance(gdf, gpd.GeoDataFrame):
            raise ConfigError(
                str(
                    Text(
                        "无几何的表只能导出为 CSV 或 XLSX",
                        f"{path.name}: a table without geometry can only go to CSV or XLSX",
                    )
                )
            )
        elif fmt == "parquet":
            gdf.to_parquet(path)
        elif fmt == "shp":
            write_shapefile(gdf, path, encoding=encoding)
        elif fmt in ("kml", "kmz"):
            write_kml(gdf, path, zipped=fmt == "kmz")
        elif fmt in ("geojson", "gpkg"):
            _write_ogr(gdf, path, fmt=fmt, layer=layer)
    except OSError as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法写入", f"cannot write: {exc}"))
        ) from exc
    return path


TableEncoding = Literal["utf-8", "utf-8-sig", "gbk", "gb18030"]


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    encoding: TableEncoding = "utf-8-sig",
    float_format: str | None = None,
    date_format: str | None = None,
) -> Path:
    """A plain table (no geometry: see :func:`write_layer`) as CSV with ``\\n`` line ends.

    UTF-8 with a byte-order mark by default, so that Excel shows Chinese text correctly;
    ``"gbk"`` for older Chinese desktop software.

    >>> write_table(assignments, "assignments.csv")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        frame.to_csv(
            path,
            index=False,
            encoding=encoding,
            float_format=float_format,
            date_format=date_format,
            lineterminator="\n",
        )
    except OSError as exc:
        message = Text(f"无法写入：{exc}", f"cannot write: {exc}")
        raise FileFormatError.single(path.name, str(message)) from exc
    return path


def _reproject(gdf: gpd.GeoDataFrame, to_crs: str | int | pyproj.CRS) -> gpd.GeoDataFrame:
    target = gcrs.parse_crs(to_crs)
    if target.chinese is None:
        return gdf.to_crs(target.crs)
    wgs84 = gdf.to_crs("EPSG:4326") if gdf.crs is not None else gdf
    return gcrs.from_wgs84(wgs84, target=target.chinese)


def _write_ogr(
    gdf: gpd.GeoDataFrame, path: Path, *, fmt: Literal["geojson", "gpkg"], layer: str | None
) -> None:
    if fmt == "geojson":
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
        return
    name = layer or path.stem
    existing = path.exists() and name in pyogrio.list_layers(path)[:, 0]
    options = {"OVERWRITE": "YES"} if existing else {}
    pyogrio.write_dataframe(
        gdf, path, layer=name, driver="GPKG", layer_options=options, append=False
    )


def _write_table(
    gdf: pd.DataFrame, path: Path, *, fmt: Literal["csv", "xlsx"], sheet: str | None
) -> None:
    table = _as_table(gdf)
    if fmt == "csv":
        write_table(table, path)
        return
    if "wkt" in table.columns:
        lengths = table["wkt"].fillna("").str.len().to_numpy()
        too_long = np.flatnonzero(lengths > EXCEL_CELL_LIMIT)
        if too_long.size:
            raise FileFormatError.single(
                path.name,
                str(
                    Text(
                        "几何过长，Excel 单元格放不下",
                        f"the geometry of {too_long.size} rows is longer than Excel's "
                        f"{EXCEL_CELL_LIMIT:,} characters per cell ({lengths.max():,}); export to "
                        "GeoPackage or GeoJSON, or simplify first",
                    )
                ),
                row=int(too_long[0]) + 1,
                field="geometry",
            )
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=sheet or "layer", index=False)


def _as_table(gdf: pd.DataFrame) -> pd.DataFrame:
    """Geometry as lon/lat (points) or WKT text; everything else unchanged."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        return pd.DataFrame(gdf)
    geoms = gdf.geometry.to_numpy()
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    present = geoms[~shapely.is_missing(geoms)]
    geographic = gdf.crs is None or gdf.crs.is_geographic
    if present.size and (shapely.get_type_id(present) == 0).all():
        x_name, y_name = ("lon", "lat") if geographic else ("x", "y")
        table[x_name] = shapely.get_x(geoms)
        table[y_name] = shapely.get_y(geoms)
    else:
        precision = 8 if geographic else 3  # ~1 mm either way
        table["wkt"] = shapely.to_wkt(geoms, rounding_precision=precision, trim=True)
    return table
