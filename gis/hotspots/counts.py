"""Incident counts and rates per area (grid, beat, community, joint-defense point).

A commander's review (日见面、周研判、月讲评) asks: how many incidents of a category fell
in each grid this day, week or month, per km² and per 1,000 residents, and how that
compares with the period before.  Periods are half-open ``[start, end)`` in local time:
a calendar day, an ISO week (Monday first) or a calendar month containing ``at``, or
any custom ``start``/``end``; the previous period is the one of equal kind right before.

Incidents are located in the areas either by an id column they already carry (the
geocoder's output) or by their point geometry: point-in-polygon for polygon areas
(boundary points go to the first polygon found), and *within ``point_radius_m`` metres*
(default 50 m, measured in a metric CRS) for point-shaped areas such as joint-defense
points (联防点) given as points.  Around points the zones may overlap: an incident
within the radius of two joint points counts for both (each point's own tally), and
``area_km2`` of a point area is the disc π r².
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.crs import to_metric
from gis.errors import ConfigError, FieldError, GeometryError
from gis.guard import require, same_crs
from gis.i18n import Text
from gis.locate import locate

Window = Literal["day", "week", "month", "custom"]


@dataclass(frozen=True)
class Period:
    """A half-open time interval ``[start, end)`` and the one before it."""

    start: pd.Timestamp
    end: pd.Timestamp
    previous_start: pd.Timestamp
    window: Window

    @property
    def previous_end(self) -> pd.Timestamp:
        return self.start


@dataclass(frozen=True)
class AreaCounts:
    """Counts and rates per area for one period.

    Attributes
    ----------
    areas : GeoDataFrame
        ``id``, ``count``, ``previous_count``, ``change``, ``change_pct`` (NaN when the
        previous count is 0), ``area_km2``, ``rate_km2``, ``population`` and
        ``rate_1000`` (when population is known), geometry in the input CRS.
    period : Period
    category : tuple of str or None
        The categories counted (None: all).
    metric_crs : pyproj.CRS
        The CRS the areas were measured in.
    """

    areas: gpd.GeoDataFrame
    period: Period
    category: tuple[str, ...] | None
    metric_crs: pyproj.CRS


def period_bounds(
    window: Window,
    *,
    at: pd.Timestamp | str | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
) -> Period:
    """The period of kind ``window`` containing ``at`` (or ``[start, end)`` when custom).

    >>> period_bounds("month", at="2024-03-15 10:00").start
    Timestamp('2024-03-01 00:00:00')
    """
    if window == "custom":
        if start is None or end is None:
            raise ConfigError(
                str(Text("自定义时段需要起止时间", "a custom window needs start and end"))
            )
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        if e <= s:
            raise ConfigError(str(Text("结束时间早于开始时间", f"end {e} is not after start {s}")))
        return Period(s, e, s - (e - s), window)
    if at is None:
        raise ConfigError(str(Text("需要指定日期", f"a {window} window needs `at`")))
    day = pd.Timestamp(at).normalize()
    if window == "day":
        return Period(day, day + pd.Timedelta(days=1), day - pd.Timedelta(days=1), window)
    if window == "week":
        s = day - pd.Timedelta(days=day.day_of_week)
        return Period(s, s + pd.Timedelta(days=7), s - pd.Timedelta(days=7), window)
    if window == "month":
        s = day.replace(day=1)
        return Period(s, s + pd.offsets.MonthBegin(1), s - pd.offsets.MonthBegin(1), window)
    raise ConfigError(str(Text("未知时段类型", f"unknown window {window!r}")))


def complete_period(
    window: Literal["day", "week", "month"],
    *,
    latest: pd.Timestamp | str,
    now: pd.Timestamp | str | None = None,
) -> Period:
    """The last *complete* day, week or month of data whose latest record is ``latest``.

    The data are taken to run to the end of ``latest``'s day (or to the start of ``now``'s
    day, when that is earlier: today is never complete); the answer is the latest period
    of kind ``window`` that ends by then.  A commander opening the dashboard sees a whole
    week, not the first days of the running one compared with a whole week.

    >>> complete_period("week", latest="2025-12-31 23:20").start  # a Wednesday
    Timestamp('2025-12-22 00:00:00')
    >>> complete_period("month", latest="2025-12-31 23:20").start
    Timestamp('2025-12-01 00:00:00')
    >>> complete_period("day", latest="2026-03-05 09:00", now="2026-03-05 09:30").start
    Timestamp('2026-03-04 00:00:00')
    """
    edge = pd.Timestamp(latest).normalize() + pd.Timedelta(days=1)
    if now is not None:
        edge = min(edge, pd.Timestamp(now).normalize())
    period = period_bounds(window, at=edge - pd.Timedelta(seconds=1))
    if period.end > edge:
        period = period_bounds(window, at=period.start - pd.Timedelta(seconds=1))
    return period


def assign_points(
    points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, *, id_col: str = "id"
) -> pd.Series:
    """Id of the area each point falls in (None outside every area), index of ``points``.

    :func:`gis.locate.locate`: one bulk STRtree query; a point on a shared boundary goes
    to the lowest id (ids compared as strings), the rule geocoding follows too.
    """
    pts = same_crs(points, areas.crs)
    where = locate(pts.geometry.to_numpy(), areas.geometry.to_numpy(), ids=areas[id_col])
    ids = np.empty(len(areas) + 1, dtype=object)  # the last slot (index -1) is "outside"
    ids[:-1] = areas[id_col].astype(str).to_numpy()
    return pd.Series(ids[where], index=pts.index, dtype=object)


def population_by_area(
    buildings: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, *, column: str = "population"
) -> pd.Series:
    """Sum of ``buildings[column]`` per area id, buildings placed by a representative point."""
    require(buildings, [column], source="buildings")
    points = buildings.set_geometry(buildings.geometry.representative_point())
    where = assign_points(points, areas)
    values = pd.to_numeric(buildings[column], errors="coerce").fillna(0)
    summed = values.groupby(where.to_numpy()).sum()
    return summed.reindex(areas["id"].astype(str), fill_value=0).astype(float)


def count_incidents(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    window: Window = "month",
    at: pd.Timestamp | str | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    category: str | Sequence[str] | None = None,
    area_col: str | None = None,
    population: pd.Series | None = None,
    point_radius_m: float = 50.0,
) -> AreaCounts:
    """Count incidents per area in a period, with rates and the change vs. the period before.

    Parameters
    ----------
    incidents : GeoDataFrame or DataFrame
        ``time`` and ``category``; point geometry unless ``area_col`` names a column that
        already holds the area id of each incident.
    areas : GeoDataFrame
        Polygons with ``id`` (grids, beats, communities, joint-defense points), or points
        (joint-defense points given as points), or a mix.
    window, at, start, end
        See :func:`period_bounds`; ``at`` defaults to the latest incident time.
    category : str or sequence of str, optional
        Only these categories.
    population : Series, optional
        Residents per area id (e.g. :func:`population_by_area`); gives ``rate_1000``.
    point_radius_m : float
        Point-shaped areas count the incidents within this many metres (default 50 m).
    """
    require(
        incidents, ["time"] + (["category"] if category is not None else []), source="incidents"
    )
    require(areas, ["id"], source="areas")
    times = pd.to_datetime(incidents["time"], errors="coerce")
    if at is None and window != "custom":
        at = times.max()
        if pd.isna(at):
            raise ConfigError(str(Text("没有有效的事件时间", "no incident has a valid time")))
    period = period_bounds(window, at=at, start=start, end=end)
    if not point_radius_m > 0:
        raise ConfigError(
            str(Text("半径须为正数", f"point_radius_m must be positive, got {point_radius_m}"))
        )
    cats = _categories(category)
    keep = times.notna() & (times >= period.previous_start) & (times < period.end)
    if cats is not None:
        keep &= incidents["category"].astype(str).isin(cats)
    chosen = incidents.loc[keep.to_numpy()]
    metric, metric_crs = to_metric(areas)
    inc_idx, area_idx = _membership(chosen, metric, area_col, point_radius_m)
    current = times[keep].to_numpy()[inc_idx] >= period.start.to_datetime64()
    frame = _rates(areas, metric, area_idx, current, population, point_radius_m)
    return AreaCounts(frame, period, cats, metric_crs)


def _categories(category: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if category is None:
        return None
    return (category,) if isinstance(category, str) else tuple(str(c) for c in category)


def _membership(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    metric: gpd.GeoDataFrame,
    area_col: str | None,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (incident position, area position): one per incident for polygons or an id
    column, every point area within ``radius_m`` for point-shaped areas."""
    if area_col is not None:
        require(incidents, [area_col], source="incidents")
        ids = incidents[area_col].astype(object).where(incidents[area_col].notna())
        area_ids = metric["id"].astype(str)
        dup = area_ids.duplicated().to_numpy()
        if dup.any():
            row = int(np.flatnonzero(dup)[0])
            raise FieldError.single(
                "areas", f"duplicate id {area_ids.iloc[row]!r} / 编码重复", row=row + 1, field="id"
            )
        area = pd.Index(area_ids).get_indexer(ids.astype(str))
        area[ids.isna().to_numpy()] = -1
        inc = np.flatnonzero(area >= 0)
        return inc, area[inc]
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise GeometryError.single(
            "incidents", "no geometry and no area id column (area_col) / 既无坐标也无区域编码"
        )
    pts = same_crs(incidents, metric.crs).geometry.to_numpy()
    geoms = metric.geometry.to_numpy()
    polygonal = _is_polygonal(geoms)
    tree = shapely.STRtree(np.where(polygonal, geoms, None))
    p_inc, p_area = tree.query(pts, predicate="intersects")
    first = pd.Series(p_area).groupby(p_inc).min()  # a shared boundary: the first polygon
    near = shapely.STRtree(np.where(polygonal, None, geoms))
    n_inc, n_area = near.query(pts, predicate="dwithin", distance=radius_m)
    inc = np.concatenate([first.index.to_numpy(), n_inc]).astype(np.intp)
    return inc, np.concatenate([first.to_numpy(), n_area]).astype(np.intp)


def _is_polygonal(geoms: np.ndarray) -> np.ndarray:
    kind = shapely.get_type_id(geoms)
    return (kind == 3) | (kind == 6) | (kind == -1)  # Polygon, MultiPolygon (and None)


def _rates(
    areas: gpd.GeoDataFrame,
    metric: gpd.GeoDataFrame,
    area_idx: np.ndarray,
    current: np.ndarray,
    population: pd.Series | None,
    radius_m: float,
) -> gpd.GeoDataFrame:
    area_ids = areas["id"].astype(str)
    n = len(areas)
    now = np.bincount(area_idx[current], minlength=n)
    before = np.bincount(area_idx[~current], minlength=n)
    geoms = metric.geometry.to_numpy()
    polygonal = _is_polygonal(geoms)
    disc = np.pi * radius_m**2 * (~shapely.is_empty(geoms) & ~polygonal)
    area_km2 = np.where(polygonal, metric.geometry.area.to_numpy(), disc) / 1e6
    out = gpd.GeoDataFrame(
        {
            "id": area_ids.to_numpy(),
            "count": now.astype(int),
            "previous_count": before.astype(int),
            "change": (now - before).astype(int),
            "change_pct": np.where(
                before > 0, 100.0 * (now - before) / np.maximum(before, 1), np.nan
            ),
            "area_km2": area_km2,
            "rate_km2": np.where(area_km2 > 0, now / np.where(area_km2 > 0, area_km2, 1), np.nan),
        },
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    )
    if population is not None:
        pop = population.reindex(area_ids).astype(float).to_numpy()
        out["population"] = pop
        out["rate_1000"] = np.where(pop > 0, 1000.0 * now / np.where(pop > 0, pop, 1), np.nan)
    return out


_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "MS": "M"}


def period_freq(freq: str) -> str:
    """pandas period frequency of ``freq``: "day", "week" (Monday–Sunday), "month" or any
    pandas period alias ("D", "W-SUN", "M", "2W"…).

    >>> period_freq("week")
    'W-SUN'
    """
    return _FREQ.get(freq, freq)


def count_table(
    incidents: pd.DataFrame,
    *,
    area_col: str,
    freq: str = "month",
    by_category: bool = True,
) -> pd.DataFrame:
    """Long table of counts: ``area_id``, ``period`` (start), [``category``], ``count``.

    ``freq``: "day", "week", "month" or a pandas period alias (:func:`period_freq`).
    Only non-zero combinations are listed.
    """
    require(
        incidents, ["time", area_col] + (["category"] if by_category else []), source="incidents"
    )
    times = pd.to_datetime(incidents["time"], errors="coerce")
    period = times.dt.to_period(period_freq(freq)).dt.start_time
    keys: list[pd.Series] = [
        incidents[area_col].astype(str).rename("area_id"),
        period.rename("period"),
    ]
    if by_category:
        keys.append(incidents["category"].astype(str).rename("category"))
    ok = times.notna() & incidents[area_col].notna()
    grouped = pd.Series(1, index=incidents.index)[ok].groupby([k[ok] for k in keys]).size()
    return grouped.rename("count").reset_index()
