"""Geometry steps of the grid edits (in the layer's own CRS)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

_REL_TOL = 1e-9
"""Snapping tolerance relative to the layer's extent (0.1 mm on a 100 km layer)."""


def geoms_of(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(frame.geometry.array, dtype=object)


def tolerance(frame: gpd.GeoDataFrame) -> float:
    minx, miny, maxx, maxy = frame.total_bounds
    return max(maxx - minx, maxy - miny, 1e-12) * _REL_TOL


def polygons(geom: BaseGeometry) -> np.ndarray:
    """The polygon parts of a geometry (collections from splits and overlays)."""
    parts = shapely.get_parts(np.asarray([geom], dtype=object))
    polys = parts[shapely.get_type_id(parts) == 3]
    return polys[shapely.area(polys) > 0]


def split_pieces(polygon: BaseGeometry, line: BaseGeometry) -> np.ndarray:
    """Pieces of ``polygon`` cut by ``line``; one piece when the line does not cross."""
    if (
        line is None
        or shapely.is_empty(line)
        or line.geom_type
        not in (
            "LineString",
            "MultiLineString",
        )
    ):
        return polygons(polygon)
    return polygons(split(polygon, line))


def merged(parts: np.ndarray) -> BaseGeometry:
    """Union of grids sharing exact edges (coverage union when valid, else overlay)."""
    if shapely.coverage_is_valid(parts):
        union = shapely.coverage_union_all(parts)
    else:
        union = shapely.union_all(parts)
    return shapely.normalize(union)


def shares_edge(a: BaseGeometry, b: BaseGeometry) -> bool:
    """True when two polygons share a boundary of positive length."""
    common = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    return bool(shapely.length(common) > 0)


def reshape_pair(pair: np.ndarray, line: BaseGeometry) -> list[BaseGeometry] | None:
    """The pair's union cut by ``line``, each piece to the grid holding most of it."""
    union = merged(pair)
    pieces = split_pieces(union, line)
    if len(pieces) < 2:
        return None
    owner = np.argmax(
        np.column_stack([shapely.area(shapely.intersection(pieces, pair[k])) for k in range(2)]),
        axis=1,
    )
    if len(set(owner.tolist())) < 2:
        return None
    return [merged(pieces[owner == k]) for k in range(2)]


def next_codes(frame: gpd.GeoDataFrame, parent: str, n: int) -> list[str]:
    """The next ``n`` free codes ``<parent><3-digit sequence>`` of a community."""
    ids = frame["id"].astype(str)
    sequence = ids[ids.str.startswith(parent)].str[len(parent) :]
    numbers = sequence[sequence.str.fullmatch(r"\d+")].astype(int)
    start = int(numbers.max()) + 1 if len(numbers) else 1
    width = max(3, int(sequence.str.len().max()) if len(sequence) else 3)
    return [f"{parent}{k:0{width}d}" for k in range(start, start + n)]


def node_neighbours(frame: gpd.GeoDataFrame, touched: Sequence[str]) -> gpd.GeoDataFrame:
    """Insert the edited grids' new vertices into their neighbours' shared edges.

    A split or moved boundary ends on a neighbour's edge at a point the neighbour does
    not have; GEOS coverage validation wants matching edges, so the neighbour gets it
    (the edited grids too: a drawn grid gets the vertices of the grids it cut).
    """
    ids = frame["id"].to_numpy()
    edited = np.isin(ids, np.asarray(list(touched), dtype=object))
    geoms = geoms_of(frame)
    if not edited.any():
        return frame
    tol = tolerance(frame)
    reference = shapely.union_all(shapely.boundary(geoms[edited]))
    tree = shapely.STRtree(geoms)
    near = np.unique(tree.query(geoms[edited], predicate="intersects")[1])
    out = frame.copy()
    snapped = shapely.snap(geoms[near], reference, tol)
    out.loc[frame.index[near], out.geometry.name] = snapped
    return out


def carve(
    frame: gpd.GeoDataFrame, polygon: BaseGeometry
) -> tuple[BaseGeometry, str, np.ndarray] | None:
    """The new grid's shape inside the community holding most of it, its community and
    the rows of the grids it takes area from."""
    geoms = geoms_of(frame)
    hit = shapely.STRtree(geoms).query(polygon, predicate="intersects")
    if not len(hit):
        return None
    shares = shapely.area(shapely.intersection(geoms[hit], polygon))
    parents = frame["parent_id"].astype(str).to_numpy()[hit]
    totals = {p: shares[parents == p].sum() for p in set(parents)}
    parent = max(totals, key=lambda p: totals[p])
    hit = hit[(parents == parent) & (shares > 0)]
    if not len(hit):
        return None
    shape = merged(polygons(shapely.intersection(merged(geoms[hit]), polygon)))
    shape = shapely.snap(shape, shapely.union_all(shapely.boundary(geoms[hit])), tolerance(frame))
    return shape, parent, np.sort(hit)


def place_in_community(
    frame: gpd.GeoDataFrame, polygon: BaseGeometry, communities: gpd.GeoDataFrame | None
) -> tuple[str | None, BaseGeometry]:
    """The community a newly drawn grid belongs to and its shape clipped to it.

    With a community layer: the community holding most of the polygon (the shape is
    clipped to it); without: the community of the grid sharing the longest boundary."""
    if communities is not None and len(communities):
        cgeoms = geoms_of(communities.to_crs(frame.crs))
        share = shapely.area(shapely.intersection(cgeoms, polygon))
        if share.max() <= 0:
            return None, polygon
        k = int(np.argmax(share))
        clipped = shapely.intersection(polygon, cgeoms[k])
        return str(communities["id"].iloc[k]), merged(polygons(clipped))
    geoms = geoms_of(frame)
    near = shapely.STRtree(geoms).query(polygon, predicate="intersects")
    if not len(near):
        return None, polygon
    edge = shapely.length(shapely.intersection(shapely.boundary(geoms[near]), polygon))
    return str(frame["parent_id"].iloc[near[int(np.argmax(edge))]]), polygon


def move_into_community(
    communities: gpd.GeoDataFrame, cell: BaseGeometry, old: str, new: str
) -> gpd.GeoDataFrame:
    """The community layer with ``cell`` moved from community ``old`` to ``new``."""
    out = communities.copy()
    ids = out["id"].astype(str).to_numpy()
    geoms = geoms_of(out)
    rows_old, rows_new = np.flatnonzero(ids == old), np.flatnonzero(ids == new)
    if len(rows_old):
        out.loc[out.index[rows_old], out.geometry.name] = shapely.difference(geoms[rows_old], cell)
    out.loc[out.index[rows_new], out.geometry.name] = [
        merged(np.asarray([geoms[rows_new[0]], cell], dtype=object))
    ]
    return out
