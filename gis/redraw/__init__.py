"""Grid redrawing: safe edits, version diffs, impact, change notices, balancing.

>>> from gis.redraw import split_grid, diff_grids, assess_impact  # doctest: +SKIP
>>> result = split_grid(grids, "G1", line, communities=communities)  # doctest: +SKIP
>>> diff = diff_grids(grids, result.grids, buildings=buildings)  # doctest: +SKIP
"""

from gis.redraw.diff import GridDiff, diff_grids
from gis.redraw.edits import (
    EditError,
    EditResult,
    add_grid,
    draw_grid,
    merge_grids,
    move_boundary,
    reassign_grid,
    split_grid,
    transfer_area,
    validate_grids,
)
from gis.redraw.impact import Impact, assess_impact

__all__ = [
    "EditError",
    "EditResult",
    "GridDiff",
    "Impact",
    "add_grid",
    "assess_impact",
    "diff_grids",
    "draw_grid",
    "merge_grids",
    "move_boundary",
    "reassign_grid",
    "split_grid",
    "transfer_area",
    "validate_grids",
]
