"""Incident geocoding: points → areas, addresses → points, batches, dask.

>>> from gis.geocoding import build_area_index, geocode_file, GeocodeOptions
>>> areas = build_area_index({"grid": grids, "beat": beats}, tolerance_m=1)  # doctest: +SKIP
>>> geocode_file("incidents.csv", "out.parquet", areas,
...              options=GeocodeOptions(source_crs="gcj02"))  # doctest: +SKIP

``gis.geocoding.distributed`` (dask) is imported on demand.  See docs/geocoding.md.
"""

from gis.geocoding.assign import (
    AreaIndex,
    Assignment,
    assign_points,
    build_area_index,
    district_areas,
)
from gis.geocoding.batch import BatchSummary, geocode_file
from gis.geocoding.match import Gazetteer, load_gazetteer, match_addresses
from gis.geocoding.normalize import normalize_address
from gis.geocoding.pipeline import GeocodeOptions, geocode_frame
from gis.geocoding.status import REASONS, Status

__all__ = [
    "REASONS",
    "AreaIndex",
    "Assignment",
    "BatchSummary",
    "Gazetteer",
    "GeocodeOptions",
    "Status",
    "assign_points",
    "build_area_index",
    "district_areas",
    "geocode_file",
    "geocode_frame",
    "load_gazetteer",
    "match_addresses",
    "normalize_address",
]
