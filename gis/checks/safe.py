"""Run a vectorized GEOS operation without letting one bad feature crash the check.

GEOS raises ``TopologyException`` on some degenerate inputs (self-touching rings
that ``is_valid`` accepts after snapping, huge coordinate ranges, ...).  The
operation is tried on the whole array first; only if it fails is it repeated
feature by feature, and the features that still fail are returned so the check
can report them instead of crashing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.errors import GEOSException

from gis.checks.findings import draft
from gis.i18n import Text


@dataclass(frozen=True)
class Guarded:
    """Result of a guarded operation: values (None where it failed) and the failures."""

    values: np.ndarray
    failed: np.ndarray  # positions (into the input arrays) that raised
    errors: tuple[str, ...]  # the GEOS message of each failure


def guarded(op: Callable[..., np.ndarray], *arrays: np.ndarray, **kwargs: object) -> Guarded:
    """Apply ``op(*arrays, **kwargs)`` vectorized, falling back per element on a GEOS error.

    Examples
    --------
    >>> import shapely
    >>> g = guarded(shapely.area, np.array([shapely.box(0, 0, 2, 2)]))
    >>> float(g.values[0]), len(g.failed)
    (4.0, 0)
    """
    try:
        return Guarded(np.asarray(op(*arrays, **kwargs)), np.empty(0, dtype=int), ())
    except GEOSException:
        pass
    n = len(arrays[0])
    values = np.full(n, None, dtype=object)
    failed: list[int] = []
    errors: list[str] = []
    for i in range(n):  # only after the vectorized call failed: find the culprits
        try:
            values[i] = op(*(a[i] for a in arrays), **kwargs)
        except GEOSException as exc:
            failed.append(i)
            errors.append(str(exc))
    return Guarded(values, np.asarray(failed, dtype=int), tuple(errors))


def failures(result: Guarded, *id_arrays: np.ndarray, kind: str) -> pd.DataFrame:
    """``invalid_geometry`` findings for the features (or pairs) an operation failed on."""
    at = result.failed
    labels = [",".join(sorted({str(a[i]) for a in id_arrays})) for i in at]
    return draft(
        "invalid_geometry",
        kind,
        labels,
        np.full(len(at), None),
        detail=[
            Text("几何运算失败，请先修复相关要素的几何", f"GEOS error: {e}") for e in result.errors
        ],
    )
