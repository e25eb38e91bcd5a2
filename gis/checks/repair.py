"""Repair proposals.  Never applied: each is a new layer plus the list of what changed.

- :func:`realign_beats`: every grid goes to the officer beat holding most of it
  (or to the beat a user-given assignment table names); beats are then dissolved
  from whole grids, so no beat boundary cuts a grid.
- :func:`regenerate_aux_beats`: one auxiliary beat per grid, exactly the grid.
- :func:`clean_layer`: overlaps resolved and gaps closed by merging each into the
  neighbour with the longest shared boundary, vertices snapped within the
  tolerance (GEOS ``CoverageCleaner`` via ``shapely.coverage_clean``).

Re-checking a proposal finds none of the violations it addresses, and creates no
new overlap or gap: tests assert it on hand-drawn, demo and real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis import crs as gcrs
from gis.checks.alignment import check_grid_split
from gis.checks.aux_beats import check_aux_beats
from gis.checks.pairs import interior_pairs
from gis.checks.tiling import union_holes
from gis.errors import FieldError, Problem
from gis.i18n import Text


@dataclass(frozen=True)
class Proposal:
    """A proposed layer (in the input CRS) and the changes that lead to it."""

    kind: str
    layer: gpd.GeoDataFrame
    changes: pd.DataFrame
    description: Text
    metric_crs: str


def realign_beats(
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    *,
    assignment: pd.DataFrame | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> Proposal:
    """Officer beats rebuilt as unions of whole grids.

    Parameters
    ----------
    grids, beats : GeoDataFrame
        With ``id`` columns; any CRS (they are compared in one metric CRS).
    assignment : DataFrame, optional
        Columns ``grid_id``, ``beat_id``: the beat each grid must go to.  Grids not
        in it go to the beat holding most of their area, or the nearest beat.

    Returns
    -------
    Proposal
        ``layer``: the beats with their attributes and new geometries;
        ``changes``: one row per grid whose beat changed or was cut
        (``grid_id``, ``from``, ``to``, ``share_before``).
    """
    g, crs = gcrs.to_metric(grids, crs=metric_crs)
    b, _ = gcrs.to_metric(beats, crs=crs)
    ggeoms = np.asarray(g.geometry.array, dtype=object)
    bgeoms = np.asarray(b.geometry.array, dtype=object)
    gids, bids = g["id"].astype(str).to_numpy(), b["id"].astype(str).to_numpy()
    split = check_grid_split(ggeoms, gids, bgeoms, bids)
    home = split.home.copy()
    lost = np.flatnonzero(home < 0)
    if len(lost):
        home[lost] = shapely.STRtree(bgeoms).query_nearest(ggeoms[lost], all_matches=False)[1]
    target = bids[home]
    if assignment is not None:
        target = _apply_assignment(gids, target, bids, assignment)
    new = _keep_cover(_dissolve(ggeoms, target, bids), bgeoms)
    share = np.zeros(len(gids))
    own = split.beat == split.home[split.grid]
    np.add.at(share, split.grid[own], split.share[own])
    before = np.where(split.home >= 0, bids[np.maximum(split.home, 0)], "")
    changed = (before != target) | (share < 1.0 - 1e-9)
    changes = pd.DataFrame(
        {
            "grid_id": gids[changed],
            "from": before[changed],
            "to": target[changed],
            "share_before": share[changed],
        }
    )
    layer = b.set_geometry(gpd.GeoSeries(new, index=b.index, crs=crs)).to_crs(beats.crs)
    layer = layer[~shapely.is_missing(new)]
    text = Text("民警责任区按整网格重新划定", "officer beats rebuilt from whole grids")
    return Proposal("beat", layer, changes, text, crs.to_string())


def regenerate_aux_beats(
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame,
    *,
    existing: gpd.GeoDataFrame | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> Proposal:
    """One auxiliary beat per grid, exactly the grid: ``grid_id``, ``parent_id`` = its beat.

    Ids are kept: a grid that an ``existing`` auxiliary beat stands for (by its
    ``grid_id``, else by the mutual best overlap) keeps that beat's id, name and code,
    so assignments keep pointing at it; only grids without one get ``A-<grid id>``.
    Where grids overlap, the overlap goes to the first of them only: the auxiliary
    layer does not copy a grid overlap (already a grid finding) into a second one.
    """
    g, crs = gcrs.to_metric(grids, crs=metric_crs)
    b, _ = gcrs.to_metric(beats, crs=crs)
    gids, bids = g["id"].astype(str).to_numpy(), b["id"].astype(str).to_numpy()
    metric_geoms = np.asarray(g.geometry.array, dtype=object)
    split = check_grid_split(metric_geoms, gids, np.asarray(b.geometry.array, dtype=object), bids)
    parent = np.where(split.home >= 0, bids[np.maximum(split.home, 0)], "")
    kept = _existing_aux(gids, metric_geoms, existing, crs)
    ids = kept["id"].where(kept["id"] != "", "A-" + pd.Series(gids)).to_numpy()
    layer = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": kept["name"].to_numpy(),
            "code": kept["code"].to_numpy(),
            "parent_id": parent,
            "grid_id": gids,
        },
        geometry=_without_overlaps(np.asarray(grids.geometry.array, dtype=object)),
        crs=grids.crs,
    )
    changes = pd.DataFrame(
        {
            "aux_beat_id": ids,
            "grid_id": gids,
            "beat_id": parent,
            "id_kept": (kept["id"] != "").to_numpy(),
        }
    )
    text = Text(
        "辅警警格按网格一一重建（沿用原警格编码）",
        "auxiliary beats regenerated one per grid (ids kept)",
    )
    return Proposal("aux_beat", layer, changes, text, crs.to_string())


def _existing_aux(
    gids: np.ndarray, geoms: np.ndarray, existing: gpd.GeoDataFrame | None, crs: pyproj.CRS
) -> pd.DataFrame:
    """Per grid, the id, name and code of the auxiliary beat standing for it ("" if none)."""
    out = pd.DataFrame({"id": "", "name": "", "code": ""}, index=range(len(gids)))
    if existing is None or existing.empty:
        return out
    aux, _ = gcrs.to_metric(existing, crs=crs)
    aux_ids = aux["id"].astype(str).to_numpy()
    match = check_aux_beats(
        np.asarray(aux.geometry.array, dtype=object), aux_ids, geoms, gids, iou_min=0.3
    )
    row_of_grid = np.full(len(gids), -1)
    mapped = np.flatnonzero(match.grid_of_aux >= 0)
    row_of_grid[match.grid_of_aux[mapped]] = mapped
    if "grid_id" in aux.columns:  # a declared grid wins over geometry
        position = pd.Series(np.arange(len(gids)), index=gids)
        declared = aux["grid_id"].astype(str).map(position)
        ok = declared.notna().to_numpy()
        row_of_grid[declared[ok].astype(int).to_numpy()] = np.flatnonzero(ok)
    has = row_of_grid >= 0
    for column in ("id", "name", "code"):
        if column in aux.columns:
            values = aux[column].fillna("").astype(str).to_numpy()
            out.loc[has, column] = values[row_of_grid[has]]
    return out


def _without_overlaps(geoms: np.ndarray) -> np.ndarray:
    """Each geometry minus the interiors of the ones before it that overlap it."""
    out = geoms.copy()
    left, right = interior_pairs(shapely.STRtree(geoms), geoms)
    later = left > right  # left loses what it shares with an earlier right
    for i in np.unique(left[later]):  # rare: only overlapping grids
        out[i] = shapely.difference(geoms[i], shapely.union_all(geoms[right[later & (left == i)]]))
    return out


def clean_layer(
    layer: gpd.GeoDataFrame,
    *,
    kind: str,
    tolerance_m: float = 2.0,
    max_gap_width_m: float | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> Proposal:
    """Resolve overlaps, close gaps and snap vertices (longest shared boundary wins).

    Parameters
    ----------
    max_gap_width_m : float, optional
        Close gaps up to this width (m); ``None`` closes every gap enclosed by the layer.
    """
    frame, crs = gcrs.to_metric(layer, crs=metric_crs)
    geoms = shapely.make_valid(np.asarray(frame.geometry.array, dtype=object))
    width = _widest_gap(geoms) + 1.0 if max_gap_width_m is None else max_gap_width_m
    cleaned = shapely.coverage_clean(
        geoms, gap_width=width, snapping_distance=tolerance_m, merge_strategy="longest_border"
    )
    delta = shapely.area(cleaned) - shapely.area(geoms)
    moved = np.nan_to_num(shapely.area(shapely.symmetric_difference(cleaned, geoms)))
    changed = moved > 1e-6
    ids = frame["id"].astype(str).to_numpy()
    changes = pd.DataFrame(
        {
            "id": ids[changed],
            "area_change_m2": np.round(delta[changed], 3),
            "area_moved_m2": np.round(moved[changed], 3),
        }
    )
    out = frame.set_geometry(gpd.GeoSeries(cleaned, index=frame.index, crs=crs)).to_crs(layer.crs)
    text = Text("消除重叠与缝隙、容差内节点吸附", "overlaps and gaps resolved, vertices snapped")
    return Proposal(kind, out, changes, text, crs.to_string())


def _widest_gap(geoms: np.ndarray) -> float:
    holes = union_holes(shapely.union_all(geoms), geoms)
    if not len(holes):
        return 0.0
    return float(2.0 * np.nanmax(shapely.length(shapely.maximum_inscribed_circle(holes))))


def _keep_cover(new: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Holes the grids leave inside the new beats stay with the beat that held them.

    Beats dissolved from whole grids would copy every gap between grids into the beat
    layer (a new beat finding for a grid problem): each such hole goes back to the old
    beat holding most of it.
    """
    valid = ~shapely.is_missing(new)
    holes = union_holes(shapely.union_all(new[valid]), new[valid])
    if not len(holes):
        return new
    h, b = shapely.STRtree(before).query(holes, predicate="intersects")
    share = shapely.area(shapely.intersection(holes[h], before[b]))
    out = new.copy()
    for hole in np.unique(h):  # a handful of holes
        mine = h == hole
        owner = b[mine][np.argmax(share[mine])]
        if valid[owner]:
            part = shapely.intersection(holes[hole], shapely.union_all(before[b[mine]]))
            out[owner] = shapely.union(out[owner], part)
    return out


def _dissolve(geoms: np.ndarray, target: np.ndarray, bids: np.ndarray) -> np.ndarray:
    """Union of the grids going to each beat (coverage union: grids share exact edges)."""
    out = np.full(len(bids), None, dtype=object)
    order = np.argsort(target, kind="stable")
    keys, starts = np.unique(target[order], return_index=True)
    position = {k: i for i, k in enumerate(bids)}
    for key, chunk in zip(keys, np.split(order, starts[1:]), strict=True):  # one union per beat
        part = geoms[chunk]
        union = (
            shapely.coverage_union_all(part)
            if shapely.coverage_is_valid(part)
            else shapely.union_all(part)
        )
        out[position[key]] = union
    return out


def _apply_assignment(
    gids: np.ndarray, target: np.ndarray, bids: np.ndarray, assignment: pd.DataFrame
) -> np.ndarray:
    missing = {"grid_id", "beat_id"} - set(assignment.columns)
    if missing:
        raise FieldError(
            [Problem("missing column", "assignment table", field=m) for m in sorted(missing)]
        )
    table = assignment.astype({"grid_id": str, "beat_id": str})
    unknown = sorted(set(table["beat_id"]) - set(bids))
    if unknown:
        rows = table.index[table["beat_id"].isin(unknown)] + 1
        raise FieldError(
            [
                Problem(f"unknown beat id {v!r}", "assignment table", row=int(r), field="beat_id")
                for v, r in zip(
                    table.loc[table["beat_id"].isin(unknown), "beat_id"], rows, strict=True
                )
            ]
        )
    wanted = pd.Series(table["beat_id"].to_numpy(), index=table["grid_id"].to_numpy())
    return pd.Series(gids).map(wanted).fillna(pd.Series(target)).to_numpy(dtype=object)
