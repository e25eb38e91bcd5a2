"""The commander's hotspot review: one call from a district to every hotspot figure.

``hotspot_review(district, window="month")`` is what ``beatgrid hotspots``, the service's
hotspot job, the maps and the briefings call.  It chains the engines of this package in
one order, with typed private steps::

    incidents (category)  →  period (day / week / month containing ``at``, or start–end)
        →  counts and rates per grid  →  regular cells, incidents located once
        →  counts per cell  →  Gi* on cells and on grids  →  emerging hot spots  →  PAI
        [→  kernel density and its contours]  [→  Gi* of the cells over the whole history]

Periods are half-open ``[start, end)`` in local time (:func:`gis.hotspots.counts.
period_bounds`); the previous period is the one of equal kind right before (a custom
range: the same length before).  ``at`` defaults to the latest incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from gis.district import District
from gis.errors import ConfigError
from gis.guard import require
from gis.hotspots.cells import Cells, Shape, make_cells
from gis.hotspots.counts import (
    AreaCounts,
    Period,
    assign_points,
    count_incidents,
    period_bounds,
    period_freq,
    population_by_area,
)
from gis.hotspots.emerging import EmergingHotSpots, emerging_hotspots
from gis.hotspots.evaluation import Evaluation, pai
from gis.hotspots.gistar import HotSpots, gi_star
from gis.hotspots.grid_classes import grid_classes
from gis.hotspots.kde import DensitySurface, density_contours, kernel_density
from gis.hotspots.weights import Weights, spatial_weights

ReviewWindow = Literal["day", "week", "month"]
Bins = Literal["day", "week", "month"]


@dataclass(frozen=True)
class HotspotReview:
    """Every hotspot figure of one district for one period.

    Attributes
    ----------
    period : Period
        The period reviewed and the one before it.
    category : tuple of str or None
        The incident categories counted (None: all).
    grids : GeoDataFrame
        Per grid: ``id``, ``count``, ``previous_count``, ``change``, ``change_pct``,
        ``area_km2``, ``rate_km2`` [, ``population``, ``rate_1000``]; ``gi_z``, ``gi_p``,
        ``gi_p_fdr``, ``grid_class`` (Gi* of the grid counts themselves); ``hot_share``,
        ``cold_share`` and ``hotspot_class``, the grid's class read off the cells' Gi*
        (:mod:`gis.hotspots.grid_classes` says why); geometry in the district's CRS.
    cells : GeoDataFrame
        Regular cells: ``id``, ``row``, ``col``, ``count`` (this period), ``gi_z``,
        ``gi_p``, ``gi_p_fdr``, ``hotspot_class``; geometry in ``metric_crs``.
    emerging : GeoDataFrame or None
        None when ``trends=False``; else cells with ``pattern`` (new, consecutive, … or
        none), ``label_zh``/``label_en``, trend and hot/cold bin counts
        (:func:`gis.hotspots.emerging.emerging_hotspots`).
    pai : DataFrame
        One row: ``pai``, ``hit_rate``, ``area_share``, ``n_hit``, ``n_total``,
        ``area_flagged_km2``, ``area_total_km2`` (the previous period's cell counts
        predicting this period's, 3 % of the area flagged).
    cell_size_m : float
        Cell size (hexagon width across flats or square side), metres.
    shape : {"hexagon", "square"}
    metric_crs : pyproj.CRS
        The CRS every area and distance was measured in.
    grid_hotspots, cell_hotspots : HotSpots
        The Gi* results (weights, band, inference) behind ``grids`` and ``cells``.
    emerging_hotspots : EmergingHotSpots or None
        The space-time result behind ``emerging`` (cube, bins); None when the incidents
        span a single bin (then every cell's pattern is "none").
    evaluation : Evaluation
        The PAI result behind ``pai`` (flagged cell ids).
    density : DensitySurface or None
        With ``density=True``: the kernel density of the period's incidents (quartic,
        ArcGIS bandwidth rule, metric CRS; :func:`gis.hotspots.kde.write_geotiff`); None
        otherwise or when the period has fewer than two incident locations.
    contours : GeoDataFrame or None
        With ``density=True``: :func:`gis.hotspots.kde.density_contours` of ``density``.
    whole : GeoDataFrame or None
        With ``whole_period=True``: the cells' Gi* of the counts of every incident up to
        the period's end (``count`` is that total), not only the period's.
    whole_hotspots : HotSpots or None
        The Gi* result behind ``whole``.
    """

    period: Period
    category: tuple[str, ...] | None
    grids: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    emerging: gpd.GeoDataFrame | None
    pai: pd.DataFrame
    cell_size_m: float
    shape: Shape
    metric_crs: pyproj.CRS
    grid_hotspots: HotSpots
    cell_hotspots: HotSpots
    emerging_hotspots: EmergingHotSpots | None
    evaluation: Evaluation
    density: DensitySurface | None = None
    contours: gpd.GeoDataFrame | None = None
    whole: gpd.GeoDataFrame | None = None
    whole_hotspots: HotSpots | None = None

    @property
    def n_hot_cells(self) -> int:
        return self.cell_hotspots.n_hot

    @property
    def n_hot_grids(self) -> int:
        return self.grid_hotspots.n_hot


def hotspot_review(
    district: District,
    *,
    window: ReviewWindow = "month",
    at: pd.Timestamp | str | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    category: str | Sequence[str] | None = None,
    shape: Shape = "hexagon",
    size_m: float | None = None,
    permutations: int = 0,
    bins: Bins = "month",
    trends: bool = True,
    density: bool = False,
    whole_period: bool = False,
) -> HotspotReview:
    """Counts, Gi* hot spots, emerging hot spots and PAI of one district for one period.

    Parameters
    ----------
    district : District
        Needs ``grids`` and ``incidents``; ``buildings`` (population) give ``rate_1000``.
    window : {"day", "week", "month"}
        The calendar day, ISO week or month containing ``at`` (日见面、周研判、月讲评).
    at : timestamp or str, optional
        A moment in the period; default the latest incident.
    start, end : timestamp or str, optional
        A custom range ``[start, end)`` instead of ``window``/``at`` (both or neither).
    category : str or sequence of str, optional
        Only incidents of these categories.
    shape, size_m
        Regular cells (:func:`gis.hotspots.cells.make_cells`; size from the incidents
        when None).
    permutations : int
        Gi* conditional permutations; 0 (default) classifies on normal p-values, as
        Esri's Hot Spot Analysis does.
    bins : {"day", "week", "month"}
        Time bins of the emerging hot-spot cube (the history up to the period's end).
    trends : bool
        Compute emerging hot spots (the slowest step: a space-time Gi* per bin); False
        leaves ``emerging`` None, for callers that show only the period's classes.
    density : bool
        Also the kernel density of the period's incidents and its contour polygons.
    whole_period : bool
        Also Gi* of the cells over the whole history up to the period's end (``whole``).

    Raises
    ------
    ConfigError
        No grids or incidents, no incident of ``category``, or an inconsistent period.

    Examples
    --------
    >>> review = hotspot_review(load_district("data/demo"), window="week")  # doctest: +SKIP
    >>> review.grids.nlargest(3, "count")[["id", "count", "previous_count"]]  # doctest: +SKIP
    """
    grids, incidents = _inputs(district, category)
    period = _period(incidents, window=window, at=at, start=start, end=end)
    prepared = _prepare(district, grids, incidents, shape=shape, size_m=size_m)
    return _review(
        prepared, period, permutations=permutations, bins=bins, trends=trends,
        density=density, whole_period=whole_period,
    )  # fmt: skip


def hotspot_series(
    district: District,
    *,
    window: ReviewWindow,
    ats: Sequence[pd.Timestamp | str],
    category: str | Sequence[str] | None = None,
    shape: Shape = "hexagon",
    size_m: float | None = None,
    permutations: int = 0,
) -> list[HotspotReview]:
    """:func:`hotspot_review` of several periods (trends off), one per moment of ``ats``.

    The reviews share one set of cells, the incidents located once and one spatial
    weights matrix for the cells and one for the grids, so a day/week/month filter of
    many periods costs a Gi* per period, not a whole review; each review is the one
    ``hotspot_review(district, window=window, at=at, trends=False)`` returns.
    """
    grids, incidents = _inputs(district, category)
    prepared = _prepare(district, grids, incidents, shape=shape, size_m=size_m)
    return [
        _review(prepared, period_bounds(window, at=at), permutations=permutations, trends=False)
        for at in ats
    ]


@dataclass(frozen=True)
class _Prepared:
    """What every period of one district shares: inputs, cells, located incidents, weights."""

    district: District
    grids: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    cells: Cells
    located: gpd.GeoDataFrame
    cell_weights: Weights
    grid_weights: Weights


def _prepare(
    district: District,
    grids: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    shape: Shape,
    size_m: float | None,
) -> _Prepared:
    cells, located = _cells(grids, incidents, shape=shape, size_m=size_m)
    return _Prepared(
        district, grids, incidents, cells, located,
        cell_weights=spatial_weights(cells.cells), grid_weights=spatial_weights(grids),
    )  # fmt: skip


def _review(
    prep: _Prepared,
    period: Period,
    *,
    permutations: int,
    trends: bool,
    bins: Bins = "month",
    density: bool = False,
    whole_period: bool = False,
) -> HotspotReview:
    cells, located = prep.cells, prep.located
    counts = _grid_counts(prep.district, prep.grids, prep.incidents, period)
    cell_counts = _cell_counts(cells, located, period)
    cell_gi = gi_star(
        cell_counts[["id", "row", "col", "count", "geometry"]],
        weights=prep.cell_weights,
        permutations=permutations,
    )
    grid_gi = _grid_gi(
        counts.areas, cell_gi.cells, _in_period(located, period),
        weights=prep.grid_weights, permutations=permutations,
    )  # fmt: skip
    history = _until(located, period.end)  # a review as of a date never looks past it
    emerging = _emerging(history, cells.cells[["id", "geometry"]], bins=bins) if trends else None
    evaluation = pai(
        cell_counts.assign(count=cell_counts["previous_count"]),
        cell_counts.set_index("id")["count"],
    )
    surface = _density(_in_period(located, period)) if density else None
    whole = _whole_gi(cells.cells, history, permutations=permutations) if whole_period else None
    return HotspotReview(
        period=period,
        category=counts.category,
        grids=grid_gi.cells,
        cells=cell_gi.cells,
        emerging=_emerging_frame(emerging, cells.cells, history, trends=trends),
        pai=pai_table(evaluation),
        cell_size_m=cells.size_m,
        shape=cells.shape,
        metric_crs=cells.crs,
        grid_hotspots=grid_gi,
        cell_hotspots=cell_gi,
        emerging_hotspots=emerging,
        evaluation=evaluation,
        density=surface,
        contours=None if surface is None else density_contours(surface),
        whole=None if whole is None else whole.cells,
        whole_hotspots=whole,
    )


def _density(incidents: gpd.GeoDataFrame) -> DensitySurface | None:
    """Kernel density of the incidents (metric CRS), None below two distinct locations."""
    points = incidents.geometry[incidents.geometry.notna() & ~incidents.geometry.is_empty]
    if len(points.drop_duplicates()) < 2:
        return None
    return kernel_density(points)


def whole_period_counts(cells: gpd.GeoDataFrame, located: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``id, row, col, count, geometry`` of the cells: every incident of ``located`` (with
    its ``cell``), whatever its time."""
    counts = located["cell"].value_counts().reindex(cells["id"], fill_value=0)
    out = cells[["id", "row", "col", "geometry"]].copy()
    out.insert(3, "count", counts.to_numpy().astype(int))
    return out


def _whole_gi(cells: gpd.GeoDataFrame, located: gpd.GeoDataFrame, *, permutations: int) -> HotSpots:
    """Gi* of the cells' counts over the whole history given (not only the period)."""
    return gi_star(whole_period_counts(cells, located), permutations=permutations)


def _inputs(
    district: District, category: str | Sequence[str] | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The grids and the incidents of ``category`` (all when None)."""
    if district.incidents is None or district.grids is None:
        raise ConfigError(
            f"the district needs grids and incidents / 辖区须包含网格和警情 ({district.name})"
        )
    incidents = district.incidents
    require(
        incidents, ["time"] + (["category"] if category is not None else []), source="incidents"
    )
    if category is not None:
        cats = [category] if isinstance(category, str) else [str(c) for c in category]
        incidents = incidents[incidents["category"].astype(str).isin(cats)]
        if incidents.empty:
            raise ConfigError(f"no incident of category {', '.join(cats)} / 没有该类别警情")
    return district.grids, incidents


def _period(
    incidents: gpd.GeoDataFrame,
    *,
    window: ReviewWindow,
    at: pd.Timestamp | str | None,
    start: pd.Timestamp | str | None,
    end: pd.Timestamp | str | None,
) -> Period:
    """The period reviewed: ``[start, end)`` when given, else the window containing ``at``."""
    if (start is None) != (end is None):
        raise ConfigError("a custom period needs both start and end / 自定义时段需要起止时间")
    if start is not None:
        if at is not None:
            raise ConfigError("give either at or start/end / 指定日期或起止时间，二选一")
        return period_bounds("custom", start=start, end=end)
    if at is None:
        at = pd.to_datetime(incidents["time"], errors="coerce").max()
        if pd.isna(at):
            raise ConfigError("no incident has a valid time / 没有有效的事件时间")
    return period_bounds(window, at=at)


def _grid_counts(
    district: District, grids: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, period: Period
) -> AreaCounts:
    population = (
        population_by_area(district.buildings, grids) if district.buildings is not None else None
    )
    return count_incidents(
        incidents,
        grids,
        window=period.window,
        at=period.start,
        start=period.start,
        end=period.end,
        population=population,
    )


def _cells(
    grids: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, shape: Shape, size_m: float | None
) -> tuple[Cells, gpd.GeoDataFrame]:
    """Regular cells over the grids and the incidents (metric CRS) with their ``cell``."""
    cells = make_cells(grids, shape=shape, size_m=size_m, points=incidents)
    located = incidents.to_crs(cells.crs)
    located["cell"] = assign_points(located, cells.cells)
    return cells, located


def _cell_counts(cells: Cells, located: gpd.GeoDataFrame, period: Period) -> gpd.GeoDataFrame:
    """``count`` and ``previous_count`` per cell (cells' columns kept, metric CRS)."""
    counted = count_incidents(
        located,
        cells.cells,
        window=period.window,
        at=period.start,
        start=period.start,
        end=period.end,
        area_col="cell",
    )
    per_cell = counted.areas.set_index("id")
    ids = cells.cells["id"]
    return cells.cells.assign(
        count=per_cell["count"].reindex(ids).to_numpy(),
        previous_count=per_cell["previous_count"].reindex(ids).to_numpy(),
    )


def _emerging(
    located: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, *, bins: Bins
) -> EmergingHotSpots | None:
    """Emerging hot spots over the history, None when it spans a single bin."""
    times = pd.to_datetime(located["time"], errors="coerce").dropna()
    if times.dt.to_period(period_freq(bins)).nunique() < 2:
        return None
    return emerging_hotspots(located, cells, freq=bins, area_col="cell")


def _emerging_frame(
    result: EmergingHotSpots | None,
    cells: gpd.GeoDataFrame,
    located: gpd.GeoDataFrame,
    *,
    trends: bool,
) -> gpd.GeoDataFrame | None:
    if not trends:
        return None
    return result.cells if result is not None else _no_pattern(cells, located)


def _no_pattern(cells: gpd.GeoDataFrame, located: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``emerging`` frame when there is no trend to see: every pattern "none"."""
    n = len(cells)
    counts = located["cell"].value_counts().reindex(cells["id"], fill_value=0)
    return gpd.GeoDataFrame(
        {
            "id": cells["id"].to_numpy(),
            "count": counts.to_numpy().astype(int),
            "pattern": ["none"] * n,
            "spot": [""] * n,
            "label_zh": ["无模式"] * n,
            "label_en": ["No Pattern Detected"] * n,
            "trend_z": np.full(n, np.nan),
            "trend_p": np.full(n, np.nan),
            "n_hot_bins": np.zeros(n, dtype=int),
            "n_cold_bins": np.zeros(n, dtype=int),
        },
        geometry=cells.geometry.to_numpy(),
        crs=cells.crs,
    )


def _until(incidents: gpd.GeoDataFrame, end: pd.Timestamp) -> gpd.GeoDataFrame:
    return incidents[(pd.to_datetime(incidents["time"], errors="coerce") < end).to_numpy()]


def _in_period(incidents: gpd.GeoDataFrame, period: Period) -> gpd.GeoDataFrame:
    times = pd.to_datetime(incidents["time"], errors="coerce")
    return incidents[((times >= period.start) & (times < period.end)).to_numpy()]


def _grid_gi(
    areas: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    weights: Weights,
    permutations: int,
) -> HotSpots:
    """Gi* of the grid counts (``gi_z``, ``gi_p``, ``gi_p_fdr``, ``grid_class``), and the
    grid classes read off the cells' Gi* (``hotspot_class``, :mod:`gis.hotspots.grid_classes`)."""
    own = gi_star(areas, weights=weights, permutations=permutations)
    frame = own.cells.rename(columns={"hotspot_class": "grid_class"})
    classes = grid_classes(areas, cells, incidents)
    for col in ("hot_share", "cold_share", "hotspot_class"):
        frame[col] = classes[col].to_numpy()
    return replace(own, cells=frame)


def pai_table(result: Evaluation) -> pd.DataFrame:
    """One-row table of a PAI evaluation (the ``pai`` sheet of the CLI's workbook)."""
    return pd.DataFrame(
        [
            {
                "pai": result.pai,
                "hit_rate": result.hit_rate,
                "area_share": result.area_share,
                "n_hit": result.n_hit,
                "n_total": result.n_total,
                "area_flagged_km2": result.area_flagged_km2,
                "area_total_km2": result.area_total_km2,
            }
        ]
    )
