"""Tables with coordinates: CSV and XLSX files holding lon/lat or WKT columns.

Geometry is built in one vectorized call (``shapely.points`` / ``shapely.from_wkt``).
Rows whose coordinates are missing, not numbers or exactly (0, 0) (the "null island" of
failed geocoding) cannot be placed: in a point layer (incidents, GPS fixes, addresses)
they are dropped and listed, one row each, in the layer's ``rejected`` table, because a
user importing a year of incidents expects the located ones to load and a list of the
others; in a polygon layer a missing WKT is an error like any missing geometry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gis.errors import CRSError, FileFormatError, Problem
from gis.i18n import Text
from gis.io.encoding import text_encoding

_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Table:
    """A table as read, before any field recognition."""

    frame: pd.DataFrame
    encoding: str | None


def read_table(
    path: Path,
    *,
    encoding: str | None = None,
    layer: str | None = None,
    header_score: Callable[[list[str]], int] | None = None,
) -> Table:
    """Read a CSV (delimiter and encoding detected) or XLSX sheet as strings-or-numbers.

    Spreadsheets often carry a title above the header (``XX街道网格台账``, merged cells):
    with ``header_score`` (how many cells of a row are known column names), the best of the
    first :data:`HEADER_SEARCH_ROWS` rows of a sheet is taken as the header.

    Raises
    ------
    FileFormatError
        The file cannot be decoded or parsed, or has no rows.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame, used = _read_xlsx(path, sheet=layer, header_score=header_score), None
    elif path.suffix.lower() in (".parquet", ".geoparquet"):
        frame, used = pd.read_parquet(path), None
    else:
        frame, used = _read_csv(path, encoding=encoding)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise FileFormatError.single(
            path.name, str(Text("表格没有数据行", "the table has a header but no rows"))
        )
    return Table(frame, used)


def _read_csv(path: Path, *, encoding: str | None) -> tuple[pd.DataFrame, str]:
    data = path.read_bytes()
    head = data[:_SNIFF_BYTES]
    used = encoding or text_encoding(data)
    try:
        sample = head.decode(used, errors="ignore")
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = _parse_csv(data, sep=delimiter, encoding=used)
    except UnicodeDecodeError as exc:
        raise FileFormatError.single(
            path.name,
            str(
                Text(
                    "无法解码，请用 --encoding 指定编码",
                    f"cannot decode the file as {used} at byte {exc.start}; "
                    "state the encoding (--encoding gbk / utf-8)",
                )
            ),
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise FileFormatError.single(
            path.name, str(Text("无法解析 CSV", f"not a readable CSV table: {exc}"))
        ) from exc
    return frame, used


_ARROW_ENCODINGS = ("utf-8", "utf-8-sig")


def _parse_csv(data: bytes, *, sep: str, encoding: str) -> pd.DataFrame:
    """The file's bytes (read once: the encoding was detected from them) as a table of text.

    UTF-8 goes through pyarrow's CSV reader first (3-4x faster than pandas' C parser with
    ``dtype=str``, the same frame); whatever it refuses (ragged rows, an index column,
    unclosed quotes) is parsed again by the C parser, so its answer and its errors are the
    ones a user sees.
    """
    if encoding in _ARROW_ENCODINGS:
        try:
            return pd.read_csv(
                io.BytesIO(data), sep=sep, encoding=encoding, dtype=str, engine="pyarrow"
            )
        except Exception:  # the C parser below parses it or says what is wrong
            pass
    return pd.read_csv(io.BytesIO(data), sep=sep, encoding=encoding, dtype=str)


def _read_xlsx(
    path: Path, *, sheet: str | None, header_score: Callable[[list[str]], int] | None
) -> pd.DataFrame:
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many unrelated types for a bad file
        raise FileFormatError.single(
            path.name, str(Text("无法读取 XLSX", f"not a readable XLSX workbook: {exc}"))
        ) from exc
    with sheets:
        names = [str(s) for s in sheets.sheet_names]
        if sheet is None and len(names) > 1:
            sheet = names[0]
        if sheet is not None and sheet not in names:
            raise FileFormatError.single(
                path.name,
                str(Text("没有该工作表", f"no sheet {sheet!r}; sheets are {', '.join(names)}")),
                field="layer",
            )
        grid = pd.read_excel(
            sheets, sheet_name=sheet if sheet is not None else 0, dtype=object, header=None
        )
    header = _header_row(grid, header_score)
    frame = grid.iloc[header + 1 :].reset_index(drop=True)
    names = [_cell_name(c, n) for n, c in enumerate(grid.iloc[header])] if len(grid) else []
    frame.columns = pd.Index(names)
    unnamed_empty = [n for n in names if n.startswith("_col") and frame[n].isna().all()]
    frame = frame.drop(columns=unnamed_empty)
    frame.attrs["header_row"] = header + 1
    return frame.astype(object).where(frame.notna(), None)


HEADER_SEARCH_ROWS = 10
"""Rows of a sheet searched for the header."""


def _header_row(grid: pd.DataFrame, score: Callable[[list[str]], int] | None) -> int:
    if score is None or grid.empty:
        return 0
    scores = [
        score([str(c) for c in grid.iloc[r] if c is not None and c == c])
        for r in range(min(HEADER_SEARCH_ROWS, len(grid)))
    ]
    best = max(range(len(scores)), key=lambda r: (scores[r], -r))
    return best if scores[best] > 0 else 0


def _cell_name(value: object, position: int) -> str:
    return f"_col{position + 1}" if value is None or value != value else str(value).strip()


@dataclass(frozen=True)
class Located:
    """Geometries built from a table, and the rows that could not be placed."""

    geometry: np.ndarray
    bad_rows: np.ndarray  # positions of rows without usable coordinates
    reasons: list[Problem]


def from_lonlat(frame: pd.DataFrame, *, lon: str, lat: str, source: str) -> Located:
    """Point geometries from two coordinate columns, vectorized.

    Raises
    ------
    CRSError
        The latitude column holds values beyond ±90 where the longitude column fits: the
        two columns are swapped.
    """
    x, y = _numbers(frame[lon]), _numbers(frame[lat])
    _check_swapped(x, y, lon=lon, lat=lat, source=source)
    missing = np.isnan(x) | np.isnan(y)
    zero = (x == 0) & (y == 0)
    bad = missing | zero
    points = shapely.points(np.where(bad, np.nan, x), np.where(bad, np.nan, y))
    points[bad] = None
    reasons = [
        Problem(
            str(Text("坐标为 0,0", "coordinates are (0, 0): not a real location"))
            if zero[i]
            else str(Text("缺少坐标", "no coordinates or not a number")),
            source,
            row=int(i) + 1,
            field=lon if np.isnan(x[i]) or zero[i] else lat,
        )
        for i in np.flatnonzero(bad)
    ]
    return Located(points, np.flatnonzero(bad), reasons)


def _numbers(values: pd.Series) -> np.ndarray:
    """A column of coordinates as floats, NaN where a value is no number.

    Most files hold plain numbers: they are parsed at once, and only the values that fail
    are cleaned (full-width digits, stray spaces) and parsed again, which gives the same
    numbers as cleaning every value first.
    """
    numbers = np.array(pd.to_numeric(values, errors="coerce"), dtype=float)  # writable
    failed = np.isnan(numbers) & values.notna().to_numpy()
    if failed.any():
        retried = _clean_numbers(values[failed])
        numbers[failed] = pd.to_numeric(retried, errors="coerce").to_numpy(float)
    return numbers


def _clean_numbers(values: pd.Series) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(values):
        # full-width digits and stray spaces are common in hand-typed spreadsheets
        return values.astype("string").str.normalize("NFKC").str.strip()
    return values


def _check_swapped(x: np.ndarray, y: np.ndarray, *, lon: str, lat: str, source: str) -> None:
    bad_lat = np.flatnonzero(np.abs(y) > 90)
    if bad_lat.size == 0 or bool(np.any(np.abs(x) > 180)):
        return  # all fine, or projected coordinates: the CRS must then be stated
    swapped = bool(np.all(np.abs(x[bad_lat]) <= 90))
    zh_hint = "，经纬度是否颠倒？" if swapped else ""
    en_hint = (
        f"; the values look like longitudes: are {lon!r} and {lat!r} swapped?" if swapped else ""
    )
    problems = [
        Problem(
            str(
                Text(
                    f"纬度 {y[i]:g} 超出 ±90{zh_hint}", f"latitude {y[i]:g} is beyond ±90{en_hint}"
                )
            ),
            source,
            row=int(i) + 1,
            field=lat,
        )
        for i in bad_lat[:50]
    ]
    raise CRSError(problems)


def from_wkt(frame: pd.DataFrame, *, wkt: str, source: str) -> Located:
    """Geometries from a WKT column; unparsable text is an error naming the row."""
    text = frame[wkt].astype("string").str.strip()
    blank = (text.isna() | (text == "")).to_numpy()
    values = text.fillna("").to_numpy(dtype=object)
    values[blank] = None
    geoms = shapely.from_wkt(values, on_invalid="ignore")
    unparsed = np.flatnonzero(~blank & shapely.is_missing(geoms))
    if unparsed.size:
        problems = [
            Problem(
                str(Text("无法解析的 WKT", f"not valid WKT: {str(values[i])[:40]!r}")),
                source,
                row=int(i) + 1,
                field=wkt,
            )
            for i in unparsed[:50]
        ]
        raise FileFormatError(problems)
    reasons = [
        Problem("no geometry (WKT is empty) (WKT 为空)", source, row=int(i) + 1, field=wkt)
        for i in np.flatnonzero(blank)
    ]
    return Located(geoms, np.flatnonzero(blank), reasons)


def plausible_lonlat(geometry: np.ndarray) -> bool:
    """Do all coordinates fit in ±180 / ±90 (so the table may be plain WGS84 lon/lat)?"""
    present = geometry[~shapely.is_missing(geometry)]
    if present.size == 0:
        return False
    xmin, ymin, xmax, ymax = shapely.total_bounds(present)
    return bool(-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90)
