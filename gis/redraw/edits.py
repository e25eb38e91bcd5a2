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

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from gis.guard import guard_layer
from gis.i18n import Text
from gis.redraw import _shapes as sh
from gis.redraw import result as rs
from gis.redraw.result import EditError, EditResult, OnInvalid
from gis.redraw.validate import new_violations

__all__ = [
    "EditError",
    "EditResult",
    "add_grid",
    "draw_grid",
    "merge_grids",
    "move_boundary",
    "reassign_grid",
    "split_grid",
    "transfer_area",
    "validate_grids",
]


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
    rs.guard_drawing(line, "line")
    frame, row = rs.prepare(grids, [grid_id], locked)
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
    rs.guard_new_ids(frame, ids)
    template = frame.iloc[[row[0]] * (len(pieces) - 1)].assign(id=ids, name="")
    new = pd.concat([frame, template.set_geometry(list(pieces[1:]))], ignore_index=True)
    new.loc[row[0], new.geometry.name] = pieces[0]
    text = Text("网格 {g} 分割为 {ids}", "grid {g} split into {ids}").format(
        g=grid_id, ids=", ".join([grid_id, *ids])
    )
    return rs.finish(
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
    frame, rows = rs.prepare(grids, ids, locked)
    rs.same_community(frame, rows, ids)
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
        rs.guard_new_ids(frame, [new_id])
    new = frame.drop(index=frame.index[rows[1:]]).copy()
    new.loc[frame.index[rows[0]], [new.geometry.name, "id"]] = [union, keep]
    removed = tuple(i for i in ids if i != keep)
    text = Text("网格 {ids} 合并为 {k}", "grids {ids} merged into {k}").format(
        ids=", ".join(ids), k=keep
    )
    created = (keep,) if keep not in ids else ()
    return rs.finish(
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
    rs.guard_drawing(line, "line")
    frame, rows = rs.prepare(grids, [first, second], locked)
    rs.same_community(frame, rows, [first, second])
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
    return rs.finish(
        "move", grids, new, [first, second], (), communities, text, on_invalid, metric_crs
    )


def transfer_area(
    grids: gpd.GeoDataFrame,
    source: str,
    target: str,
    area: BaseGeometry,
    *,
    communities: gpd.GeoDataFrame | None = None,
    locked: Collection[str] = (),
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Move the part of grid ``source`` inside ``area`` to its neighbour ``target``.

    The other way to move a shared boundary: draw the area that changes hands (works
    where a line cannot, e.g. around a grid enclosed by another).  The pair's union does not
    change, so no gap or overlap can appear elsewhere; ``target`` must stay in one piece.
    """
    rs.guard_drawing(area, "polygon")
    frame, rows = rs.prepare(grids, [source, target], locked)
    rs.same_community(frame, rows, [source, target])
    pair = sh.geoms_of(frame)[rows]
    if not sh.shares_edge(pair[0], pair[1]):
        raise EditError(
            Text("网格 {a} 与 {b} 不相邻", "grids {a} and {b} are not neighbours").format(
                a=source, b=target
            ),
            feature_id=source,
        )
    moved = shapely.intersection(pair[0], area)
    if shapely.area(moved) <= 0:
        raise EditError(
            Text("所划区域不在网格 {a} 内", "the area lies outside grid {a}").format(a=source),
            feature_id=source,
        )
    grown = sh.merged(np.asarray([pair[1], *sh.polygons(moved)], dtype=object))
    rest = shapely.difference(pair[0], area)
    if not isinstance(grown, shapely.Polygon) or shapely.is_empty(rest):
        raise EditError(
            Text(
                "划转后网格 {b} 不连续或网格 {a} 消失",
                "grid {b} would not be contiguous or grid {a} would vanish",
            ).format(a=source, b=target),
            feature_id=target,
        )
    new = frame.copy()
    new.loc[frame.index[rows], new.geometry.name] = [rest, grown]
    text = Text("网格 {a} 的部分区域划入 {b}", "part of grid {a} moved to {b}").format(
        a=source, b=target
    )
    return rs.finish(
        "transfer", grids, new, [source, target], (), communities, text, on_invalid, metric_crs
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
    frame, row = rs.prepare(grids, [grid_id], locked)
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
    return rs.finish(
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
    rs.guard_drawing(polygon, "polygon")
    guard_layer(grids, "grids", fields=("id", "parent_id"))
    frame = grids.copy()
    frame["id"] = frame["id"].astype(str)
    carved = sh.carve(frame, polygon)
    if carved is None:
        raise EditError(Text("新网格不与任何网格重叠", "the new grid overlaps no grid"))
    shape, parent, hit = carved
    hit_ids = frame["id"].to_numpy()[hit]
    rs.guard_locked(hit_ids, locked)
    gid = new_id or sh.next_codes(frame, parent, 1)[0]
    rs.guard_new_ids(frame, [gid])
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
    return rs.finish(
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


def add_grid(
    grids: gpd.GeoDataFrame,
    polygon: BaseGeometry,
    *,
    new_id: str | None = None,
    name: str = "",
    communities: gpd.GeoDataFrame | None = None,
    overlap_tolerance: float = 0.05,
    on_invalid: OnInvalid = "raise",
    metric_crs: pyproj.CRS | None = None,
) -> EditResult:
    """Draw a new grid on land no grid covers yet (a gap, unassigned land).

    The drawn polygon may overlap the existing grids by at most ``overlap_tolerance`` of
    its area (a hand-drawn edge along a neighbour); that part is cut away and the new
    edge snapped onto the neighbours, so no grid changes.  The new grid belongs to the
    community holding most of it (``communities``; clipped to it) or, without a community
    layer, to the community of the grid it borders most.

    ::

        +----+----+        +----+----+
        | G1 | G2 |        | G1 | G2 |
        +----+----+  --->  +----+----+
        | G3 |    |        | G3 | G5 |    G5 drawn in the gap (overlaps clipped away)
        +----+----+        +----+----+
    """
    rs.guard_drawing(polygon, "polygon")
    guard_layer(grids, "grids", fields=("id", "parent_id"))
    frame = grids.copy()
    frame["id"] = frame["id"].astype(str)
    parent, shape = sh.place_in_community(frame, polygon, communities)
    if parent is None:
        raise EditError(
            Text("新网格不在任何社区内，也不与任何网格相邻",
                 "the new grid lies in no community and borders no grid")
        )  # fmt: skip
    geoms = sh.geoms_of(frame)
    hit = shapely.STRtree(geoms).query(shape, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[hit], shape)) if len(hit) else np.zeros(0)
    share = float(overlap.sum() / shapely.area(shape)) if shapely.area(shape) > 0 else 1.0
    if share > overlap_tolerance:
        over = frame["id"].to_numpy()[hit[overlap > 0]]
        raise EditError(
            Text(
                "新网格与现有网格 {ids} 重叠 {p}%，超过容差 {t}%：请只画在未划网格的区域",
                "the new grid overlaps grids {ids} by {p}%, beyond the {t}% tolerance: "
                "draw it on land no grid covers",
            ).format(ids=", ".join(over), p=f"{share * 100:.1f}", t=f"{overlap_tolerance * 100:g}"),
            feature_id=str(over[0]) if len(over) else None,
        )
    if len(hit):
        shape = shapely.difference(shape, sh.merged(geoms[hit]))
        shape = shapely.snap(
            shape, shapely.union_all(shapely.boundary(geoms[hit])), sh.tolerance(frame)
        )
    parts = sh.polygons(shape)
    if len(parts) != 1:
        raise EditError(
            Text("新网格会分成 {n} 块，请画成一块", "the new grid would be in {n} pieces; "
                 "draw one piece").format(n=len(parts))
        )  # fmt: skip
    gid = new_id or sh.next_codes(frame, parent, 1)[0]
    rs.guard_new_ids(frame, [gid])
    row = (
        frame.iloc[[0]]
        .assign(id=gid, name=name, parent_id=parent)
        .set_geometry([parts[0]], crs=frame.crs)
    )
    new = pd.concat([frame, row], ignore_index=True)
    text = Text("在未划网格的区域新增网格 {g}", "new grid {g} drawn on unassigned land").format(
        g=gid
    )
    return rs.finish(
        "add", grids, new, [gid], (), communities, text, on_invalid, metric_crs, created=[gid]
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
