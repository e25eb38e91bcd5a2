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
