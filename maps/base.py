"""The base map every builder starts from: offline assets, optional basemap, controls.

No CDN: the page loads Leaflet and its plugins from beatgrid (:mod:`maps.assets`).  No
basemap by default: the layers are drawn on a plain light background with strong outlines,
legible on an intranet that has no tile server.  A configurable XYZ basemap (an intranet
Tianditu/PGIS server, or Amap-style GCJ-02 tiles with ``basemap_crs="gcj02"``) can be set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import folium
import folium.plugins
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from gis.errors import ConfigError
from gis.i18n import Lang
from maps.assets import DEFAULT_BASE_URL, asset_links, inline_assets
from maps.labels import TITLES, WORDS

Plugin = Literal["fullscreen", "measure", "heat", "beatgrid"]
_BASE_PLUGINS: tuple[Plugin, ...] = ("fullscreen", "measure", "beatgrid")


@dataclass(frozen=True, kw_only=True)
class MapOptions:
    """How maps are drawn; the same for every builder.

    Parameters
    ----------
    lang
        Language of every label, legend, tooltip and popup.
    basemap_url
        XYZ tile URL template (``https://pgis.local/{z}/{x}/{y}.png``); ``None`` for none.
    basemap_attribution
        Attribution shown for the basemap.
    basemap_crs
        What the tiles are drawn in.  ``"gcj02"`` for Amap-style tiles: overlays are then
        shifted to GCJ-02 (``gis.crs.from_wgs84``) so they sit on the tiles.
    asset_base_url
        Where the page fetches ``beatgrid.css`` and ``vendor/...`` from.
    simplify_m
        Display simplification in metres: no vertex moves farther (shared edges of
        grids and beats stay shared).  2 m is under one pixel up to zoom 16.
    precision
        Decimals kept in coordinates (6 ≈ 0.1 m).
    """

    lang: Lang = "zh"
    basemap_url: str | None = None
    basemap_attribution: str = ""
    basemap_crs: Literal["wgs84", "gcj02"] = "wgs84"
    asset_base_url: str = DEFAULT_BASE_URL
    simplify_m: float = 2.0
    precision: int = 6

    def __post_init__(self) -> None:
        if self.lang not in ("zh", "en"):
            raise ConfigError(f"lang must be 'zh' or 'en', not {self.lang!r}")
        if self.basemap_crs not in ("wgs84", "gcj02"):
            raise ConfigError(f"basemap_crs must be 'wgs84' or 'gcj02', not {self.basemap_crs!r}")
        if self.basemap_url is not None and not all(
            k in self.basemap_url for k in ("{z}", "{x}", "{y}")
        ):
            raise ConfigError(f"basemap_url {self.basemap_url!r} lacks {{z}}/{{x}}/{{y}}")
        if self.simplify_m < 0 or not 0 <= self.precision <= 9:
            raise ConfigError("simplify_m must be ≥ 0 and precision between 0 and 9")


_TITLE = Template(
    """
{% macro html(this, kwargs) %}
<div class="bg-title"><span>{{ this.title }}</span>{% if this.switch %}
<a class="bg-lang" href="{{ this.switch }}">{{ this.switch_label }}</a>{% endif %}</div>
{% endmacro %}
"""
)


class _Title(MacroElement):
    def __init__(self, title: str, *, switch: str | None, switch_label: str) -> None:
        super().__init__()
        self._template = _TITLE
        self.title, self.switch, self.switch_label = title, switch, switch_label


def base_map(
    bounds: tuple[float, float, float, float],
    *,
    name: str,
    options: MapOptions,
    plugins: tuple[Plugin, ...] = (),
    lang_switch: str | None = None,
) -> folium.Map:
    """An empty map fitted to ``bounds`` (minx, miny, maxx, maxy in lon/lat) with controls.

    Parameters
    ----------
    bounds
        Extent of the layers, in the display CRS (WGS84 or GCJ-02 lon/lat).
    name
        Which map (``"alignment"``, ``"hotspots"``, …): sets the title.
    options
        Language, basemap and asset settings.
    plugins
        Extra plugins the builder needs (``"heat"``).
    lang_switch
        Link to the same map in the other language, shown beside the title.
    """
    m = folium.Map(tiles=None, prefer_canvas=True, zoom_start=13)
    m.default_js, m.default_css = asset_links(
        (*_BASE_PLUGINS, *plugins), base_url=options.asset_base_url
    )
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    if options.basemap_url:
        folium.TileLayer(
            tiles=options.basemap_url,
            attr=options.basemap_attribution or "basemap",
            name=WORDS["basemap"].get(options.lang),
            overlay=False,
            max_zoom=20,
        ).add_to(m)
    _add_controls(m, options.lang)
    lang = options.lang
    title = TITLES[name].get(lang) if name in TITLES else name
    root = m.get_root()
    if isinstance(root, Figure):
        root.header.add_child(Element(f"<title>{title} · beatgrid</title>"))
        # An empty icon: no /favicon.ico request the service might answer with 404.
        root.header.add_child(Element('<link rel="icon" href="data:,">'))
    m.add_child(_Title(title, switch=lang_switch, switch_label=WORDS["language"].get(lang)))
    return m


class _Measure(folium.plugins.MeasureControl):
    """folium's measure control without the CDN links and the URL in its template comment.

    The ``_setCaptureMarkerIcon`` override keeps folium's fix for Leaflet ≥ 1.8
    (leaflet-measure issue 171).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = new L.Control.Measure({{ this.options|tojavascript }});
{{ this._parent.get_name() }}.addControl({{ this.get_name() }});
L.Control.Measure.include({
    _setCaptureMarkerIcon: function () {
        this._captureMarker.options.autoPanOnFocus = false;
        this._captureMarker.setIcon(L.divIcon({iconSize: this._map.getSize().multiplyBy(2)}));
    },
});
{% endmacro %}
"""
    )


def _add_controls(m: folium.Map, lang: Lang) -> None:
    full = folium.plugins.Fullscreen(
        title=WORDS["fullscreen"].get(lang),
        title_cancel=WORDS["exit_fullscreen"].get(lang),
    )
    measure = _Measure(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
        localization="cn" if lang == "zh" else "en",  # leaflet-measure's locale code
    )
    for plugin in (full, measure):
        plugin.default_js, plugin.default_css = [], []  # loaded by the map, from beatgrid
        m.add_child(plugin)
    m.add_child(_Scale())


class _Scale(MacroElement):
    """A metric-only scale bar (folium's shows feet too)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
{% endmacro %}
"""
    )


def finish(m: folium.Map, *, legend: MacroElement | None = None) -> folium.Map:
    """Add the legend and the layer control (after all layers, so it lists them all)."""
    if legend is not None:
        m.add_child(legend)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def render_html(m: folium.Map, *, inline: bool = False, options: MapOptions) -> str:
    """The page's HTML; with ``inline`` every script and stylesheet is copied in."""
    html = m.get_root().render()
    return inline_assets(html, base_url=options.asset_base_url) if inline else html
