"""Joint-defense points (联防联控点): 1–3 small squares (some captured as points) per grid.

One point of the grid planned for the ``joint_outside`` defect is drawn in the
neighbouring grid while keeping its parent id; that grid keeps at least one other point,
so the defect implies ``joint_point_outside_grid`` and nothing else.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from data._gen.assemble import Areas
from data._gen.defects import DefectPlan
from data._gen.frame import METRIC_CRS, Frame
from data._gen.population import _rects

_KINDS = np.array(["治安岗亭", "小区门岗", "商铺联防点", "护学岗", "巡防驻点"])


def joint_points(
    frame: Frame, areas: Areas, defects: DefectPlan, rng: np.random.Generator
) -> tuple[gpd.GeoDataFrame, str]:
    """The joint-point layer (metres) and the id of the point planted outside its grid."""
    cells = areas.planned_grids.geometry.to_numpy()
    avoid = shapely.union_all(
        [
            shapely.buffer(z.polygon, 30)
            for z in defects.zones
            if z.action in ("drop", "share", "move_grid")
        ]
    )
    region = shapely.buffer(shapely.difference(cells, avoid), -30)
    x0, y0, x1, y1 = frame.street.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, 20.0), np.arange(y0, y1, 20.0))
    cand = shapely.points(gx.ravel(), gy.ravel())
    pos, cell = shapely.STRtree(region).query(cand, predicate="within")
    count = rng.integers(1, 4, len(cells))
    owner, host = defects.pairs["joint_outside"]
    count[owner] = max(int(count[owner]), 2)
    picked_pt, picked_cell, number = [], [], []
    for c in range(len(cells)):  # one small draw per grid
        mine = pos[cell == c]
        take = rng.choice(mine, count[c], replace=False)
        picked_pt.append(take)
        picked_cell.append(np.full(count[c], c))
        number.append(np.arange(1, count[c] + 1))
    pts, owners, nums = (np.concatenate(v) for v in (picked_pt, picked_cell, number))
    outside = int(np.flatnonzero((owners == owner) & (nums == 1))[0])
    pts[outside] = rng.choice(pos[cell == host])
    xy = shapely.get_coordinates(cand[pts])
    side = rng.uniform(16, 30, len(pts))
    tail = np.array([g[-6:] for g in areas.grid_id[owners]])
    ids = np.char.add(np.char.add("LF", tail), nums.astype(str))
    gdf = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": np.char.add(
                np.char.add(areas.planned_grids.name.to_numpy()[owners], "第"),
                np.char.add(nums.astype(str), "联防联控点"),
            ),
            "code": ids,
            "parent_id": areas.grid_id[owners],
            "kind": _KINDS[rng.integers(0, len(_KINDS), len(pts))],
        },
        # a few points were captured as a point (a phone fix at the post), not drawn
        geometry=np.where(
            rng.random(len(pts)) < 0.1,
            shapely.points(xy),
            _rects(xy[:, 0], xy[:, 1], side, side),
        ),
        crs=METRIC_CRS,
    )
    return gdf, str(ids[outside])
