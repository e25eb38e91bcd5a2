"""Staffing: every grid has its police; communities have their community officer.

- ``grid_unstaffed`` ("一村（格）一警"): a grid with nobody assigned to it, to its
  auxiliary beat, or (with ``staffing_via="grid_or_beat"``) to the officer beat
  holding it.
- ``community_understaffed`` (Nanjing 2016): every urban community needs a
  community officer; a rural one may share its officer with at most
  ``rural_communities_per_officer - 1`` other rural communities.  An officer
  serves a community when assigned to it, to one of its grids, or to a beat
  holding one of its grids.

The relations between layers (grid → beat, auxiliary beat → grid, grid →
community) come from the geometric checks, so staffing needs no geometry of its own.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from gis.checks.findings import draft
from gis.i18n import Text


def check_grid_staffing(
    grid_ids: np.ndarray,
    grid_geoms: np.ndarray,
    assignments: pd.DataFrame,
    *,
    beat_of_grid: np.ndarray,
    grid_of_aux: pd.Series,
    via: Literal["grid", "grid_or_beat"],
) -> pd.DataFrame:
    """``grid_unstaffed`` for every grid with nobody assigned.

    Parameters
    ----------
    beat_of_grid : array of str
        The id of the beat holding each grid ("" when none).
    grid_of_aux : Series
        Auxiliary beat id → matched grid id.
    """
    kinds = assignments["area_kind"].astype(str)
    areas = assignments["area_id"].astype(str)
    staffed = set(areas[kinds == "grid"])
    aux_ids = set(areas[kinds == "aux_beat"])
    staffed |= set(grid_of_aux[grid_of_aux.index.isin(aux_ids)])
    if via == "grid_or_beat":
        beats = set(areas[kinds == "beat"])
        staffed |= set(grid_ids[_isin(beat_of_grid, beats)])
    lonely = ~_isin(grid_ids, staffed)
    aux_of_grid = pd.Series(grid_of_aux.index.to_numpy(), index=grid_of_aux.to_numpy())
    aux_of_grid = aux_of_grid[~aux_of_grid.index.duplicated()]
    return draft(
        "grid_unstaffed",
        "grid",
        grid_ids[lonely],
        grid_geoms[lonely],
        other_layer="aux_beat",
        other_ids=pd.Series(grid_ids[lonely]).map(aux_of_grid).fillna("").to_numpy(),
    )


def check_community_staffing(
    community_ids: np.ndarray,
    community_geoms: np.ndarray,
    urban: np.ndarray,
    assignments: pd.DataFrame,
    *,
    grid_ids: np.ndarray,
    community_of_grid: np.ndarray,
    beat_of_grid: np.ndarray,
    rural_per_officer: int,
) -> pd.DataFrame:
    """``community_understaffed`` per the Nanjing 2016 rule (see module docstring)."""
    serves = _officer_communities(
        assignments,
        grid_ids=grid_ids,
        community_of_grid=community_of_grid,
        beat_of_grid=beat_of_grid,
    )
    rural_ids = set(community_ids[~urban])
    load = serves[serves["community"].isin(rural_ids)].groupby("officer")["community"].nunique()
    serves = serves.assign(load=serves["officer"].map(load).fillna(0).to_numpy())
    ok_rural = set(serves.loc[serves["load"] <= rural_per_officer, "community"])
    anyone = set(serves["community"])
    has_any = _isin(community_ids, anyone)
    bad = ~has_any | (~urban & ~_isin(community_ids, ok_rural))
    too_many = Text(
        f"农村社区民警负责的农村社区超过 {rural_per_officer} 个",
        f"rural community officer serves more than {rural_per_officer} rural communities",
    )
    none_urban = Text("未配备社区民警", "no community officer")
    none_rural = Text("未配备民警", "no officer")
    detail = [
        too_many if has else (none_urban if u else none_rural)
        for has, u in zip(has_any[bad], urban[bad], strict=True)
    ]
    return draft(
        "community_understaffed",
        "community",
        community_ids[bad],
        community_geoms[bad],
        detail=detail,
    )


def _officer_communities(
    assignments: pd.DataFrame,
    *,
    grid_ids: np.ndarray,
    community_of_grid: np.ndarray,
    beat_of_grid: np.ndarray,
) -> pd.DataFrame:
    """(officer, community) pairs: who serves where, through any assignment."""
    officers = assignments[assignments["role"].astype(str) == "officer"]
    kinds = officers["area_kind"].astype(str).to_numpy()
    area = officers["area_id"].astype(str).to_numpy()
    who = officers["officer_id"].astype(str).to_numpy()
    grids = pd.DataFrame({"grid": grid_ids, "community": community_of_grid, "beat": beat_of_grid})
    direct = pd.DataFrame(
        {"officer": who[kinds == "community"], "community": area[kinds == "community"]}
    )
    by_grid = pd.DataFrame({"officer": who[kinds == "grid"], "grid": area[kinds == "grid"]}).merge(
        grids, on="grid"
    )
    by_beat = pd.DataFrame({"officer": who[kinds == "beat"], "beat": area[kinds == "beat"]}).merge(
        grids, on="beat"
    )
    pairs = pd.concat(
        [direct, by_grid[["officer", "community"]], by_beat[["officer", "community"]]],
        ignore_index=True,
    )
    return pairs[pairs["community"] != ""].drop_duplicates()


def _isin(values: np.ndarray, wanted: set[str]) -> np.ndarray:
    """Hash-based membership (``np.isin`` on object arrays compares every pair)."""
    return pd.Series(values, dtype=object).isin(wanted).to_numpy()
