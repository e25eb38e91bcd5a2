"""GeoDataFrame → GeoJSON dicts for responses."""

from __future__ import annotations

from typing import Any

import geopandas as gpd


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
