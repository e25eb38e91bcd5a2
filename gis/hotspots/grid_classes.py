"""Hot-spot classes of administrative grids, read off Gi* at the scale incidents cluster.

Why not Gi* on the grid counts alone: a grid (网格, a few hundred metres across) is about
the size of a street-corner hot spot, so a planted hot spot of the demo (110–160 m radius)
lies inside one grid.  Gi* asks whether a grid *and its neighbours* hold more than their
share; with W grids in a neighbourhood (itself included) and n grids, one grid however hot
moves its Gi* z-score at most to

    z_max = sqrt((n - W) / W)        (the limit when its count dwarfs all others)

i.e. 3.5 for the demo's 118 grids and W = 9 (the default distance band), before the
hot grids' own counts inflate the variance (the demo's December: standard deviation 12.5
with them, 6.2 without).  After the false-discovery-rate correction over 118 grids
(p < 0.05 / 118 for the first grid, z > 3.5) nothing can be significant: all 118 grids
"not significant" while 30–100 incidents a month sit in one grid.

So the grid classes come from Gi* on the regular cells (sized from the incidents, see
:mod:`gis.hotspots.cells`), where the same hot spot covers tens of cells and is a
cluster, and each grid takes a class as follows:

* **hot** ``L`` (3/2/1 at 99/95/90 %): at least ``share`` (half) of the grid's incidents
  of the period lie in cells of class ≥ ``L``, the highest such ``L``;
* **cold** ``−L``: otherwise, at least ``share`` of the grid's cells (by centroid; the
  cells have equal areas) are of class ≤ ``−L``;
* else 0.

``hot_share`` and ``cold_share`` (at 90 %) say how much of the grid was hot or cold.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.hotspots.counts import assign_points

LEVELS = (3, 2, 1)


def grid_classes(
    grids: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    share: float = 0.5,
) -> pd.DataFrame:
    """``id``, ``hot_share``, ``cold_share``, ``hotspot_class`` per grid (order of ``grids``).

    Parameters
    ----------
    grids : GeoDataFrame
        Grid polygons with ``id``.
    cells : GeoDataFrame
        Gi* cells (``id``, ``hotspot_class``, geometry), e.g. ``gi_star(...).cells``.
    incidents : GeoDataFrame
        The period's incidents (points) with ``cell``, the id of the cell holding each.
    share : float
        The share of a grid's incidents (hot) or cells (cold) that decides its class.
    """
    ids = grids["id"].astype(str)
    cell_class = cells.set_index(cells["id"].astype(str))["hotspot_class"]
    hot = _hot_levels(grids, incidents, cell_class)
    cold = _cold_levels(grids, cells)
    hot_class = _level(hot, share)
    cold_class = _level(cold, share)
    return pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "hot_share": hot[1].to_numpy(),
            "cold_share": cold[1].to_numpy(),
            "hotspot_class": np.where(hot_class > 0, hot_class, -cold_class).astype(int),
        }
    )


def _hot_levels(
    grids: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, cell_class: pd.Series
) -> dict[int, pd.Series]:
    """Per level: the share of each grid's incidents lying in cells of class ≥ level."""
    grid_of = assign_points(incidents, grids).to_numpy()
    klass = cell_class.reindex(incidents["cell"].astype(str)).fillna(0).to_numpy()
    frame = pd.DataFrame({"grid": grid_of, "klass": klass}).dropna(subset=["grid"])
    return {
        level: (frame["klass"] >= level)
        .groupby(frame["grid"])
        .mean()
        .reindex(grids["id"].astype(str), fill_value=0.0)
        for level in LEVELS
    }


def _cold_levels(grids: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> dict[int, pd.Series]:
    """Per level: the share of each grid's cells (by centroid) of class ≤ −level."""
    centres = cells.set_geometry(cells.geometry.centroid)
    frame = pd.DataFrame(
        {"grid": assign_points(centres, grids).to_numpy(), "klass": cells["hotspot_class"]}
    ).dropna(subset=["grid"])
    return {
        level: (frame["klass"] <= -level)
        .groupby(frame["grid"])
        .mean()
        .reindex(grids["id"].astype(str), fill_value=0.0)
        for level in LEVELS
    }


def _level(shares: dict[int, pd.Series], share: float) -> np.ndarray:
    """The highest level whose share reaches ``share`` (0 when none does)."""
    out = np.zeros(len(next(iter(shares.values()))), dtype=int)
    for level in sorted(shares):  # 1, 2, 3: a higher level overwrites a lower one
        out[shares[level].to_numpy() >= share] = level
    return out
