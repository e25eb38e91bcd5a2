"""网格示意图 (公示上墙): a printable A3 map of one community's grids.

Each grid is labelled with its name and code and the roles of the people who answer for it
(社区民警、辅警、网格长) with their names; phone numbers only when the letterhead allows
them (``phones = true``) and the assignments carry a ``phone`` column.  Legend, scale bar
and north arrow; PDF (vector) or PNG by the file's suffix.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from gis.briefing.labels import ROLE
from gis.briefing.scope import resolve_scope
from gis.crs import to_metric
from gis.district import District
from gis.documents import Letterhead
from gis.errors import ConfigError
from gis.hotspots.counts import assign_points
from maps.printing import figure, legend, north_arrow, scale_bar, to_pdf, to_png

A3_CM = (42.0, 29.7)
FILLS = ("#fde0dd", "#e0f3db", "#deebf7", "#fff7bc", "#efedf5", "#fee6ce", "#e5f5f9")


def write_wall_map(
    district: District, community_id: str, path: Path, *, letterhead: Letterhead
) -> Path:
    """Write the community's 网格示意图 to ``path`` (``.pdf`` or ``.png``)."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".png"):
        raise ConfigError(f"{path.name}: write .pdf or .png / 网格示意图只能输出为 .pdf 或 .png")
    scope = resolve_scope(district, kind="community", id=community_id)
    grids = district.grids
    assert grids is not None
    mine = grids[grids["id"].astype(str).isin(scope.grid_ids)].reset_index(drop=True)
    metric, _ = to_metric(mine)
    labels = grid_labels(district, mine, phones=letterhead.phones)
    fig, ax = figure(width_cm=A3_CM[0], height_cm=A3_CM[1])
    colours = [FILLS[i % len(FILLS)] for i in range(len(metric))]
    metric.plot(ax=ax, color=colours, edgecolor="#333333", linewidth=1.2)
    _outline(ax, district, scope.area, metric.crs)
    for (_, g), text in zip(metric.iterrows(), labels, strict=True):
        p = g.geometry.representative_point()
        ax.text(p.x, p.y, text, ha="center", va="center", fontsize=7, linespacing=1.4)
    ax.set_title(f"{scope.name}网格示意图", fontsize=20, pad=12)
    scale_bar(ax)
    north_arrow(ax)
    legend(ax, [("网格", FILLS[0]), ("社区边界", "#ffffff")], title="图例")
    if letterhead.issuer:
        fig.text(0.98, 0.02, letterhead.issuer, ha="right", fontsize=10)
    data = to_pdf(fig) if suffix == ".pdf" else to_png(fig)
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(data)
    part.replace(path)
    return path


def grid_labels(district: District, grids: gpd.GeoDataFrame, *, phones: bool) -> list[str]:
    """``name\\ncode\\n社区民警：… \\n辅警：…\\n网格长：…`` per grid, from the assignments."""
    people = _people_by_grid(district, grids)
    out = []
    for g in grids.itertuples():
        lines = [str(getattr(g, "name", "") or g.id), str(getattr(g, "code", "") or g.id)]
        for role, name, phone in people.get(str(g.id), []):
            word = ROLE[role].zh if role in ROLE else role
            lines.append(f"{word}：{name}" + (f" {phone}" if phones and phone else ""))
        out.append("\n".join(lines))
    return out


def _people_by_grid(
    district: District, grids: gpd.GeoDataFrame
) -> dict[str, list[tuple[str, str, str]]]:
    a = district.assignments
    if a is None or a.empty:
        return {}
    points = grids.set_geometry(grids.geometry.representative_point())
    area_grid: dict[tuple[str, str], list[str]] = {("grid", str(g)): [str(g)] for g in grids["id"]}
    for kind, layer in (("beat", district.beats), ("aux_beat", district.aux_beats)):
        if layer is not None:
            where = assign_points(points, layer.to_crs(grids.crs))
            for gid, area in zip(grids["id"].astype(str), where, strict=True):
                if pd.notna(area):
                    area_grid.setdefault((kind, str(area)), []).append(gid)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for r in a.itertuples():
        phone = str(getattr(r, "phone", "") or "")
        for gid in area_grid.get((str(r.area_kind), str(r.area_id)), []):
            out.setdefault(gid, []).append((str(r.role), str(r.name), phone))
    return out


def _outline(ax: object, district: District, area: shapely.Geometry, crs: object) -> None:
    outline = gpd.GeoSeries([area], crs=district.grids.crs if district.grids is not None else None)
    outline.to_crs(crs).boundary.plot(ax=ax, color="#000000", linewidth=2.5)
