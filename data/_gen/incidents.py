"""A year (2025) of incidents: background by population, planted hotspots with trends.

Background incidents are drawn at buildings in proportion to their population
(traffic incidents along the named roads), with category-specific hour-of-day and
weekday profiles.  Four planted hotspots add incidents uniformly inside a disc with a
monthly count that follows a trend.  Nothing falls in the park or the lake.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from data._gen.frame import Frame
from data._gen.names import CITY, DISTRICT
from data._gen.population import Population

YEAR_START = np.datetime64("2025-01-01T00:00:00")
N_BACKGROUND = 26_000
CATEGORIES = {
    "theft": "盗窃",
    "fraud": "诈骗",
    "dispute": "纠纷",
    "traffic": "交通",
    "noise": "噪音",
}
_SHARE = np.array([0.24, 0.14, 0.30, 0.16, 0.16])
_JITTER_M = np.array([25.0, 6.0, 10.0, 5.0, 10.0])
_WEEKEND = np.array([1.2, 0.9, 1.3, 0.8, 1.6])
_HOURS = {
    "theft": [2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 6, 7, 7, 7, 7, 6, 6, 5, 4, 3, 2],
    "fraud": [1, 0, 0, 0, 0, 0, 1, 2, 5, 8, 9, 9, 7, 7, 8, 8, 8, 7, 6, 5, 4, 3, 2, 1],
    "dispute": [3, 2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4],
    "traffic": [1, 1, 0, 0, 0, 1, 3, 9, 10, 6, 4, 4, 5, 4, 4, 5, 7, 10, 9, 5, 3, 2, 2, 1],
    "noise": [8, 6, 4, 2, 1, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 10],
}
_STATUS = {"closed": "已办结", "processing": "处理中", "open": "待处理"}
_SOURCES = np.array(["110接警", "网格上报", "12345热线"])
_MONTH_START = np.arange("2025-01", "2026-02", dtype="datetime64[M]").astype("datetime64[D]")

#: (category, trend, radius m, planted incidents per month Jan..Dec)
HOTSPOT_SPECS: tuple[tuple[str, str, float, tuple[int, ...]], ...] = (
    ("theft", "intensifying", 160.0, tuple(int(v) for v in np.linspace(12, 95, 12).round())),
    ("dispute", "persistent", 120.0, (55,) * 12),
    ("fraud", "new", 110.0, (0,) * 8 + (70, 80, 85, 95)),
    ("noise", "diminishing", 150.0, tuple(int(v) for v in np.linspace(95, 6, 12).round())),
)


@dataclass(frozen=True)
class Hotspot:
    """A planted hotspot: where, how big, what and how it evolves."""

    id: str
    category: str
    trend: str
    x: float
    y: float
    radius_m: float
    monthly: tuple[int, ...]


def _times(cat: np.ndarray, rng: np.random.Generator, day: np.ndarray | None = None) -> np.ndarray:
    """Seconds since 2025-01-01 following the weekday and hour profiles of each category."""
    n = len(cat)
    if day is None:
        weekday = (np.arange(365) + 2) % 7  # 2025-01-01 was a Wednesday (Mon = 0)
        w = np.where(weekday[None, :] >= 5, _WEEKEND[:, None], 1.0)
        season = 1.0 + 0.25 * np.sin((np.arange(365) - 80) / 365 * 2 * np.pi)
        w = w * np.where(np.arange(5)[:, None] == 4, season[None, :], 1.0)
        cdf = np.cumsum(w, 1) / w.sum(1, keepdims=True)
        day = (cdf[cat] < rng.random(n)[:, None]).sum(1)
    prof = np.array([_HOURS[c] for c in CATEGORIES], float)
    hcdf = np.cumsum(prof, 1) / prof.sum(1, keepdims=True)
    u = rng.random(n)
    hour = (hcdf[cat] < u[:, None]).sum(1)
    return day * 86400 + hour * 3600 + rng.integers(0, 3600, n)


def _background(
    frame: Frame, pop: Population, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category, x, y of the background incidents."""
    cat = rng.choice(5, N_BACKGROUND, p=_SHARE)
    b = pop.buildings
    weight = b.population.to_numpy() / b.population.sum()
    at = rng.choice(len(b), N_BACKGROUND, p=weight)
    x, y = b.x.to_numpy()[at], b.y.to_numpy()[at]
    road_len = shapely.length(frame.roads)
    road = rng.choice(len(road_len), N_BACKGROUND, p=road_len / road_len.sum())
    on_road = shapely.get_coordinates(
        shapely.line_interpolate_point(frame.roads[road], rng.random(N_BACKGROUND), normalized=True)
    )
    traffic = cat == 3
    x = np.where(traffic, on_road[:, 0], x) + rng.normal(0, _JITTER_M[cat])
    y = np.where(traffic, on_road[:, 1], y) + rng.normal(0, _JITTER_M[cat])
    return cat, x, y


def _hotspot_centres(frame: Frame, pop: Population, rng: np.random.Generator) -> list[Hotspot]:
    """Hotspot centres at town buildings, away from cold areas, the outline and each other."""
    b = pop.buildings
    pts = shapely.points(b.x, b.y)
    ok = (
        (shapely.distance(pts, frame.cold) > 450)
        & (shapely.distance(pts, shapely.boundary(frame.street)) > 350)
        & b.kind.isin(["multi", "high"]).to_numpy()
    )
    cand = np.flatnonzero(ok)
    chosen: list[int] = []
    for k in rng.permutation(cand):
        if all(np.hypot(b.x[k] - b.x[c], b.y[k] - b.y[c]) > 1000 for c in chosen):
            chosen.append(int(k))
        if len(chosen) == len(HOTSPOT_SPECS):
            break
    return [
        Hotspot(f"H{n + 1}", cat, trend, float(b.x[k]), float(b.y[k]), r, monthly)
        for n, (k, (cat, trend, r, monthly)) in enumerate(zip(chosen, HOTSPOT_SPECS, strict=True))
    ]


def _planted(hotspots: list[Hotspot], rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Category, x, y, day of year, hotspot id of every planted incident."""
    cats = list(CATEGORIES)
    counts = np.array([h.monthly for h in hotspots])  # (hotspot, month)
    h_idx = np.repeat(np.repeat(np.arange(len(hotspots)), 12), counts.ravel())
    month = np.repeat(np.tile(np.arange(12), len(hotspots)), counts.ravel())
    span = (_MONTH_START[month + 1] - _MONTH_START[month]).astype(int)
    day = (_MONTH_START[month] - _MONTH_START[0]).astype(int) + np.floor(
        rng.random(len(month)) * span
    ).astype(int)
    r = np.array([h.radius_m for h in hotspots])[h_idx] * np.sqrt(rng.random(len(h_idx)))
    a = rng.uniform(0, 2 * np.pi, len(h_idx))
    x = np.array([h.x for h in hotspots])[h_idx] + r * np.cos(a)
    y = np.array([h.y for h in hotspots])[h_idx] + r * np.sin(a)
    cat = np.array([cats.index(h.category) for h in hotspots])[h_idx]
    return cat, x, y, day, np.array([h.id for h in hotspots])[h_idx]


def build_incidents(
    frame: Frame, pop: Population, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[Hotspot]]:
    """Incidents (metres, with ``x``/``y``) and the planted hotspots."""
    cat, x, y = _background(frame, pop, rng)
    seconds = _times(cat, rng)
    hotspots = _hotspot_centres(frame, pop, rng)
    hcat, hx, hy, hday, hid = _planted(hotspots, rng)
    hsec = _times(hcat, rng, day=hday)
    df = pd.DataFrame(
        {
            "cat": np.concatenate([cat, hcat]),
            "x": np.concatenate([x, hx]),
            "y": np.concatenate([y, hy]),
            "seconds": np.concatenate([seconds, hsec]),
            "hotspot": np.concatenate([np.full(len(cat), ""), hid]),
        }
    )
    inside = shapely.contains_xy(frame.street, df.x, df.y) & ~shapely.contains_xy(
        frame.cold, df.x, df.y
    )
    df = df[inside].sort_values(["seconds", "x"], kind="stable").reset_index(drop=True)
    return _describe(frame, pop, df, rng), hotspots


def _describe(
    frame: Frame, pop: Population, df: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Ids, times, labels, nearest address (road text for traffic), status and source."""
    cats = np.array(list(CATEGORIES))
    time = YEAR_START + df.seconds.to_numpy().astype("timedelta64[s]")
    addr = pop.addresses
    pts = shapely.points(df.x, df.y)
    _, near = shapely.STRtree(shapely.points(addr.x, addr.y)).query_nearest(pts, all_matches=False)
    _, road = shapely.STRtree(frame.roads).query_nearest(pts, all_matches=False)
    pos = shapely.line_locate_point(frame.roads[road], pts)
    door = 2 * (pos // 30).astype(int) + 1
    road_text = CITY + DISTRICT + np.array(frame.road_names)[road] + door.astype(str) + "号附近"
    traffic = cats[df.cat] == "traffic"
    late = time >= np.datetime64("2025-12-10")
    u = rng.random(len(df))
    status = np.where(late & (u < 0.3), "processing", np.where(late & (u < 0.38), "open", "closed"))
    return pd.DataFrame(
        {
            "id": [f"JQ2025{k + 1:06d}" for k in range(len(df))],
            "time": time,
            "category": cats[df.cat],
            "category_zh": [CATEGORIES[c] for c in cats[df.cat]],
            "address": np.where(traffic, road_text, addr.address.to_numpy()[near]),
            "status": status,
            "status_zh": [_STATUS[s] for s in status],
            "source": _SOURCES[rng.choice(3, len(df), p=[0.6, 0.25, 0.15])],
            "x": df.x.to_numpy(),
            "y": df.y.to_numpy(),
            "hotspot": df.hotspot.to_numpy(),
        }
    )
