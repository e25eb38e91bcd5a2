"""``write_workbook``: several result tables as the sheets of one XLSX workbook.

Review results (per-grid counts, hot cells, coverage), check reports and change notices
are handed to people who open them in Excel: one workbook, one sheet per table (or a few
tables stacked on one sheet, a blank row between them), geometry left out (it goes to the
GeoPackage or GeoParquet written beside it), time zones dropped because Excel has none.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from gis.errors import FileFormatError
from gis.i18n import Text

SHEET_NAME_LIMIT = 31
"""Excel refuses longer sheet names."""

Sheet = pd.DataFrame | Sequence[pd.DataFrame]
"""One table, or tables stacked top to bottom with one blank row between them."""


def write_workbook(sheets: Mapping[str, Sheet], path: str | Path) -> Path:
    """Write each frame of ``sheets`` (geometry dropped) as a sheet of ``path``.

    >>> sheets = {"grid_counts": review.grids, "pai": review.pai}  # doctest: +SKIP
    >>> write_workbook(sheets, "out/results.xlsx")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        _write(sheets, path)
    except OSError as exc:
        message = Text(f"无法写入：{exc}", f"cannot write: {exc}")
        raise FileFormatError.single(path.name, str(message)) from exc
    return path


def workbook_bytes(sheets: Mapping[str, Sheet]) -> bytes:
    """The workbook :func:`write_workbook` writes, as bytes (a download)."""
    buffer = io.BytesIO()
    _write(sheets, buffer)
    return buffer.getvalue()


def _write(sheets: Mapping[str, Sheet], target: Path | BinaryIO) -> None:
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, sheet in sheets.items():
            row = 0
            for frame in [sheet] if isinstance(sheet, pd.DataFrame) else sheet:
                _plain(frame).to_excel(
                    writer, sheet_name=name[:SHEET_NAME_LIMIT], index=False, startrow=row
                )
                row += len(frame) + 2  # the header, the rows, one blank row


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    for col in plain.select_dtypes(include=["datetimetz"]).columns:
        plain[col] = plain[col].dt.tz_localize(None)
    return plain
