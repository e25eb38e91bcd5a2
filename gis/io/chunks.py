"""Tables of any size, chunk by chunk: CSV (plain or compressed), XLSX, (Geo)Parquet.

Rows are read ``chunk_size`` at a time (pandas' chunked CSV reader, openpyxl in
read-only mode, pyarrow record batches) and written by :class:`ChunkWriter`, which appends
each chunk at once, so memory holds one chunk, not the file.  The output format follows
its suffix: ``.csv`` (UTF-8 with BOM, opens in Excel), ``.xlsx`` (write-only workbook) or
``.parquet`` (GeoParquet with the WGS84 points of ``geocode_lon`` / ``geocode_lat``).
:func:`gis.geocoding.batch.geocode_file` streams a file through the geocoder with them.

CSV text encoding: UTF-8 (with or without BOM) or GB18030/GBK, detected from the first
megabyte; bytes that still do not decode become U+FFFD, so a bad row is reported by the
caller instead of breaking the batch.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from gis.errors import FileFormatError
from gis.i18n import Text
from gis.io.encoding import text_encoding

SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet", ".geoparquet")


COMPRESSED = (".gz", ".zip", ".bz2", ".xz")
"""Compressed CSV inputs (``incidents.csv.gz``; a ``.zip`` holding one CSV)."""


def format_suffix(path: Path) -> str:
    """The suffix that says the format: ``.csv`` for ``incidents.csv.gz`` and ``data.zip``."""
    suffix = path.suffix.lower()
    if suffix in COMPRESSED:
        inner = Path(path.stem).suffix.lower()
        return inner if inner in SUFFIXES else ".csv"
    return suffix


def peek_columns(path: str | Path, *, encoding: str | None = None) -> list[str]:
    """The column names of an input file (its first chunk of one row)."""
    first = next(iter(read_chunks(path, chunk_size=1, encoding=encoding)), None)
    return [] if first is None else [str(c) for c in first.columns]


def count_rows(path: str | Path) -> int | None:
    """Data rows in a file, cheaply (line count for CSV; None when unknown)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        return int(pq.ParquetFile(path).metadata.num_rows)
    if suffix in (".csv", ".txt"):
        with path.open("rb") as f:
            lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
        return max(lines - 1, 0)
    return None


def read_chunks(
    path: str | Path, *, chunk_size: int = 100_000, encoding: str | None = None
) -> Iterator[pd.DataFrame]:
    """The rows of a CSV / XLSX / (Geo)Parquet file, ``chunk_size`` at a time.

    CSV and XLSX cells come as text (so that ``"12,5"`` or ``"abc"`` in a coordinate
    column is reported, not silently lost); GeoParquet chunks are GeoDataFrames.
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError.single(str(path), str(Text("文件不存在", "file not found")))
    suffix = format_suffix(path)
    if chunk_size < 1:
        raise FileFormatError.single(str(path), f"chunk size must be ≥ 1, got {chunk_size}")
    if suffix in (".csv", ".txt"):
        return _csv_chunks(path, chunk_size, encoding)
    if suffix == ".xlsx":
        return _xlsx_chunks(path, chunk_size)
    if suffix in (".parquet", ".geoparquet"):
        return _parquet_chunks(path, chunk_size)
    raise FileFormatError.single(
        str(path), f"unsupported input format {suffix!r}; use one of {', '.join(SUFFIXES)}"
    )


def _csv_chunks(path: Path, chunk_size: int, encoding: str | None) -> Iterator[pd.DataFrame]:
    compression = _compression(path)
    if encoding is None:
        with _open_binary(path) as f:
            head = f.read(1 << 20)
        cut = head.rfind(b"\n")  # never judge by a character cut in half
        encoding = text_encoding(head[: cut + 1] if 0 <= cut < len(head) - 1 else head)
    try:
        reader = pd.read_csv(
            path,
            dtype=str,
            chunksize=chunk_size,
            encoding=encoding,
            encoding_errors="replace",
            skipinitialspace=True,
            compression=compression,
        )
        yield from reader
    except pd.errors.EmptyDataError:
        raise FileFormatError.single(
            str(path), str(Text("文件为空", "the file is empty"))
        ) from None
    except pd.errors.ParserError as exc:
        raise FileFormatError.single(str(path), f"not a readable CSV: {exc}") from None


Compression = Literal["gzip", "zip", "bz2", "xz"]
_COMPRESSION: dict[str, Compression] = {".gz": "gzip", ".zip": "zip", ".bz2": "bz2", ".xz": "xz"}


def _compression(path: Path) -> Compression | None:
    return _COMPRESSION.get(path.suffix.lower())


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed (a .zip must hold exactly one file)."""
    kind = _compression(path)
    if kind == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if kind == "bz2":
        return bz2.open(path, "rb")
    if kind == "xz":
        return lzma.open(path, "rb")
    if kind == "zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            raise FileFormatError.single(
                str(path), f"a .zip input must hold one CSV file, it holds {len(names)}"
            )
        return archive.open(names[0])
    return path.open("rb")


def _xlsx_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileFormatError.single(str(path), f"not a readable XLSX file: {exc}") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileFormatError.single(str(path), str(Text("工作表为空", "the sheet is empty")))
        names = [str(h) if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
        block: list[tuple[Any, ...]] = []
        for row in rows:
            block.append(row)
            if len(block) == chunk_size:
                yield _xlsx_frame(block, names)
                block = []
        if block:
            yield _xlsx_frame(block, names)
    finally:
        book.close()


def _xlsx_frame(block: list[tuple[Any, ...]], names: list[str]) -> pd.DataFrame:
    width = len(names)
    cells = [tuple(row[:width]) + (None,) * (width - len(row)) for row in block]
    return pd.DataFrame(cells, columns=names, dtype=object).astype("string")


def _parquet_chunks(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError.single(str(path), f"not a readable Parquet file: {exc}") from None
    geo = json.loads((file.metadata.metadata or {}).get(b"geo", b"null") or "null")
    for batch in file.iter_batches(batch_size=chunk_size):
        frame = batch.to_pandas()
        if geo:
            column = geo.get("primary_column", "geometry")
            crs = geo["columns"][column].get("crs", "EPSG:4326") or "EPSG:4326"
            geoms = shapely.from_wkb(frame.pop(column).to_numpy())
            yield gpd.GeoDataFrame(frame, geometry=geoms, crs=json.dumps(crs))
        else:
            yield frame


class ChunkWriter:
    """Append geocoded chunks to a CSV, XLSX or GeoParquet file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in (".csv", ".xlsx", ".parquet", ".geoparquet"):
            raise FileFormatError.single(
                str(self.path), f"unsupported output format {self.suffix!r}"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._book: Any = None
        self._sheet: Any = None
        self._started = False

    def write(self, frame: pd.DataFrame) -> None:
        if self.suffix == ".csv":
            frame.to_csv(
                self.path,
                mode="a" if self._started else "w",
                header=not self._started,
                index=False,
                encoding="utf-8" if self._started else "utf-8-sig",
            )
        elif self.suffix == ".xlsx":
            self._write_xlsx(frame)
        else:
            self._write_parquet(frame)
        self._started = True

    def _write_xlsx(self, frame: pd.DataFrame) -> None:
        import openpyxl

        if self._book is None:
            self._book = openpyxl.Workbook(write_only=True)
            self._sheet = self._book.create_sheet("geocoded")
            self._sheet.append([str(c) for c in frame.columns])
        values = frame.astype(object).where(frame.notna(), None)
        for row in values.itertuples(index=False, name=None):
            self._sheet.append(list(row))

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        points = shapely.points(frame["geocode_lon"], frame["geocode_lat"])
        points[~np.isfinite(frame["geocode_lon"].to_numpy(dtype=float))] = None
        table = pa.Table.from_pandas(
            frame.assign(geometry=shapely.to_wkb(points)), preserve_index=False
        )
        if self._parquet is None:
            fields = [  # a column empty in the first chunk is text (null is not a column type)
                f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema
            ]
            self._schema = pa.schema(fields, metadata={b"geo": json.dumps(_GEO).encode()})
            self._parquet = pq.ParquetWriter(self.path, self._schema)
        assert self._schema is not None
        self._parquet.write_table(_conform(table, self._schema))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._book is not None:
            self._book.save(self.path)
        if not self._started and self.suffix == ".csv":
            self.path.write_text("", encoding="utf-8")

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_GEO = {
    "version": "1.0.0",
    "primary_column": "geometry",
    "columns": {
        "geometry": {
            "encoding": "WKB",
            "geometry_types": ["Point"],
            "crs": pyproj.CRS.from_epsg(4326).to_json_dict(),
        }
    },
}


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Cast a later chunk to the first chunk's schema (all-null columns come out typed null)."""
    columns = []
    for name, target in zip(schema.names, schema.types, strict=True):
        column = table.column(name) if name in table.column_names else pa.nulls(len(table))
        columns.append(column.cast(target) if column.type != target else column)
    return pa.Table.from_arrays(columns, schema=schema)
