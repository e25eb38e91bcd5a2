"""Beat alignment: officer beats are unions of whole grids.

- ``grid_split_by_beat``: a grid whose area lies in more than one officer beat
  (or partly in none), with the share in each.  Grids covered by one beat are
  found by one ``covered_by`` bulk query and never intersected.
- ``beat_boundary_off_grid``: the part of the beats' boundaries running more than the
  tolerance inside a grid, one finding per set of beats sharing it, with its length.

Auxiliary beats are matched with grids in :mod:`gis.checks.aux_beats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, join_ids, polygonal
from gis.checks.pairs import Overlaid, overlaid
from gis.checks.safe import failures
from gis.i18n import Text


@dataclass(frozen=True)
class Split:
    """Grid × beat shares: pairs (grid, beat, share of the grid) and each grid's home beat."""

    grid: np.ndarray
    beat: np.ndarray
    share: np.ndarray
    home: np.ndarray  # per grid: beat position, -1 when in none
    findings: pd.DataFrame


def check_grid_split(
    grids: np.ndarray,
    grid_ids: np.ndarray,
    beats: np.ndarray,
    beat_ids: np.ndarray,
    *,
    known: Overlaid | None = None,
) -> Split:
    """Find grids split between officer beats.

    ::

        +---------+---------+
        | beat A  :  beat B |      grid g (dotted) is split: A 60 %, B 40 %;
        |    .....:....     |      the finding is the part outside its home beat A
        |    : g  :   :     |
        +---------+---------+

    ``known``: :func:`gis.checks.pairs.overlaid` of the grids in the beats, when
    already computed.
    """
    o = overlaid(shapely.STRtree(beats), grids) if known is None else known
    whole_g, whole_b, g, b, inter = (
        o.covered_child,
        o.covered_parent,
        o.part_child,
        o.part_parent,
        o.inter,
    )
    home = np.full(len(grids), -1)
    home[whole_g] = whole_b
    area = np.nan_to_num(shapely.area(polygonal(inter.values)))
    share = area / np.maximum(shapely.area(grids[g]), 1e-12)
    keep = share > 0
    g, b, share = g[keep], b[keep], share[keep]
    order = np.lexsort((-share, g))
    first = order[np.unique(g[order], return_index=True)[1]]
    home[g[first]] = b[first]
    split = np.union1d(g, np.flatnonzero(home < 0))
    pieces = polygonal(
        np.where(
            home[split] >= 0,
            shapely.difference(grids[split], beats[np.maximum(home[split], 0)]),
            grids[split],
        )
    )
    real = ~shapely.is_missing(pieces)
    detail = _shares_text(g, b, share, beat_ids)
    found = draft(
        "grid_split_by_beat",
        "grid",
        grid_ids[split[real]],
        pieces[real],
        other_layer="beat",
        other_ids=[join_ids(beat_ids[b[g == i]]) for i in split[real]],
        detail=[
            Text(t.replace(_NONE, "无责任区"), t.replace(_NONE, "no beat"))
            for t in detail.reindex(split[real]).fillna(f"{_NONE} 100%").to_numpy()
        ],
        noise_eligible=True,
    )
    all_g = np.concatenate([whole_g, g])
    all_b = np.concatenate([whole_b, b])
    all_share = np.concatenate([np.ones(len(whole_g)), share])
    return Split(
        all_g, all_b, all_share, home, concat([found, failures(inter, grid_ids[g], kind="grid")])
    )


def check_beat_boundaries(
    split: Split,
    grids: np.ndarray,
    grid_ids: np.ndarray,
    beats: np.ndarray,
    beat_ids: np.ndarray,
    *,
    real_split: np.ndarray,
    tolerance_m: float,
) -> pd.DataFrame:
    """Beat boundary running deeper than ``tolerance_m`` inside grids it splits."""
    pairs = np.isin(split.grid, real_split) & (split.share < 1.0)
    g, b = split.grid[pairs], split.beat[pairs]
    cores = shapely.buffer(grids[np.unique(g)], -tolerance_m)
    core = cores[np.searchsorted(np.unique(g), g)]
    lines = shapely.intersection(shapely.boundary(beats[b]), core)
    length = np.nan_to_num(shapely.length(lines))
    ok = length > 0
    if not ok.any():
        return draft("beat_boundary_off_grid", "beat", [], [])
    frame = pd.DataFrame({"beat": beat_ids[b[ok]], "grid": g[ok], "line": lines[ok]})
    # one finding per set of beats: the line a beat pair shares is one problem, not two
    beats_of_grid = frame.groupby("grid")["beat"].agg(join_ids)
    frame["beats"] = frame["grid"].map(beats_of_grid)
    per_set = frame.groupby("beats")
    merged = per_set["line"].agg(lambda s: shapely.line_merge(shapely.union_all(s.to_numpy())))
    return draft(
        "beat_boundary_off_grid",
        "beat",
        merged.index.to_numpy(),
        merged.to_numpy(),
        other_layer="grid",
        other_ids=per_set["grid"].agg(lambda v: join_ids(grid_ids[v.to_numpy()])).to_numpy(),
    )


_NONE = "\x00none"  # placeholder for "in no beat", worded per language


def _shares_text(
    g: np.ndarray, b: np.ndarray, share: np.ndarray, beat_ids: np.ndarray
) -> pd.Series:
    """'B1 62%, B2 38%' per grid (and the share in no beat, when there is one)."""
    parts: dict[int, list[str]] = {}
    for gi, bi, s in zip(g.tolist(), b.tolist(), share.tolist(), strict=True):  # split grids only
        parts.setdefault(gi, []).append(f"{beat_ids[bi]} {s:.0%}")
    rest = 1.0 - pd.Series(share).groupby(g).sum()
    for gi, r in zip(rest.index.tolist(), rest.to_numpy().tolist(), strict=True):
        if r > 0.005:
            parts[gi].append(f"{_NONE} {r:.0%}")
    return pd.Series({k: ", ".join(v) for k, v in parts.items()}, dtype=object)
