"""Clean GPS tracks: drop duplicate and teleporting fixes, split at gaps, build legs.

Rules, applied per track (``track_id``) in time order, in metres of a metric CRS:

1. fixes without time or position, and repeated timestamps (the first is kept), go;
2. a *spike* is a fix reached and left at more than ``max_speed_kmh`` (a jump out and
   back); spikes are removed, repeatedly (at most ``passes`` times, for runs of spikes);
3. what remains is cut into segments wherever two fixes are more than ``max_gap_s``
   apart or still joined at more than ``max_speed_kmh`` (a one-way jump);
4. each pair of consecutive fixes in a segment is a leg.

:func:`track_lines` draws the result: one line per segment, so a map never joins two fixes
across a jump or a silence (no spikes leaving the district).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.crs import to_metric
from gis.errors import ConfigError
from gis.guard import require, same_crs
from gis.i18n import Text


@dataclass(frozen=True)
class CleanTracks:
    """Cleaned tracks.

    Attributes
    ----------
    fixes : GeoDataFrame
        Kept fixes (metric CRS): ``track_id``, ``officer_id``, ``time``, ``segment_id``.
    legs : GeoDataFrame
        ``track_id``, ``officer_id``, ``segment_id``, ``leg`` (running number, consecutive
        within a segment), ``t0``, ``t1``, ``seconds``, ``metres``, ``speed_kmh``,
        2-point LineString geometry.
    dropped : DataFrame
        Index of each dropped input row and ``reason`` (missing, duplicate_time, spike).
    crs : pyproj.CRS
        The metric CRS of ``fixes`` and ``legs``.
    """

    fixes: gpd.GeoDataFrame
    legs: gpd.GeoDataFrame
    dropped: pd.DataFrame
    crs: pyproj.CRS

    @property
    def n_segments(self) -> int:
        return int(self.fixes["segment_id"].nunique())


def clean_tracks(
    fixes: gpd.GeoDataFrame,
    *,
    max_speed_kmh: float = 80.0,
    max_gap_s: float = 300.0,
    passes: int = 3,
    crs: pyproj.CRS | str | int | None = None,
) -> CleanTracks:
    """Clean GPS fixes into segments and legs (see module docstring).

    Parameters
    ----------
    fixes : GeoDataFrame
        Points with ``track_id`` and ``time`` (``officer_id`` optional).
    max_speed_kmh : float
        Faster movement between fixes is a GPS error (80 km/h suits urban car patrol).
    max_gap_s : float
        A longer silence starts a new segment: no time or distance is assumed across it.
    crs : pyproj.CRS, str or int, optional
        Metric CRS to work in (e.g. the grids'; anything ``pyproj.CRS`` accepts); default
        chosen for the fixes.
    """
    require(fixes, ["track_id", "time"], source="tracks")
    if max_speed_kmh <= 0 or max_gap_s <= 0:
        raise ConfigError(
            str(Text("速度和间隔阈值须为正数", "max_speed_kmh and max_gap_s must be positive"))
        )
    frame, metric = _prepare(fixes, crs)
    dropped = [pd.DataFrame({"reason": "missing"}, index=fixes.index.difference(frame.index))]
    dup = frame.duplicated(["track_id", "time"], keep="first").to_numpy()
    dropped.append(pd.DataFrame({"reason": "duplicate_time"}, index=frame.index[dup]))
    frame = frame.loc[~dup]
    vmax = max_speed_kmh / 3.6
    for _ in range(passes):
        spike = _spikes(frame, vmax)
        if not spike.any():
            break
        dropped.append(pd.DataFrame({"reason": "spike"}, index=frame.index[spike]))
        frame = frame.loc[~spike]
    frame = _segments(frame, vmax, max_gap_s)
    legs = _legs(frame, metric)
    return CleanTracks(frame, legs, pd.concat(dropped).sort_index(), metric)


def track_lines(
    fixes: gpd.GeoDataFrame,
    *,
    max_speed_kmh: float = 80.0,
    max_gap_s: float = 300.0,
    crs: pyproj.CRS | str | int | None = None,
) -> gpd.GeoDataFrame:
    """The tracks as lines for a map, broken at GPS jumps and time gaps.

    The fixes are cleaned by :func:`clean_tracks` with the same thresholds; each segment
    with two fixes or more becomes one LineString through its fixes in time order.

    Returns
    -------
    GeoDataFrame
        ``track_id``, ``officer_id``, ``segment_id``, ``start``, ``end``, ``fixes``, in the
        CRS of ``fixes``; one row per segment, ordered by track and time.
    """
    cleaned = clean_tracks(fixes, max_speed_kmh=max_speed_kmh, max_gap_s=max_gap_s, crs=crs)
    lines = segment_lines(cleaned.fixes)
    return lines if fixes.crs is None else lines.to_crs(fixes.crs)


def segment_lines(fixes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One line per ``segment_id`` of cleaned fixes (:attr:`CleanTracks.fixes`), in their CRS."""
    ordered = fixes.sort_values(["track_id", "segment_id", "time"], kind="stable")
    geoms = ordered.geometry.to_numpy()
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    ok = np.isfinite(x) & np.isfinite(y)
    kept = ordered.loc[ok]
    codes, _ = pd.factorize(kept["segment_id"].astype(str))
    long_enough = np.bincount(codes)[codes] >= 2 if len(codes) else np.zeros(0, dtype=bool)
    kept = kept.loc[long_enough]
    index, _ = pd.factorize(codes[long_enough])  # 0, 1, 2 … in order, as linestrings needs
    xy = np.column_stack([x[ok][long_enough], y[ok][long_enough]])
    lines = shapely.linestrings(xy, indices=index) if len(index) else np.array([], dtype=object)
    groups = kept.groupby(index, sort=True)
    officer = groups["officer_id"].first() if "officer_id" in kept else groups["track_id"].first()
    return gpd.GeoDataFrame(
        {
            "track_id": groups["track_id"].first().astype(str).to_numpy(),
            "officer_id": officer.to_numpy(),
            "segment_id": groups["segment_id"].first().astype(str).to_numpy(),
            "start": groups["time"].min().to_numpy(),
            "end": groups["time"].max().to_numpy(),
            "fixes": groups.size().to_numpy(),
        },
        geometry=lines,
        crs=fixes.crs,
    )


def _prepare(
    fixes: gpd.GeoDataFrame, crs: pyproj.CRS | str | int | None
) -> tuple[gpd.GeoDataFrame, pyproj.CRS]:
    if crs is None:
        metric, chosen = to_metric(fixes)
    else:
        chosen = pyproj.CRS(crs)
        metric = same_crs(fixes, chosen)
    geoms = metric.geometry.to_numpy()
    times = pd.to_datetime(metric["time"], errors="coerce")
    ok = (
        ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        & times.notna().to_numpy()
        & metric["track_id"].notna().to_numpy()
    )
    cols = ["track_id", "time"] + (["officer_id"] if "officer_id" in metric.columns else [])
    out = metric.loc[ok, cols].copy()
    out["time"] = times[ok]
    out["track_id"] = out["track_id"].astype(str)
    if "officer_id" not in out.columns:
        out["officer_id"] = out["track_id"]
    xy = shapely.get_coordinates(geoms[ok])
    out = gpd.GeoDataFrame(out, geometry=shapely.points(xy), crs=chosen)
    out["_x"], out["_y"] = xy[:, 0], xy[:, 1]
    return out.sort_values(["track_id", "time"], kind="stable"), chosen


def _step_speed(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Speed (m/s) from each fix's predecessor in its track, seconds and metres; NaN at starts."""
    same = frame["track_id"].to_numpy()[1:] == frame["track_id"].to_numpy()[:-1]
    dx = np.diff(frame["_x"].to_numpy())
    dy = np.diff(frame["_y"].to_numpy())
    dt = np.diff(frame["time"].to_numpy()).astype("timedelta64[ms]").astype(float) / 1000.0
    dist = np.hypot(dx, dy)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(same, dist / dt, np.nan)
    return (
        np.concatenate([[np.nan], speed]),
        np.concatenate([[np.nan], np.where(same, dt, np.nan)]),
        np.concatenate([[np.nan], np.where(same, dist, np.nan)]),
    )


def _spikes(frame: pd.DataFrame, vmax: float) -> np.ndarray:
    speed_in, _, _ = _step_speed(frame)
    speed_out = np.concatenate([speed_in[1:], [np.nan]])
    fast_in, fast_out = speed_in > vmax, speed_out > vmax
    # an end fix has one neighbour: one fast link makes it a spike
    first, last = np.isnan(speed_in), np.isnan(speed_out)
    return (fast_in & fast_out) | (first & fast_out) | (last & fast_in)


def _segments(frame: gpd.GeoDataFrame, vmax: float, max_gap_s: float) -> gpd.GeoDataFrame:
    speed, dt, _ = _step_speed(frame)
    new = np.isnan(speed) | (dt > max_gap_s) | (speed > vmax)
    out = frame.copy()
    number = pd.Series(new.astype(int), index=frame.index).groupby(frame["track_id"]).cumsum()
    out["segment_id"] = out["track_id"] + "#" + number.astype(str)
    return out


def _legs(frame: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    seg = frame["segment_id"].to_numpy()
    cont = np.flatnonzero(seg[1:] == seg[:-1])  # leg from fix i to fix i + 1
    x, y = frame["_x"].to_numpy(), frame["_y"].to_numpy()
    coords = np.stack([np.stack([x[cont], y[cont]], 1), np.stack([x[cont + 1], y[cont + 1]], 1)], 1)
    times = frame["time"].to_numpy()
    seconds = (times[cont + 1] - times[cont]).astype("timedelta64[ms]").astype(float) / 1000.0
    metres = np.hypot(x[cont + 1] - x[cont], y[cont + 1] - y[cont])
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = np.where(seconds > 0, metres / seconds * 3.6, 0.0)
    lines = shapely.linestrings(coords) if len(cont) else np.array([], dtype=object)
    return gpd.GeoDataFrame(
        {
            "track_id": frame["track_id"].to_numpy()[cont],
            "officer_id": frame["officer_id"].to_numpy()[cont],
            "segment_id": seg[cont],
            "leg": cont,
            "t0": times[cont],
            "t1": times[cont + 1],
            "seconds": seconds,
            "metres": metres,
            "speed_kmh": kmh,
        },
        geometry=lines,
        crs=crs,
    )
