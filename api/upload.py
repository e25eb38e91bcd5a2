"""Receiving an uploaded layer file: size-limited spooling, then ``gis.io`` validation."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
from fastapi import HTTPException, UploadFile

from gis.errors import FileFormatError

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".csv", ".xlsx", ".kml", ".fgb")


async def read_upload(
    upload: UploadFile, *, kind: str, crs: str | None, max_bytes: int
) -> gpd.GeoDataFrame:
    """The uploaded file as a validated canonical frame; 413 past ``max_bytes``."""
    name = Path(upload.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileFormatError.single(
            name, f"unsupported file type {suffix or '(none)'}; use one of {', '.join(SUFFIXES)}"
        )
    with tempfile.TemporaryDirectory(prefix="beatgrid-upload-") as tmp:
        path = Path(tmp) / name
        size = 0
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(413, f"{name}: file over the {max_bytes} byte upload limit")
                out.write(chunk)
        if size == 0:
            raise FileFormatError.single(name, "the file is empty")
        return _read(path, kind=kind, crs=crs)


def _read(path: Path, *, kind: str, crs: str | None) -> gpd.GeoDataFrame:
    try:
        from gis.io import read_layer
    except ImportError:  # gis.io not installed yet: plain reading, the store still checks ids
        return _read_plain(path, crs=crs)
    return read_layer(path, kind=kind, crs=crs).gdf


def _read_plain(path: Path, *, crs: str | None) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises many types for unreadable files
        raise FileFormatError.single(path.name, f"cannot read the file: {exc}") from None
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    return gdf
