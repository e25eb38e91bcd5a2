"""Where incidents concentrate: counts and rates, Gi*, Local Moran, KDE, emerging hot spots, PAI.

Every function takes validated layers (canonical columns, see ``gis.layers``) and works
in metres in a metric CRS; results are frozen dataclasses holding GeoDataFrames whose
columns follow the "Hotspot / coverage frames" contract of docs/architecture.md.
"""

from gis.hotspots.review import HotspotReview, hotspot_review, hotspot_series

__all__ = ["HotspotReview", "hotspot_review", "hotspot_series"]
