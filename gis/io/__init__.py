"""Reading, validating and writing layers.

>>> from gis.io import read_layer, write_layer
>>> grids = read_layer("grids.shp", kind="grid", crs="EPSG:4490")  # doctest: +SKIP
>>> write_layer(grids.gdf, "workspace.gpkg", layer="grid")          # doctest: +SKIP
"""

from gis.io.layer import Layer, Repair, frame_of
from gis.io.plain import read_visits
from gis.io.read import SUPPORTED, read_frame, read_layer
from gis.io.validate import validate_layer
from gis.io.workbook import write_workbook
from gis.io.write import write_layer

__all__ = [
    "SUPPORTED",
    "Layer",
    "Repair",
    "frame_of",
    "read_frame",
    "read_layer",
    "read_visits",
    "validate_layer",
    "write_layer",
    "write_workbook",
]
