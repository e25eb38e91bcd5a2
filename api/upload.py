"""Receiving an uploaded layer file: size-limited spooling, then ``gis.io`` reading.

The upload is spooled to a private temporary folder (413 past ``max_bytes``) and read by
:func:`gis.io.read_layer` under the service's :class:`~gis.io.limits.InputLimits`: an
archive's declared uncompressed size and member count are judged from its central
directory before anything in it is read, and vertex counts before validation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
from fastapi import HTTPException, UploadFile

from gis.errors import FileFormatError
from gis.io import InputLimits, read_layer

NAME_BYTES = 120
"""A spooled file's name is cut to this many bytes (file systems allow 255)."""

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".csv", ".xlsx", ".kml", ".fgb")


async def read_upload(
    upload: UploadFile,
    *,
    kind: str,
    crs: str | None,
    max_bytes: int,
    limits: InputLimits | None = None,
) -> gpd.GeoDataFrame:
    """The uploaded file as a validated canonical frame; 413 past ``max_bytes``."""
    name = _safe_name(upload.filename)
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
        return read_layer(path, kind=kind, crs=crs, limits=limits).gdf


def _safe_name(filename: str | None) -> str:
    """The client's file name, usable as a local name: no folders, no control characters,
    the stem cut to :data:`NAME_BYTES` bytes (the suffix kept)."""
    name = Path((filename or "upload").replace("\\", "/")).name
    name = "".join(c if c.isprintable() else "_" for c in name).strip()
    if name.strip(".") == "":
        name = "upload"
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode()) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while len(stem.encode()) > NAME_BYTES:
        stem = stem[:-1]
    return f"{stem or 'upload'}{suffix}"
