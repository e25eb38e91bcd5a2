"""Patrol GPS tracks: officers walking or riding the roads around the grids of their beat.

A patrol goes round the outline of two to four grids of the officer's beat (grid edges
stand for roads) and stops at one joint-defense point of each grid for 5–15 minutes.
Fixes come every 10–30 s with 4 m noise; a few fixes jump hundreds of metres (multipath,
cell fallback) and some tracks have a gap of 5–15 minutes (indoors, phone in pocket).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data._gen.assemble import Areas

PATROL_DAYS = np.arange("2025-11-03", "2025-11-24", dtype="datetime64[D]")
N_PATROLLING = 8


def _route(
    grids: np.ndarray, joints: list[tuple[str, np.ndarray]], rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Vertices of the route and the dwells as (distance along route, seconds, joint id)."""
    path: list[np.ndarray] = []
    dwells: list[tuple[float, float, str]] = []
    here: np.ndarray | None = None
    length = 0.0
    for ring, (jid, jxy) in zip(grids, joints, strict=True):
        xy = shapely.get_coordinates(shapely.get_exterior_ring(ring))[:-1]
        start = 0 if here is None else int(np.argmin(np.hypot(*(xy - here).T)))
        loop = np.vstack([np.roll(xy, -start, 0), xy[start : start + 1]])
        if rng.random() < 0.5:
            loop = loop[::-1]
        legs = [loop, jxy[None, :]] if here is None else [here[None, :], loop, jxy[None, :]]
        seg = np.vstack(legs)
        if path:
            seg = seg[1:]
        prev = path[-1][-1] if path else seg[0]
        length += float(np.hypot(*np.diff(np.vstack([prev[None, :], seg]), axis=0).T).sum())
        path.append(seg)
        dwells.append((length, float(rng.uniform(300, 900)), jid))
        here = jxy
    return np.vstack(path), dwells


def _knots(
    dwells: list[tuple[float, float, str]], length: float, speed: float
) -> tuple[list[float], list[float]]:
    """(time, distance) knots of the piecewise-linear motion; dwells are flat pieces."""
    kt, kd = [0.0], [0.0]
    for dist, stay, _ in dwells:
        arrive = kt[-1] + (dist - kd[-1]) / speed
        kt += [arrive, arrive + stay]
        kd += [dist, dist]
    kt.append(kt[-1] + (length - kd[-1]) / speed)
    kd.append(length)
    return kt, kd


def _fixes(
    path: np.ndarray, kt: list[float], kd: list[float], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds since start, x, y of the fixes along the route, with noise, jumps and a gap."""
    line = shapely.linestrings(path)
    t = np.cumsum(rng.uniform(10, 30, int(kt[-1] / 10) + 2))
    t = np.concatenate([[0.0], t[t < kt[-1]]])
    xy = shapely.get_coordinates(shapely.line_interpolate_point(line, np.interp(t, kt, kd)))
    xy = xy + rng.normal(0, 4.0, xy.shape)
    jumps = rng.choice(len(t), rng.integers(0, 4), replace=False)
    angle = rng.uniform(0, 2 * np.pi, len(jumps))
    dist = rng.uniform(200, 900, len(jumps))
    xy[jumps] += np.column_stack([np.cos(angle), np.sin(angle)]) * dist[:, None]
    keep = np.ones(len(t), bool)
    if rng.random() < 0.35:
        g0 = rng.uniform(0, t[-1])
        keep &= ~((t > g0) & (t < g0 + rng.uniform(300, 900)))
    return t[keep], xy[keep, 0], xy[keep, 1]


def build_tracks(
    areas: Areas, joints: gpd.GeoDataFrame, assignments: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GPS fixes (metres, ``x``/``y``) and the planted dwells at joint points."""
    cells = areas.planned_grids.geometry.to_numpy()
    cell_of = pd.Series(np.arange(len(cells)), index=areas.grid_id)
    owner = cell_of[joints.parent_id.to_numpy()].to_numpy()
    inside = joints[shapely.within(joints.geometry.to_numpy(), cells[owner])]
    jxy = shapely.get_coordinates(shapely.centroid(inside.geometry.to_numpy()))
    officers = assignments[assignments.role == "officer"].head(N_PATROLLING)
    fixes, dwell_rows = [], []
    for officer, beat in zip(officers.officer_id, officers.area_id, strict=True):
        mine = np.flatnonzero(areas.beat_id == beat)
        speed = 1.3 if rng.random() < 0.5 else 3.5
        for day in PATROL_DAYS:
            if rng.random() >= 0.75:
                continue
            chosen = rng.choice(mine, min(len(mine), int(rng.integers(2, 5))), replace=False)
            stops = []
            for c in chosen:
                own = np.flatnonzero(inside.parent_id.to_numpy() == areas.grid_id[c])
                k = int(rng.choice(own))
                stops.append((str(inside.id.iloc[k]), jxy[k]))
            path, dwells = _route(cells[chosen], stops, rng)
            kt, kd = _knots(dwells, float(shapely.length(shapely.linestrings(path))), speed)
            t, x, y = _fixes(path, kt, kd, rng)
            start = day.astype("datetime64[s]") + np.timedelta64(
                int(rng.choice([8 * 3600 + 1800, 14 * 3600, 19 * 3600]) + rng.integers(0, 3600)),
                "s",
            )
            track = f"{officer}-{str(day).replace('-', '')}"
            fixes.append(
                pd.DataFrame(
                    {
                        "track_id": track,
                        "officer_id": officer,
                        "time": start + np.round(t).astype("timedelta64[s]"),
                        "x": x,
                        "y": y,
                    }
                )
            )
            dwell_rows += [
                (track, jid, start + np.timedelta64(round(kt[1 + 2 * k]), "s"), stay / 60)
                for k, (_, stay, jid) in enumerate(dwells)
            ]
    dw = pd.DataFrame(dwell_rows, columns=["track_id", "joint_point_id", "start", "minutes"])
    return pd.concat(fixes, ignore_index=True), dw
