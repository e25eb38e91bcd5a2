"""Coordinate systems that cannot be right for a district's layers, refused on reading.

``gis.crs.check_coordinates`` refuses values outside a CRS's area of use; these are the
cases it cannot see, because the values *are* inside it:

- a **geocentric** CRS (EPSG:4978: X/Y/Z in metres from the earth's centre) holds no map;
- a **projected** CRS (EPSG:3857, a Gauss-Krüger zone) stated for values that are all
  within ±180/±90: they are longitude/latitude, and read as metres they would land within a
  few hundred metres of (0°, 0°);
- a feature **larger than a district** could ever be (a world-sized grid), measured in
  degrees of longitude/latitude after conversion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyproj

from gis.errors import CRSError, LimitError, Problem
from gis.i18n import Text
from gis.io.limits import InputLimits

DEGREE_LIKE = (180.0, 90.0)


def check_crs_fits(crs: pyproj.CRS, x_y: np.ndarray, *, name: str, source: str | None) -> None:
    """Refuse a geocentric CRS, or a projected one for values that look like degrees.

    ``x_y`` is an (n, 2) array of every vertex.
    """
    if crs.is_geocentric:
        raise CRSError.single(
            source,
            str(
                Text(
                    "地心坐标系不能用于地图图层",
                    f"{name} is a geocentric CRS (X/Y/Z in metres from the earth's centre); map "
                    "layers need a geographic (EPSG:4326, EPSG:4490) or projected CRS",
                )
            ),
            field="geometry",
        )
    if not crs.is_projected or len(x_y) == 0:
        return
    finite = x_y[np.isfinite(x_y).all(axis=1)]
    if len(finite) and (np.abs(finite) <= DEGREE_LIKE).all():
        raise CRSError.single(
            source,
            str(
                Text(
                    "坐标像经纬度，但指定的是投影坐标系",
                    f"the coordinates look like longitude/latitude (all within ±180/±90), "
                    f"but {name} "
                    "is projected in metres: they would land within metres of (0°, 0°). State "
                    "EPSG:4326 / EPSG:4490 (or gcj02, bd09) instead",
                )
            ),
            field="geometry",
        )


def check_extent(
    bounds: np.ndarray,
    *,
    limits: InputLimits,
    source: str | None,
    rows: Sequence[int] | np.ndarray | None = None,
) -> None:
    """Refuse features spanning more than ``limits.feature_degrees`` of longitude or latitude.

    ``bounds`` is an (n, 4) array of minx, miny, maxx, maxy in longitude/latitude.
    """
    if len(bounds) == 0:
        return
    span = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    big = np.flatnonzero(np.nan_to_num(span, nan=0.0) > limits.feature_degrees)
    if not len(big):
        return
    numbers = np.arange(1, len(bounds) + 1) if rows is None else np.asarray(rows)
    raise LimitError(
        [
            Problem(
                str(
                    Text(
                        "要素范围过大",
                        f"the feature spans {span[i]:.1f}° of longitude or latitude, more than the "
                        f"{limits.feature_degrees:g}° any district's feature may; "
                        "is the CRS right?",
                    )
                ),
                source,
                row=int(numbers[i]),
                field="geometry",
            )
            for i in big[:100]
        ]
    )
