"""``write_workbook``: several result tables as the sheets of one XLSX workbook.

Review results (per-grid counts, hot cells, coverage) are handed to people who open them
in Excel: one workbook, one sheet per table, geometry left out (it goes to the GeoPackage
or GeoParquet written beside it), time zones dropped because Excel has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from gis.errors import FileFormatError

SHEET_NAME_LIMIT = 31
"""Excel refuses longer sheet names."""


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write each frame of ``sheets`` (geometry dropped) as a sheet of ``path``.

    >>> sheets = {"grid_counts": review.grids, "pai": review.pai}  # doctest: +SKIP
    >>> write_workbook(sheets, "out/results.xlsx")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                _plain(frame).to_excel(writer, sheet_name=name[:SHEET_NAME_LIMIT], index=False)
    except OSError as exc:
        raise FileFormatError.single(path.name, f"cannot write (无法写入): {exc}") from exc
    return path


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    for col in plain.select_dtypes(include=["datetimetz"]).columns:
        plain[col] = plain[col].dt.tz_localize(None)
    return plain
