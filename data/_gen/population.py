"""Buildings with households and population, standard addresses, joint-defense points.

Buildings sit on a lattice aligned with the roads, set back from grid edges, roads,
the park, the lake and the defect zones, so that every building lies in exactly one
grid of every version of the grid layer.  Each grid is filled until its target number
of households is reached; four grids get a target outside the 300–800 band on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from data._gen.areas import Plan
from data._gen.assemble import Areas
from data._gen.defects import DefectPlan
from data._gen.frame import ROAD_ANGLE_DEG, Frame
from data._gen.names import CITY, DISTRICT, compound_names

BAND = (300, 800)
_STEP = (50.0, 40.0)  # lattice spacing along / across the roads, metres
#: kind: (length, width, floors range, units range, households per floor range)
_TYPES = {
    "multi": (34.0, 11.0, (5, 7), (2, 4), (2, 2)),
    "high": (26.0, 16.0, (11, 33), (1, 2), (2, 3)),
    "resettle": (30.0, 11.0, (4, 6), (1, 3), (2, 2)),
    "village": (16.0, 10.0, (2, 3), (1, 1), (1, 1)),
}
_KINDS = tuple(_TYPES)


@dataclass(frozen=True)
class Population:
    """Buildings (points + footprints), standard addresses, planted band outliers."""

    buildings: pd.DataFrame  # id, cell, x, y, kind, floors, units, per_floor, households, …
    footprints: np.ndarray
    addresses: pd.DataFrame  # id, building, x, y, address, level, unit, floor, room
    band_low: tuple[int, ...]  # cells planted below the band
    band_high: tuple[int, ...]


def _axes() -> tuple[np.ndarray, np.ndarray]:
    a = np.deg2rad(ROAD_ANGLE_DEG)
    return np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])


def _rects(cx: np.ndarray, cy: np.ndarray, length: np.ndarray, width: np.ndarray) -> np.ndarray:
    ex, ey = _axes()
    sx = np.array([-1, 1, 1, -1])[None, :] * (length[:, None] / 2)
    sy = np.array([-1, -1, 1, 1])[None, :] * (width[:, None] / 2)
    xs = cx[:, None] + sx * ex[0] + sy * ey[0]
    ys = cy[:, None] + sx * ex[1] + sy * ey[1]
    ring = np.stack([xs, ys], -1)
    return shapely.polygons(np.concatenate([ring, ring[:, :1]], 1))


def buildable(frame: Frame, areas: Areas, defects: DefectPlan) -> np.ndarray:
    """Per cell: where buildings may stand (setbacks from edges, roads, cold areas, zones)."""
    small = [z.polygon for z in defects.zones if z.action in ("drop", "share", "move_grid")]
    avoid = shapely.union_all(
        [
            shapely.buffer(frame.cold, 20),
            *(shapely.buffer(z, 25) for z in small),
            *shapely.buffer(frame.roads, 12),
        ]
    )
    cells = areas.planned_grids.geometry.to_numpy()
    return shapely.difference(shapely.buffer(cells, -10), avoid)


def _lattice(frame: Frame, regions: np.ndarray) -> pd.DataFrame:
    """Lattice points whose largest footprint fits inside a cell's buildable region."""
    ex, ey = _axes()
    cx, cy = frame.centre
    i, j = np.meshgrid(np.arange(-50, 51), np.arange(-50, 51), indexing="ij")
    x = cx + i.ravel() * _STEP[0] * ex[0] + j.ravel() * _STEP[1] * ey[0]
    y = cy + i.ravel() * _STEP[0] * ex[1] + j.ravel() * _STEP[1] * ey[1]
    big = _rects(x, y, np.full(x.size, 34.0), np.full(x.size, 18.0))
    pos, cell = shapely.STRtree(regions).query(big, predicate="within")
    return pd.DataFrame(
        {"cell": cell, "x": x[pos], "y": y[pos], "li": i.ravel()[pos], "lj": j.ravel()[pos]}
    )


def _targets(
    plan: Plan, defects: DefectPlan, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...], tuple[int, ...]]:
    """Household target and share of high-rises per cell; the planted band outliers."""
    rural = plan.rural[plan.community]
    target = np.where(rural, rng.uniform(320, 520, rural.size), rng.uniform(360, 580, rural.size))
    p_high = np.where(rural, 0.0, rng.uniform(0.1, 0.7, rural.size))
    free = np.setdiff1d(np.flatnonzero(~rural), sorted(defects.used))
    picked = rng.choice(free, 4, replace=False)
    low, high = np.sort(picked[:2]), np.sort(picked[2:])
    target[low] = rng.uniform(150, 230, 2)
    target[high] = rng.uniform(1000, 1150, 2)
    p_high[high] = 1.0
    p_high[low] = 0.0  # small walk-ups: the total stays just under the target
    return target, p_high, tuple(map(int, low)), tuple(map(int, high))


def _draw_kinds(
    cand: pd.DataFrame, rural: np.ndarray, p_high: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Building kind, floors, units and households per floor for every candidate."""
    u = rng.random(len(cand))
    c = cand.cell.to_numpy()
    kind = np.where(rural[c], np.where(u < 0.75, 2, 3), np.where(u < p_high[c], 1, 0))
    spec = [_TYPES[_KINDS[k]] for k in range(len(_KINDS))]
    cols = {}
    for name, slot in (("floors", 2), ("units", 3), ("per_floor", 4)):
        lo = np.array([s[slot][0] for s in spec])[kind]  # type: ignore[index]
        hi = np.array([s[slot][1] for s in spec])[kind]  # type: ignore[index]
        cols[name] = lo + np.floor(rng.random(len(cand)) * (hi - lo + 1)).astype(int)
    out = cand.assign(kind=np.array(_KINDS)[kind], **cols)
    return out.assign(households=out.floors * out.units * out.per_floor)


def _fill(
    cand: pd.DataFrame, target: np.ndarray, low: tuple[int, ...], rng: np.random.Generator
) -> pd.DataFrame:
    """Per cell, shuffled candidates until the household target is reached (in ``low``
    cells: until the next one would exceed it, so they stay below the band)."""
    cand = cand.sort_values(["cell", "li", "lj"], kind="stable").reset_index(drop=True)
    hh = cand.households.to_numpy()
    cells, starts = np.unique(cand.cell.to_numpy(), return_index=True)
    chosen = []
    for cell, idx in zip(cells, np.split(np.arange(len(cand)), starts[1:]), strict=True):
        order = idx[rng.permutation(len(idx))]
        cum = np.cumsum(hh[order])
        if cell in low:
            k = max(int(np.searchsorted(cum, target[cell], side="right")), 1)
        else:
            k = min(int(np.searchsorted(cum, target[cell])) + 1, len(cum))
        chosen.append(order[:k])
    out = _raise_short(cand.iloc[np.sort(np.concatenate(chosen))].reset_index(drop=True), target)
    return out.assign(population=np.round(out.households * rng.uniform(2.3, 3.1, len(out))))


def _raise_short(b: pd.DataFrame, target: np.ndarray) -> pd.DataFrame:
    """Cells with too little room to reach their target get taller buildings instead."""
    total = b.groupby("cell").households.transform("sum").to_numpy()
    factor = np.where(total < np.minimum(target[b.cell], 600), target[b.cell] / total, 1.0)
    floors = np.minimum(np.ceil(b.floors * factor), 33).astype(int)
    kind = np.where(
        floors >= 10, "high", np.where((floors >= 4) & (b.kind == "village"), "resettle", b.kind)
    )
    b = b.assign(kind=kind, floors=floors)
    return b.assign(households=b.floors * b.units * b.per_floor)


def build_population(
    frame: Frame, plan: Plan, areas: Areas, defects: DefectPlan, rng: np.random.Generator
) -> Population:
    """Lattice → kinds → per-grid fill → compounds and door numbers → addresses."""
    cand = _lattice(frame, buildable(frame, areas, defects))
    target, p_high, low, high = _targets(plan, defects, rng)
    room = np.bincount(cand.cell, minlength=len(target))
    p_high = np.where(room * 36 < 1.5 * target, 1.0, p_high)  # little room: build high-rises
    cand = _draw_kinds(cand, plan.rural[plan.community], p_high, rng)
    b = _fill(cand, target, low, rng)
    b = _compounds(frame, b, areas, rng)
    dims = np.array([_TYPES[k][:2] for k in b.kind])
    footprints = _rects(b.x.to_numpy(), b.y.to_numpy(), dims[:, 0], dims[:, 1])
    b = b.assign(id=[f"B{k + 1:06d}" for k in range(len(b))], length=dims[:, 0])
    return Population(b, footprints, _addresses(b, rng), low, high)


def _compounds(
    frame: Frame, b: pd.DataFrame, areas: Areas, rng: np.random.Generator
) -> pd.DataFrame:
    """Group buildings into compounds (小区), give each a door number on its nearest road."""
    key = pd.MultiIndex.from_arrays([b.cell, b.li // 3, b.lj // 2])
    comp = pd.factorize(key)[0]
    b = b.assign(compound=comp)
    cx = b.groupby("compound").x.mean().to_numpy()
    cy = b.groupby("compound").y.mean().to_numpy()
    pts = shapely.points(cx, cy)
    _, road = shapely.STRtree(frame.roads).query_nearest(pts, all_matches=False)
    start = shapely.get_coordinates(shapely.get_point(frame.roads[road], 0))
    end = shapely.get_coordinates(shapely.get_point(frame.roads[road], -1))
    pos = shapely.line_locate_point(frame.roads[road], pts)
    cross = (end[:, 0] - start[:, 0]) * (cy - start[:, 1]) - (end[:, 1] - start[:, 1]) * (
        cx - start[:, 0]
    )
    door = 2 * np.floor(pos / 30.0).astype(int) + np.where(cross > 0, 1, 2)
    doors = pd.DataFrame({"road": road, "door": door})
    while (dup := doors.duplicated(["road", "door"])).any():
        doors.loc[dup, "door"] += 2
    names = compound_names(rng, len(cx))
    ex, ey = (np.asarray(a) for a in _axes())
    along = -(b.y * ey[1] + b.x * ey[0])  # north first, then west to east
    rank = (
        b.assign(k1=np.round(along, -1), k2=b.x * ex[0] + b.y * ex[1])
        .sort_values(["compound", "k1", "k2"])
        .groupby("compound")
        .cumcount()
        + 1
    )
    road_name = np.array(frame.road_names)[doors.road.to_numpy()][comp]
    b = b.assign(
        road=road_name,
        door=doors.door.to_numpy()[comp],
        number=rank.sort_index(),
        compound_name=names[comp],
        grid_id=areas.grid_id[b.cell],
    )
    return b.assign(
        name=b.compound_name + b.number.astype(str) + "栋",
        address=CITY + DISTRICT + b.road + b.door.astype(str) + "号" + b.number.astype(str) + "栋",
    )


def _addresses(b: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One standard address per household: unit, floor and room inside each building."""
    n = b.households.to_numpy()
    bi = np.repeat(np.arange(len(b)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    per_floor = b.per_floor.to_numpy()[bi]
    floors = b.floors.to_numpy()[bi]
    units = b.units.to_numpy()[bi]
    unit = k // (floors * per_floor) + 1
    floor = (k % (floors * per_floor)) // per_floor + 1
    room = floor * 100 + k % per_floor + 1
    ex, _ = _axes()
    offset = ((unit - 0.5) / units - 0.5) * b.length.to_numpy()[bi]
    x = b.x.to_numpy()[bi] + offset * ex[0]
    y = b.y.to_numpy()[bi] + offset * ex[1]
    u = rng.random(len(bi))
    level = np.where(u < 0.012, "key", np.where(u < 0.052, "attention", "ordinary"))
    text = (
        b.address.to_numpy()[bi]
        + pd.Series(unit).astype(str)
        + "单元"
        + pd.Series(room).astype(str)
        + "室"
    )
    return pd.DataFrame(
        {
            "id": [f"A{i + 1:07d}" for i in range(len(bi))],
            "address": text,
            "building_id": b.id.to_numpy()[bi],
            "level": level,
            "unit": unit,
            "floor": floor,
            "room": room,
            "x": x,
            "y": y,
            "cell": b.cell.to_numpy()[bi],
        }
    )
