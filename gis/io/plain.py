"""Tables that are no layer kind: visits (走访记录), events (事件流转), any plain table.

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
from gis.io.validate import local_zone, parse_times

VISIT_COLUMNS = ("address_id", "time", "visitor_role")


def read_plain(path: str | Path, *, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV or XLSX table as text (empty cells NaN), the encoding and delimiter detected.

    Raises
    ------
    FileFormatError
        The file is missing, empty or cannot be parsed.
    FieldError
        One of ``columns`` is missing (the first is named).
    """
    return _table(Path(path), columns)


def read_visits(path: str | Path, *, tz: str | None = None) -> pd.DataFrame:
    """A visit table with ``address_id`` (str), ``time`` (datetime64) and ``visitor_role``.

    Times that carry a zone are converted to local wall-clock time in ``tz`` (IANA name,
    default UTC), so days are counted in local time.

    Raises
    ------
    FileFormatError
        The file is missing, empty or cannot be parsed.
    FieldError
        A column is missing, or a time cannot be read (the first bad row is named).
    """
    path = Path(path)
    frame = _table(path, VISIT_COLUMNS)
    frame["time"] = _times(frame, "time", path=path, required=True, tz=tz)
    return frame.assign(address_id=frame["address_id"].astype(str))


EVENT_TIMES = ("received_at", "responded_at", "closed_at", "due_at")
EVENT_COLUMNS = ("id", "category", "grid_id", *EVENT_TIMES)


def read_events(path: str | Path, *, tz: str | None = None) -> pd.DataFrame:
    """An event table (事件流转) with ``id``, ``category``, ``grid_id`` (str) and the times
    ``received_at``, ``responded_at``, ``closed_at``, ``due_at`` (datetime64; the middle
    two are empty until done), ``assignees`` split on ``;``.  Times that carry a zone are
    kept as local wall-clock time in ``tz`` (default UTC).

    Raises
    ------
    FileFormatError
        The file is missing, empty or cannot be parsed.
    FieldError
        A column is missing, or a time cannot be read (the first bad row is named).
    """
    path = Path(path)
    frame = _table(path, EVENT_COLUMNS)
    for column in EVENT_TIMES:
        required = column in ("received_at", "due_at")
        frame[column] = _times(frame, column, path=path, required=required, tz=tz)
    frame["grid_id"] = frame["grid_id"].astype("string").fillna("").astype(str)
    if "assignees" in frame:
        frame["assignees"] = frame["assignees"].fillna("").astype(str).str.split(";")
    return frame


def _table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The file's table, refused when one of ``columns`` is missing."""
    check_file(path)
    frame = read_table(path).frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FieldError.single(
            path.name, f"missing column(s) {', '.join(missing)} / 缺少字段", field=missing[0]
        )
    return frame


def _times(
    frame: pd.DataFrame, column: str, *, path: Path, required: bool, tz: str | None = None
) -> pd.Series:
    """``column`` as local datetimes (zoned values converted to ``tz``); a value that cannot
    be read (or, when ``required``, an empty one) names its file, row and field."""
    text = frame[column].astype("string").str.strip()
    text = text.where(text != "")
    zone = local_zone(tz or "UTC")
    times = parse_times(text, tz=zone)
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_convert(zone).dt.tz_localize(None)
    unread = times.isna() if required else times.isna() & text.notna()
    bad = np.flatnonzero(unread.to_numpy())
    if bad.size:
        row = int(bad[0])
        raise FieldError.single(
            path.name,
            f"{column} {frame[column].iloc[row]!r} is not a date/time / 时间无法识别 "
            f"({bad.size} rows)",
            row=row + 1,
            field=column,
        )
    return times
