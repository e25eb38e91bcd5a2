"""Impact of a proposed (or saved) grid version on beats, points, officers and incidents.

For the grid layer ``after`` compared with ``before``:

- officer beats that no longer follow whole grids (a grid now split between beats that
  was not before), with the re-aligned beats proposed by
  :func:`gis.checks.repair.realign_beats`;
- auxiliary beats that no longer coincide with their grid, with the regenerated ones
  (:func:`gis.checks.repair.regenerate_aux_beats`);
- joint-defense points, standard addresses and open incidents whose grid changes
  (one bulk point-in-polygon query per layer and version);
- officer assignments that must change (to a changed grid, an affected aux beat, or a
  beat the re-alignment reshapes).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.checks.alignment import check_grid_split
from gis.checks.repair import Proposal, realign_beats, regenerate_aux_beats
from gis.crs import to_metric
from gis.guard import guard_layer
from gis.redraw._common import geoms, locate
from gis.redraw.diff import GridDiff, diff_grids


@dataclass(frozen=True)
class Impact:
    """What a grid change affects.

    Attributes
    ----------
    diff : GridDiff
    beats : DataFrame
        Grids split between officer beats after the change and not before:
        ``grid_id``, ``beats``, ``share_in_home`` (share of the grid in its main beat).
    aux_beats : DataFrame
        ``aux_beat_id``, ``grid_id``, ``reason`` (``grid_removed`` / ``grid_reshaped``).
    joint_points, addresses, incidents : DataFrame
        ``id``, ``grid_before``, ``grid_after`` for features changing grid.
    officers : DataFrame
        Assignment rows that must change, with a ``reason`` column.
    beat_proposal, aux_beat_proposal : Proposal or None
        Re-aligned beats and regenerated auxiliary beats for the new grids.
    """

    diff: GridDiff
    beats: pd.DataFrame
    aux_beats: pd.DataFrame
    joint_points: pd.DataFrame
    addresses: pd.DataFrame
    incidents: pd.DataFrame
    officers: pd.DataFrame
    beat_proposal: Proposal | None
    aux_beat_proposal: Proposal | None
    metric_crs: str

    def summary(self) -> dict[str, int]:
        """Counts of each kind of impact."""
        return {
            "grids_changed": len(self.diff.changed),
            "beats_misaligned": int(self.beats["grid_id"].nunique()) if len(self.beats) else 0,
            "aux_beats": len(self.aux_beats),
            "joint_points": len(self.joint_points),
            "addresses": len(self.addresses),
            "open_incidents": len(self.incidents),
            "officers": int(self.officers["officer_id"].nunique()) if len(self.officers) else 0,
        }

    def beats_to_realign(self) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
        """The re-aligned beats this change calls for.

        Returns the proposal's changes on the grids the change touched or newly split
        between beats (``grid_id``, ``from``, ``to``, ``share_before``) and the proposed
        beats they name (whole-grid unions, the beat layer's CRS), or None without beats.
        Beats the change does not reach are left out, even if misaligned before.
        """
        if self.beat_proposal is None:
            return pd.DataFrame(columns=["grid_id", "from", "to", "share_before"]), None
        changed = self.diff.changed
        ours = set(changed["id"].astype(str)) | set(changed["old_id"].dropna().astype(str))
        ours |= set(self.beats["grid_id"].astype(str))
        changes = self.beat_proposal.changes
        changes = changes[changes["grid_id"].astype(str).isin(ours)].reset_index(drop=True)
        named = (set(changes["from"].astype(str)) | set(changes["to"].astype(str))) - {""}
        layer = self.beat_proposal.layer
        return changes, layer[layer["id"].astype(str).isin(named)].reset_index(drop=True)


def assess_impact(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    beats: gpd.GeoDataFrame | None = None,
    aux_beats: gpd.GeoDataFrame | None = None,
    joint_points: gpd.GeoDataFrame | None = None,
    addresses: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    assignments: pd.DataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    open_statuses: Collection[str] = ("open", "processing"),
    share_tolerance: float = 0.01,
    metric_crs: pyproj.CRS | None = None,
) -> Impact:
    """Assess what changing the grids from ``before`` to ``after`` affects.

    Parameters
    ----------
    before, after : GeoDataFrame
        Grid layers (``id``), any CRS.
    beats, aux_beats, joint_points, addresses, incidents : GeoDataFrame, optional
        The district's layers; incidents are filtered on ``status`` in ``open_statuses``.
    assignments : DataFrame, optional
        ``officer_id``, ``area_kind``, ``area_id`` (canonical assignment table).
    share_tolerance : float
        A grid counts as split between beats when less than ``1 - share_tolerance`` of
        it lies in its main beat (the rest is digitizing noise).
    """
    diff = diff_grids(before, after, buildings=buildings, metric_crs=metric_crs)
    b, crs = to_metric(before, crs=metric_crs)
    b["id"] = b["id"].astype(str)
    a, _ = to_metric(after, crs=crs)
    a["id"] = a["id"].astype(str)
    split, beat_prop = _beats(b, a, beats, crs, share_tolerance)
    aux, aux_prop = _aux(a, diff, aux_beats, beats, crs)
    if incidents is not None and "status" in incidents.columns:
        incidents = incidents[incidents["status"].astype(str).isin(set(open_statuses))]
    moved = {
        name: _moves(b, a, layer, crs)
        for name, layer in (
            ("joint_points", joint_points),
            ("addresses", addresses),
            ("incidents", incidents),
        )
    }
    officers = _officers(assignments, diff, aux, beat_prop, split)
    return Impact(
        diff,
        split,
        aux,
        moved["joint_points"],
        moved["addresses"],
        moved["incidents"],
        officers,
        beat_prop,
        aux_prop,
        crs.to_string(),
    )


def _misaligned(grids: gpd.GeoDataFrame, beats: gpd.GeoDataFrame, tol: float) -> pd.DataFrame:
    bids = beats["id"].astype(str).to_numpy()
    gids = grids["id"].to_numpy()
    split = check_grid_split(geoms(grids), gids, geoms(beats), bids)
    frame = pd.DataFrame({"g": split.grid, "b": split.beat, "share": split.share})
    best = frame.groupby("g")["share"].max().reindex(range(len(gids)), fill_value=0.0)
    names = frame.groupby("g")["b"].agg(lambda s: ",".join(sorted(bids[s])))
    bad = best.to_numpy() < 1.0 - tol
    return pd.DataFrame(
        {
            "grid_id": gids[bad],
            "beats": names.reindex(np.flatnonzero(bad)).fillna("").to_numpy(),
            "share_in_home": best.to_numpy()[bad],
        }
    )


def _beats(
    b: gpd.GeoDataFrame,
    a: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame | None,
    crs: pyproj.CRS,
    tol: float,
) -> tuple[pd.DataFrame, Proposal | None]:
    if beats is None:
        return pd.DataFrame(columns=["grid_id", "beats", "share_in_home"]), None
    guard_layer(beats, "beats")
    bt, _ = to_metric(beats, crs=crs)
    bt["id"] = bt["id"].astype(str)
    was = set(_misaligned(b, bt, tol)["grid_id"])
    now = _misaligned(a, bt, tol)
    now = now[~now["grid_id"].isin(was)].reset_index(drop=True)
    return now, realign_beats(a, bt, metric_crs=crs)


def _aux(
    a: gpd.GeoDataFrame,
    diff: GridDiff,
    aux_beats: gpd.GeoDataFrame | None,
    beats: gpd.GeoDataFrame | None,
    crs: pyproj.CRS,
) -> tuple[pd.DataFrame, Proposal | None]:
    empty = pd.DataFrame(columns=["aux_beat_id", "grid_id", "reason"])
    if aux_beats is None:
        return empty, None
    guard_layer(aux_beats, "aux_beats")
    ab, _ = to_metric(aux_beats, crs=crs)
    ab["id"] = ab["id"].astype(str)
    key = ab["grid_id"].astype(str) if "grid_id" in ab.columns else ab["id"]
    status = diff.grids.set_index("id")["status"]
    state = key.map(status).fillna("removed").to_numpy()
    bad = np.isin(state, ["removed", "reshaped"])
    out = pd.DataFrame(
        {
            "aux_beat_id": ab["id"].to_numpy()[bad],
            "grid_id": key.to_numpy()[bad],
            "reason": np.where(state[bad] == "removed", "grid_removed", "grid_reshaped"),
        }
    )
    proposal = (
        None if beats is None else regenerate_aux_beats(a, beats, existing=ab, metric_crs=crs)
    )
    return out, proposal


def _moves(
    b: gpd.GeoDataFrame, a: gpd.GeoDataFrame, layer: gpd.GeoDataFrame | None, crs: pyproj.CRS
) -> pd.DataFrame:
    """Features whose grid (by representative point) differs between the versions."""
    if layer is None or layer.empty:
        return pd.DataFrame(columns=["id", "grid_before", "grid_after"])
    guard_layer(layer, "points")
    pts = np.asarray(layer.to_crs(crs).geometry.array, dtype=object)
    ok = ~(shapely.is_missing(pts) | shapely.is_empty(pts))
    before = np.append(b["id"].to_numpy(), "")[locate(pts, geoms(b), ids=b["id"])]
    after = np.append(a["id"].to_numpy(), "")[locate(pts, geoms(a), ids=a["id"])]
    moved = ok & (before != after)
    return pd.DataFrame(
        {
            "id": layer["id"].astype(str).to_numpy()[moved],
            "grid_before": before[moved],
            "grid_after": after[moved],
        }
    )


def _officers(
    assignments: pd.DataFrame | None,
    diff: GridDiff,
    aux: pd.DataFrame,
    beat_prop: Proposal | None,
    split: pd.DataFrame,
) -> pd.DataFrame:
    """Assignments this edit changes (not those of beats misaligned before it)."""
    if assignments is None or assignments.empty:
        return pd.DataFrame(columns=["officer_id", "area_kind", "area_id", "reason"])
    table = assignments.astype({"area_id": str, "area_kind": str})
    changed = set(diff.changed["id"]) | set(diff.changed["old_id"])
    beats: set[str] = set()
    if beat_prop is not None:
        ours = changed | set(split["grid_id"].astype(str))
        moves = beat_prop.changes[beat_prop.changes["grid_id"].astype(str).isin(ours)]
        beats = set(moves["from"]) | set(moves["to"])
    reason = np.select(
        [
            (table["area_kind"] == "grid") & table["area_id"].isin(changed),
            (table["area_kind"] == "aux_beat") & table["area_id"].isin(set(aux["aux_beat_id"])),
            (table["area_kind"] == "beat") & table["area_id"].isin(beats - {""}),
        ],
        ["grid_changed", "aux_beat_changed", "beat_realigned"],
        default="",
    )
    return table.assign(reason=reason)[reason != ""].reset_index(drop=True)
