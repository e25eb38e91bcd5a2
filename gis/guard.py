"""The one input guard every engine runs first.

A layer handed to an engine must be a GeoDataFrame, hold the columns the engine needs and
say what coordinate system it is in.  :func:`guard_layers` checks several layers at once and
reports every problem, :func:`guard_layer` one, :func:`require` the columns of a plain
table, :func:`same_crs` brings one layer into another's CRS.  The messages name the layer
(``source``) and the field, in both languages (:class:`gis.i18n.Text`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import geopandas as gpd
import pyproj

from gis.errors import CRSError, FieldError, Problem
from gis.i18n import Text

__all__ = ["guard_layer", "guard_layers", "layer_problems", "require", "same_crs"]

_NOT_A_LAYER = Text("应为 GeoDataFrame，实为 {got}", "expected a GeoDataFrame, got {got}")
_MISSING = Text("缺少字段", "missing column")
_NO_CRS = Text("图层没有坐标系", "layer has no coordinate system")
_UNKNOWN_KIND = Text("未知图层类型，可用：{known}", "unknown layer kind; known: {known}")


def layer_problems(
    frame: object, source: str, *, fields: Sequence[str] = ("id",)
) -> tuple[list[Problem], list[Problem]]:
    """Field problems and CRS problems of one layer (empty lists when it is usable)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        got = type(frame).__name__
        return [Problem(str(_NOT_A_LAYER.format(got=got)), source)], []
    missing = [Problem(str(_MISSING), source, field=f) for f in fields if f not in frame.columns]
    no_crs = [Problem(str(_NO_CRS), source, field="crs")] if frame.crs is None else []
    return missing, no_crs


def guard_layers(
    layers: Mapping[str, object],
    *,
    fields: Sequence[str] = ("id",),
    known: Collection[str] | None = None,
) -> None:
    """Refuse unusable layers, naming every problem of every layer.

    Parameters
    ----------
    layers
        Layer name (kind) → frame.
    fields
        Columns every layer must have.
    known
        The accepted layer names; None accepts any.

    Raises
    ------
    gis.errors.FieldError
        An unknown name, something that is no GeoDataFrame, a missing column.
    gis.errors.CRSError
        A layer without a coordinate system (raised only when no field problem was found).
    """
    field_problems: list[Problem] = []
    crs_problems: list[Problem] = []
    for name, frame in layers.items():
        if known is not None and name not in known:
            message = _UNKNOWN_KIND.format(known=", ".join(known))
            field_problems.append(Problem(str(message), name))
            continue
        missing, no_crs = layer_problems(frame, name, fields=fields)
        field_problems.extend(missing)
        crs_problems.extend(no_crs)
    if field_problems:
        raise FieldError(field_problems)
    if crs_problems:
        raise CRSError(crs_problems)


def guard_layer(frame: object, source: str, *, fields: Sequence[str] = ("id",)) -> None:
    """:func:`guard_layers` for one layer.

    Examples
    --------
    >>> guard_layer(gpd.GeoDataFrame({"id": []}, geometry=[]), "grids.gpkg")
    Traceback (most recent call last):
    ...
    gis.errors.CRSError: grids.gpkg field 'crs': 图层没有坐标系 / layer has no coordinate system
    """
    guard_layers({source: frame}, fields=fields)


def require(frame: object, columns: Sequence[str], *, source: str) -> None:
    """Raise :class:`~gis.errors.FieldError` naming every column of ``columns`` ``frame`` lacks."""
    have = set(getattr(frame, "columns", ()))
    missing = [c for c in columns if c not in have]
    if missing:
        raise FieldError(
            [Problem(f"missing column(s) {', '.join(missing)}", source, field=missing[0])]
        )


def same_crs(gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None) -> gpd.GeoDataFrame:
    """``gdf`` in ``crs`` (no copy when it already is).

    Raises
    ------
    gis.errors.CRSError
        ``gdf`` or ``crs`` is missing, so the layers cannot be related.
    """
    if gdf.crs is None or crs is None:
        message = Text(
            "图层没有坐标系，无法与其他图层对应",
            "layer has no CRS; it cannot be related to the others",
        )
        raise CRSError.single(None, str(message), field="crs")
    return gdf if pyproj.CRS(gdf.crs) == pyproj.CRS(crs) else gdf.to_crs(crs)
