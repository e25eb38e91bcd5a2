"""beatgrid's geometry library: layers, coordinate systems, checks and analytics.

Pure functions and small dataclasses over GeoDataFrames. Imports neither ``api``
nor ``maps``, reads no environment variables and prints nothing.
"""

__all__: list[str] = []
