"""Assemble the polygon layers from one noded arrangement of lines.

All boundaries (Voronoi edges, the street outline, the defect zones) are noded together
on a 1 mm grid and polygonized into *atoms*.  Every layer is a union of whole atoms,
so two layers that share a boundary share it vertex for vertex: communities, beats and
the unmodified grids form valid coverages (``shapely.coverage_is_valid``), and the only
departures are the planted zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data._gen.areas import Plan
from data._gen.defects import DefectPlan
from data._gen.frame import METRIC_CRS, Frame
from data._gen.names import RURAL_VILLAGES, STATION_NAME, STREET_NAME, URBAN_COMMUNITIES

STREET_ID = "320105900"
STATION_ID = "320105450000"


@dataclass(frozen=True)
class Areas:
    """The polygon layers in metres plus the cell → id lookups the other parts need."""

    street: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame  # as the street office drew them (with the planted defects)
    planned_grids: gpd.GeoDataFrame  # the same grids without defects (index = cell)
    station: gpd.GeoDataFrame
    beats: gpd.GeoDataFrame
    aux_beats: gpd.GeoDataFrame
    grid_id: np.ndarray  # per cell
    beat_id: np.ndarray  # per cell (before the split defect)
    zone_area: dict[str, float]  # area in m² of the atoms each defect moved


def assemble(frame: Frame, plan: Plan, defects: DefectPlan) -> Areas:
    """Node, polygonize, hand atoms to layers, dissolve."""
    atoms, cell = _atoms(frame, plan, defects)
    rep = shapely.point_on_surface(atoms)
    rx, ry = shapely.get_coordinates(rep).T
    grid_rows = {"atom": np.arange(len(atoms)), "to": cell.copy()}
    beat_of = plan.beat[cell].copy()
    aux_of = cell.copy()
    extra: list[tuple[np.ndarray, np.ndarray]] = []
    keep = np.ones(len(atoms), bool)
    zone_area: dict[str, float] = {}
    for zone in defects.zones:
        hit = shapely.contains_xy(zone.polygon, rx, ry) & (cell == zone.cell)
        zone_area[zone.defect] = zone_area.get(zone.defect, 0.0) + float(
            shapely.area(atoms[hit]).sum()
        )
        if zone.action == "drop":
            keep &= ~hit
        elif zone.action == "share":
            extra.append((np.flatnonzero(hit), np.full(hit.sum(), zone.target)))
        elif zone.action == "move_grid":
            grid_rows["to"][hit] = zone.target
        elif zone.action == "move_beat":
            beat_of[hit] = plan.beat[zone.target]
        else:
            aux_of[hit] = zone.target
    g_atom = np.concatenate([grid_rows["atom"][keep], *(e[0] for e in extra)])
    g_cell = np.concatenate([grid_rows["to"][keep], *(e[1] for e in extra)])
    return _layers(plan, atoms, cell, (g_atom, g_cell), beat_of, aux_of, zone_area)


def _atoms(frame: Frame, plan: Plan, defects: DefectPlan) -> tuple[np.ndarray, np.ndarray]:
    """Node all boundaries on a 1 mm grid, polygonize, and give each atom its cell."""
    rings = [shapely.boundary(z.polygon) for z in defects.zones]
    lines = [plan.edges, shapely.boundary(frame.street), *rings]
    noded = shapely.union_all(np.array(lines, dtype=object), grid_size=0.001)
    atoms = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    rep = shapely.point_on_surface(atoms)
    atoms = atoms[shapely.contains(frame.street, rep) & (shapely.area(atoms) > 0)]
    rep = shapely.point_on_surface(atoms)
    inp, cell = shapely.STRtree(plan.cells).query(rep, predicate="within")
    owner = np.full(len(atoms), -1)
    owner[inp] = cell
    if (owner < 0).any():  # pragma: no cover - the arrangement covers the street
        raise RuntimeError("an atom of the arrangement belongs to no grid cell")
    return atoms, owner


def _dissolve(atoms: np.ndarray, atom_idx: np.ndarray, group: np.ndarray) -> pd.Series:
    """Union of whole atoms per group (a subset of a coverage is a coverage)."""
    order = np.lexsort((atom_idx, group))
    atom_idx, group = atom_idx[order], group[order]
    keys, starts = np.unique(group, return_index=True)
    parts = np.split(atom_idx, starts[1:])
    return pd.Series([shapely.coverage_union_all(atoms[p]) for p in parts], index=keys)


@dataclass(frozen=True)
class _Names:
    comm_id: np.ndarray
    comm_name: np.ndarray
    grid_id: np.ndarray  # per cell
    grid_name: np.ndarray  # per cell
    beat_rank: np.ndarray  # plan beat index → output position
    beat_id: np.ndarray  # per output position


def _names(plan: Plan) -> _Names:
    """Ids and names of communities, grids and beats (numbered north to south)."""
    comm_id = np.array([f"{STREET_ID}{k + 1:03d}" for k in range(len(plan.rural))])
    names, villages = iter(URBAN_COMMUNITIES), iter(RURAL_VILLAGES)
    comm_name = np.array([f"{next(villages)}村" if r else f"{next(names)}社区" for r in plan.rural])
    seq = _sequence(plan.seeds, plan.community).astype(str)
    grid_id = np.char.add(comm_id[plan.community], np.char.zfill(seq, 3))
    grid_name = np.char.add(np.char.add(np.char.add(comm_name[plan.community], "第"), seq), "网格")
    beat_rank = _beat_rank(plan)
    beat_id = np.array([f"ZRQ{b + 1:02d}" for b in range(len(beat_rank))])
    return _Names(comm_id, comm_name, grid_id, grid_name, beat_rank, beat_id)


def _frame(geoms: pd.Series, **cols: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=np.asarray(geoms.to_numpy()), crs=METRIC_CRS)


def _layers(
    plan: Plan,
    atoms: np.ndarray,
    cell: np.ndarray,
    grid_rows: tuple[np.ndarray, np.ndarray],
    beat_of: np.ndarray,
    aux_of: np.ndarray,
    zone_area: dict[str, float],
) -> Areas:
    """Dissolve atoms into every polygon layer with ids, names, codes and parents."""
    n = _names(plan)
    every = np.arange(len(atoms))
    whole = pd.Series([shapely.coverage_union_all(atoms)])
    grids = _dissolve(atoms, *grid_rows)
    beats = _dissolve(atoms, every, n.beat_rank[beat_of])
    comm_beat = n.beat_id[n.beat_rank[plan.beat]]
    comm_parent = n.comm_id[plan.community]
    return Areas(
        street=_frame(whole, id=[STREET_ID], name=[STREET_NAME], code=[STREET_ID]),
        communities=_frame(
            _dissolve(atoms, every, plan.community[cell]),
            id=n.comm_id,
            name=n.comm_name,
            code=n.comm_id,
            parent_id=STREET_ID,
            urban=~plan.rural,
        ),
        grids=_frame(
            grids,
            id=n.grid_id[grids.index],
            name=n.grid_name[grids.index],
            code=n.grid_id[grids.index],
            parent_id=comm_parent[grids.index],
        ),
        planned_grids=_frame(
            _dissolve(atoms, every, cell),
            id=n.grid_id,
            name=n.grid_name,
            code=n.grid_id,
            parent_id=comm_parent,
        ),
        station=_frame(whole, id=[STATION_ID], name=[STATION_NAME], code=[STATION_ID]),
        beats=_frame(
            beats,
            id=n.beat_id,
            name=_beat_names(n.beat_id, comm_beat, plan, n.comm_name),
            code=[f"{STATION_ID}{b + 1:02d}" for b in beats.index],
            parent_id=STATION_ID,
        ),
        aux_beats=_frame(
            _dissolve(atoms, every, aux_of),
            id=np.char.add("JG", np.array([g[-6:] for g in n.grid_id])),
            name=np.char.add(n.grid_name, "辅警警格"),
            code=np.char.add(n.grid_id, "F"),
            parent_id=comm_beat,
            grid_id=n.grid_id,
        ),
        grid_id=n.grid_id,
        beat_id=comm_beat,
        zone_area=zone_area,
    )


def _sequence(seeds: np.ndarray, group: np.ndarray) -> np.ndarray:
    """1-based number of each cell inside its group, north to south then west to east."""
    order = np.lexsort((seeds[:, 0], -np.round(seeds[:, 1], -2), group))
    seq = np.empty(len(seeds), int)
    counts = np.bincount(group)
    seq[order] = np.concatenate([np.arange(1, c + 1) for c in counts])
    return seq


def _beat_rank(plan: Plan) -> np.ndarray:
    """Beat numbers ordered north to south, then west to east."""
    n = plan.beat.max() + 1
    cx = np.bincount(plan.beat, plan.seeds[:, 0], n) / np.bincount(plan.beat, minlength=n)
    cy = np.bincount(plan.beat, plan.seeds[:, 1], n) / np.bincount(plan.beat, minlength=n)
    order = np.lexsort((cx, -np.round(cy, -2)))
    rank = np.empty(n, int)
    rank[order] = np.arange(n)
    return rank


def _beat_names(
    beat_id: np.ndarray, comm_beat: np.ndarray, plan: Plan, comm_name: np.ndarray
) -> list[str]:
    """Beat names that say which communities each beat serves."""
    by_beat = pd.Series(comm_name[plan.community]).groupby(comm_beat).unique()
    return [
        f"{STATION_NAME}第{k + 1}警务责任区（{'、'.join(by_beat[b])}）"
        for k, b in enumerate(beat_id)
    ]
