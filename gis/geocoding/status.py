"""Per-row status codes and bilingual reasons, and the checks that produce them.

Every input row ends with exactly one ``status`` and a reason in Chinese and
English; one bad row never stops a batch.  The coordinate check runs first and
is kept in ``coord_status``; rows whose coordinates are unusable fall back to
their address when there is one.

=====================  ==================================================================
status                 meaning
=====================  ==================================================================
ok                     placed by its coordinates, inside an area of every layer
tolerance              placed, in at least one layer only by the tolerance
outside                farther than the tolerance from every area of some layer
address                no usable coordinates; placed by an address match above threshold
review                 address candidate below the threshold or ambiguous: NOT placed
unmatched              the address matched nothing in the gazetteer
needs_roads            a road intersection (A路与B路交叉口) but no roads layer was given
missing_coordinates    no coordinates (and no address to fall back on)
non_numeric            a coordinate is not a number
zero_coordinates       (0, 0): the usual placeholder for "unknown"
swapped_lat_lon        longitude and latitude look exchanged: not placed, fix the file
out_of_range           longitude beyond ±180° or latitude beyond ±90°
empty_address          address-only record with an empty address
bad_encoding           the address is garbled (wrong text encoding)
duplicate_id           the incident id already appeared in an earlier row (still placed)
=====================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gis.i18n import Lang, Text


class Status(StrEnum):
    OK = "ok"
    TOLERANCE = "tolerance"
    OUTSIDE = "outside"
    ADDRESS = "address"
    REVIEW = "review"
    UNMATCHED = "unmatched"
    NEEDS_ROADS = "needs_roads"
    MISSING_COORDINATES = "missing_coordinates"
    NON_NUMERIC = "non_numeric"
    ZERO_COORDINATES = "zero_coordinates"
    SWAPPED_LAT_LON = "swapped_lat_lon"
    OUT_OF_RANGE = "out_of_range"
    EMPTY_ADDRESS = "empty_address"
    BAD_ENCODING = "bad_encoding"
    DUPLICATE_ID = "duplicate_id"


REASONS: dict[Status, Text] = {
    Status.OK: Text("已按坐标定位到各图层区域内", "placed by coordinates inside every layer"),
    Status.TOLERANCE: Text(
        "已按坐标定位；部分图层在容差范围内就近归属", "placed; in some layer only within tolerance"
    ),
    Status.OUTSIDE: Text(
        "坐标位于部分图层所有区域之外，已给出最近区域及距离",
        "outside every area of some layer; nearest area and distance given",
    ),
    Status.ADDRESS: Text(
        "无可用坐标，已按地址匹配定位", "no usable coordinates; placed by address"
    ),
    Status.REVIEW: Text(
        "地址匹配置信度不足或存在歧义，需人工核查，未定位",
        "address match below threshold or ambiguous: sent to review, not placed",
    ),
    Status.UNMATCHED: Text("地址在标准地址库中无匹配", "address not found in the gazetteer"),
    Status.NEEDS_ROADS: Text(
        "地址为道路交叉口，未提供道路中心线图层，未定位（请用 --roads 提供道路）",
        "a road intersection, but no roads layer was given: not placed (give --roads)",
    ),
    Status.MISSING_COORDINATES: Text("缺少坐标", "coordinates missing"),
    Status.NON_NUMERIC: Text("坐标不是数字", "a coordinate is not a number"),
    Status.ZERO_COORDINATES: Text(
        "坐标为 (0, 0)，视为缺失", "coordinates are (0, 0): treated as missing"
    ),
    Status.SWAPPED_LAT_LON: Text(
        "经纬度疑似颠倒，未定位，请核对", "longitude and latitude look swapped: not placed"
    ),
    Status.OUT_OF_RANGE: Text("坐标超出有效范围", "coordinates out of the valid range"),
    Status.EMPTY_ADDRESS: Text("地址为空", "address is empty"),
    Status.BAD_ENCODING: Text(
        "地址乱码（文字编码错误）", "address is garbled (wrong text encoding)"
    ),
    Status.DUPLICATE_ID: Text("警情编号重复", "duplicate incident id"),
}

COORDINATE_PROBLEMS = frozenset(
    {
        Status.MISSING_COORDINATES,
        Status.NON_NUMERIC,
        Status.ZERO_COORDINATES,
        Status.SWAPPED_LAT_LON,
        Status.OUT_OF_RANGE,
    }
)
MATCHED = frozenset({Status.OK, Status.TOLERANCE, Status.ADDRESS, Status.DUPLICATE_ID})
LOW_CONFIDENCE = frozenset({Status.REVIEW})


@dataclass(frozen=True)
class CoordinateCheck:
    """Parsed coordinates and the verdict on each row (``Status.OK`` when usable)."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    status: NDArray[np.object_]

    @property
    def usable(self) -> NDArray[np.bool_]:
        return self.status == Status.OK


def check_coordinates(
    x_raw: pd.Series,
    y_raw: pd.Series,
    *,
    geographic: bool = True,
    extent: tuple[float, float, float, float] | None = None,
) -> CoordinateCheck:
    """Parse raw coordinate cells and classify every row.

    Parameters
    ----------
    x_raw, y_raw : longitude / latitude (or easting / northing) cells, any dtype.
    geographic : degrees (range and swap checks apply) or projected units.
    extent : (xmin, ymin, xmax, ymax) where points are expected, in the same units;
        a point outside it whose swapped twin falls inside is ``swapped_lat_lon``.
        Without an extent, a latitude beyond ±90° with a longitude within ±90° is.
    """
    x, x_missing, x_bad = _numbers(x_raw)
    y, y_missing, y_bad = _numbers(y_raw)
    status = np.full(len(x), Status.OK, dtype=object)
    swapped = _swapped(x, y, geographic=geographic, extent=extent)
    with np.errstate(invalid="ignore"):
        out_of_range = ~(np.isfinite(x) & np.isfinite(y))
        if geographic:
            out_of_range |= (np.abs(x) > 180) | (np.abs(y) > 90)
    # later assignments win: the most specific problem is reported
    status[out_of_range] = Status.OUT_OF_RANGE
    status[swapped] = Status.SWAPPED_LAT_LON
    status[(x == 0) & (y == 0)] = Status.ZERO_COORDINATES
    status[x_bad | y_bad] = Status.NON_NUMERIC
    status[x_missing | y_missing] = Status.MISSING_COORDINATES
    usable = status == Status.OK
    return CoordinateCheck(np.where(usable, x, np.nan), np.where(usable, y, np.nan), status)


def _numbers(raw: pd.Series) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Values, "missing" (None/NaN/blank) and "not a number" masks of one column."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        return values, np.isnan(values), np.zeros(len(values), dtype=bool)
    text = raw.astype("string").str.strip()
    missing = (text.isna() | (text == "")).to_numpy(dtype=bool)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    retry = np.flatnonzero(np.isnan(values) & ~missing)
    if len(retry):  # full-width digits (１１８．７) are numbers too
        wide = text.iloc[retry].str.normalize("NFKC").str.strip()
        values[retry] = pd.to_numeric(wide, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(values) & ~missing
    return values, missing, bad


def _swapped(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    *,
    geographic: bool,
    extent: tuple[float, float, float, float] | None,
) -> NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        swapped = np.zeros(len(x), dtype=bool)
        if geographic and extent is None:
            swapped |= (np.abs(y) > 90) & (np.abs(y) <= 180) & (np.abs(x) <= 90)
        if extent is not None:
            x0, y0, x1, y1 = extent
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            twin = (y >= x0) & (y <= x1) & (x >= y0) & (x <= y1)
            swapped |= ~inside & twin
    return swapped


def garbled(text: pd.Series) -> NDArray[np.bool_]:
    """Addresses that are mojibake: a replacement character, or Latin-1 letters and
    no Chinese character (GBK bytes decoded as Latin-1 / cp1252)."""
    s = text.astype("string")
    replacement = s.str.contains("\ufffd", regex=False)
    latin = s.str.count(r"[\u00c0-\u00ff]") >= 2
    chinese = s.str.contains(r"[\u4e00-\u9fff]", regex=True)
    return (replacement | (latin & ~chinese)).fillna(False).to_numpy(dtype=bool)


def reasons(status: pd.Series, detail_zh: pd.Series, detail_en: pd.Series) -> pd.DataFrame:
    """``reason_zh`` / ``reason_en`` columns: the status text plus a per-row detail."""
    out = pd.DataFrame(index=status.index)
    languages: tuple[tuple[Lang, pd.Series], ...] = (("zh", detail_zh), ("en", detail_en))
    for lang, detail in languages:
        text = status.map({k.value: v.get(lang) for k, v in REASONS.items()}).astype("string")
        extra = detail.fillna("").astype("string")
        has = (extra != "").to_numpy(dtype=bool)
        if has.any():
            left, right = ("（", "）") if lang == "zh" else (" (", ")")
            text[has] = text[has] + left + extra[has] + right
        out[f"reason_{lang}"] = text
    return out


def summary_counts(by_status: Mapping[str, int]) -> dict[str, Any]:
    """Matched / low-confidence / outside / unmatched totals from counts per status."""
    counts = {str(k): int(v) for k, v in by_status.items()}
    total = sum(counts.values())
    matched = sum(counts.get(s.value, 0) for s in MATCHED)
    low = sum(counts.get(s.value, 0) for s in LOW_CONFIDENCE)
    outside = counts.get(Status.OUTSIDE.value, 0)
    return {
        "rows": total,
        "matched": matched,
        "low_confidence": low,
        "outside": outside,
        "unmatched": total - matched - low - outside,
        "by_status": counts,
    }
