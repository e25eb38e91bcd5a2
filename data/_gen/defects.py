"""Plan the planted defects as zones of the cell arrangement.

A zone is a polygon whose outline is added to the arrangement, so the atoms inside it
can be given to another grid, beat or auxiliary beat, or to none.  Every defect is
placed on its own pair of cells, far from the other defects, so that its side effects
are exactly the findings listed in ``truth.json`` (docs/demo.md explains each one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from data._gen.areas import Plan

Action = Literal["drop", "share", "move_grid", "move_beat", "move_aux"]


@dataclass(frozen=True)
class Zone:
    """Atoms of ``cell`` inside ``polygon`` get ``action`` (towards ``target``)."""

    defect: str
    polygon: Polygon
    cell: int
    action: Action
    target: int = -1


@dataclass(frozen=True)
class DefectPlan:
    """The zones plus the cells each non-geometric defect uses."""

    zones: tuple[Zone, ...]
    pairs: dict[str, tuple[int, int]]  # defect id → (cell i, cell j)
    unstaffed: int  # cell whose grid has nobody assigned
    used: frozenset[int]  # every cell touched by a defect (kept clear of buildings' quirks)


def adjacent_pairs(cells: np.ndarray) -> pd.DataFrame:
    """Pairs of cells sharing an edge: i < j, edge endpoints, length in metres."""
    tree = shapely.STRtree(cells)
    a, b = tree.query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.line_merge(
        shapely.intersection(shapely.boundary(cells[a]), shapely.boundary(cells[b]))
    )
    line = shapely.get_type_id(shared) == 1
    a, b, shared = a[line], b[line], shared[line]
    p0 = shapely.get_coordinates(shapely.get_point(shared, 0))
    p1 = shapely.get_coordinates(shapely.get_point(shared, -1))
    return pd.DataFrame(
        {
            "i": a,
            "j": b,
            "x0": p0[:, 0],
            "y0": p0[:, 1],
            "x1": p1[:, 0],
            "y1": p1[:, 1],
            "length": shapely.length(shared),
        }
    )


def _edge_frame(pair: pd.Series, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origin, unit direction along the edge and unit normal pointing into cell j."""
    p0 = np.array([pair.x0, pair.y0])
    u = np.array([pair.x1, pair.y1]) - p0
    u = u / np.hypot(*u)
    n = np.array([-u[1], u[0]])
    mid = p0 + u * pair.length / 2
    if not shapely.contains_xy(cells[int(pair.j)], *(mid + n)):
        n = -n
    return p0, u, n


def edge_rect(
    pair: pd.Series, cells: np.ndarray, *, t: tuple[float, float], s: tuple[float, float]
) -> Polygon:
    """Rectangle over the shared edge: ``t`` along it from its start, ``s`` across (+ = into j)."""
    p0, u, n = _edge_frame(pair, cells)
    corners = [
        p0 + u * tt + n * ss for tt, ss in ((t[0], s[0]), (t[1], s[0]), (t[1], s[1]), (t[0], s[1]))
    ]
    return Polygon(corners)


def band_across(pair: pd.Series, cells: np.ndarray, *, share: float) -> tuple[Polygon, float]:
    """A band from the shared edge into cell j covering ``share`` of j's depth; and that depth."""
    p0, u, n = _edge_frame(pair, cells)
    xy = shapely.get_coordinates(cells[int(pair.j)]) - p0
    along, depth = xy @ u, xy @ n
    band = edge_rect(
        pair, cells, t=(along.min() - 30, along.max() + 30), s=(-1.0, share * depth.max())
    )
    return band, float(depth.max())


def _interior(zone: Polygon, cells: np.ndarray, pair: pd.Series, *, margin: float) -> bool:
    """The zone lies inside the two cells and at least ``margin`` m from their outer boundary."""
    both = shapely.union(cells[int(pair.i)], cells[int(pair.j)])
    return bool(
        shapely.contains(both, zone) and shapely.distance(zone, shapely.boundary(both)) >= margin
    )


def _mid_rect(pair: pd.Series, cells: np.ndarray, half: float, s: tuple[float, float]) -> Polygon:
    mid = pair.length / 2
    return edge_rect(pair, cells, t=(mid - half, mid + half), s=s)


def plan_defects(plan: Plan, rng: np.random.Generator) -> DefectPlan:
    """Choose a pair of cells for each defect, far apart, and build its zones."""
    cells = plan.cells
    pairs = adjacent_pairs(cells)
    pairs = pairs.assign(
        same_comm=plan.community[pairs.i] == plan.community[pairs.j],
        same_beat=plan.beat[pairs.i] == plan.beat[pairs.j],
        rural=plan.rural[plan.community[pairs.i]] & plan.rural[plan.community[pairs.j]],
        urban=~plan.rural[plan.community[pairs.i]] & ~plan.rural[plan.community[pairs.j]],
        ratio=shapely.area(cells[pairs.i]) / shapely.area(cells[pairs.j]),
    )
    tree = shapely.STRtree(cells)
    near_a, near_b = tree.query(cells, predicate="intersects")
    blocked: set[int] = set()
    zones: list[Zone] = []
    chosen: dict[str, tuple[int, int]] = {}
    for defect, mask, builder in _defect_specs(pairs):
        order = rng.permutation(np.flatnonzero(mask.to_numpy()))
        for k in order:
            pair = pairs.iloc[k]
            i, j = int(pair.i), int(pair.j)
            if i in blocked or j in blocked:
                continue
            made = builder(defect, pair, cells)
            if made is None:
                continue
            zones.extend(made)
            chosen[defect] = (i, j)
            blocked.update(near_b[np.isin(near_a, [i, j])].tolist())
            break
        else:  # pragma: no cover - the fixed layout always has room
            raise RuntimeError(f"no room for defect {defect}")
    free = np.setdiff1d(np.flatnonzero(~plan.rural[plan.community]), sorted(blocked))
    unstaffed = int(rng.choice(free))
    used = frozenset(v for ij in chosen.values() for v in ij) | {unstaffed}
    return DefectPlan(tuple(zones), chosen, unstaffed, used)


_Builder = Callable[[str, pd.Series, np.ndarray], list[Zone] | None]


def _defect_specs(pairs: pd.DataFrame) -> list[tuple[str, pd.Series, _Builder]]:
    """Each defect with the cell pairs it may use and the builder of its zones."""
    L = pairs.length
    inner = pairs.same_comm & pairs.same_beat  # an edge inside one community and one beat
    return [
        ("split", ~pairs.same_beat & pairs.urban & (L >= 120), _split),
        ("gap", inner & pairs.urban & (L >= 140), _gap),
        ("overlap", inner & pairs.urban & (L >= 140), _overlap),
        ("crossing", ~pairs.same_comm & pairs.same_beat & pairs.rural & (L >= 170), _crossing),
        ("sliver_gap_a", inner & (L >= 110), _sliver(0.3, "drop")),
        ("sliver_gap_b", inner & (L >= 110), _sliver(0.6, "drop")),
        ("sliver_overlap", inner & (L >= 110), _sliver(0.5, "share")),
        ("joint_outside", inner & pairs.urban & (L >= 80), _no_zone),
        (
            "aux_mismatch",
            pairs.same_beat & pairs.urban & (L >= 120) & pairs.ratio.between(0.75, 1.33),
            _aux,
        ),
        ("sliver_beat", ~pairs.same_beat & pairs.urban & (L >= 110), _sliver(0.4, "move_beat")),
    ]


def _split(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    """A band 45 % deep into cell j handed to the beat of cell i."""
    band, _ = band_across(pair, cells, share=0.45)
    cell = cells[int(pair.j)]
    share = shapely.area(shapely.intersection(band, cell)) / shapely.area(cell)
    return (
        [Zone(defect, band, int(pair.j), "move_beat", int(pair.i))] if 0.3 < share < 0.6 else None
    )


def _gap(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    """A 50 m × 15 m strip straddling the shared edge, taken from both grids."""
    rect = _mid_rect(pair, cells, 25.0, (-7.5, 7.5))
    if not _interior(rect, cells, pair, margin=20.0):
        return None
    return [Zone(defect, rect, int(pair.i), "drop"), Zone(defect, rect, int(pair.j), "drop")]


def _overlap(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    """A 60 m × 20 m strip of cell j also given to grid i."""
    rect = _mid_rect(pair, cells, 30.0, (-1.0, 20.0))
    if not _interior(rect, cells, pair, margin=20.0):
        return None
    return [Zone(defect, rect, int(pair.j), "share", int(pair.i))]


def _crossing(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    """An 80 m × 45 m strip of cell j (other village) moved to grid i."""
    rect = _mid_rect(pair, cells, 40.0, (-1.0, 45.0))
    small = 3600.0 / min(shapely.area(cells[int(pair.i)]), shapely.area(cells[int(pair.j)]))
    if small > 0.04 or not _interior(rect, cells, pair, margin=20.0):
        return None
    return [Zone(defect, rect, int(pair.j), "move_grid", int(pair.i))]


def _sliver(width: float, action: Action) -> _Builder:
    """An 80 m strip ``width`` metres wide on j's side of the edge (digitizing noise)."""

    def build(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
        rect = _mid_rect(pair, cells, 40.0, (-1.0, width))
        if not _interior(rect, cells, pair, margin=10.0):
            return None
        return [Zone(defect, rect, int(pair.j), action, int(pair.i))]

    return build


def _no_zone(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    return []


def _aux(defect: str, pair: pd.Series, cells: np.ndarray) -> list[Zone] | None:
    """Move a band of cell j to the aux beat of cell i: both IoUs well below 0.9 but
    well above the 0.3 at which an aux beat would no longer be recognisably its grid's."""
    ai, aj = shapely.area(cells[int(pair.i)]), shapely.area(cells[int(pair.j)])
    for share in (0.5, 0.45, 0.4, 0.35, 0.3, 0.25):
        band, _ = band_across(pair, cells, share=share)
        piece = shapely.area(shapely.intersection(band, cells[int(pair.j)]))
        if 0.5 <= ai / (ai + piece) <= 0.8 and 0.5 <= (aj - piece) / aj <= 0.8:
            return [Zone(defect, band, int(pair.j), "move_aux", int(pair.i))]
    return None
