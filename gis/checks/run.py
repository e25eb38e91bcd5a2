"""Run every consistency rule over a district's layers and build the report.

:func:`check_district` is the entry point; :func:`check_layers` does the same on
loose GeoDataFrames.  Steps: guard the inputs → one metric CRS for all layers →
validity (and cleaned layers) → tiling and nesting per layer → beat alignment →
auxiliary beats → joint-defense points → staffing → findings and summaries.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis import crs as gcrs
from gis.checks import relations as rel
from gis.checks.config import CheckConfig
from gis.checks.exceptions import ExceptionRegister, layer_paths, load_sidecars
from gis.checks.finalize import finalize
from gis.checks.findings import concat
from gis.checks.report import CheckReport, summarize
from gis.checks.safe import guarded
from gis.checks.validity import check_validity
from gis.district import District
from gis.errors import LayerError, Problem
from gis.guard import guard_layers, require
from gis.io import Layer, frame_of

LAYER_ATTRIBUTES: Mapping[str, str] = {
    "street": "streets",
    "community": "communities",
    "grid": "grids",
    "joint_point": "joint_points",
    "station": "stations",
    "beat": "beats",
    "aux_beat": "aux_beats",
}
"""Layer kind → attribute of a ``gis.district.District``."""


def check_district(
    district: District,
    *,
    config: CheckConfig | None = None,
    exceptions: ExceptionRegister | None = None,
) -> CheckReport:
    """Check a district's layers against the boundary-consistency rules.

    Parameters
    ----------
    district : gis.district.District
        The layers (its attributes of :data:`LAYER_ATTRIBUTES`) and ``assignments``;
        ``metric_crs`` when the district names one.
    config : CheckConfig, optional
        Rules, severities and tolerances; the defaults of :class:`CheckConfig`.
    exceptions : ExceptionRegister, optional
        Accepted exceptions; by default those kept beside the district's layer files
        (``<layer>.exceptions.json``, see :mod:`gis.checks.exceptions`).

    Returns
    -------
    CheckReport
    """
    layers = {kind: getattr(district, attr) for kind, attr in LAYER_ATTRIBUTES.items()}
    if exceptions is None:
        exceptions = load_sidecars(layer_paths(district))
    return check_layers(
        layers,
        assignments=district.assignments,
        config=config,
        exceptions=exceptions,
        metric_crs=district.metric_crs,
    )


def check_layers(
    layers: Mapping[str, gpd.GeoDataFrame | Layer | None],
    *,
    assignments: pd.DataFrame | Layer | None = None,
    config: CheckConfig | None = None,
    exceptions: ExceptionRegister | None = None,
    metric_crs: pyproj.CRS | None = None,
) -> CheckReport:
    """Check loose layers (kind → GeoDataFrame with an ``id`` column).

    Examples
    --------
    >>> from shapely import box
    >>> grids = gpd.GeoDataFrame({"id": ["G1", "G2"]},
    ...                          geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
    ...                          crs="EPSG:4549")
    >>> check_layers({"grid": grids}).ok
    True
    """
    config = config or CheckConfig()
    present = {k: frame_of(v) for k, v in layers.items() if v is not None}
    table = frame_of(assignments) if assignments is not None else None
    guard_layers(present, known=LAYER_ATTRIBUTES)
    if table is not None:
        require(table, ("officer_id", "role", "area_kind", "area_id"), source="assignments")
    output_crs = _output_crs(present)
    metric, crs = _in_one_metric_crs(present, metric_crs)
    drafts, prepared = [], {}
    for kind, frame in metric.items():
        found, cleaned = check_validity(frame, kind=kind, points_allowed=kind == "joint_point")
        drafts.append(found)
        moved = pyproj.CRS(present[kind].crs) != crs  # only reprojection leaves round-off
        precision = config.precision_m if moved else 0.0
        prepared[kind] = rel.Prepared(
            kind, cleaned, _snap(cleaned, precision), cleaned["id"].astype(str).to_numpy()
        )
    links = rel.run_geometric(prepared, config=config)
    drafts.extend(links.drafts)
    if table is not None:
        drafts.append(rel.run_staffing(prepared, table, links, config=config))
    findings = finalize(
        concat(drafts),
        config=config,
        exceptions=exceptions or ExceptionRegister(),
        metric_crs=crs,
        output_crs=output_crs,
        known_widths=links.widths,
    )
    return summarize(findings, prepared, links, config=config, metric_crs=crs)


def _snap(frame: gpd.GeoDataFrame, precision_m: float) -> np.ndarray:
    """Coordinates on a ``precision_m`` grid: reprojection jitter (1e-9 m) must not
    turn shared edges into specks, or results would depend on the input CRS."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    if precision_m <= 0:
        return geoms
    snapped = guarded(shapely.set_precision, geoms, grid_size=precision_m)
    out = np.asarray(snapped.values, dtype=object)
    bad = shapely.is_missing(out) | shapely.is_empty(out)
    out[bad] = geoms[bad]  # collapsed below the precision: keep the original
    return out


def _output_crs(layers: Mapping[str, gpd.GeoDataFrame]) -> pyproj.CRS | None:
    for kind in ("grid", *layers):
        if kind in layers:
            return pyproj.CRS(layers[kind].crs)
    return None


def _in_one_metric_crs(
    layers: Mapping[str, gpd.GeoDataFrame], crs: pyproj.CRS | None
) -> tuple[dict[str, gpd.GeoDataFrame], pyproj.CRS]:
    """All layers in one metric CRS (gis.crs.metric_crs of all of them together)."""
    if not layers:
        raise LayerError([Problem("no layer to check")])
    if crs is None:
        crs = _metric_crs(layers)
    return {k: gcrs.to_metric(v, crs=crs)[0] for k, v in layers.items()}, pyproj.CRS(crs)


def _metric_crs(layers: Mapping[str, gpd.GeoDataFrame]) -> pyproj.CRS:
    """The layers' own CRS when they share a metric one, else ``gis.crs.metric_crs`` of all."""
    crss = {pyproj.CRS(f.crs) for f in layers.values()}
    if len(crss) == 1:
        return gcrs.metric_crs(next(iter(layers.values())))
    frames = [f.geometry.to_crs(4326) for f in layers.values() if len(f)]
    return gcrs.metric_crs(gpd.GeoSeries(pd.concat(frames) if frames else [], crs=4326))
