"""Plain tables and workbooks through gis.io: ``write_table`` / ``read_plain`` round trips,
stacked tables on one sheet, a workbook as bytes."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from gis.errors import FieldError, FileFormatError
from gis.io import read_plain, workbook_bytes, write_table, write_workbook

STAFF = pd.DataFrame(
    {"officer_id": ["G001", "G002"], "role": ["网格员", "网格长"], "area_id": ["001", "002"]}
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_table_reads_back_as_written(tmp_path: Path, encoding: str) -> None:
    path = write_table(STAFF, tmp_path / "staff.csv", encoding=encoding)
    back = read_plain(path, columns=("officer_id", "role"))
    pd.testing.assert_frame_equal(back, STAFF)  # leading zeros kept: text, not numbers
    assert b"\r\n" not in path.read_bytes()


def test_a_missing_column_or_file_is_named(tmp_path: Path) -> None:
    path = write_table(STAFF, tmp_path / "staff.csv")
    with pytest.raises(FieldError, match="grid_id"):
        read_plain(path, columns=("grid_id",))
    with pytest.raises(FileFormatError, match="文件不存在 / file not found"):
        read_plain(tmp_path / "none.csv")


def test_tables_stack_on_one_sheet_a_blank_row_apart(tmp_path: Path) -> None:
    """
    row 1  officer_id role area_id     (STAFF, 2 rows)
    row 4  (blank)
    row 5  figure value                (1 row)
    """
    figures = pd.DataFrame({"figure": ["grids"], "value": [2]})
    path = write_workbook({"汇总": [STAFF, figures], "staff": STAFF}, tmp_path / "book.xlsx")
    sheet = openpyxl.load_workbook(path)["汇总"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["officer_id", "role", "area_id"]
    assert rows[3] == [None, None, None]
    assert rows[4][:2] == ["figure", "value"] and rows[5][:2] == ["grids", 2]
    assert pd.read_excel(path, sheet_name="staff", dtype=str).equals(STAFF)


def test_a_workbook_as_bytes_is_the_workbook_on_disk(tmp_path: Path) -> None:
    data = workbook_bytes({"staff": STAFF})
    assert pd.read_excel(io.BytesIO(data), sheet_name="staff", dtype=str).equals(STAFF)
