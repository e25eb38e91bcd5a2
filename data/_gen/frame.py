"""The frame of the demo district: street outline, cold areas, named roads, CRS transforms.

Geometry is built in metres in EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger CM 120E,
x = easting) and converted to EPSG:4490 (CGCS2000 geographic) for export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon

from data._gen.names import ROADS_EW, ROADS_NS

GEO_CRS = "EPSG:4490"
METRIC_CRS = "EPSG:4549"
CENTRE_LONLAT = (118.740, 32.005)
ROAD_ANGLE_DEG = 8.0  # the planned new town is laid out on a slightly rotated grid
_HALF_X, _HALF_Y = 1800.0, 1450.0
RURAL_WEST_M = 1050.0  # seeds further than this west of the centre are rural villages

_TO_METRIC = Transformer.from_crs(GEO_CRS, METRIC_CRS, always_xy=True)
_TO_GEO = Transformer.from_crs(METRIC_CRS, GEO_CRS, always_xy=True)


@dataclass(frozen=True)
class Frame:
    """Fixed outline of the district, in metres (EPSG:4549)."""

    centre: tuple[float, float]
    street: Polygon
    park: Polygon
    lake: Polygon
    road_names: tuple[str, ...]
    roads: np.ndarray  # LineStrings clipped to the street, same order as road_names

    @property
    def cold(self) -> shapely.Geometry:
        """Park and lake together: no buildings, no incidents."""
        return shapely.union(self.park, self.lake)

    @property
    def rural_x(self) -> float:
        return self.centre[0] - RURAL_WEST_M


def to_metric_xy(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """CGCS2000 lon/lat → EPSG:4549 easting/northing."""
    x, y = _TO_METRIC.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def to_geo_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4549 easting/northing → CGCS2000 lon/lat rounded to 1e-8° (about 1 mm)."""
    lon, lat = _TO_GEO.transform(np.asarray(x, float), np.asarray(y, float))
    return np.round(np.asarray(lon), 8), np.round(np.asarray(lat), 8)


def to_geo(geoms: np.ndarray) -> np.ndarray:
    """Metric geometries → CGCS2000 geometries; equal vertices stay equal (coverage kept)."""

    def _tf(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_geo_xy(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geoms), _tf)


def build_frame(rng: np.random.Generator) -> Frame:
    """Street outline (a noisy superellipse), a park, a lake and the named roads."""
    cx, cy = (float(v[()]) for v in to_metric_xy(*CENTRE_LONLAT))
    t = np.linspace(0.0, 2 * np.pi, 28, endpoint=False)
    r = 1.0 + rng.uniform(-0.02, 0.02, t.size)
    c, s = np.cos(t), np.sin(t)
    x = cx + _HALF_X * r * np.sign(c) * np.abs(c) ** 0.5
    y = cy + _HALF_Y * r * np.sign(s) * np.abs(s) ** 0.5
    street = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    angle = ROAD_ANGLE_DEG
    park = affinity.rotate(
        shapely.box(cx + 420, cy + 440, cx + 780, cy + 690), angle, origin=(cx, cy)
    )
    lake = affinity.rotate(
        affinity.scale(Point(cx - 1330, cy - 420).buffer(1.0, quad_segs=16), 200, 125),
        angle + 20,
        origin=(cx - 1330, cy - 420),
    )
    names, roads = _roads(street, (cx, cy))
    return Frame((cx, cy), street, park, lake, names, roads)


def _roads(street: Polygon, centre: tuple[float, float]) -> tuple[tuple[str, ...], np.ndarray]:
    cx, cy = centre
    ew = [
        LineString([(cx - 3000, cy + dy), (cx + 3000, cy + dy)])
        for dy in (-1150, -560, 0, 600, 1160)
    ]
    ns = [
        LineString([(cx + dx, cy - 3000), (cx + dx, cy + 3000)])
        for dx in (-1420, -860, -300, 280, 860, 1420)
    ]
    lines = np.array(
        [affinity.rotate(g, ROAD_ANGLE_DEG, origin=centre) for g in (*ew, *ns)], dtype=object
    )
    return (*ROADS_EW, *ROADS_NS), shapely.intersection(lines, street)
