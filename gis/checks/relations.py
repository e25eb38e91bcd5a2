"""Which checks run on which layer pairs, and the relations they establish.

Tiling runs on every polygon layer (but joint-defense points, which need not tile
their grid); nesting on every (child, parent) pair of ``gis.layers``; alignment on
grids × beats; matching on auxiliary beats × grids.  The relations found (the
beat and community holding each grid, the grid matching each auxiliary beat)
feed the staffing rules and the summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.checks.alignment import Split, check_beat_boundaries, check_grid_split
from gis.checks.aux_beats import check_aux_beats
from gis.checks.config import CheckConfig
from gis.checks.findings import concat
from gis.checks.joint_points import check_joint_points
from gis.checks.nesting import check_declared, check_nesting
from gis.checks.noise import is_noise, measure
from gis.checks.pairs import Overlaid, copies, overlaid
from gis.checks.staffing import check_community_staffing, check_grid_staffing
from gis.checks.tiling import Coverage, check_cover, check_gaps, check_overlaps, coverage_of

TILED = ("street", "community", "grid", "station", "beat", "aux_beat")
PARENT = {"community": "street", "grid": "community", "beat": "station", "aux_beat": "beat"}


@dataclass(frozen=True)
class Prepared:
    """A layer ready for the checks: cleaned frame, metric geometry and string ids."""

    kind: str
    frame: gpd.GeoDataFrame
    geoms: np.ndarray
    ids: np.ndarray


@dataclass
class Links:
    """Draft findings of the geometric rules and the relations they found."""

    drafts: list[pd.DataFrame] = field(default_factory=list)
    community_of_grid: np.ndarray | None = None  # community id per grid ("" none)
    split: Split | None = None
    aligned: np.ndarray | None = None  # per grid: in one beat (within tolerance)
    grid_of_aux: pd.Series | None = None  # aux beat id -> grid id
    widths: dict[int, float] = field(default_factory=dict)  # id(geometry) -> width measured


def run_geometric(prepared: dict[str, Prepared], *, config: CheckConfig) -> Links:
    """Tiling, nesting, alignment, auxiliary beats and joint-defense points."""
    links = Links()
    known: list[tuple[np.ndarray, Coverage]] = []
    for kind in TILED:
        if kind in prepared:
            layer = prepared[kind]
            coverage = coverage_of(layer.geoms, known=known)
            known.append((layer.geoms, coverage))
            links.drafts.append(_tiling(layer, prepared.get(PARENT.get(kind, "")), coverage))
    grids = prepared.get("grid")
    in_beats = _grids_in_beats(grids, prepared.get("beat"))
    for child, parent in PARENT.items():
        if child in prepared and parent in prepared:
            c, p = prepared[child], prepared[parent]
            # auxiliary beats copying the grids lie in the beats exactly as the grids do
            same = child == "aux_beat" and grids is not None and copies(c.geoms, grids.geoms)
            nest = check_nesting(
                c.geoms,
                c.ids,
                p.geoms,
                p.ids,
                kind=child,
                parent_kind=parent,
                known=in_beats if same else None,
            )
            links.drafts.append(nest.findings)
            links.drafts.append(
                _declared(c, p, nest.home, nest.findings, rule="crosses_parent", config=config)
            )
            if child == "grid":
                links.community_of_grid = _ids_at(p.ids, nest.home)
    if grids is not None and "beat" in prepared:
        links.drafts.extend(
            _alignment(grids, prepared["beat"], links, config=config, known=in_beats)
        )
    if grids is not None and "aux_beat" in prepared:
        aux = prepared["aux_beat"]
        match = check_aux_beats(
            aux.geoms, aux.ids, grids.geoms, grids.ids, iou_min=config.aux_iou_min
        )
        links.drafts.append(match.findings)
        mapped = match.grid_of_aux >= 0
        links.grid_of_aux = pd.Series(grids.ids[match.grid_of_aux[mapped]], index=aux.ids[mapped])
    if grids is not None and "joint_point" in prepared:
        jp = prepared["joint_point"]
        home, found = check_joint_points(
            jp.geoms, jp.ids, grids.geoms, grids.ids, tolerance_m=config.tolerance_m
        )
        links.drafts.append(found)
        links.drafts.append(
            _declared(jp, grids, home, found, rule="joint_point_outside_grid", config=config)
        )
    return links


def run_staffing(
    prepared: dict[str, Prepared], assignments: pd.DataFrame, links: Links, *, config: CheckConfig
) -> pd.DataFrame:
    """Grid and community staffing (needs the grid relations found before)."""
    grids = prepared.get("grid")
    if grids is None:
        return concat([])
    beat_of_grid = (
        _ids_at(prepared["beat"].ids, links.split.home)
        if links.split is not None
        else np.full(len(grids.ids), "", dtype=object)
    )
    grid_of_aux = links.grid_of_aux if links.grid_of_aux is not None else pd.Series(dtype=object)
    found = [
        check_grid_staffing(
            grids.ids,
            grids.geoms,
            assignments,
            beat_of_grid=beat_of_grid,
            grid_of_aux=grid_of_aux,
            via=config.staffing_via,
        )
    ]
    communities = prepared.get("community")
    if communities is not None and links.community_of_grid is not None:
        frame = communities.frame
        urban = frame["urban"] if "urban" in frame.columns else pd.Series(True, index=frame.index)
        found.append(
            check_community_staffing(
                communities.ids,
                communities.geoms,
                urban.fillna(True).astype(bool).to_numpy(),
                assignments,
                grid_ids=grids.ids,
                community_of_grid=links.community_of_grid,
                beat_of_grid=beat_of_grid,
                rural_per_officer=config.rural_communities_per_officer,
            )
        )
    return concat(found)


def _tiling(layer: Prepared, parent: Prepared | None, coverage: Coverage) -> pd.DataFrame:
    found = [
        check_overlaps(
            layer.geoms,
            layer.ids,
            kind=layer.kind,
            is_coverage=coverage.is_valid,
            invalid_edges=coverage.invalid_edges,
        )
    ]
    union = coverage.union
    gaps, holes = check_gaps(
        layer.geoms,
        layer.ids,
        kind=layer.kind,
        union=union,
        parent_geoms=None if parent is None else parent.geoms,
        parent_ids=None if parent is None else parent.ids,
    )
    if parent is not None:
        gaps["other_layer"] = parent.kind
        found.append(
            check_cover(
                union, holes, parent.geoms, parent.ids, kind=layer.kind, parent_kind=parent.kind
            )
        )
    found.append(gaps)
    return concat(found)


def _grids_in_beats(grids: Prepared | None, beats: Prepared | None) -> Overlaid | None:
    """Grids related to beats (and intersected): computed once, used twice."""
    if grids is None or beats is None:
        return None
    return overlaid(shapely.STRtree(beats.geoms), grids.geoms)


def _alignment(
    grids: Prepared,
    beats: Prepared,
    links: Links,
    *,
    config: CheckConfig,
    known: Overlaid | None,
) -> list[pd.DataFrame]:
    split = check_grid_split(grids.geoms, grids.ids, beats.geoms, beats.ids, known=known)
    links.split = split
    found = split.findings
    is_split = (found["rule"] == "grid_split_by_beat").to_numpy()
    pieces = np.asarray(found["geometry"][is_split], dtype=object)
    m = measure(pieces, tolerance_m=config.tolerance_m)
    links.widths.update(zip(map(id, pieces), m.width_m.tolist(), strict=True))
    real_ids = found["ids"][is_split][~is_noise(m.area_m2, m.width_m, config=config)]
    real = np.flatnonzero(pd.Series(grids.ids).isin(set(real_ids)).to_numpy())
    links.aligned = ~np.isin(np.arange(len(grids.ids)), real) & (split.home >= 0)
    boundaries = check_beat_boundaries(
        split,
        grids.geoms,
        grids.ids,
        beats.geoms,
        beats.ids,
        real_split=real,
        tolerance_m=config.tolerance_m,
    )
    return [found, boundaries]


def _declared(
    child: Prepared,
    parent: Prepared,
    home: np.ndarray,
    found: pd.DataFrame,
    *,
    rule: str,
    config: CheckConfig,
) -> pd.DataFrame:
    """Children lying in another parent than the ``parent_id`` they declare.

    A child already reported under ``rule`` is not reported twice, unless all it was
    reported for is a sub-centimetre speck that :func:`gis.checks.finalize.finalize`
    drops: then the wrong ``parent_id`` is its only real problem and must be found.
    """
    if "parent_id" not in child.frame.columns:
        return concat([])
    found = found.loc[found["rule"] == rule]
    geoms = np.asarray(found["geometry"], dtype=object)
    widths = measure(geoms, tolerance_m=config.tolerance_m).width_m
    speck = found["noise_eligible"].astype(bool).to_numpy() & (widths < config.speck_m)
    declared = child.frame["parent_id"].fillna("").astype(str).to_numpy()
    return check_declared(
        child.ids,
        child.geoms,
        declared,
        _ids_at(parent.ids, home),
        kind=child.kind,
        parent_kind=parent.kind,
        rule=rule,
        already=set(found.loc[~speck, "ids"]),
    )


def _ids_at(ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
    out = np.full(len(positions), "", dtype=object)
    ok = positions >= 0
    out[ok] = ids[positions[ok]]
    return out
