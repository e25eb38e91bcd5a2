"""Joint-defense points (联防联控点): each inside one grid; each grid has at least one.

Joint-defense points are usually polygons (a block, a market) and sometimes points.
Polygons are nested in grids like any child layer (the crossing part is the
finding); points must fall in exactly one grid, and one lying on a shared grid
boundary or within the tolerance of a grid is digitizing noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft
from gis.checks.nesting import check_nesting, check_points_in


def check_joint_points(
    points: np.ndarray,
    point_ids: np.ndarray,
    grids: np.ndarray,
    grid_ids: np.ndarray,
    *,
    tolerance_m: float,
) -> tuple[np.ndarray, pd.DataFrame]:
    """``joint_point_outside_grid`` and ``grid_without_joint_point`` findings.

    Returns the grid (position) each joint point lies in (-1 for none) and the findings.

    ::

        +-------+-------+
        | g1  * | g2    |    * joint point in g1; g2 has none;
        |     [=|=]     |    [=|=] a joint point straddling g1 and g2
        +-------+-------+
    """
    is_point = np.isin(shapely.get_type_id(points), (0, 4))
    home = np.full(len(points), -1)
    found = []
    if is_point.any():
        at = np.flatnonzero(is_point)
        nest = check_points_in(
            points[at],
            point_ids[at],
            grids,
            grid_ids,
            kind="joint_point",
            parent_kind="grid",
            rule="joint_point_outside_grid",
            tolerance_m=tolerance_m,
        )
        home[at] = nest.home
        found.append(nest.findings)
    if (~is_point).any():
        at = np.flatnonzero(~is_point)
        nest = check_nesting(
            points[at],
            point_ids[at],
            grids,
            grid_ids,
            kind="joint_point",
            parent_kind="grid",
            cross_rule="joint_point_outside_grid",
            orphan_rule="joint_point_outside_grid",
        )
        home[at] = nest.home
        found.append(nest.findings)
    bare = np.setdiff1d(np.arange(len(grids)), home[home >= 0])
    found.append(
        draft(
            "grid_without_joint_point",
            "grid",
            grid_ids[bare],
            grids[bare],
            other_layer="joint_point",
        )
    )
    return home, concat(found)
