"""Visit tables (走访记录): a table that is no layer kind.

Layers (grids, incidents …) go through :func:`gis.io.read_layer`, which recognises their
columns and validates them; result frames and context layers (hot-spot cells, roads) through
:func:`gis.io.read_frame`.  ``read_visits`` reads a visit table (``address_id``, ``time``,
``visitor_role``), CSV or XLSX with the encoding detected, times parsed, through the same
file checks and with the same located errors; a bad time names its row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gis.errors import FieldError
from gis.io.read import check_file
from gis.io.tabular import read_table

VISIT_COLUMNS = ("address_id", "time", "visitor_role")


def read_visits(path: str | Path) -> pd.DataFrame:
    """A visit table with ``address_id`` (str), ``time`` (datetime64) and ``visitor_role``.

    Raises
    ------
    FileFormatError
        The file is missing, empty or cannot be parsed.
    FieldError
        A column is missing, or a time cannot be read (the first bad row is named).
    """
    path = Path(path)
    check_file(path)
    frame = read_table(path).frame
    missing = [c for c in VISIT_COLUMNS if c not in frame.columns]
    if missing:
        raise FieldError.single(
            path.name, f"missing column(s) {', '.join(missing)} / 缺少字段", field=missing[0]
        )
    times = pd.to_datetime(frame["time"], errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise FieldError.single(
            path.name,
            f"time {frame['time'].iloc[row]!r} is not a date/time / 时间无法识别 ({bad.size} rows)",
            row=row + 1,
            field="time",
        )
    return frame.assign(address_id=frame["address_id"].astype(str), time=times)
