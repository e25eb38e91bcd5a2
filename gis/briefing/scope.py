"""Which grids a briefing covers: a station, a street or a community, by its id.

One rule for every level: a scope holds the grids whose representative point lies in its
polygon (for a station, in one of its officer beats — beats name their station in
``parent_id`` — or in the station's own polygon when it has none).  Grids nest in
communities and beats follow whole grids, so the point decides without cutting a grid, and
a grid whose ``parent_id`` is wrong is still counted where the map shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from gis.district import District
from gis.errors import ConfigError, NotFoundError
from gis.i18n import Text

ScopeKind = Literal["district", "station", "street", "community"]

KIND_LABEL = {
    "district": Text("辖区", "district"),
    "station": Text("派出所", "police station"),
    "street": Text("街道", "street"),
    "community": Text("社区", "community"),
}


@dataclass(frozen=True)
class Scope:
    """The area a briefing covers.

    Attributes
    ----------
    kind, id : the level and the id the user named (``district`` covers everything).
    name : the area's name (its id when the layer has no name).
    grid_ids : the ids of the grids inside, in layer order.
    area : the union of those grids, in the district's CRS.
    """

    kind: ScopeKind
    id: str
    name: str
    grid_ids: tuple[str, ...]
    area: shapely.Geometry

    def title(self, lang: Literal["zh", "en"] = "zh") -> str:
        return self.name or KIND_LABEL[self.kind].get(lang)


def resolve_scope(district: District, *, kind: ScopeKind, id: str | None = None) -> Scope:
    """The grids of the station, street or community ``id`` (everything for ``district``).

    Raises
    ------
    NotFoundError
        When no feature of that layer has the id (the message lists a few that exist).
    ConfigError
        When the district has no grids, or no layer of that kind.
    """
    grids = district.grids
    if grids is None or len(grids) == 0:
        raise ConfigError("the district has no grids / 辖区没有网格图层")
    if kind == "district":
        return Scope(kind, "", _district_name(district), _ids(grids), _union(grids))
    if not id:
        raise ConfigError(f"a {kind} scope needs an id / 请指定{KIND_LABEL[kind].zh}编号")
    layer = _layer(district, kind)
    row = layer[layer["id"].astype(str) == str(id)]
    if row.empty:
        known = ", ".join(layer["id"].astype(str).head(5))
        raise NotFoundError(
            f"no {kind} with id {id!r} (e.g. {known}) / 没有编号为 {id} 的{KIND_LABEL[kind].zh}"
        )
    chosen = grids[_grid_mask(district, kind, str(id), row)]
    name = str(row["name"].iloc[0]) if "name" in row and row["name"].notna().all() else str(id)
    return Scope(kind, str(id), name, _ids(chosen), _union(chosen))


def _district_name(district: District) -> str:
    """The one street's name when the district is one street (as the demo is), else the
    district's own name."""
    streets = district.streets
    if streets is not None and len(streets) == 1 and "name" in streets:
        name = streets["name"].iloc[0]
        if isinstance(name, str) and name.strip():
            return name.strip()
    return district.name


def _layer(district: District, kind: ScopeKind) -> gpd.GeoDataFrame:
    layer = {
        "station": district.stations,
        "street": district.streets,
        "community": district.communities,
    }[kind]
    if layer is None:
        raise ConfigError(f"the district has no {kind} layer / 辖区没有{KIND_LABEL[kind].zh}图层")
    return layer


def _grid_mask(district: District, kind: ScopeKind, id: str, row: gpd.GeoDataFrame) -> np.ndarray:
    grids = district.grids
    assert grids is not None
    beats = district.beats
    if kind == "station" and beats is not None and "parent_id" in beats:
        mine = beats[beats["parent_id"].astype(str) == id]
        if len(mine):
            return _inside(grids, mine.to_crs(grids.crs).geometry.to_numpy())
    return _inside(grids, row.to_crs(grids.crs).geometry.to_numpy())


def _inside(grids: gpd.GeoDataFrame, polygons: np.ndarray) -> np.ndarray:
    points = shapely.point_on_surface(grids.geometry.to_numpy())
    tree = shapely.STRtree(polygons)
    hit = tree.query(points, predicate="within")
    mask = np.zeros(len(grids), dtype=bool)
    mask[hit[0]] = True
    return mask


def _ids(grids: gpd.GeoDataFrame) -> tuple[str, ...]:
    return tuple(grids["id"].astype(str))


def _union(grids: gpd.GeoDataFrame) -> shapely.Geometry:
    return shapely.union_all(grids.geometry.to_numpy())
