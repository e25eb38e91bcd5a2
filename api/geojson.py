"""GeoDataFrame → GeoJSON dicts for responses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

ID = "id"


def feature_collection(gdf: gpd.GeoDataFrame, **members: Any) -> dict[str, Any]:
    """A FeatureCollection whose feature ids are the ``id`` column."""
    frame = gdf.set_index("id", drop=False) if "id" in gdf.columns else gdf
    fc = frame.to_geo_dict(na="null", show_bbox=False, drop_id=False)
    return {**fc, **members}


def one_feature(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    fc = feature_collection(gdf)
    feature: dict[str, Any] = fc["features"][0]
    return {"type": "Feature", **{k: v for k, v in feature.items() if k != "type"}}


def frame_from_features(features: list[dict[str, Any]], *, source: str) -> gpd.GeoDataFrame:
    """Features (GeoJSON dicts, WGS84) → a frame with an ``id`` column."""
    from gis.errors import GeometryError

    broken = _broken_rings(features, source=source)
    if broken is not None:
        raise broken
    try:
        gdf = gpd.GeoDataFrame.from_features(features, crs=4326)
    except Exception as exc:  # malformed GeoJSON of any kind
        raise GeometryError.single(source, f"cannot read the features: {exc}") from None
    ids = [f.get("id", f.get("properties", {}).get("id")) for f in features]
    gdf["id"] = [None if i is None else str(i) for i in ids]
    return gdf


def feature_collection_bytes(
    fids: list[str],
    props: list[dict[str, Any]],
    geoms: list[Any],
    *,
    drop: Callable[[str], bool] = lambda _: False,
    **members: Any,
) -> bytes:
    """A FeatureCollection written straight from stored rows (no frame per page).

    Every feature carries the same properties (the page's keys in order of appearance,
    ``null`` where a row has none, ``id`` first), as :func:`feature_collection` of a frame
    would; keys for which ``drop`` is true (personal data) are left out.  Geometries are
    written by GEOS (``shapely.to_geojson``).
    """
    keys = [ID]
    seen = {ID}
    for p in props:
        for k in p:
            if k not in seen:
                seen.add(k)
                keys.append(k)
    keys = [k for k in keys if k == ID or not drop(k)]
    texts = shapely.to_geojson(np.asarray(geoms, dtype=object)) if geoms else []
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=str).encode
    parts = []
    for fid, p, g in zip(fids, props, texts, strict=True):
        values = {k: fid if k == ID else p.get(k) for k in keys}
        try:
            text = dumps(values)
        except ValueError:  # a stored NaN: null, as a frame's ``na="null"`` writes it
            text = dumps({k: None if v != v else v for k, v in values.items()})
        parts.append(
            f'{{"type":"Feature","id":{dumps(fid)},"geometry":{g or "null"},"properties":{text}}}'
        )
    head = dumps({"type": "FeatureCollection", **members})[:-1]
    return f'{head},"features":[{",".join(parts)}]}}'.encode()


RING_PROBLEM = (
    "the geometry cannot be built: {why}; a polygon ring needs at least 4 points and must end "
    "where it starts (几何无法构建：环未闭合或点数不足)"
)
"""The words of an upload's broken ring (``gis.io.vector``), so an edit gets the same 422."""


def _broken_rings(features: list[dict[str, Any]], *, source: str) -> Exception | None:
    """A 422 naming each feature whose polygon rings are unclosed or shorter than 4 points.

    shapely closes an open ring silently when it builds a polygon from GeoJSON, so a
    ring an upload refuses would be stored closed by an edit: the rings are tested on
    the coordinates as sent, before any geometry is built.
    """
    from gis.errors import GeometryError, Problem

    problems = []
    for row, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        why = _ring_fault(geometry) if isinstance(geometry, dict) else None
        if why is not None:
            fid = feature.get("id", (feature.get("properties") or {}).get("id"))
            problems.append(
                Problem(RING_PROBLEM.format(why=why), source, row=row,
                        feature_id=None if fid is None else str(fid), field="geometry")
            )  # fmt: skip
    return GeometryError(problems) if problems else None


def _ring_fault(geometry: dict[str, Any]) -> str | None:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords if isinstance(coords, list) else [None]
    else:
        return None
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "a polygon without rings"
        for ring in polygon:
            if not isinstance(ring, list) or not all(isinstance(p, list) for p in ring):
                return "a ring is not a list of positions"
            if len(ring) < 4:
                return f"a ring of {len(ring)} points"
            if ring[0][:2] != ring[-1][:2]:
                return "a ring that does not end where it starts"
    return None
