"""Reading, validating and writing layers.

>>> from gis.io import read_layer, write_layer
>>> grids = read_layer("grids.shp", kind="grid", crs="EPSG:4490")  # doctest: +SKIP
>>> write_layer(grids.gdf, "workspace.gpkg", layer="grid")          # doctest: +SKIP
"""

from gis.io.layer import Layer, Repair, frame_of
from gis.io.limits import InputLimits
from gis.io.plain import read_events, read_plain, read_visits
from gis.io.read import SUPPORTED, read_frame, read_layer
from gis.io.validate import validate_layer
from gis.io.workbook import workbook_bytes, write_workbook
from gis.io.write import write_layer, write_table

__all__ = [
    "SUPPORTED",
    "InputLimits",
    "Layer",
    "Repair",
    "frame_of",
    "read_events",
    "read_frame",
    "read_layer",
    "read_plain",
    "read_visits",
    "validate_layer",
    "workbook_bytes",
    "write_layer",
    "write_table",
    "write_workbook",
]
