"""What is near a phone: the nearest standard addresses (走访) and joint-defense points (到点).

Distances are in metres in a local metric CRS (``gis.crs.metric_crs`` of the candidates);
a polygon's distance is 0 from inside it.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from gis.crs import metric_crs
from gis.errors import ConfigError


def nearest(
    candidates: gpd.GeoDataFrame,
    lon: float,
    lat: float,
    *,
    limit: int = 5,
    max_m: float | None = None,
) -> pd.DataFrame:
    """The ``limit`` nearest candidates to a WGS84 point: ``id`` and ``distance_m``, nearest first.

    Parameters
    ----------
    candidates : points or polygons with an ``id`` column, in any CRS.
    max_m : leave out candidates farther than this many metres.
    """
    if limit < 1:
        raise ConfigError(f"limit must be at least 1, got {limit}")
    if "id" not in candidates.columns:
        raise ConfigError(f"candidates need an 'id' column (columns: {list(candidates.columns)})")
    if candidates.empty:
        return pd.DataFrame({"id": pd.Series(dtype=str), "distance_m": pd.Series(dtype=float)})
    crs = metric_crs(candidates)
    here = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(crs).iloc[0]
    geoms = candidates.geometry.to_crs(crs).to_numpy()
    out = pd.DataFrame(
        {"id": candidates["id"].astype(str).to_numpy(), "distance_m": shapely.distance(geoms, here)}
    )
    if max_m is not None:
        out = out[out.distance_m <= max_m]
    return out.sort_values(["distance_m", "id"], kind="stable").head(limit).reset_index(drop=True)
