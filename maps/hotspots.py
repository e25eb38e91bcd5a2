"""The hot-spot map: counts/rates choropleth, Gi* classes, kernel-density heat, time filter.

Draws the cell/grid frames of ``gis.hotspots`` (docs/architecture.md, "Hotspot / coverage
frames").  A million incidents never reach the page: the page gets one value and one class
per cell and period, and the geometry once.  The day/week/month filter restyles the cells in
the browser.  Computes nothing: counts, rates, z-scores, classes and densities come in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, Protocol

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gis.errors import ConfigError, FieldError, Problem
from maps.base import MapOptions, base_map, finish
from maps.display import SharedGeoJson, View, bounds_of, for_display, geojson_layers
from maps.labels import FIELDS, GI_CLASSES, LAYERS, TITLES, WORDS
from maps.legend import Legend, LegendEntry, LegendSection
from maps.styles import GI_COLOURS, SEQUENTIAL, class_breaks, classify, path_style, spread

Value = Literal["count", "rate_km2", "rate_1000"]
Granularity = Literal["day", "week", "month"]
Periods = Mapping[Granularity, Mapping[str, pd.DataFrame]]
MAX_HEAT_POINTS = 50_000
"""More heat points than this means raw incidents were passed instead of a KDE surface."""
RASTER_POINTS = 4_000
"""A density raster is drawn from about this many of its cells (sampled evenly)."""
HEAT_FLOOR = 0.2
"""Raster cells under this share of the peak density are left out of the heat layer:
leaflet.heat adds overlapping points up, and a dense raster would paint everything hot."""

# (layer, property to rewrite, class key, value key, palette or None for Gi* colours)
_Target = tuple[folium.GeoJson, str, str, str, list[str] | None]
_CELL_COLUMNS = ("id", "count", "gi_z", "gi_p_fdr", "hotspot_class")


def hotspot_map(
    cells: gpd.GeoDataFrame,
    *,
    value: Value = "count",
    periods: Periods | None = None,
    kde: gpd.GeoDataFrame | Surface | None = None,
    options: MapOptions | None = None,
    lang_switch: str | None = None,
) -> folium.Map:
    """Draw hot-spot results: choropleth of ``value``, Gi* classes, KDE heat, time filter.

    Parameters
    ----------
    cells
        Cells or grids with ``id``, ``count``, ``rate_km2`` (``rate_1000``), ``gi_z``,
        ``gi_p_fdr``, ``hotspot_class`` (Esri Gi_Bin −3…3), optional ``pattern``.
    value
        What the choropleth shows.
    periods
        ``{"day"|"week"|"month": {period label: frame with id, value, hotspot_class}}``;
        the filter shows them one at a time.  Cells absent from a period count as missing.
    kde
        The kernel-density surface: a ``gis.hotspots`` ``DensitySurface`` raster, or
        points with a ``density`` column (at most :data:`MAX_HEAT_POINTS`).
    options
        Language, basemap, simplification.
    lang_switch
        Link to the same page in the other language.
    """
    opts = options or MapOptions()
    extra = [c for c in ("pattern",) if c in cells.columns]
    frame = for_display(
        cells,
        columns=list(dict.fromkeys([*_CELL_COLUMNS, value, *extra])),
        options=opts,
        source="cells",
        simplify="coverage",
    )
    frame["fid"] = np.arange(len(frame))
    breaks = class_breaks(_all_values(frame, value, periods))
    palette = spread(len(breaks), SEQUENTIAL)
    heat = _heat_points(kde, opts) if kde is not None else None
    m = base_map(
        bounds_of(frame),
        name="hotspots",
        options=opts,
        plugins=("heat",) if heat is not None else (),
        lang_switch=lang_switch,
    )
    popup = ["id", value, "gi_z", "gi_p_fdr", "hotspot_class", *extra]
    choropleth, gi = _cell_layers(frame, value, breaks, palette, popup, opts)
    choropleth.add_to(m)
    gi.add_to(m)
    if heat is not None:
        heat.add_to(m)
    if periods:
        targets: list[_Target] = [
            (choropleth, value, "k", "v", palette),
            (gi, "hotspot_class", "c", "c", None),
        ]
        m.add_child(_TimeFilter(m, frame, value, breaks, periods, targets, opts))
    return finish(m, legend=_legend(value, breaks, palette, heat is not None, opts))


def _all_values(frame: gpd.GeoDataFrame, value: str, periods: Periods | None) -> pd.Series:
    """Every value shown under any filter, so that one legend fits all periods."""
    parts = [frame[value]]
    for by_label in (periods or {}).values():
        for label, table in by_label.items():
            if value not in table.columns or "id" not in table.columns:
                raise FieldError.single(f"periods[{label!r}]", f"needs 'id' and {value!r}")
            parts.append(table[value])
    return pd.concat(parts, ignore_index=True)


def _labelled_classes(frame: gpd.GeoDataFrame, lang: Any) -> gpd.GeoDataFrame:
    out = frame.copy()
    gi_labels = {k: v.get(lang) for k, v in GI_CLASSES.items()}
    out["hotspot_class"] = frame["hotspot_class"].map(gi_labels).fillna("–")
    return out


def _cell_layers(
    frame: gpd.GeoDataFrame,
    value: str,
    breaks: np.ndarray,
    palette: list[str],
    popup: list[str],
    opts: MapOptions,
) -> list[SharedGeoJson]:
    """The choropleth and the Gi* overlay: two styles over one copy of the cells."""
    lang = opts.lang
    colours = np.array([*palette, "#e0e0e0"], dtype=object)[classify(frame[value], breaks)]
    gi = frame["hotspot_class"].map(GI_COLOURS).fillna("#e0e0e0")
    views = [
        View(
            LAYERS["choropleth"].get(lang),
            [path_style("#555555", fill=c, weight=0.6, fill_opacity=0.75) for c in colours],
            ["id", value],
            popup,
        ),
        View(
            LAYERS["gi"].get(lang),
            [path_style("#666666", fill=c, weight=0.5, fill_opacity=0.8) for c in gi],
            ["id", "hotspot_class"],
            popup,
            show=False,
        ),
    ]
    return geojson_layers(_labelled_classes(frame, lang), views, lang=lang, extra=["fid"])


class Surface(Protocol):
    """A density raster such as ``gis.hotspots.kde.DensitySurface`` (north-up)."""

    density: np.ndarray
    x0: float
    y0: float
    cell_m: float
    crs: Any


def _surface_points(surface: Surface) -> gpd.GeoDataFrame:
    """Raster cell centres as weighted points, every f-th cell so there are few enough.

    Sampling the raster for display (cells under :data:`HEAT_FLOOR` left out) is styling:
    the densities themselves are the ones ``gis.hotspots`` computed.
    """
    dens = np.asarray(surface.density, dtype=float)
    step = max(1, int(np.ceil(np.sqrt(dens.size / RASTER_POINTS))))
    shown = dens[::step, ::step]
    top = float(np.nanmax(shown)) if shown.size else 0.0
    rows, cols = np.nonzero(shown > HEAT_FLOOR * top) if top > 0 else (np.array([], int),) * 2
    x = surface.x0 + (cols * step + 0.5) * surface.cell_m
    y = surface.y0 - (rows * step + 0.5) * surface.cell_m
    return gpd.GeoDataFrame(
        {"density": shown[rows, cols]}, geometry=gpd.points_from_xy(x, y), crs=surface.crs
    )


def _heat_points(kde: gpd.GeoDataFrame | Surface, opts: MapOptions) -> folium.plugins.HeatMap:
    if not isinstance(kde, gpd.GeoDataFrame):
        kde = _surface_points(kde)
    if len(kde) > MAX_HEAT_POINTS:
        raise ConfigError(
            f"kde has {len(kde):,} points (limit {MAX_HEAT_POINTS:,}): pass the kernel-density "
            "surface sampled on a grid (gis.hotspots), not the incidents themselves"
        )
    pts = for_display(kde, columns=["density"], options=opts, source="kde", simplify="none")
    if not (pts.geom_type == "Point").all():
        raise FieldError([Problem("kde must hold points", "kde", field="geometry")])
    dens = pts["density"].astype(float).to_numpy()
    top = float(np.nanmax(dens)) if len(dens) and np.isfinite(dens).any() else 1.0
    weight = np.round(np.nan_to_num(dens) / (top or 1.0), 3)
    data = np.column_stack([pts.geometry.y, pts.geometry.x, weight]).tolist()
    heat = folium.plugins.HeatMap(
        data,
        name=LAYERS["kde"].get(opts.lang),
        radius=14,
        blur=16,
        min_opacity=0.05,
        # leaflet.heat divides intensity by 2 per zoom level below max_zoom (18); a max of
        # 1/8 gives full colour at zoom 15, a district's usual view.  (A lower max_zoom
        # would also grey the layer out in the layer control above that zoom.)
        max=1 / 8,
        show=False,  # the choropleth reads first; the heat is one click away
        gradient={0.4: "blue", 0.6: "lime", 0.8: "yellow", 1.0: "red"},  # as in the legend
    )
    heat.default_js, heat.default_css = [], []  # loaded by the map, from beatgrid
    return heat


_FILTER = Template(
    """
{% macro script(this, kwargs) %}
beatgrid.timeFilter({{ this.map_name }}, (function () {
  var spec = {{ this.spec }};
  var layers = [{{ this.layer_names|join(", ") }}];
  spec.targets.forEach(function (t, i) { t.layer = layers[i]; });
  return spec;
})());
{% endmacro %}
"""
)


class _TimeFilter(MacroElement):
    """The day/week/month selector: per period one value and one class per cell."""

    def __init__(
        self,
        m: folium.Map,
        frame: gpd.GeoDataFrame,
        value: str,
        breaks: np.ndarray,
        periods: Periods,
        targets: list[_Target],
        opts: MapOptions,
    ) -> None:
        super().__init__()
        self._template = _FILTER
        self.map_name = m.get_name()
        self.layer_names = [t[0].get_name() for t in targets]
        ids = frame["id"].astype(str)
        spec = {
            "overall": _entry(frame, value, breaks),
            "periods": {
                g: {lbl: _entry(_aligned(ids, t), value, breaks) for lbl, t in by.items()}
                for g, by in periods.items()
            },
            "targets": [
                {
                    "field": field,
                    "styleKey": f"style{i}",
                    "classKey": ck,
                    "valueKey": vk,
                    "colours": dict(enumerate(pal)) if pal else GI_COLOURS,
                    "labels": {k: v.get(opts.lang) for k, v in GI_CLASSES.items()},
                }
                for i, (_, field, ck, vk, pal) in enumerate(targets)
            ],
            "words": {k: WORDS[k].get(opts.lang) for k in ("all", "day", "week", "month")}
            | {"period": FIELDS["period"].get(opts.lang)},
        }
        self.spec = json.dumps(spec, ensure_ascii=False, default=_plain).replace("</", "<\\/")


def _aligned(ids: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """The period's rows in the cells' order (missing cells as NaN)."""
    return table.assign(id=table["id"].astype(str)).set_index("id").reindex(ids.to_numpy())


def _entry(table: pd.DataFrame, value: str, breaks: np.ndarray) -> dict[str, list[Any]]:
    vals = table[value].astype(float).round(3)
    cls = table["hotspot_class"] if "hotspot_class" in table.columns else pd.Series(0, table.index)
    return {
        "v": [None if np.isnan(v) else v for v in vals.to_numpy()],
        "k": classify(table[value], breaks).tolist(),
        "c": cls.fillna(0).astype(int).tolist(),
    }


def _plain(obj: object) -> object:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _legend(
    value: str, breaks: np.ndarray, palette: list[str], heat: bool, opts: MapOptions
) -> Legend:
    lang = opts.lang
    lows = [None, *breaks[:-1]]
    value_rows = tuple(
        LegendEntry(c, f"{'≤' if lo is None else f'{lo:g} –'} {hi:g}".strip())
        for c, lo, hi in zip(palette, lows, breaks, strict=True)
    )
    gi_rows = tuple(LegendEntry(GI_COLOURS[k], GI_CLASSES[k].get(lang)) for k in GI_CLASSES)
    sections = [
        LegendSection(f"{LAYERS['choropleth'].get(lang)} · {FIELDS[value].get(lang)}", value_rows),
        LegendSection(LAYERS["gi"].get(lang), gi_rows),
    ]
    if heat:
        heat_row = LegendEntry("", WORDS["low_high"].get(lang), "heat")
        sections.append(LegendSection(LAYERS["kde"].get(lang), (heat_row,)))
    return Legend(TITLES["hotspots"].get(lang), sections)
