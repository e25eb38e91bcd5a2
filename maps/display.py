"""Make result frames fit for a web page: few columns, light geometry, right CRS.

A page must stay small and fast with thousands of polygons, so every layer is cut to the
columns it shows, simplified for display (shared edges of a coverage stay shared:
``shapely.coverage_simplify``), projected to lon/lat (or GCJ-02 for Amap-style tiles) and
rounded to ``precision`` decimals.  Personal data (officer names, incident addresses)
never reaches a page: asking for such a column is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from gis.crs import from_wgs84
from gis.errors import ConfigError, CRSError, FieldError, Problem
from gis.i18n import Lang
from maps.base import MapOptions
from maps.labels import FIELDS, WORDS, label

PERSONAL_FIELDS = frozenset(
    {"address", "officer_name", "officer_id", "phone", "id_card", "visitor", "visitor_name"}
)
"""Columns that identify people or homes; never shown on a map."""

_METRES_PER_DEGREE = 111_320.0
_COVERAGE_FACTOR = 4.0
Simplify = Literal["coverage", "plain", "none"]


def for_display(
    gdf: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    options: MapOptions,
    source: str,
    simplify: Simplify = "plain",
) -> gpd.GeoDataFrame:
    """Keep ``columns`` and the geometry, simplified, in lon/lat, rounded.

    Parameters
    ----------
    gdf
        A result frame in any declared CRS.
    columns
        The columns the map shows (tooltips, popups, styling); all others are dropped.
    options
        ``simplify_m``, ``precision`` and ``basemap_crs`` are used.
    source
        Name of the input for error messages (``"findings"``, ``"grids"``).
    simplify
        ``"coverage"`` for a layer that tiles (grids, beats: shared edges stay shared),
        ``"plain"`` for anything else, ``"none"`` for points and tracks.
    """
    _check(gdf, columns, source)
    frame = gdf.loc[~(gdf.geometry.isna() | gdf.geometry.is_empty), [*columns, "geometry"]]
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=gdf.crs)
    if simplify != "none" and options.simplify_m > 0 and len(frame):
        frame = _simplify(frame, options.simplify_m, coverage=simplify == "coverage")
    frame = frame.to_crs(4326)
    if options.basemap_crs == "gcj02":
        frame = from_wgs84(frame, target="gcj02")
    geoms = shapely.transform(
        np.asarray(frame.geometry.array), lambda xy: np.round(xy, options.precision)
    )
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))


def _check(gdf: gpd.GeoDataFrame, columns: Sequence[str], source: str) -> None:
    personal = sorted(PERSONAL_FIELDS.intersection(columns))
    if personal:
        raise ConfigError(f"{source}: {personal} would put personal data on a map")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise FieldError([Problem("not a GeoDataFrame", source, field="geometry")])
    if gdf.crs is None:
        raise CRSError([Problem("no CRS declared; cannot place it on a map", source)])
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise FieldError(
            [
                Problem(f"column {c!r} missing (has {list(gdf.columns)})", source, field=c)
                for c in missing
            ]
        )


def _simplify(frame: gpd.GeoDataFrame, metres: float, *, coverage: bool) -> gpd.GeoDataFrame:
    per_metre = 1.0 if frame.crs.is_projected else 1.0 / _METRES_PER_DEGREE
    geoms = np.asarray(frame.geometry.array)
    polygonal = shapely.get_type_id(geoms) >= 3  # polygons, multi*: lines/points unchanged
    tiles = _as_coverage(geoms, 0.01 * per_metre) if coverage and polygonal.all() else None
    if tiles is not None:
        # GEOS' coverage simplifier takes a Visvalingam-Whyatt tolerance (√area): 4x the
        # distance keeps every vertex within ~0.85 x ``metres`` of the original (measured).
        simplified = shapely.coverage_simplify(tiles, _COVERAGE_FACTOR * metres * per_metre)
    else:
        simplified = shapely.simplify(geoms, metres * per_metre, preserve_topology=True)
    keep = ~shapely.is_empty(simplified)
    simplified[~keep] = geoms[~keep]
    return frame.set_geometry(gpd.GeoSeries(simplified, index=frame.index, crs=frame.crs))


def _as_coverage(geoms: np.ndarray, snap: float) -> np.ndarray | None:
    """The polygons as a valid coverage (edges snapped to ``snap`` if needed), or None.

    Two grids digitized along the same line often differ by far less than a centimetre;
    snapping to 1 cm makes their shared edges identical so that simplification keeps them
    shared.  Layers with real overlaps or gaps are simplified polygon by polygon instead.
    """
    if bool(shapely.coverage_is_valid(geoms)):
        return geoms
    snapped = shapely.set_precision(geoms, snap)
    ok = bool(np.all(shapely.is_valid(snapped))) and bool(shapely.coverage_is_valid(snapped))
    return snapped if ok else None


def bounds_of(*frames: gpd.GeoDataFrame | None) -> tuple[float, float, float, float]:
    """The union of the frames' total bounds (display CRS); a default view when all empty."""
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        return (118.70, 31.96, 118.78, 32.04)  # Nanjing Jianye: where the demo district is
    arr = np.vstack(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def formatted(frame: pd.DataFrame, columns: Sequence[str], lang: Lang) -> pd.DataFrame:
    """Display text for ``columns``: floats rounded, booleans as 是/否, missing as ``–``."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            text = s.map({True: WORDS["yes"].get(lang), False: WORDS["no"].get(lang)})
        elif pd.api.types.is_float_dtype(s):
            digits = 3 if col.startswith("gi_p") or col == "covered_share" else 1
            text = s.round(digits).astype(object)
        else:
            text = s.astype(object)
        out[col] = text.where(s.notna(), "–")
    return out


@dataclass(frozen=True)
class View:
    """One overlay drawn from a frame: its name, per-row styles, tooltip and popup fields."""

    name: str
    styles: Sequence[dict[str, Any]]
    tooltip: Sequence[str] = ()
    popup: Sequence[str] = ()
    show: bool = True


_SHARED = Template(
    """
{% macro script(this, kwargs) %}
{%- if this.owner %}
var {{ this.data_var }} = {{ this.data|tojson }};
{%- endif %}
var {{ this.get_name() }} = L.geoJson(null, {
    pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {radius: {{ this.radius }}});
    },
});
{{ this.get_name() }}.addData({{ this.data_var }});
{{ this.get_name() }}.setStyle(function (f) { return f.properties.{{ this.style_key }}; });
{% endmacro %}
"""
)


class SharedGeoJson(folium.GeoJson):
    """A GeoJSON overlay whose features may be shared with the overlay before it.

    Two views of the same cells (counts and Gi* classes) send the geometry once: the
    first view writes the features to a page variable, the next adds the same features
    with its own style key, and tooltips read the shared properties.
    """

    _template = _SHARED

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        show: bool,
        data_var: str | None,
        style_key: str,
        radius: float,
    ) -> None:
        super().__init__(data, name=name, show=show, zoom_on_click=False, embed=True)
        self.owner = data_var is None
        self.data_var = data_var or f"{self.get_name()}_data"
        self.style_key, self.radius = style_key, radius


def geojson_layers(
    frame: gpd.GeoDataFrame,
    views: Sequence[View],
    *,
    lang: Lang,
    point_radius: float | None = None,
    extra: Sequence[str] = (),
) -> list[SharedGeoJson]:
    """Overlays (one per view) over the features of ``frame``, sent to the page once.

    ``frame`` comes from :func:`for_display`; each view has one Leaflet path style per
    row (styling is the builder's only job).  ``extra`` columns ride along unformatted
    for the page's script (e.g. a feature index).  Add the overlays to the map in order.
    """
    fields = list(dict.fromkeys(f for v in views for f in (*v.tooltip, *v.popup)))
    props = formatted(frame, fields, lang)
    for col in extra:
        props[col] = frame[col].to_numpy()
    for i, view in enumerate(views):
        props[f"style{i}"] = pd.Series(list(view.styles), index=props.index, dtype=object)
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.values, crs=frame.crs).to_geo_dict(
        drop_id=True
    )
    layers: list[SharedGeoJson] = []
    for i, view in enumerate(views):
        layer = SharedGeoJson(
            data,
            name=view.name,
            show=view.show,
            data_var=layers[0].data_var if layers else None,
            style_key=f"style{i}",
            radius=point_radius or 6.0,  # points as circles: no marker image to fetch
        )
        if view.tooltip and len(frame):
            layer.add_child(_tip(folium.GeoJsonTooltip, view.tooltip, lang))
        if view.popup and len(frame):
            layer.add_child(_tip(folium.GeoJsonPopup, view.popup, lang))
        layers.append(layer)
    return layers


def geojson_layer(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    styles: Sequence[dict[str, Any]],
    tooltip: Sequence[str],
    popup: Sequence[str],
    lang: Lang,
    show: bool = True,
    point_radius: float | None = None,
    extra: Sequence[str] = (),
) -> folium.GeoJson:
    """One overlay: :func:`geojson_layers` with a single view."""
    view = View(name, styles, tooltip, popup, show)
    return geojson_layers(frame, [view], lang=lang, point_radius=point_radius, extra=extra)[0]


def _tip(kind: Any, fields: Sequence[str], lang: Lang) -> Any:
    aliases = [label(FIELDS, f, lang) for f in fields]
    return kind(fields=list(fields), aliases=aliases, labels=True, localize=False)
