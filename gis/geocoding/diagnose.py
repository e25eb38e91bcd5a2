"""Which columns hold the coordinates, and why a run placed almost nothing.

:func:`pick_coordinates` recognises coordinate columns the way :mod:`gis.fields`
recognises every other field (``经度``/``纬度``, ``lng``/``lat``, ``longitude``,
``POINT_X``, ``X``/``Y`` …), so a file need not call them ``lon``/``lat``.

:func:`diagnose` reads a run's counts per status: when most rows fail it names the
likely cause and the option that fixes it — a missing coordinate column (``--x``/``--y``),
projected values read as degrees (``--crs EPSG:…``), swapped axes (``--x``/``--y``
the other way round), a wrong coordinate system putting everything outside the areas
(``--crs gcj02`` …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gis.errors import ConfigError
from gis.fields import normalize
from gis.i18n import Text

_X = (
    "lon",
    "lng",
    "long",
    "longitude",
    "经度",
    "jd",
    "x",
    "point_x",
    "经度坐标",
    "xcoord",
    "x_coord",
)
_Y = ("lat", "latitude", "纬度", "wd", "y", "point_y", "纬度坐标", "ycoord", "y_coord")


@dataclass(frozen=True)
class CoordinateColumns:
    """The picked coordinate columns (None when the file has none)."""

    x: str | None
    y: str | None

    def describe(self) -> Text:
        if self.x is None or self.y is None:
            return Text("未找到坐标列", "no coordinate columns found")
        return Text(
            f"坐标列：经度/X = {self.x}，纬度/Y = {self.y}",
            f"coordinates: x = {self.x}, y = {self.y}",
        )


def pick_coordinates(
    columns: Sequence[str], *, x: str | None = None, y: str | None = None
) -> CoordinateColumns:
    """The x (longitude/easting) and y columns: the given ones, else recognised ones.

    >>> pick_coordinates(["编号", "经度", "纬度"])
    CoordinateColumns(x='经度', y='纬度')
    >>> pick_coordinates(["ID", "Longitude", "Latitude"]).x
    'Longitude'
    """
    if not columns:  # columns unknown (a partitioned dataset): the given or usual names
        return CoordinateColumns(x or "lon", y or "lat")
    for given, option in ((x, "--x"), (y, "--y")):
        if given is not None and given not in columns:
            raise ConfigError(
                str(
                    Text(
                        "无此列",
                        f"{option} {given!r}: no such column; columns are {', '.join(columns)}",
                    )
                )
            )
    return CoordinateColumns(x or _find(columns, _X), y or _find(columns, _Y))


def _find(columns: Sequence[str], aliases: Sequence[str]) -> str | None:
    """The first column whose normalised name is the strongest alias present."""
    names = {normalize(c): c for c in reversed(list(columns))}
    for alias in aliases:
        if normalize(alias) in names:
            return names[normalize(alias)]
    return None


@dataclass(frozen=True)
class Diagnosis:
    """Why most rows failed, and what to do (both in two languages)."""

    reason: Text
    fix: Text


FAILING_SHARE = 0.5
"""A run in which one cause of failure hits at least this share of rows is a failed run."""
_PLACED = frozenset({"ok", "tolerance", "address", "duplicate_id"})


def diagnose(
    by_status: Mapping[str, int], *, columns: CoordinateColumns, crs: str
) -> Diagnosis | None:
    """The likely cause when fewer than :data:`FAILING_SHARE` of the rows were placed."""
    total = sum(by_status.values())
    failing = {s: n for s, n in by_status.items() if s not in _PLACED}
    if total == 0 or not failing:
        return None
    worst = max(failing, key=lambda s: failing[s])
    if failing[worst] / total < FAILING_SHARE:  # scattered bad rows: the file is fine
        return None
    if worst == "missing_coordinates" and (columns.x is None or columns.y is None):
        return Diagnosis(
            Text("文件中没有可识别的坐标列", "the file has no recognisable coordinate columns"),
            Text("用 --x 列名 --y 列名 指定坐标列", "name them with --x COLUMN --y COLUMN"),
        )
    if worst == "out_of_range":
        return Diagnosis(
            Text(
                "坐标值超出经纬度范围，像是投影坐标（米）",
                "values are out of lon/lat range: projected metres?",
            ),
            Text(
                "用 --crs 指定坐标系，例如 --crs EPSG:4549（CGCS2000 高斯-克吕格 120°E）",
                "give the coordinate system with --crs, e.g. --crs EPSG:4549",
            ),
        )
    if worst == "swapped_lat_lon":
        return Diagnosis(
            Text("经度与纬度列对调了", "longitude and latitude are swapped"),
            Text(
                f"对调列：--x {columns.y} --y {columns.x}",
                f"swap the columns: --x {columns.y} --y {columns.x}",
            ),
        )
    if worst == "outside":
        return Diagnosis(
            Text(
                f"多数点落在所有区域之外：坐标系 {crs} 可能不对",
                f"most points lie outside every area: the coordinate system {crs} may be wrong",
            ),
            Text(
                "核对坐标系：高德/腾讯地图坐标用 --crs gcj02，百度用 --crs bd09，"
                "投影坐标用 --crs EPSG:…",
                "check the CRS: --crs gcj02 (Amap/Tencent), --crs bd09 (Baidu), --crs EPSG:… "
                "(projected)",
            ),
        )
    return Diagnosis(
        Text(f"多数行未能定位（{worst}）", f"most rows were not placed ({worst})"),
        Text("查看输出文件的 reason_zh 列", "see the reason_en column of the output"),
    )
