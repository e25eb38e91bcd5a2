"""Validate an edited grid layer with the consistency engine's tiling and nesting rules.

Only violations the edit *creates* count: the engine runs on the communities the edit
touched, before and after, and a violation already present before (same rule, same
area to the square metre) is not blamed on the edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

import geopandas as gpd
import numpy as np
import pyproj

from gis.checks import check_layers
from gis.redraw._common import TILING_RULES


def new_violations(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame | None,
    scope: Collection[str],
    metric_crs: pyproj.CRS | None = None,
) -> gpd.GeoDataFrame:
    """Tiling/nesting violations present in ``after`` but not in ``before``.

    Parameters
    ----------
    before, after : GeoDataFrame
        Grid layers (``id``, ``parent_id``), same CRS.
    communities : GeoDataFrame, optional
        The community layer (after the edit); nesting is checked when given.
    scope : collection of str
        Community ids the edit touched; only their grids are checked.
    """
    found_before = _violations(before, communities, scope, metric_crs)
    found_after = _violations(after, communities, scope, metric_crs)
    seen = Counter(_keys(found_before))
    keep = np.zeros(len(found_after), dtype=bool)
    for i, key in enumerate(_keys(found_after)):  # multiset difference, few findings
        if seen[key] > 0:
            seen[key] -= 1
        else:
            keep[i] = True
    return found_after[keep].reset_index(drop=True)


def _violations(
    grids: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame | None,
    scope: Collection[str],
    metric_crs: pyproj.CRS | None,
) -> gpd.GeoDataFrame:
    scope = {str(s) for s in scope}
    if "parent_id" in grids.columns and scope:
        grids = grids[grids["parent_id"].astype(str).isin(scope)]
    layers: dict[str, gpd.GeoDataFrame | None] = {"grid": grids}
    if communities is not None:
        layers["community"] = communities[communities["id"].astype(str).isin(scope)]
    if grids.empty:
        return gpd.GeoDataFrame({"rule": [], "area_m2": []}, geometry=[], crs=grids.crs)
    report = check_layers(layers, metric_crs=metric_crs)
    found = report.violations
    return found[found["rule"].isin(TILING_RULES)]


def _keys(found: gpd.GeoDataFrame) -> list[tuple[str, float]]:
    areas = np.round(np.nan_to_num(found["area_m2"].to_numpy(dtype=float)), 0)
    return list(zip(found["rule"].astype(str), areas, strict=True))
