"""Validity: empty or missing geometries, invalid geometries, duplicate ids.

Besides the findings, :func:`check_validity` returns the layer the other checks
work on: empty and wrong-typed features dropped, invalid ones repaired with
``make_valid`` (keeping their areas) so that one bad ring does not poison the
overlap and gap checks.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.checks.findings import concat, draft, polygonal
from gis.checks.reasons import explain
from gis.i18n import Text

_POLYGON_TYPES = (3, 6)
_POINT_TYPES = (0, 4)


def check_validity(
    layer: gpd.GeoDataFrame, *, kind: str, points_allowed: bool = False
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Find empty, wrong-typed and invalid geometries and duplicate ids.

    Parameters
    ----------
    layer : GeoDataFrame
        A layer with an ``id`` column, in a metric CRS.
    kind : str
        Its layer kind (``"grid"``, ``"beat"``, ...), used in the findings.
    points_allowed : bool
        Whether points are acceptable geometries (joint-defense points).

    Returns
    -------
    (draft findings, cleaned layer)
    """
    geoms = np.asarray(layer.geometry.array, dtype=object)
    ids = layer["id"].astype(str).to_numpy()
    types = shapely.get_type_id(geoms)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    allowed = _POLYGON_TYPES + (_POINT_TYPES if points_allowed else ())
    wrong = ~empty & ~np.isin(types, allowed)
    invalid = ~empty & ~wrong & ~shapely.is_valid(geoms)
    reasons = np.asarray(shapely.is_valid_reason(geoms[invalid]), dtype=object)
    fixed = geoms.copy()
    if invalid.any():
        fixed[invalid] = polygonal(shapely.make_valid(geoms[invalid]))
    drafts = [
        draft("empty_geometry", kind, ids[empty], np.full(int(empty.sum()), None)),
        draft(
            "invalid_geometry",
            kind,
            ids[wrong],
            geoms[wrong],
            detail=[_wrong_type(g) for g in geoms[wrong]],
        ),
        draft(
            "invalid_geometry",
            kind,
            ids[invalid],
            geoms[invalid],
            detail=[explain(str(r), layer.crs) for r in reasons],
        ),
        _duplicates(ids, geoms, kind=kind, usable=~empty),
    ]
    keep = ~empty & ~wrong & ~shapely.is_missing(fixed)
    cleaned = layer.iloc[np.flatnonzero(keep)].copy()
    cleaned = cleaned.set_geometry(gpd.GeoSeries(fixed[keep], index=cleaned.index, crs=layer.crs))
    return concat(drafts), cleaned


def _wrong_type(geom: shapely.Geometry) -> Text:
    kind = shapely.get_type_id(geom)
    name = _TYPE_NAMES.get(int(kind), Text(f"类型 {kind}", f"type {kind}"))
    return Text(f"几何类型为{name.zh}，应为面", f"geometry is a {name.en}, not a polygon")


_TYPE_NAMES = {
    0: Text("点", "point"),
    1: Text("线", "line"),
    2: Text("线环", "linear ring"),
    4: Text("多点", "multipoint"),
    5: Text("多线", "multiline"),
    7: Text("几何集合", "geometry collection"),
}


def _duplicates(
    ids: np.ndarray, geoms: np.ndarray, *, kind: str, usable: np.ndarray
) -> pd.DataFrame:
    counts = pd.Series(ids).value_counts()
    dup = counts[counts > 1]
    if dup.empty:
        return draft("duplicate_id", kind, [], [])
    merged = [
        shapely.union_all(geoms[(ids == value) & usable]) for value in dup.index
    ]  # one union per duplicated id: few by nature
    return draft(
        "duplicate_id",
        kind,
        dup.index.to_numpy(),
        merged,
        detail=dup.to_numpy().astype(str),
    )
