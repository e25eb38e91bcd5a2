"""Turning a GeoDataFrame into feature rows and back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import FieldError, GeometryError, Problem

ID = "id"


def to_wgs84(gdf: gpd.GeoDataFrame, *, source: str) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326, the storage CRS; a frame without a CRS is refused."""
    if gdf.crs is None:
        raise GeometryError.single(source, "the layer has no coordinate system", field="geometry")
    return gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)


def check_frame(gdf: gpd.GeoDataFrame, *, source: str) -> None:
    """Refuse frames the store cannot keep: no ``id``, duplicate or missing ids, no geometry."""
    if ID not in gdf.columns:
        raise FieldError.single(source, "the layer has no 'id' column", field=ID)
    ids = gdf[ID]
    problems = [
        Problem("id is empty", source, int(i) + 1, None, ID)
        for i in np.flatnonzero(ids.isna().to_numpy())
    ]
    dup = ids.duplicated(keep="first").to_numpy()
    problems += [
        Problem("duplicate id", source, int(i) + 1, str(ids.iloc[i]), ID)
        for i in np.flatnonzero(dup)
    ]
    if problems:
        raise FieldError(problems[:200])
    missing = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if missing.any():
        raise GeometryError(
            [
                Problem("geometry is missing or empty", source, int(i) + 1, str(ids.iloc[i]))
                for i in np.flatnonzero(missing)[:200]
            ]
        )


def _jsonable(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def feature_rows(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Row dicts (without layer and version) with digests and bounding boxes."""
    geoms = gdf.geometry.to_numpy()
    wkb = shapely.to_wkb(shapely.normalize(geoms))
    bounds = shapely.bounds(geoms)
    cols = [c for c in gdf.columns if c not in (ID, gdf.geometry.name)]
    props = gdf[cols].astype(object).to_dict(orient="records")
    rows = []
    for i, (fid, p) in enumerate(zip(gdf[ID].astype(str), props, strict=True)):
        clean = {k: _jsonable(v) for k, v in p.items()}
        geom_digest = hashlib.sha1(wkb[i]).hexdigest()
        text = json.dumps(clean, sort_keys=True, ensure_ascii=False, default=str)
        rows.append(
            {
                "fid": fid,
                "properties": clean,
                "geom_digest": geom_digest,
                "digest": hashlib.sha1((geom_digest + text).encode()).hexdigest(),
                "minx": bounds[i, 0],
                "miny": bounds[i, 1],
                "maxx": bounds[i, 2],
                "maxy": bounds[i, 3],
                "geom": geoms[i],
            }
        )
    return rows


def rows_to_frame(
    fids: list[str], props: list[dict[str, Any]], geoms: list[Any]
) -> gpd.GeoDataFrame:
    """A canonical GeoDataFrame in EPSG:4326 from stored rows."""
    frame = pd.DataFrame.from_records(props) if props else pd.DataFrame(index=range(0))
    frame.insert(0, ID, fids)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326).values, crs=4326)
