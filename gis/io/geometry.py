"""Geometry checks of a layer: presence, type, dimension, validity, coordinate range.

All checks are vectorized over the geometry array; only the rows found wrong are turned
into messages.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import CRSError, GeometryError
from gis.i18n import Text
from gis.io.layer import Repair
from gis.io.problems import Problems
from gis.io.repair import areas_m2, make_polygons_valid
from gis.layers import LayerSpec

_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


_FAMILY_ZH = {"point": "点", "line": "线", "polygon": "面", "none": "无几何"}


def allowed_types(sp: LayerSpec) -> tuple[int, ...]:
    """Shapely type ids a layer of this spec accepts."""
    if sp.geometry == "point":
        return (0,)
    if sp.geometry == "line":
        return (1, 5)
    polygons = (3, 6)
    return (*polygons, 0) if sp.point_allowed else polygons


def check_geometries(
    frame: pd.DataFrame, sp: LayerSpec, problems: Problems, *, repair: bool
) -> tuple[gpd.GeoDataFrame, tuple[Repair, ...]]:
    """Run every geometry check; repair invalid polygons when asked."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        problems.add(
            GeometryError,
            str(Text("图层没有几何列", "the layer has no geometry column")),
            field="geometry",
        )
        return gpd.GeoDataFrame(frame), ()
    geoms = frame.geometry.to_numpy().copy()
    present = _check_missing(geoms, problems)
    typed = _check_types(geoms, present, sp, problems)
    geoms = _check_dims(geoms, present, problems)
    repairs: tuple[Repair, ...] = ()
    if sp.geometry == "polygon":
        geoms, repairs = _check_validity(geoms, typed, frame, problems, repair=repair)
    _check_range(geoms, present, frame.crs, problems)
    out = frame.copy()
    out[frame.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return out, repairs


def _check_missing(geoms: np.ndarray, problems: Problems) -> np.ndarray:
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    problems.at(
        GeometryError,
        np.flatnonzero(missing),
        str(Text("几何为空", "no geometry")),
        field="geometry",
    )
    problems.at(
        GeometryError,
        np.flatnonzero(empty),
        str(Text("空几何", "empty geometry")),
        field="geometry",
    )
    return ~(missing | empty)


def _check_types(
    geoms: np.ndarray, present: np.ndarray, sp: LayerSpec, problems: Problems
) -> np.ndarray:
    types = shapely.get_type_id(geoms)
    ok = np.isin(types, allowed_types(sp))
    wrong = np.flatnonzero(present & ~ok)
    expected = " or ".join(_TYPE_NAMES[t] for t in allowed_types(sp))
    messages = [
        str(
            Text(
                f"几何类型错误：{sp.label_zh}应为{_FAMILY_ZH[sp.geometry]}",
                f"geometry is a {_TYPE_NAMES.get(int(types[p]), '?')}; {sp.label_en} layers need "
                f"{expected}",
            )
        )
        for p in wrong[:50]
    ]
    problems.at(GeometryError, wrong, messages, field="geometry")
    return present & ok


def _check_dims(geoms: np.ndarray, present: np.ndarray, problems: Problems) -> np.ndarray:
    has_z = shapely.has_z(geoms) & present
    flat = present & ~has_z
    if not has_z.any():
        return geoms
    if not flat.any():
        # uniformly 3-D (KML, GPS): heights are not used, drop them
        return shapely.force_2d(geoms)
    z_minority = has_z.sum() <= flat.sum()
    minority = has_z if z_minority else flat
    label = "3-D (with Z)" if z_minority else "2-D"
    problems.at(
        GeometryError,
        np.flatnonzero(minority),
        str(
            Text(
                "维度混杂", f"geometry is {label} while most of the layer is not: mixed dimensions"
            )
        ),
        field="geometry",
    )
    return geoms


def _check_validity(
    geoms: np.ndarray,
    typed: np.ndarray,
    frame: pd.DataFrame,
    problems: Problems,
    *,
    repair: bool,
) -> tuple[np.ndarray, tuple[Repair, ...]]:
    polygonal = typed & np.isin(shapely.get_type_id(geoms), (3, 6))
    invalid = np.flatnonzero(polygonal & ~shapely.is_valid(geoms))
    if invalid.size == 0:
        return geoms, ()
    reasons = shapely.is_valid_reason(geoms[invalid])
    if not repair:
        messages = [
            str(
                Text(
                    "几何无效：自相交等",
                    f"invalid polygon: {reason}; fix it or import with --repair",
                )
            )
            for reason in reasons[:50]
        ]
        problems.at(GeometryError, invalid, messages, field="geometry")
        return geoms, ()
    fixed = make_polygons_valid(geoms[invalid])
    crs = getattr(frame, "crs", None)
    before = areas_m2(geoms[invalid], crs)
    after = areas_m2(fixed, crs)
    lost = np.flatnonzero(shapely.is_empty(fixed))
    problems.at(
        GeometryError,
        invalid[lost],
        str(Text("修复后无面状部分", "invalid polygon has no polygonal part left after repair")),
        field="geometry",
    )
    out = geoms.copy()
    out[invalid] = fixed
    ids = frame["id"].to_numpy(dtype=object) if "id" in frame.columns else None
    repairs = tuple(
        Repair(
            row=int(problems.rows[p]),
            feature_id=None if ids is None or ids[p] is None else str(ids[p]),
            reason=str(reasons[n]),
            area_before_m2=float(before[n]),
            area_after_m2=float(after[n]),
        )
        for n, p in enumerate(invalid)
    )
    return out, repairs


def _check_range(geoms: np.ndarray, present: np.ndarray, crs: object, problems: Problems) -> None:
    if crs is None or not getattr(crs, "is_geographic", False) or not present.any():
        return
    bounds = shapely.bounds(geoms)
    bad_lat = present & ((bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    bad_lon = present & ~bad_lat & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180))
    problems.at(
        CRSError,
        np.flatnonzero(bad_lat),
        str(
            Text(
                "纬度超出范围：经纬度是否颠倒？",
                "latitude beyond ±90 in a geographic CRS: are x and y (lon and lat) swapped, "
                "or is the "
                "CRS wrong?",
            )
        ),
        field="geometry",
    )
    problems.at(
        CRSError,
        np.flatnonzero(bad_lon),
        str(
            Text(
                "经度超出范围",
                "longitude beyond ±180 in a geographic CRS: projected coordinates? state the CRS",
            )
        ),
        field="geometry",
    )
