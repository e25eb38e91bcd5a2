"""What a grid edit returns or raises, and the guards every edit runs first.

:class:`EditResult` carries the new layer and the ids created, removed and reshaped;
:class:`EditError` (a :class:`gis.errors.GeometryError`) carries a bilingual text and,
when the consistency engine refused the edit, its findings.  ``finish`` nodes the
neighbours, runs the engine (:mod:`gis.redraw.validate`) and packages the result.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis.crs import to_metric
from gis.errors import GeometryError, Problem
from gis.guard import guard_layer
from gis.i18n import Text
from gis.redraw import _shapes as sh
from gis.redraw.validate import new_violations

Operation = Literal["split", "merge", "move", "transfer", "reassign", "draw", "add", "balance"]
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


def prepare(
    grids: gpd.GeoDataFrame, ids: Sequence[str], locked: Collection[str]
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The layer with string ids and the rows of ``ids``; refuses unknown or locked grids."""
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
    guard_locked(np.asarray(ids, dtype=object), locked)
    rows = np.asarray([int(np.flatnonzero(all_ids == i)[0]) for i in ids])
    guard_geometry(sh.geoms_of(frame)[rows], ids)
    return frame, rows


def guard_geometry(shapes: np.ndarray, ids: Sequence[str]) -> None:
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


def guard_drawing(shape: object, kind: Literal["line", "polygon"]) -> None:
    """A drawn area must be a polygon; a drawn line or area must not cross itself.

    (A drawing of another kind given as a line is refused by the edit itself: it does not
    cross the grid.)"""
    geom_type = getattr(shape, "geom_type", "")
    if kind == "polygon" and geom_type not in ("Polygon", "MultiPolygon"):
        raise EditError(
            Text("所画图形应为面，收到 {t}", "the drawing should be an area, got {t}").format(
                t=geom_type or "nothing"
            )
        )
    if kind == "line" and geom_type not in ("LineString", "MultiLineString"):
        return
    crossing = not shapely.is_simple(shape) if kind == "line" else not shapely.is_valid(shape)
    if crossing:
        raise EditError(
            Text(
                "所画{k}自相交，请重新绘制（未作任何修改）",
                "the drawn {k2} crosses itself; draw it again (nothing was changed)",
            ).format(k="线" if kind == "line" else "区域", k2=kind if kind == "line" else "area")
        )


def guard_locked(ids: np.ndarray, locked: Collection[str]) -> None:
    """Refuse an edit touching a locked grid."""
    hit = [str(i) for i in ids if str(i) in {str(x) for x in locked}]
    if hit:
        raise EditError(
            Text("网格 {g} 已锁定，不能修改", "grid {g} is locked and cannot be edited").format(
                g=", ".join(hit)
            ),
            feature_id=hit[0],
        )


def guard_new_ids(frame: gpd.GeoDataFrame, ids: Sequence[str]) -> None:
    """Refuse new ids already used in the layer or given twice."""
    taken = sorted(set(ids) & set(frame["id"])) or sorted(i for i in ids if ids.count(i) > 1)
    if taken:
        raise EditError(
            Text("网格编码 {g} 已被使用", "grid id {g} is already in use").format(g=taken[0]),
            feature_id=taken[0],
        )


def same_community(frame: gpd.GeoDataFrame, rows: np.ndarray, ids: Sequence[str]) -> None:
    """Refuse an edit across communities (a grid never crosses a community)."""
    parents = set(frame["parent_id"].astype(str).to_numpy()[rows])
    if len(parents) > 1:
        raise EditError(
            Text("网格 {ids} 属于不同社区", "grids {ids} belong to different communities").format(
                ids=", ".join(ids)
            ),
            feature_id=ids[0],
        )


def finish(
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
    m, crs = to_metric(after[after["parent_id"].astype(str).isin(scope)], crs=metric_crs)
    m["id"] = m["id"].astype(str)
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
