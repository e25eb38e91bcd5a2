"""Draft findings: what each check returns before measuring and classifying.

A check returns a *draft* frame, one row per problem, geometry in the metric
CRS: ``rule``, ``layer``, ``ids``, ``other_layer``, ``other_ids``, ``detail``
(a value for the message), ``noise_eligible`` (whether a narrow or tiny
instance of it is digitizing noise), ``noise`` (already known to be noise) and
``geometry``.  :mod:`gis.checks.run`
measures, classifies and words them (see :mod:`gis.checks.noise`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from gis.i18n import Text

DRAFT_COLUMNS = (
    "rule",
    "layer",
    "ids",
    "other_layer",
    "other_ids",
    "detail",
    "noise_eligible",
    "noise",
    "geometry",
)

FINDING_COLUMNS = (
    "rule",
    "severity",
    "layer",
    "ids",
    "other_layer",
    "other_ids",
    "area_m2",
    "length_m",
    "width_m",
    "message_zh",
    "message_en",
    "accepted",
    "geometry",
)
"""Columns of the findings GeoDataFrame (docs/architecture.md, "Consistency findings")."""


def draft(
    rule: str,
    layer: str,
    ids: Sequence[str] | np.ndarray | str,
    geometry: Sequence[object] | np.ndarray,
    *,
    other_layer: str = "",
    other_ids: Sequence[str] | np.ndarray | str = "",
    detail: Sequence[str | Text] | np.ndarray | str | Text = "",
    noise_eligible: bool = False,
    noise: bool | Sequence[bool] | np.ndarray = False,
) -> pd.DataFrame:
    """A draft frame of ``len(geometry)`` findings of one rule (scalars broadcast)."""
    geoms = np.asarray(geometry, dtype=object)
    n = len(geoms)
    if n == 0:  # most rules find nothing: a copy of one empty frame is far cheaper
        _strings(ids, 0)  # raises, as below, on values without geometries
        _strings(other_ids, 0)
        _details(detail, 0)
        return _EMPTY.copy()
    return _frame(rule, layer, ids, geoms, other_layer, other_ids, detail, noise_eligible, noise)


def _frame(
    rule: str,
    layer: str,
    ids: Sequence[str] | np.ndarray | str,
    geoms: np.ndarray,
    other_layer: str,
    other_ids: Sequence[str] | np.ndarray | str,
    detail: Sequence[str | Text] | np.ndarray | str | Text,
    noise_eligible: bool,
    noise: bool | Sequence[bool] | np.ndarray,
) -> pd.DataFrame:
    n = len(geoms)
    frame = pd.DataFrame(
        {
            "rule": rule,
            "layer": layer,
            "ids": _strings(ids, n),
            "other_layer": other_layer,
            "other_ids": _strings(other_ids, n),
            "detail": _details(detail, n),
            "noise_eligible": noise_eligible,
            "noise": noise,
        },
        index=pd.RangeIndex(n),
    )
    frame["geometry"] = geoms
    return frame


def empty_draft() -> pd.DataFrame:
    """A draft frame with no findings."""
    return _EMPTY.copy()


def concat(drafts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack draft frames (dropping empty ones)."""
    kept = [d for d in drafts if len(d)]
    if not kept:
        return empty_draft()
    return pd.concat(kept, ignore_index=True)[list(DRAFT_COLUMNS)]


def join_ids(values: Sequence[str] | np.ndarray) -> str:
    """Feature ids as one comma-joined, sorted, de-duplicated string."""
    return ",".join(sorted({str(v) for v in values}))


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (None when there are none).

    Intersections of polygons that touch return collections of polygons, lines
    and points; a finding is an area, so only the areas are kept.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    if not len(geoms):
        return out
    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    if keep.any():
        rows = np.unique(index[keep])
        out[rows] = shapely.multipolygons(parts[keep], indices=np.searchsorted(rows, index[keep]))
        single = shapely.get_num_geometries(out[rows]) == 1
        out[rows[single]] = shapely.get_geometry(out[rows[single]], 0)
    return out


def _details(values: Sequence[str | Text] | np.ndarray | str | Text, n: int) -> np.ndarray:
    """Message values: plain strings (ids, numbers) or :class:`Text` (words in two languages)."""
    if isinstance(values, str | Text):
        out = np.empty(n, dtype=object)
        out[:] = [values] * n
        return out
    arr = np.empty(len(values), dtype=object)
    arr[:] = [v if isinstance(v, Text) else str(v) for v in values]
    if len(arr) != n:
        raise ValueError(f"expected {n} values, got {len(arr)}")
    return arr


def _strings(values: Sequence[str] | np.ndarray | str, n: int) -> np.ndarray:
    if isinstance(values, str):
        return np.full(n, values, dtype=object)
    arr = np.asarray(values, dtype=object).astype(str)
    if len(arr) != n:
        raise ValueError(f"expected {n} values, got {len(arr)}")
    return arr


_EMPTY = _frame("", "", [], np.empty(0, dtype=object), "", "", "", False, False)
