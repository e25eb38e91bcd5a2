"""Size limits on inputs, checked before the expensive work.

An archive (zipped shapefile, KMZ, XLSX) is judged by its central directory alone: the
declared uncompressed size of every member and their number, read without decompressing
anything, so a zip bomb is refused before a byte of it is inflated.  Decompressors
(Python's ``zipfile`` and GDAL's ``/vsizip``) stop at a member's declared size, so the
declared sizes bound what is read afterwards.  Geometries are judged by their vertex counts,
per feature and per layer, before validation or storage.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gis.errors import FileFormatError, LayerError, LimitError, Problem
from gis.i18n import Text

ARCHIVE_SUFFIXES = (".zip", ".kmz", ".xlsx", ".xlsm")
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class InputLimits:
    """How large an input may be.

    Attributes
    ----------
    archive_bytes
        Total declared uncompressed size of an archive's members.
    archive_members
        Number of members in an archive.
    feature_vertices
        Vertices of one feature's geometry.
    layer_vertices
        Vertices of all features of a layer together.
    feature_degrees
        Degrees of longitude or latitude one feature may span (a district is far smaller).
    """

    archive_bytes: int = 512 * 2**20
    archive_members: int = 1000
    feature_vertices: int = 200_000
    layer_vertices: int = 5_000_000
    feature_degrees: float = 10.0


def check_archive(path: Path, *, limits: InputLimits) -> None:
    """Refuse an archive whose members are too many or too large (declared sizes).

    Raises
    ------
    LimitError
        Over ``limits.archive_members`` or ``limits.archive_bytes``.
    FileFormatError
        A zip archive whose directory cannot be read.
    """
    if path.suffix.lower() not in ARCHIVE_SUFFIXES or not zipfile.is_zipfile(path):
        return  # not an archive at all: the reader says so in its own words
    declared = _declared_members(path)
    if declared is not None and declared > limits.archive_members:
        raise _too_many(path, declared, limits)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法读取压缩包", f"not a readable zip archive: {exc}"))
        ) from None
    if len(infos) > limits.archive_members:
        raise _too_many(path, len(infos), limits)
    total = sum(i.file_size for i in infos)
    if total > limits.archive_bytes:
        biggest = max(infos, key=lambda i: i.file_size)
        raise LimitError.single(
            path.name,
            str(
                Text(
                    "压缩包解压后过大",
                    f"the archive unpacks to {total} bytes, "
                    f"over the {limits.archive_bytes} byte limit "
                    f"(largest member {biggest.filename!r}: {biggest.file_size} bytes)",
                )
            ),
        )


def _too_many(path: Path, count: int, limits: InputLimits) -> LayerError:
    return LimitError.single(
        path.name,
        str(
            Text(
                "压缩包内文件过多",
                f"the archive holds {count} members, over the limit of {limits.archive_members}",
            )
        ),
    )


def _declared_members(path: Path) -> int | None:
    """The member count of the end-of-central-directory record, before parsing the
    directory itself (None when there is no plain record, e.g. Zip64)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - _EOCD_SIZE - _MAX_COMMENT))
        tail = f.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    count = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if count == 0xFFFF else int(count)


def check_vertices(
    geoms: Sequence[object] | np.ndarray,
    *,
    limits: InputLimits,
    source: str,
    rows: Sequence[int] | np.ndarray | None = None,
) -> None:
    """Refuse features over ``limits.feature_vertices`` or a layer over ``layer_vertices``.

    Raises
    ------
    LimitError
        Naming every oversized row (``rows``: the file's row numbers, 1-based by default).
    """
    counts = shapely.get_num_coordinates(np.asarray(geoms, dtype=object))
    check_vertex_counts(counts, limits=limits, source=source, rows=rows)


def geojson_vertices(features: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Vertices of each GeoJSON feature's geometry, counted in the parsed JSON itself, so
    an oversized edit is refused before any geometry is built."""
    return np.array(
        [_count(f.get("geometry") if isinstance(f, Mapping) else None) for f in features]
    )


def _count(geometry: object) -> int:
    if not isinstance(geometry, Mapping):
        return 0
    if geometry.get("type") == "GeometryCollection":
        parts = geometry.get("geometries")
        return sum(_count(g) for g in parts) if isinstance(parts, list) else 0
    stack, n = [geometry.get("coordinates")], 0
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and not isinstance(item[0], list):
            n += 1  # a position
        elif isinstance(item, list):
            stack.extend(item)
    return n


def check_vertex_counts(
    counts: np.ndarray,
    *,
    limits: InputLimits,
    source: str,
    rows: Sequence[int] | np.ndarray | None = None,
) -> None:
    """:func:`check_vertices` on counts already known (see :func:`geojson_vertices`)."""
    numbers = np.arange(1, len(counts) + 1) if rows is None else np.asarray(rows)
    big = np.flatnonzero(counts > limits.feature_vertices)
    if len(big):
        raise LimitError(
            [
                Problem(
                    str(
                        Text(
                            "几何顶点过多",
                            f"the geometry has {int(counts[i])} vertices, over the limit of "
                            f"{limits.feature_vertices} per feature; simplify it first",
                        )
                    ),
                    source,
                    row=int(numbers[i]),
                    field="geometry",
                )
                for i in big[:100]
            ]
        )
    total = int(counts.sum())
    if total > limits.layer_vertices:
        raise LimitError.single(
            source,
            str(
                Text(
                    "图层顶点总数过多",
                    f"the layer has {total} vertices, "
                    f"over the limit of {limits.layer_vertices} per "
                    "layer; split or simplify it",
                )
            ),
            field="geometry",
        )
