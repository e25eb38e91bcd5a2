"""Files that are no layer kind: visit tables (走访记录) and result frames read back as is.

Layers (grids, incidents …) go through :func:`gis.io.read_layer`, which recognises their
columns and validates them.  Two other inputs are read here, through the same file
checks and with the same located errors:

* ``read_visits``: a visit table (``address_id``, ``time``, ``visitor_role``), CSV or
  XLSX with the encoding detected, times parsed; a bad time names its row.
* ``read_frame``: a vector file as written by beatgrid itself (e.g. the ``cell_hotspots``
  layer of ``beatgrid hotspots``' ``results.gpkg``, or a road layer), without renaming.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from gis.errors import FieldError, FileFormatError
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


def read_frame(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """A vector file as is (``layer`` when the file has it, else its first layer)."""
    path = Path(path)
    check_file(path)
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        names = set(pyogrio.list_layers(path)[:, 0])
        return pyogrio.read_dataframe(path, layer=layer if layer in names else None)
    except (pyogrio.errors.DataSourceError, OSError, ValueError) as exc:
        raise FileFormatError.single(path.name, f"cannot be read (无法读取): {exc}") from None
