"""What a file holds, before choosing a layer kind: layers, counts, CRS, fields, encoding."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from gis.errors import FileFormatError
from gis.i18n import Text
from gis.io.encoding import shapefile_encoding
from gis.io.read import TABLE_SUFFIXES, check_file
from gis.io.tabular import read_table
from gis.io.vector import PARQUET_SUFFIXES, gdal_path, is_geoparquet, is_shapefile


@dataclass(frozen=True)
class LayerInfo:
    """One layer (or sheet) of a file."""

    name: str
    count: int
    geometry_type: str
    crs: str | None
    encoding: str | None
    fields: tuple[str, ...]


def describe(path: str | Path, *, encoding: str | None = None) -> list[LayerInfo]:
    """Describe every layer of a file without validating it.

    Raises
    ------
    FileFormatError
        The file is missing, empty or unreadable.
    """
    path = Path(path)
    check_file(path)
    suffix = path.suffix.lower()
    plain_parquet = suffix in PARQUET_SUFFIXES and not is_geoparquet(path)
    if suffix in TABLE_SUFFIXES or plain_parquet:
        table = read_table(path, encoding=encoding)
        fields = tuple(str(c) for c in table.frame.columns)
        return [LayerInfo(path.stem, len(table.frame), "table", None, table.encoding, fields)]
    if suffix in PARQUET_SUFFIXES:
        import geopandas as gpd

        try:
            frame = gpd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a bad file
            raise FileFormatError.single(
                path.name, str(Text("无法读取 GeoParquet", f"cannot read GeoParquet: {exc}"))
            ) from exc
        crs = frame.crs.to_string() if frame.crs is not None else None
        fields = tuple(c for c in frame.columns if c != frame.geometry.name)
        types = ", ".join(sorted(set(frame.geom_type.dropna())))
        return [LayerInfo(path.stem, len(frame), types, crs, None, fields)]
    return _describe_ogr(path, encoding)


def _describe_ogr(path: Path, encoding: str | None) -> list[LayerInfo]:
    target = gdal_path(path)
    used = encoding
    if used is None and is_shapefile(path):
        used, _ = shapefile_encoding(path)
    try:
        names = [str(n) for n in pyogrio.list_layers(target)[:, 0]]
        infos = [(n, pyogrio.read_info(target, layer=n, encoding=used)) for n in names]
    except (DataSourceError, DataLayerError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法读取文件", f"cannot read the file: {exc}"))
        ) from exc
    return [
        LayerInfo(
            name,
            int(info["features"]),
            str(info["geometry_type"]),
            info["crs"],
            used or info.get("encoding"),
            tuple(str(f) for f in info["fields"]),
        )
        for name, info in infos
    ]
