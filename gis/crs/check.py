"""``check_coordinates``: refuse coordinates that contradict the declared CRS.

Re-exported by ``gis.crs``.  Catches what users
get wrong most often: latitude/longitude columns swapped, Amap/Baidu data declared WGS84
or the reverse, a Gauss-Krüger file declared in the wrong zone, degrees declared metres.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from gis.crs.chinese import CHINA_BOX, in_china
from gis.crs.parse import WGS84, CRSLike, SourceCRS, source_of
from gis.errors import CRSError, Problem
from gis.i18n import Text

_Kind = Literal["nonfinite", "swapped", "range", "china", "area"]


def check_coordinates(
    gdf: gpd.GeoDataFrame,
    *,
    crs: CRSLike | None = None,
    source: str | None = None,
    rows: npt.ArrayLike | None = None,
    margin_deg: float = 1.0,
    max_problems: int = 20,
) -> None:
    """Refuse coordinates that contradict the declared coordinate system.

    Every vertex is checked; a row is reported once, for its most telling problem:
    non-finite values; longitude/latitude (or easting/northing) that look swapped (the
    message says to swap them); a geographic value with |lon| > 180 or |lat| > 90; GCJ-02 or
    BD-09 data outside China; a position outside the CRS's area of use (pyproj
    ``area_of_use``, widened by ``margin_deg``).

    Parameters
    ----------
    gdf
        The layer.
    crs
        What its coordinates are declared to be; None means ``gdf.crs``.
    source
        File name for the messages.
    rows
        1-based source row numbers of ``gdf``'s rows (default 1..n).
    margin_deg
        Tolerance around the area of use, in degrees.
    max_problems
        Rows reported by name; the count of the rest is added.

    Raises
    ------
    gis.errors.CRSError
        With one problem per bad row (file, row, feature id, field ``geometry``).
    """
    src = source_of(gdf, crs)
    coords, index = shapely.get_coordinates(np.asarray(gdf.geometry.array), return_index=True)
    if len(coords) == 0:
        return
    x, y = coords[:, 0], coords[:, 1]
    n = len(gdf)
    lon, lat = _to_lonlat(src.crs, x, y)
    swapped = _swapped_rows(src, x, y, index, n, margin_deg)
    bad: dict[_Kind, np.ndarray] = {  # per vertex, in the order rows are reported by
        "nonfinite": ~(np.isfinite(x) & np.isfinite(y)),
        "swapped": swapped[index],
        "range": ~_valid_lonlat(lon, lat) if src.is_geographic else np.zeros(len(x), bool),
        "china": ~in_china(lon, lat) if src.chinese else np.zeros(len(x), bool),
        "area": ~_in_area(src, lon, lat, margin_deg),
    }
    kind_of, vertex_of = _first_problem(bad, index, n)
    problems = _problems(gdf, src, kind_of, vertex_of, x, y, rows, source, max_problems)
    if problems:
        raise CRSError(problems)


def _first_problem(
    bad: dict[_Kind, np.ndarray], index: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the first kind of problem found (or "") and the first vertex showing it."""
    kind_of = np.full(n, "", dtype=object)
    vertex_of = np.full(n, -1)
    for kind, vertex_bad in bad.items():
        where = np.flatnonzero(vertex_bad)
        rows, first = np.unique(index[where], return_index=True)
        new = rows[kind_of[rows] == ""]
        kind_of[new] = kind
        vertex_of[new] = where[first][kind_of[rows] == kind]
    return kind_of, vertex_of


def _rows_any(bad_vertex: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    bad = np.zeros(n, dtype=bool)
    bad[index[bad_vertex]] = True
    return bad


def _rows_all(ok_vertex: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    return ~_rows_any(~ok_vertex, index, n) & _rows_any(np.ones_like(ok_vertex), index, n)


def _to_lonlat(crs: pyproj.CRS, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if crs.is_geographic:
        return x, y
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs or WGS84, always_xy=True)
    lon, lat = to_geo.transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _valid_lonlat(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0)


def _in_area(src: SourceCRS, lon: np.ndarray, lat: np.ndarray, margin: float) -> np.ndarray:
    """Inside the CRS's area of use (the China box for GCJ-02/BD-09), widened by ``margin``."""
    if src.chinese is not None:
        west, south, east, north = CHINA_BOX
    elif src.crs.area_of_use is not None:
        west, south, east, north = src.crs.area_of_use.bounds
    else:
        west, south, east, north = -180.0, -90.0, 180.0, 90.0
    with np.errstate(invalid="ignore"):
        in_lat = (lat >= south - margin) & (lat <= north + margin)
        if west <= east:
            in_lon = (lon >= west - margin) & (lon <= east + margin)
        else:  # the area crosses the antimeridian
            in_lon = (lon >= west - margin) | (lon <= east + margin)
        return in_lat & in_lon & _valid_lonlat(lon, lat)


def _swapped_rows(
    src: SourceCRS, x: np.ndarray, y: np.ndarray, index: np.ndarray, n: int, margin: float
) -> np.ndarray:
    """Rows out of the CRS's area as they are, but entirely inside it with x and y swapped.

    For geographic layers mostly in China, a row outside China that lands in China once
    swapped counts too (in EPSG:4326, (lat, lon) of Xinjiang is a valid Arctic point).
    """
    ok = _in_area(src, *_to_lonlat(src.crs, x, y), margin)
    ok_swapped = _in_area(src, *_to_lonlat(src.crs, y, x), margin)
    swapped = ~_rows_all(ok, index, n) & _rows_all(ok_swapped, index, n)
    if src.is_geographic:
        china = _rows_all(in_china(x, y), index, n)
        located = np.bincount(index, minlength=n) > 0  # rows that have coordinates
        if china[located].mean() > 0.5:
            swapped |= ~china & _rows_all(in_china(y, x), index, n)
    return swapped


_AXES_GEO = {
    "axes": "longitude/latitude",
    "order": "lat, lon",
    "axes_zh": "经纬度",
    "order_zh": "纬度, 经度",
}
_AXES_PROJ = {
    "axes": "easting/northing",
    "order": "northing, easting",
    "axes_zh": "东/北坐标",
    "order_zh": "北坐标, 东坐标",
}

_MESSAGES: dict[_Kind, Text] = {
    "nonfinite": Text("坐标为 NaN 或无穷大", "a coordinate is NaN or infinite"),
    "swapped": Text(
        "{axes_zh}似乎颠倒：x={x}, y={y} 看起来是（{order_zh}），请交换两列（或两个轴）",
        "{axes} look swapped: x={x}, y={y} reads as ({order}); swap the two columns (or axes)",
    ),
    "range": Text(
        "地理坐标超出范围：经度 {x}、纬度 {y}（应 |经度|≤180、|纬度|≤90）",
        "coordinates out of range for {name}: lon {x}, lat {y} (need |lon| ≤ 180, |lat| ≤ 90)",
    ),
    "china": Text(
        "声明为 {name}，但位于中国境外（经度 {x}、纬度 {y}）；GCJ-02/BD-09 只用于中国，"
        "数据可能是 WGS84（EPSG:4326）",
        "declared {name} but lies outside China at lon {x}, lat {y}; GCJ-02/BD-09 are only "
        "used in China: the data is probably WGS84 (state EPSG:4326)",
    ),
    "area": Text(
        "位于 {name} 的适用范围（{area}）之外：x={x}, y={y}；声明的坐标系对吗？",
        "lies outside the area of use of {name} ({area}) at x={x}, y={y}: is the declared "
        "CRS right?",
    ),
}


def _problems(
    gdf: gpd.GeoDataFrame,
    src: SourceCRS,
    kind_of: np.ndarray,
    vertex_of: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    rows: npt.ArrayLike | None,
    source: str | None,
    cap: int,
) -> list[Problem]:
    bad_rows = np.flatnonzero(kind_of != "")
    if not len(bad_rows):
        return []
    row_no = np.arange(1, len(gdf) + 1) if rows is None else np.asarray(rows)
    ids = gdf["id"].astype(str).to_numpy() if "id" in gdf.columns else None
    area = src.crs.area_of_use
    area_text = "China" if src.chinese else (f"{area.name} {area.bounds}" if area else "")
    axes = _AXES_GEO if src.is_geographic else _AXES_PROJ
    out = []
    for r in bad_rows[:cap]:
        v = vertex_of[r]
        text = _MESSAGES[kind_of[r]].format(
            x=f"{x[v]:.6g}", y=f"{y[v]:.6g}", name=src.name, area=area_text[:120], **axes
        )
        feature = None if ids is None else ids[r]
        out.append(Problem(str(text), source, int(row_no[r]), feature, "geometry"))
    if len(bad_rows) > cap:
        more = len(bad_rows) - cap
        out.append(
            Problem(
                str(Text(f"另有 {more} 行", f"{more} more rows with coordinate problems")), source
            )
        )
    return out
