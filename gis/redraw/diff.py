"""Diff between two versions of the grid layer.

Grids are matched by id.  A grid whose id is new but whose shape equals a removed grid's
(intersection over union ≥ ``rename_iou``) is *renamed*; a grid whose id stays but whose
name changes is renamed too.  Areas are measured in a metric CRS; households and
population moving between grids come from the buildings (each counted in the grid holding
its representative point, before and after).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.crs import to_metric
from gis.guard import guard_layer
from gis.redraw._common import geoms, locate

STATUSES = ("added", "removed", "reshaped", "renamed", "unchanged")


@dataclass(frozen=True)
class GridDiff:
    """What changed between two grid versions.

    Attributes
    ----------
    grids : GeoDataFrame
        One row per grid id of either version: ``id``, ``status`` (one of
        :data:`STATUSES`), ``old_id`` (for renames), ``name_before``, ``name_after``,
        ``area_before_m2``, ``area_after_m2``, ``gained_m2``, ``lost_m2``,
        ``households_before``/``_after``, ``population_before``/``_after``; geometry is the
        new shape (the old one for removed grids), in the after layer's CRS.
    flows : DataFrame
        Area and people moving from one grid to another: ``from_id``, ``to_id``,
        ``area_m2``, ``households``, ``population`` (only pairs with a different id).
    metric_crs : str
    """

    grids: gpd.GeoDataFrame
    flows: pd.DataFrame
    metric_crs: str

    @property
    def changed(self) -> gpd.GeoDataFrame:
        """Rows whose status is not ``unchanged``."""
        return self.grids[self.grids["status"] != "unchanged"]

    def counts(self) -> dict[str, int]:
        """Number of grids per status."""
        return {s: int((self.grids["status"] == s).sum()) for s in STATUSES}


def diff_grids(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    rename_iou: float = 0.999,
    tolerance_m2: float = 1.0,
    metric_crs: pyproj.CRS | None = None,
) -> GridDiff:
    """Compare two grid versions (see the module docstring).

    Parameters
    ----------
    before, after : GeoDataFrame
        Grid layers with ``id`` (``name`` optional), any CRS.
    buildings : GeoDataFrame, optional
        ``households`` and ``population`` per building (polygons or points).
    tolerance_m2 : float
        Area moved below which a grid counts as unchanged (digitizing noise).
    """
    guard_layer(before, "before")
    guard_layer(after, "after")
    b, crs = to_metric(before, crs=metric_crs)
    b["id"] = b["id"].astype(str)
    a, _ = to_metric(after, crs=crs)
    a["id"] = a["id"].astype(str)
    flows = _area_flows(b, a)
    table = _table(b, a, flows, tolerance_m2)
    table = _mark_renames(table, flows, rename_iou)
    people = _people(b, a, buildings, crs)
    if people is not None:
        table = _add_people(table, people)
        flows = flows.merge(people, on=["from_id", "to_id"], how="outer")
    flows = flows[flows["from_id"] != flows["to_id"]].fillna(
        {"area_m2": 0.0, "households": 0, "population": 0}
    )
    shapes = pd.concat([a[["id", "geometry"]], b[["id", "geometry"]]]).drop_duplicates("id")
    table = table.merge(shapes, on="id", how="left")
    out = gpd.GeoDataFrame(table, geometry="geometry", crs=crs).to_crs(after.crs)
    return GridDiff(out, flows.reset_index(drop=True), crs.to_string())


def _area_flows(b: gpd.GeoDataFrame, a: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area of every (before grid ∩ after grid) pair: one STRtree query, one intersection."""
    gb, ga = geoms(b), geoms(a)
    i, j = shapely.STRtree(gb).query(ga, predicate="intersects")[::-1]
    area = shapely.area(shapely.intersection(gb[i], ga[j]))
    keep = area > 0
    return pd.DataFrame(
        {
            "from_id": b["id"].to_numpy()[i[keep]],
            "to_id": a["id"].to_numpy()[j[keep]],
            "area_m2": area[keep],
        }
    )


def _table(
    b: gpd.GeoDataFrame, a: gpd.GeoDataFrame, flows: pd.DataFrame, tol: float
) -> pd.DataFrame:
    left = pd.DataFrame(
        {"id": b["id"], "name_before": _names(b), "area_before_m2": b.area.to_numpy()}
    )
    right = pd.DataFrame({"id": a["id"], "name_after": _names(a), "area_after_m2": a.area})
    table = left.merge(right, on="id", how="outer")
    same = flows[flows["from_id"] == flows["to_id"]].set_index("from_id")["area_m2"]
    kept = table["id"].map(same).fillna(0.0)
    table["gained_m2"] = (table["area_after_m2"].fillna(0.0) - kept).clip(lower=0.0)
    table["lost_m2"] = (table["area_before_m2"].fillna(0.0) - kept).clip(lower=0.0)
    moved = (table["gained_m2"] + table["lost_m2"]) > tol
    table["status"] = np.select(
        [
            table["area_before_m2"].isna(),
            table["area_after_m2"].isna(),
            moved,
            table["name_before"].fillna("") != table["name_after"].fillna(""),
        ],
        ["added", "removed", "reshaped", "renamed"],
        default="unchanged",
    )
    table["old_id"] = ""
    return table


def _mark_renames(table: pd.DataFrame, flows: pd.DataFrame, iou: float) -> pd.DataFrame:
    """An added grid equal in shape to a removed one is that grid renamed."""
    added = set(table.loc[table["status"] == "added", "id"])
    removed = set(table.loc[table["status"] == "removed", "id"])
    pairs = flows[flows["to_id"].isin(added) & flows["from_id"].isin(removed)]
    if pairs.empty:
        return table
    area = table.set_index("id")
    union = (
        area.loc[pairs["from_id"], "area_before_m2"].to_numpy()
        + area.loc[pairs["to_id"], "area_after_m2"].to_numpy()
        - pairs["area_m2"].to_numpy()
    )
    match = pairs[pairs["area_m2"].to_numpy() / union >= iou]
    if match.empty:  # (pandas refuses an empty string column set into a float one)
        return table
    table = table.copy()
    rows = table["id"].isin(match["to_id"])
    table.loc[rows, "status"] = "renamed"
    table.loc[rows, "old_id"] = table.loc[rows, "id"].map(match.set_index("to_id")["from_id"])
    source = table.loc[rows, "old_id"]
    table.loc[rows, "name_before"] = source.map(area["name_before"])
    table.loc[rows, "area_before_m2"] = source.map(area["area_before_m2"])
    kept = table.loc[rows, "id"].map(match.set_index("to_id")["area_m2"])
    table.loc[rows, "gained_m2"] = table.loc[rows, "area_after_m2"] - kept
    table.loc[rows, "lost_m2"] = table.loc[rows, "area_before_m2"] - kept
    return table.drop(index=table.index[table["id"].isin(match["from_id"])])


def _names(frame: gpd.GeoDataFrame) -> pd.Series:
    if "name" not in frame.columns:
        return pd.Series("", index=frame.index)
    return frame["name"].fillna("").astype(str)


def _people(
    b: gpd.GeoDataFrame,
    a: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    crs: pyproj.CRS,
) -> pd.DataFrame | None:
    """Households/population per (grid before, grid after) pair from the buildings; None
    without buildings (none given, or none in the area read: a reader's jurisdiction may
    hold none, and an empty read has no columns to check)."""
    if buildings is None or buildings.empty:
        return None
    guard_layer(buildings, "buildings", fields=("households", "population"))
    bl = buildings.to_crs(crs)
    pts = geoms(bl)
    home_b = locate(pts, geoms(b), ids=b["id"])
    home_a = locate(pts, geoms(a), ids=a["id"])
    ids_b = np.append(b["id"].to_numpy(), "")[home_b]
    ids_a = np.append(a["id"].to_numpy(), "")[home_a]
    frame = pd.DataFrame(
        {
            "from_id": ids_b,
            "to_id": ids_a,
            "households": pd.to_numeric(bl["households"], errors="coerce").fillna(0).to_numpy(),
            "population": pd.to_numeric(bl["population"], errors="coerce").fillna(0).to_numpy(),
        }
    )
    return frame.groupby(["from_id", "to_id"], as_index=False)[["households", "population"]].sum()


def _add_people(table: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    old = table["old_id"].where(table["old_id"].fillna("") != "", table["id"])
    for side, key, ids in (("before", "from_id", old), ("after", "to_id", table["id"])):
        sums = people.groupby(key)[["households", "population"]].sum()
        for col in ("households", "population"):
            table[f"{col}_{side}"] = ids.map(sums[col]).fillna(0).astype(int)
    return table
