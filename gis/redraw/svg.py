"""Small static SVG maps from shapely geometries (before/after thumbnails of a grid).

No tiles, no scripts: the notice opens on an intranet without internet access.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def before_after_svg(
    before: BaseGeometry | None,
    after: BaseGeometry | None,
    *,
    context: np.ndarray | None = None,
    size: int = 180,
) -> str:
    """An SVG of a grid before (dashed red outline) and after (filled green), with the
    neighbouring grids (``context``) in grey; coordinates in any projected CRS."""
    shown = [g for g in (before, after) if g is not None and not g.is_empty]
    if not shown:
        return ""
    minx, miny, maxx, maxy = shapely.union_all(shown).bounds
    pad = 0.15 * max(maxx - minx, maxy - miny, 1e-9)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    span = max(maxx - minx, maxy - miny)
    stroke = span / size
    parts = []
    if context is not None and len(context):
        frame = shapely.box(minx, miny, maxx, maxy)
        near = context[shapely.intersects(context, frame)]
        parts += [_path(g, "#f4f4f4", "#bbbbbb", stroke) for g in near]
    if after is not None and not after.is_empty:
        parts.append(_path(after, "#66c2a5", "#1b7837", 1.5 * stroke))
    if before is not None and not before.is_empty:
        parts.append(_path(before, "none", "#d73027", 2 * stroke, dash=4 * stroke))
    flip = f"matrix(1,0,0,-1,0,{miny + maxy})"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="{minx} {miny} {span} {span}"><g transform="{flip}">{"".join(parts)}</g></svg>'
    )


def _path(geom: BaseGeometry, fill: str, stroke: str, width: float, dash: float = 0.0) -> str:
    rings = []
    for poly in shapely.get_parts(np.asarray([geom], dtype=object)):
        if poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            rings.append("M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in xy) + " Z")
    dashes = f' stroke-dasharray="{dash:.2f}"' if dash else ""
    return (
        f'<path d="{" ".join(rings)}" fill="{fill}" fill-rule="evenodd" stroke="{stroke}" '
        f'stroke-width="{width:.2f}"{dashes}/>'
    )


def overview_svg(
    areas: np.ndarray, grids: np.ndarray, highlight: np.ndarray, *, size: int = 420
) -> str:
    """An SVG of areas (e.g. the proposed beats, thick outlines) over the grids (thin), with
    the highlighted grids filled; projected coordinates."""
    shown = np.concatenate([areas, grids])
    shown = shown[~(shapely.is_missing(shown) | shapely.is_empty(shown))]
    if not len(shown):
        return ""
    minx, miny, maxx, maxy = shapely.total_bounds(shown)
    width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    stroke = max(width, height) / size
    scale = size / max(width, height)
    parts = [
        _path(g, "#66c2a5" if h else "none", "#999999", stroke)
        for g, h in zip(grids, highlight, strict=True)
    ]
    parts += [_path(g, "none", "#3f51b5", 3 * stroke) for g in areas if g is not None]
    flip = f"matrix(1,0,0,-1,0,{miny + maxy})"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{round(width * scale)}" '
        f'height="{round(height * scale)}" viewBox="{minx} {miny} {width} {height}">'
        f'<g transform="{flip}">{"".join(parts)}</g></svg>'
    )
