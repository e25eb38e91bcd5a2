"""Grid edits: split, merge, move a shared boundary, reassign, draw a new grid.

Every edit takes the grid layer (``id``, ``parent_id``) and returns an
:class:`EditResult` holding a *new* layer; the input is never modified.  Geometry is
edited in the layer's own CRS, so grids the edit does not touch keep their exact
coordinates; areas are measured in a metric CRS.  Neighbours of an edited grid get the
new vertices the edit put on their shared edges, so the layer stays a valid coverage
(``shapely.coverage_is_valid``).  Before returning, the consistency engine checks the
touched communities (:mod:`gis.redraw.validate`); an edit that creates an overlap, a gap
or a grid crossing its community raises :class:`EditError` (``on_invalid="raise"``) or
returns the findings (``on_invalid="return"``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from gis.errors import GeometryError, Problem
from gis.i18n import Text
from gis.redraw import _shapes as sh
from gis.redraw._common import guard_layer, metric
from gis.redraw.validate import new_violations

Operation = Literal["split", "merge", "move", "reassign", "draw"]
OnInvalid = Literal["raise", "return"]


class EditError(GeometryError):
    """An edit that cannot be made or would break tiling; bilingual ``text``."""

    def __init__(
        self,
        text: Text,
        *,
        feature_id: str | None = None,
        findings: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.text = text
        self.findings = findings
        super().__init__([Problem(str(text), "grids", feature_id=feature_id)])


@dataclass(frozen=True)
class EditResult:
    """A proposed grid layer and what the edit did.

    Attributes
    ----------
    grids : GeoDataFrame
        The whole new grid layer, in the input CRS.
    communities : GeoDataFrame or None
        The new community layer when the edit changed it (reassign), else None.
    created, removed, reshaped : tuple of str
        Grid ids added, gone, and kept with a new shape.
    findings : GeoDataFrame
        Tiling/nesting violations the edit created (empty when ``ok``).
    area_m2 : float
        Total grid area of the touched communities after the edit (metric CRS).
    """

    operation: Operation
    grids: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame | None
    created: tuple[str, ...]
    removed: tuple[str, ...]
    reshaped: tuple[str, ...]
    findings: gpd.GeoDataFrame
    description: Text
    metric_crs: str
    area_m2: float

    @property
    def ok(self) -> bool:
        """True when the edit created no tiling or nesting violation."""
        return self.findings.empty


def split_grid(
    grids: gpd.GeoDataFrame,
    grid_id: str,
    line: BaseGeometry,
    *,
    new_ids: Sequence[str] | None = None,
    communities: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Split a grid by a line (in the layer's CRS) crossing it from edge to edge.

    The largest piece keeps ``grid_id``; the others get ``new_ids`` or the next free
    codes of the community (``<community id><3-digit sequence>``).

    ::

        +-----+        +--+--+
        |  G  |  --->  |G |G2|     line drawn top to bottom
        +-----+        +--+--+
    """
    frame, row = _prepare(grids, [grid_id], locked)
    pieces = sh.split_pieces(frame.geometry.iloc[row[0]], line)
    if len(pieces) < 2:
        raise EditError(
            Text("分割线未穿过网格 {g}", "the split line does not cross grid {g}").format(
                g=grid_id
            ),
            feature_id=grid_id,
        )
    order = np.argsort(-shapely.area(pieces), kind="stable")
    pieces = pieces[order]
    parent = str(frame["parent_id"].iloc[row[0]]) if "parent_id" in frame else ""
    ids = list(new_ids) if new_ids is not None else sh.next_codes(frame, parent, len(pieces) - 1)
    if len(ids) != len(pieces) - 1:
        raise EditError(
            Text("需要 {n} 个新编码", "{n} new ids are needed").format(n=len(pieces) - 1)
        )
    _guard_new_ids(frame, ids)
    template = frame.iloc[[row[0]] * (len(pieces) - 1)].assign(id=ids, name="")
    new = pd.concat([frame, template.set_geometry(list(pieces[1:]))], ignore_index=True)
    new.loc[row[0], new.geometry.name] = pieces[0]
    text = Text("网格 {g} 分割为 {ids}", "grid {g} split into {ids}").format(
        g=grid_id, ids=", ".join([grid_id, *ids])
    )
    return _finish(
        "split",
        grids,
        new,
        [grid_id, *ids],
        (),
        communities,
        text,
        on_invalid,
        metric_crs,
        created=ids,
    )


def merge_grids(
    grids: gpd.GeoDataFrame,
    ids: Sequence[str],
    *,
    new_id: str | None = None,
    communities: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Merge adjacent grids of one community into one (id ``new_id`` or the first id)."""
    ids = [str(i) for i in ids]
    if len(set(ids)) < 2:
        raise EditError(Text("合并至少需要两个网格", "merging needs at least two grids"))
    frame, rows = _prepare(grids, ids, locked)
    _same_community(frame, rows, ids)
    union = sh.merged(sh.geoms_of(frame)[rows])
    if not isinstance(union, shapely.Polygon):
        raise EditError(
            Text(
                "网格 {ids} 互不相邻，不能合并", "grids {ids} are not adjacent; cannot merge"
            ).format(ids=", ".join(ids)),
            feature_id=ids[0],
        )
    keep = new_id or ids[0]
    if new_id is not None and new_id not in ids:
        _guard_new_ids(frame, [new_id])
    new = frame.drop(index=frame.index[rows[1:]]).copy()
    new.loc[frame.index[rows[0]], [new.geometry.name, "id"]] = [union, keep]
    removed = tuple(i for i in ids if i != keep)
    text = Text("网格 {ids} 合并为 {k}", "grids {ids} merged into {k}").format(
        ids=", ".join(ids), k=keep
    )
    created = (keep,) if keep not in ids else ()
    return _finish(
        "merge",
        grids,
        new.reset_index(drop=True),
        [keep],
        removed,
        communities,
        text,
        on_invalid,
        metric_crs,
        created=created,
    )


def move_boundary(
    grids: gpd.GeoDataFrame,
    first: str,
    second: str,
    line: BaseGeometry,
    *,
    communities: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Move the shared boundary of two neighbouring grids onto ``line``.

    The two grids' union is cut by ``line`` (edge to edge of the union); each piece goes
    to the grid holding most of it.  Their outer boundary does not move, so no gap or
    overlap with any other grid can appear.
    """
    frame, rows = _prepare(grids, [first, second], locked)
    _same_community(frame, rows, [first, second])
    pair = sh.geoms_of(frame)[rows]
    if not sh.shares_edge(pair[0], pair[1]):
        raise EditError(
            Text("网格 {a} 与 {b} 不相邻", "grids {a} and {b} are not neighbours").format(
                a=first, b=second
            ),
            feature_id=first,
        )
    shapes = sh.reshape_pair(pair, line)
    if shapes is None:
        raise EditError(
            Text(
                "新边界未穿过网格 {a}、{b}", "the new boundary does not cross grids {a}, {b}"
            ).format(a=first, b=second),
            feature_id=first,
        )
    new = frame.copy()
    new.loc[frame.index[rows], new.geometry.name] = shapes
    text = Text("网格 {a} 与 {b} 的共同边界移动", "shared boundary of {a} and {b} moved").format(
        a=first, b=second
    )
    return _finish(
        "move", grids, new, [first, second], (), communities, text, on_invalid, metric_crs
    )


def reassign_grid(
    grids: gpd.GeoDataFrame,
    grid_id: str,
    community_id: str,
    *,
    communities: gpd.GeoDataFrame,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Move a grid to a neighbouring community; both communities are reshaped."""
    frame, row = _prepare(grids, [grid_id], locked)
    guard_layer(communities, "communities")
    cids = communities["id"].astype(str).to_numpy()
    if str(community_id) not in set(cids):
        raise EditError(
            Text("社区 {c} 不存在", "community {c} does not exist").format(c=community_id)
        )
    old = str(frame["parent_id"].iloc[row[0]])
    cell = frame.geometry.iloc[row[0]]
    target = communities.geometry.to_numpy()[cids == str(community_id)][0]
    if old == str(community_id) or not sh.shares_edge(cell, target):
        raise EditError(
            Text("网格 {g} 与社区 {c} 不相邻", "grid {g} does not border community {c}").format(
                g=grid_id, c=community_id
            ),
            feature_id=grid_id,
        )
    new = frame.copy()
    new.loc[frame.index[row[0]], "parent_id"] = str(community_id)
    comm = sh.move_into_community(communities, cell, old, str(community_id))
    text = Text("网格 {g} 由社区 {a} 划入 {b}", "grid {g} moved from community {a} to {b}")
    return _finish(
        "reassign",
        grids,
        new,
        [grid_id],
        (),
        comm,
        text.format(g=grid_id, a=old, b=community_id),
        on_invalid,
        metric_crs,
        scope_extra=[old],
    )


def draw_grid(
    grids: gpd.GeoDataFrame,
    polygon: BaseGeometry,
    *,
    new_id: str | None = None,
    name: str = "",
    communities: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Draw a new grid, carved out of the grids it covers in one community.

    The polygon is clipped to the community holding most of it (a grid never crosses
    a community); grids it covers entirely are removed.
    """
    guard_layer(grids, "grids", fields=("id", "parent_id"))
    frame = grids.copy()
    frame["id"] = frame["id"].astype(str)
    carved = sh.carve(frame, polygon)
    if carved is None:
        raise EditError(Text("新网格不与任何网格重叠", "the new grid overlaps no grid"))
    shape, parent, hit = carved
    hit_ids = frame["id"].to_numpy()[hit]
    _guard_locked(hit_ids, locked)
    gid = new_id or sh.next_codes(frame, parent, 1)[0]
    _guard_new_ids(frame, [gid])
    rest = shapely.difference(sh.geoms_of(frame)[hit], shape)
    gone = shapely.is_empty(rest) | (shapely.area(rest) <= 1e-12 * shapely.area(shape))
    new = frame.copy()
    new.loc[frame.index[hit], new.geometry.name] = rest
    new = new.drop(index=frame.index[hit[gone]])
    row = new.iloc[[0]].assign(id=gid, name=name, parent_id=parent).set_geometry([shape])
    row.index = [new.index.max() + 1]
    new = pd.concat([new, row])
    removed = tuple(hit_ids[gone])
    text = Text("新网格 {g} 由 {ids} 划出", "new grid {g} carved out of {ids}").format(
        g=gid, ids=", ".join(hit_ids)
    )
    return _finish(
        "draw",
        grids,
        new.reset_index(drop=True),
        [gid, *hit_ids[~gone]],
        removed,
        communities,
        text,
        on_invalid,
        metric_crs,
        created=[gid],
    )


def validate_grids(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    communities: gpd.GeoDataFrame | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> gpd.GeoDataFrame:
    """Tiling/nesting violations ``after`` has and ``before`` has not (all communities)."""
    guard_layer(before, "before", fields=("id", "parent_id"))
    guard_layer(after, "after", fields=("id", "parent_id"))
    scope = set(before["parent_id"].astype(str)) | set(after["parent_id"].astype(str))
    return new_violations(
        before, after, communities=communities, scope=scope, metric_crs=metric_crs
    )


def _prepare(
    grids: gpd.GeoDataFrame, ids: Sequence[str], locked: Collection[str]
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    guard_layer(grids, "grids", fields=("id", "parent_id"))
    frame = grids.copy()
    frame["id"] = frame["id"].astype(str)
    all_ids = frame["id"].to_numpy()
    missing = [i for i in ids if i not in set(all_ids)]
    if missing:
        raise EditError(
            Text("网格 {g} 不存在", "grid {g} does not exist").format(g=", ".join(missing)),
            feature_id=missing[0],
        )
    _guard_locked(np.asarray(ids, dtype=object), locked)
    rows = np.asarray([int(np.flatnonzero(all_ids == i)[0]) for i in ids])
    _guard_geometry(sh.geoms_of(frame)[rows], ids)
    return frame, rows


def _guard_geometry(shapes: np.ndarray, ids: Sequence[str]) -> None:
    """The grids an edit works on must be valid, non-empty polygons."""
    missing = shapely.is_missing(shapes) | shapely.is_empty(shapes)
    kind = shapely.get_type_id(shapes)
    problems = [
        (missing, Text("网格 {g} 没有几何图形", "grid {g} has no geometry")),
        (~missing & ~np.isin(kind, [3, 6]), Text("网格 {g} 不是面", "grid {g} is not a polygon")),
        (
            ~missing & ~shapely.is_valid(shapes),
            Text(
                "网格 {g} 几何无效，请先修复", "grid {g} has an invalid geometry; repair it first"
            ),
        ),
    ]
    for bad, text in problems:
        if bad.any():
            gid = str(ids[int(np.flatnonzero(bad)[0])])
            raise EditError(text.format(g=gid), feature_id=gid)


def _guard_locked(ids: np.ndarray, locked: Collection[str]) -> None:
    hit = [str(i) for i in ids if str(i) in {str(x) for x in locked}]
    if hit:
        raise EditError(
            Text("网格 {g} 已锁定，不能修改", "grid {g} is locked and cannot be edited").format(
                g=", ".join(hit)
            ),
            feature_id=hit[0],
        )


def _guard_new_ids(frame: gpd.GeoDataFrame, ids: Sequence[str]) -> None:
    taken = sorted(set(ids) & set(frame["id"])) or sorted(i for i in ids if ids.count(i) > 1)
    if taken:
        raise EditError(
            Text("网格编码 {g} 已被使用", "grid id {g} is already in use").format(g=taken[0]),
            feature_id=taken[0],
        )


def _same_community(frame: gpd.GeoDataFrame, rows: np.ndarray, ids: Sequence[str]) -> None:
    parents = set(frame["parent_id"].astype(str).to_numpy()[rows])
    if len(parents) > 1:
        raise EditError(
            Text("网格 {ids} 属于不同社区", "grids {ids} belong to different communities").format(
                ids=", ".join(ids)
            ),
            feature_id=ids[0],
        )


def _finish(
    operation: Operation,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    touched: Sequence[str],
    removed: Sequence[str],
    communities: gpd.GeoDataFrame | None,
    text: Text,
    on_invalid: OnInvalid,
    metric_crs: pyproj.CRS | None,
    *,
    created: Sequence[str] = (),
    scope_extra: Sequence[str] = (),
) -> EditResult:
    """Node neighbours on new vertices, validate, measure and package the result."""
    after = sh.node_neighbours(after, touched)
    scope = set(after.loc[after["id"].isin(touched), "parent_id"].astype(str)) | set(scope_extra)
    found = new_violations(
        before, after, communities=communities, scope=scope, metric_crs=metric_crs
    )
    if len(found) and on_invalid == "raise":
        raise EditError(
            Text("编辑会破坏网格拼接：{r}", "the edit would break the grid tiling: {r}").format(
                r=", ".join(sorted(set(found["rule"])))
            ),
            feature_id=str(touched[0]) if touched else None,
            findings=found,
        )
    m, crs = metric(after[after["parent_id"].astype(str).isin(scope)], metric_crs)
    reshaped = tuple(i for i in dict.fromkeys(touched) if i not in set(created))
    return EditResult(
        operation,
        after,
        communities if operation == "reassign" else None,
        tuple(created),
        tuple(removed),
        reshaped,
        found,
        text,
        crs.to_string(),
        float(m.area.sum()),
    )
