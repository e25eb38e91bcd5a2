"""Emerging Hot Spot Analysis: a space-time cube, Gi* per time bin, Mann-Kendall trends.

The cube holds incident counts per cell (rows) and time bin (columns).  Gi* is computed
per bin with Esri's space-time neighbourhood (``time_steps`` = N ≥ 1, default 1: the
spatial neighbours and the cell itself in the same bin and in the N previous bins, the
whole cube as the global window; see :mod:`gis.hotspots.spacetime`), or with spatial
neighbours only within each bin (``time_steps=0``, each bin its own study area).
P-values are FDR-adjusted per bin, and a bin is a significant
hot (cold) spot when the adjusted p < ``alpha`` and z > 0 (z < 0).  The Mann-Kendall test
on each cell's series of Gi* z-scores gives the trend in the intensity of clustering.

Patterns, as defined by Esri ("How Emerging Hot Spot Analysis works"), checked in this
order (cold spots mirror hot spots), where *share* is the share of bins that are hot:

==============  ======================================================================
new             hot in the final bin and never hot before
consecutive     a single uninterrupted run of ≥ 2 hot bins ending with the final bin,
                never hot before the run, share < 90 %
intensifying    share ≥ 90 %, hot in the final bin, significant increasing trend
persistent      share ≥ 90 %, no significant trend
diminishing     share ≥ 90 %, hot in the final bin, significant decreasing trend
sporadic        hot in the final bin, on-and-off history, share < 90 %, never cold
oscillating     hot in the final bin, cold in some earlier bin, share < 90 %
historical      not hot in the final bin, share ≥ 90 %
none            none of the above (also every cell without a single incident)
==============  ======================================================================

A location that was a significant cold spot before turning hot is *oscillating*, not
new or consecutive (Esri's definitions overlap there; oscillating is the one that
names the cold history; the R package sfdep resolves it the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
from scipy import stats

from gis.errors import ConfigError
from gis.guard import require
from gis.hotspots.counts import assign_points, period_freq
from gis.hotspots.gistar import fdr_adjust, gi_arrays, gi_star_normal, with_self
from gis.hotspots.spacetime import GlobalWindow, spacetime_gi
from gis.hotspots.weights import Weights, WeightsKind, spatial_weights
from gis.i18n import Text

Pattern = Literal[
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
    "none",
]
PATTERN_ORDER: tuple[Pattern, ...] = tuple(p for p in get_args(Pattern) if p != "none")
PATTERN_ZH = {
    "new": "新增",
    "consecutive": "连续",
    "intensifying": "加强",
    "persistent": "持续",
    "diminishing": "减弱",
    "sporadic": "零星",
    "oscillating": "振荡",
    "historical": "历史",
}


@dataclass(frozen=True)
class EmergingHotSpots:
    """Result of :func:`emerging_hotspots`.

    Attributes
    ----------
    cells : GeoDataFrame
        ``id``, ``count`` (all bins), ``pattern``, ``spot`` ("hot"/"cold"/""),
        ``label_zh``, ``label_en``, ``trend_z``, ``trend_p``, ``n_hot_bins``,
        ``n_cold_bins``, geometry.
    cube : DataFrame
        Long form: ``id``, ``bin`` (start), ``count``, ``gi_z``, ``gi_p_fdr``, ``hot`` (+1/-1/0).
    bins : DatetimeIndex
    time_steps : int
        The Neighborhood Time Step used (0: spatial neighbours only).
    """

    cells: gpd.GeoDataFrame
    cube: pd.DataFrame
    bins: pd.DatetimeIndex
    alpha: float
    crs: pyproj.CRS
    time_steps: int = 1
    global_window: str = "time_window"


def mann_kendall(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall trend test on each row of ``x`` (cells × time), with tie correction.

    Returns S, z (continuity-corrected) and the two-sided p-value per row.

    >>> s, z, p = mann_kendall(np.array([[1.0, 2, 3, 4, 5]]))
    >>> int(s[0]), round(float(p[0]), 4)
    (10, 0.0275)
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    n = x.shape[1]
    s = np.zeros(x.shape[0])
    for lag in range(1, n):  # Σ_{i<j} sign(x_j − x_i), one lag at a time: cells × bins memory
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    var = (n * (n - 1) * (2 * n + 5) - _tie_term(x)) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
    return s, z, 2.0 * stats.norm.sf(np.abs(z))


def _tie_term(x: np.ndarray) -> np.ndarray:
    """Σ t(t−1)(2t+5) over the groups of tied values of each row."""
    rows, n = x.shape
    srt = np.sort(x, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group = np.cumsum(starts.ravel()) - 1
    t = np.bincount(group).astype(float)
    row_of_group = np.repeat(np.arange(rows), starts.sum(axis=1))
    return np.bincount(row_of_group, weights=t * (t - 1) * (2 * t + 5), minlength=rows)


def classify_patterns(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: np.ndarray,
    trend_p: np.ndarray,
    *,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Esri pattern and spot ("hot"/"cold"/"") per cell from boolean cells × bins arrays."""
    hot_p = _patterns(hot, cold, trend_z, trend_p, alpha)
    cold_p = _patterns(cold, hot, -np.asarray(trend_z), trend_p, alpha)
    pattern = np.where(hot_p != "none", hot_p, cold_p)
    spot = np.where(hot_p != "none", "hot", np.where(cold_p != "none", "cold", ""))
    return pattern, spot


def _patterns(
    hot: np.ndarray, cold: np.ndarray, tz: np.ndarray, tp: np.ndarray, alpha: float
) -> np.ndarray:
    hot, cold = np.asarray(hot, dtype=bool), np.asarray(cold, dtype=bool)
    n_bins = hot.shape[1]
    n_hot = hot.sum(axis=1)
    share = n_hot / n_bins
    final = hot[:, -1]
    run = np.cumprod(hot[:, ::-1], axis=1).sum(axis=1)  # length of the final hot run
    up, down = (tp < alpha) & (tz > 0), (tp < alpha) & (tz < 0)
    many = share >= 0.9
    cold_before = cold[:, :-1].any(axis=1)
    conditions = [
        final & (n_hot == 1) & ~cold_before,
        final & (run >= 2) & (n_hot == run) & ~many & ~cold_before,
        many & final & up,
        many & (tp >= alpha),
        many & final & down,
        final & ~many & ~cold.any(axis=1),
        final & ~many & cold_before,
        ~final & many,
    ]
    return np.select(conditions, list(PATTERN_ORDER), "none")


def emerging_hotspots(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    freq: str = "month",
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    area_col: str | None = None,
    weights: WeightsKind | Weights = "distance",
    distance_m: float | None = None,
    permutations: int = 0,
    alpha: float = 0.05,
    time_steps: int = 1,
    global_window: GlobalWindow = "time_window",
) -> EmergingHotSpots:
    """Emerging hot spots of ``incidents`` over ``cells`` and time bins of ``freq``.

    Parameters
    ----------
    freq : str
        Time bins: "day", "week", "month" or a pandas period alias ("2W", "Q"…).
    start, end : timestamp, optional
        Limits of the cube (half-open); default the incidents' time span.
    area_col : str, optional
        Column holding each incident's cell id; default point-in-polygon on geometry.
    permutations : int
        0 (default): normal p-values per bin, as Esri's EHSA; > 0: conditional permutations.
    alpha : float
        Significance of hot/cold bins (after FDR) and of the trend.
    time_steps : int
        Esri's Neighborhood Time Step: the neighbourhood of a bin holds the bins of its
        spatial neighbours (and itself) in the same and the ``time_steps`` previous bins,
        against the mean and variance of the whole cube.  0: spatial neighbours in the
        same bin only, each bin against its own mean and variance.
    global_window : {"time_window", "cube"}
        With ``time_steps`` ≥ 1: the bins giving the global mean and variance, those of
        the bin's time window (default) or of the whole cube (Esri's default); see
        :mod:`gis.hotspots.spacetime`.  The FDR family is the same set of bins.
    """
    require(incidents, ["time"], source="incidents")
    require(cells, ["id"], source="cells")
    counts, bins = _cube(incidents, cells, freq=freq, start=start, end=end, area_col=area_col)
    if counts.shape[1] < 2:
        raise ConfigError(
            str(Text("至少需要两个时段", "emerging hot spots need at least two time bins"))
        )
    wts = (
        weights
        if isinstance(weights, Weights)
        else spatial_weights(cells, kind=weights, distance_m=distance_m)
    )
    z, p = _gi_cube(counts, wts, time_steps=time_steps, window=global_window, perms=permutations)
    sig = p < alpha
    has_data = counts.sum(axis=1) > 0
    hot, cold = sig & (z > 0) & has_data[:, None], sig & (z < 0) & has_data[:, None]
    _, tz, tp = mann_kendall(z)
    pattern, spot = classify_patterns(hot, cold, tz, tp, alpha=alpha)
    out = _cells_frame(cells, counts, pattern, spot, tz, tp, hot, cold)
    cube = _cube_frame(cells, bins, counts, z, p, hot, cold)
    return EmergingHotSpots(out, cube, bins, alpha, wts.crs, time_steps, global_window)


def _gi_cube(
    counts: np.ndarray, wts: Weights, *, time_steps: int, window: GlobalWindow, perms: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z and FDR-adjusted p, cells × bins (FDR over the cube, or per bin for N = 0)."""
    if time_steps < 0:
        raise ConfigError(
            str(Text("时间步长邻域须 ≥ 0", f"time_steps must be ≥ 0, got {time_steps}"))
        )
    if time_steps > 0:
        z, p = spacetime_gi(
            counts, wts, time_steps=time_steps, global_window=window, permutations=perms
        )
        if window == "cube":  # the cube is one study area: one family of tests for the FDR
            return z, fdr_adjust(p.ravel()).reshape(p.shape)
    elif perms == 0:  # every bin its own study area: one sparse product for all bins
        z, p = gi_star_normal(counts, with_self(wts.w.sparse))
    else:
        z, p = np.zeros(counts.shape), np.ones(counts.shape)
        for b in range(counts.shape[1]):  # one vectorized Gi* per time bin
            z[:, b], p[:, b] = gi_arrays(
                counts[:, b],
                wts,
                permutations=perms,
                inference="permutation" if perms else "normal",
                seed=b,
            )
    return z, np.column_stack([fdr_adjust(p[:, b]) for b in range(p.shape[1])])


def _cube(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    cells: gpd.GeoDataFrame,
    *,
    freq: str,
    start: pd.Timestamp | str | None,
    end: pd.Timestamp | str | None,
    area_col: str | None,
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    times = pd.to_datetime(incidents["time"], errors="coerce")
    freq = period_freq(freq)
    if area_col is not None:
        require(incidents, [area_col], source="incidents")
        ids = incidents[area_col].astype(object).where(incidents[area_col].notna())
    elif isinstance(incidents, gpd.GeoDataFrame):
        ids = assign_points(incidents, cells)
    else:
        raise ConfigError(
            str(Text("事件需有坐标或格网编码", "incidents need geometry or area_col"))
        )
    lo = pd.Timestamp(start) if start is not None else times.min()
    hi = pd.Timestamp(end) if end is not None else times.max() + pd.Timedelta(seconds=1)
    if pd.isna(lo) or pd.isna(hi):
        raise ConfigError(str(Text("没有有效的事件时间", "no incident has a valid time")))
    bins = pd.period_range(lo, hi - pd.Timedelta(seconds=1), freq=freq)
    keep = times.notna() & ids.notna() & (times >= lo) & (times < hi)
    row = pd.Index(cells["id"].astype(str)).get_indexer(ids[keep].astype(str))
    col = bins.get_indexer(pd.PeriodIndex(times[keep].dt.to_period(freq)))
    ok = (row >= 0) & (col >= 0)
    counts = np.zeros((len(cells), len(bins)))
    np.add.at(counts, (row[ok], col[ok]), 1.0)
    return counts, bins.start_time


def _cells_frame(
    cells: gpd.GeoDataFrame,
    counts: np.ndarray,
    pattern: np.ndarray,
    spot: np.ndarray,
    tz: np.ndarray,
    tp: np.ndarray,
    hot: np.ndarray,
    cold: np.ndarray,
) -> gpd.GeoDataFrame:
    spot_zh = np.where(spot == "hot", "热点", np.where(spot == "cold", "冷点", ""))
    spot_en = np.where(spot == "hot", " Hot Spot", np.where(spot == "cold", " Cold Spot", ""))
    label_zh = np.array([PATTERN_ZH.get(p, "无模式") for p in pattern], dtype=object) + spot_zh
    label_en = np.char.add(np.char.capitalize(pattern.astype(str)), spot_en)
    return gpd.GeoDataFrame(
        {
            "id": cells["id"].astype(str).to_numpy(),
            "count": counts.sum(axis=1).astype(int),
            "pattern": pattern,
            "spot": spot,
            "label_zh": label_zh,
            "label_en": np.where(pattern == "none", "No Pattern Detected", label_en),
            "trend_z": tz,
            "trend_p": tp,
            "n_hot_bins": hot.sum(axis=1),
            "n_cold_bins": cold.sum(axis=1),
        },
        geometry=cells.geometry.to_numpy(),
        crs=cells.crs,
    )


def _cube_frame(
    cells: gpd.GeoDataFrame,
    bins: pd.DatetimeIndex,
    counts: np.ndarray,
    z: np.ndarray,
    p: np.ndarray,
    hot: np.ndarray,
    cold: np.ndarray,
) -> pd.DataFrame:
    n_cells, n_bins = counts.shape
    return pd.DataFrame(
        {
            "id": np.repeat(cells["id"].astype(str).to_numpy(), n_bins),
            "bin": np.tile(bins.to_numpy(), n_cells),
            "count": counts.ravel().astype(int),
            "gi_z": z.ravel(),
            "gi_p_fdr": p.ravel(),
            "hot": (hot.astype(int) - cold.astype(int)).ravel(),
        }
    )
