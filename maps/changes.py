"""The grid-change map: old grids against new grids, and the beats the change affects.

Draws what ``gis.redraw`` found (issue 8): the old and new grid layers, optionally a diff
frame with a ``change`` column (``added``/``removed``/``changed``/``unchanged``) and the
beats that must be re-aligned.  Computes nothing.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from maps.base import MapOptions, base_map, finish
from maps.display import bounds_of, for_display, geojson_layer
from maps.labels import CHANGES, FIELDS, LAYERS, TITLES, WORDS, label
from maps.legend import Legend, LegendEntry, LegendSection
from maps.styles import OUTLINE, path_style

CHANGE_COLOURS = {
    "added": "#1b9e77",
    "removed": "#d95f02",
    "changed": "#7570b3",
    "unchanged": "#d9d9d9",
}
AFFECTED = "#e7298a"


def changes_map(
    old_grids: gpd.GeoDataFrame,
    new_grids: gpd.GeoDataFrame,
    *,
    diff: gpd.GeoDataFrame | None = None,
    affected_beats: gpd.GeoDataFrame | None = None,
    options: MapOptions | None = None,
    lang_switch: str | None = None,
) -> folium.Map:
    """Draw old vs new grids, the changed areas and the affected beats.

    Parameters
    ----------
    old_grids, new_grids
        The grid layer before and after the redraw (``id``, optional ``name``).
    diff
        Areas that changed, with ``id`` and ``change``.
    affected_beats
        Beats whose boundary no longer follows the grids (``id``, optional ``name``).
    options, lang_switch
        As for every builder.
    """
    opts = options or MapOptions()
    old = _frame(old_grids, "old_grids", opts)
    new = _frame(new_grids, "new_grids", opts)
    layers = [
        _outline(old, "old_grids", path_style(OUTLINE["old"], weight=2, dash="6 4"), opts),
        _outline(
            new,
            "new_grids",
            path_style(OUTLINE["new"], fill="#e3f2fd", fill_opacity=0.25, weight=1.5),
            opts,
        ),
    ]
    if diff is not None:
        layers.append(_diff_layer(diff, opts))
    if affected_beats is not None:
        beats = _frame(affected_beats, "affected_beats", opts)
        style = path_style(AFFECTED, fill=AFFECTED, fill_opacity=0.15, weight=3)
        layers.append(_outline(beats, "affected_beats", style, opts, popup=True))
    m = base_map(bounds_of(old, new), name="changes", options=opts, lang_switch=lang_switch)
    for layer in layers:
        layer.add_to(m)
    return finish(m, legend=_legend(opts))


def _frame(gdf: gpd.GeoDataFrame, source: str, opts: MapOptions) -> gpd.GeoDataFrame:
    columns = ["id", *(["name"] if "name" in gdf.columns else [])]
    return for_display(gdf, columns=columns, options=opts, source=source, simplify="coverage")


def _outline(
    frame: gpd.GeoDataFrame,
    kind: str,
    style: dict[str, object],
    opts: MapOptions,
    *,
    popup: bool = True,
) -> folium.GeoJson:
    fields = [c for c in ("id", "name") if c in frame.columns]
    return geojson_layer(
        frame,
        name=f"{LAYERS[kind].get(opts.lang)} ({len(frame)})",
        styles=[style] * len(frame),
        tooltip=fields,
        popup=fields if popup else [],
        lang=opts.lang,
    )


def _diff_layer(diff: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    frame = for_display(diff, columns=["id", "change"], options=opts, source="diff")
    keys = frame["change"].astype(str)
    styles = [
        path_style(
            CHANGE_COLOURS.get(k, "#999999"),
            fill=CHANGE_COLOURS.get(k, "#999999"),
            fill_opacity=0.5,
            weight=1,
        )
        for k in keys
    ]
    shown = frame.assign(change=keys.map(lambda k: label(CHANGES, k, opts.lang)))
    return geojson_layer(
        shown,
        name=FIELDS["change"].get(opts.lang),
        styles=styles,
        tooltip=["id", "change"],
        popup=["id", "change"],
        lang=opts.lang,
    )


def _legend(opts: MapOptions) -> Legend:
    lang = opts.lang
    return Legend(
        TITLES["changes"].get(lang),
        [
            LegendSection(
                WORDS["layers"].get(lang),
                (
                    LegendEntry(OUTLINE["old"], LAYERS["old_grids"].get(lang), "line"),
                    LegendEntry(OUTLINE["new"], LAYERS["new_grids"].get(lang), "line"),
                    LegendEntry(AFFECTED, LAYERS["affected_beats"].get(lang)),
                ),
            ),
            LegendSection(
                FIELDS["change"].get(lang),
                tuple(LegendEntry(c, CHANGES[k].get(lang)) for k, c in CHANGE_COLOURS.items()),
            ),
        ],
    )
