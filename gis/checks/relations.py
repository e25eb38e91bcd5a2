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
from gis.checks.codes import check_codes, parent_positions
from gis.checks.config import CheckConfig
from gis.checks.declared import check_declared
from gis.checks.findings import concat
from gis.checks.joint_points import check_joint_points
from gis.checks.nesting import check_nesting
from gis.checks.noise import is_noise, measure
from gis.checks.pairs import Overlaid, copies, overlaid
from gis.checks.staffing import check_community_staffing, check_grid_staffing
from gis.checks.tiling import (
    Coverage,
    check_cover,
    check_gaps,
    check_overlaps,
    coverage_of,
    minus_outside,
    union_holes,
)
from gis.i18n import Text
from gis.layers import spec

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
    notes: list[Text] = field(default_factory=list)  # what the report must say it did


def run_geometric(prepared: dict[str, Prepared], *, config: CheckConfig) -> Links:
    """Tiling, nesting, alignment, auxiliary beats and joint-defense points."""
    links = Links()
    known: list[tuple[np.ndarray, Coverage]] = []
    unions: dict[str, shapely.Geometry] = {}
    outside = _outside(prepared.get("outside"), links)
    grid_gaps = None
    for kind in TILED:
        if kind in prepared:
            layer = prepared[kind]
            coverage = coverage_of(layer.geoms, known=known)
            known.append((layer.geoms, coverage))
            unions[kind] = coverage.union
            found = _tiling(layer, prepared.get(PARENT.get(kind, "")), coverage)
            if kind == "grid":
                grid_gaps = shapely.union_all(union_holes(coverage.union, layer.geoms))
            # auxiliary beats coincide with grids: a gap between grids is the grids' finding
            extra = grid_gaps if kind == "aux_beat" else None
            links.drafts.append(minus_outside(found, _union(outside, extra)))
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
                speck_m=config.speck_m,
                parent_union=unions.get(parent),
            )
            links.drafts.append(nest.findings)
            links.drafts.append(
                _declared(
                    c,
                    p,
                    nest.home,
                    nest.findings,
                    rule="crosses_parent",
                    config=config,
                    links=links,
                )
            )
            links.drafts.append(_codes(c, p, nest.home, config=config))
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
            _declared(
                jp,
                grids,
                home,
                found,
                rule="joint_point_outside_grid",
                config=config,
                links=links,
            )
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


def _union(a: shapely.Geometry | None, b: shapely.Geometry | None) -> shapely.Geometry | None:
    if a is None or b is None:
        return a if b is None else b
    return shapely.union(a, b)


def _outside(layer: Prepared | None, links: Links) -> shapely.Geometry | None:
    """The union of the outside layer (land of no one here), noted in the report."""
    if layer is None or not len(layer.geoms):
        return None
    union = shapely.union_all(layer.geoms)
    area = shapely.area(union)
    links.notes.append(
        Text(
            f"缝隙计算前已扣除辖区外区域 {len(layer.geoms)} 处，共 {area:,.0f} 平方米",
            f"{len(layer.geoms)} outside areas ({area:,.0f} m²) subtracted before gaps "
            "were computed",
        )
    )
    return union


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
    links: Links,
) -> pd.DataFrame:
    """Children declaring a parent that does not exist, or another parent than they lie in.

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
    result = check_declared(
        child.ids,
        child.geoms,
        declared,
        _ids_at(parent.ids, home),
        parent.ids,
        kind=child.kind,
        parent_kind=parent.kind,
        rule=rule,
        already=set(found.loc[~speck, "ids"]),
        how=config.parent_ids,
    )
    if result.suggestion is not None:
        how, c, p = result.suggestion, spec(child.kind), spec(parent.kind)
        links.notes.append(
            Text(
                f"{c.label_zh}的上级编码与{p.label_zh}编码仅在规范化（{how.describe().zh}）后"
                f"一致：可加 --parent-ids {how.option}",
                f"the {c.label_en} parent ids match the {p.label_en} ids only once "
                f"{how.describe().en}: add --parent-ids {how.option}",
            )
        )
    return result.findings


def _codes(
    child: Prepared, parent: Prepared, home: np.ndarray, *, config: CheckConfig
) -> pd.DataFrame:
    """``code_mismatch`` of a (child, parent) pair that both carry a ``code``."""
    if "code" not in child.frame.columns or "code" not in parent.frame.columns:
        return concat([])
    declared = child.frame["parent_id"].to_numpy() if "parent_id" in child.frame else None
    return check_codes(
        child.ids,
        child.geoms,
        child.frame["code"].to_numpy(),
        parent_positions(declared, home, parent.ids, how=config.parent_ids),
        parent.frame["code"].to_numpy(),
        kind=child.kind,
        parent_kind=parent.kind,
        parent_ids=parent.ids,
        mode=config.codes,
    )


def _ids_at(ids: np.ndarray, positions: np.ndarray) -> np.ndarray:
    out = np.full(len(positions), "", dtype=object)
    ok = positions >= 0
    out[ok] = ids[positions[ok]]
    return out
