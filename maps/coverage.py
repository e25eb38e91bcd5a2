"""The patrol-coverage map: tracks, covered and uncovered parts, joint-point visits, dosage.

Draws the frames of ``gis.coverage`` (docs/architecture.md, "Hotspot / coverage frames"):
per grid ``patrol_minutes``, ``distance_m``, ``covered_share``; per joint point
``visited``, ``dwell_minutes``; per hot spot ``patrol_minutes``, ``under_patrolled``.
Tracks come as lines (one per track), covered/uncovered parts as polygons.  Computes nothing.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import GeometryError, Problem
from maps.base import MapOptions, base_map, finish
from maps.display import bounds_of, for_display, geojson_layer
from maps.labels import FIELDS, LAYERS, TITLES, WORDS
from maps.legend import Legend, LegendEntry, LegendSection
from maps.styles import OUTLINE, path_style

SHARE_BREAKS = np.array([0.25, 0.5, 0.75, 1.0])
SHARE_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#238b45")
"""Fixed classes of the covered share (ColorBrewer Greens): the same on every map."""
VISITED, NOT_VISITED = "#1a9850", "#d73027"
COVERED, UNCOVERED, UNDER = "#66bd63", "#f46d43", "#762a83"


def coverage_map(
    grids: gpd.GeoDataFrame,
    *,
    tracks: gpd.GeoDataFrame | None = None,
    covered: gpd.GeoDataFrame | None = None,
    uncovered: gpd.GeoDataFrame | None = None,
    joint_points: gpd.GeoDataFrame | None = None,
    dosage: gpd.GeoDataFrame | None = None,
    options: MapOptions | None = None,
    lang_switch: str | None = None,
) -> folium.Map:
    """Draw patrol coverage.

    Parameters
    ----------
    grids
        Grids with ``id``, ``patrol_minutes``, ``distance_m``, ``covered_share`` (0–1).
    tracks
        Patrol tracks as (multi)lines with ``track_id``.
    covered, uncovered
        The covered and the uncovered parts of the grids (polygons, any columns).
    joint_points
        Joint-defense points with ``id``, ``visited`` (bool), ``dwell_minutes``.
    dosage
        Hot spots with ``id``, ``patrol_minutes``, ``under_patrolled`` (bool).
    options, lang_switch
        As for every builder.
    """
    opts = options or MapOptions()
    cols = ["id", "patrol_minutes", "distance_m", "covered_share"]
    grid = for_display(grids, columns=cols, options=opts, source="grids", simplify="coverage")
    layers: list[folium.GeoJson] = [_grid_layer(grid, cols, opts)]
    if covered is not None:
        layers.append(_part_layer(covered, "covered", COVERED, opts))
    if uncovered is not None:
        layers.append(_part_layer(uncovered, "uncovered", UNCOVERED, opts))
    if tracks is not None:
        layers.append(_track_layer(tracks, opts))
    if dosage is not None:
        layers.append(_dosage_layer(dosage, opts))
    if joint_points is not None:
        layers.append(_visit_layer(joint_points, opts))
    m = base_map(bounds_of(grid), name="coverage", options=opts, lang_switch=lang_switch)
    for layer in layers:
        layer.add_to(m)
    shown = {
        "tracks": tracks is not None,
        "covered": covered is not None,
        "uncovered": uncovered is not None,
        "dosage": dosage is not None,
        "visits": joint_points is not None,
    }
    return finish(m, legend=_legend(opts, shown))


def _grid_layer(grid: gpd.GeoDataFrame, cols: list[str], opts: MapOptions) -> folium.GeoJson:
    share = grid["covered_share"].astype(float).to_numpy()
    idx = np.searchsorted(SHARE_BREAKS, share, side="left").clip(0, len(SHARE_BREAKS) - 1)
    colours = np.where(np.isfinite(share), np.array(SHARE_COLOURS)[idx], "#e0e0e0")
    shown = grid.assign(covered_share=grid["covered_share"].astype(float).round(3))
    return geojson_layer(
        shown,
        name=LAYERS["grid"].get(opts.lang),
        styles=[path_style(OUTLINE["grid"], fill=c, fill_opacity=0.7, weight=1) for c in colours],
        tooltip=["id", "covered_share"],
        popup=cols,
        lang=opts.lang,
    )


def _part_layer(
    parts: gpd.GeoDataFrame, kind: str, colour: str, opts: MapOptions
) -> folium.GeoJson:
    frame = for_display(parts, columns=[], options=opts, source=kind)
    style = path_style(colour, fill=colour, fill_opacity=0.45, weight=0.5)
    return geojson_layer(
        frame,
        name=LAYERS[kind].get(opts.lang),
        styles=[style] * len(frame),
        tooltip=[],
        popup=[],
        lang=opts.lang,
        show=kind == "uncovered",
    )


def _track_layer(tracks: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    lines = tracks.geom_type.isin(["LineString", "MultiLineString"]) | tracks.geometry.isna()
    if not lines.all():
        row = int(np.flatnonzero(~lines.to_numpy())[0])
        raise GeometryError(
            [
                Problem(
                    f"is a {tracks.geom_type.iloc[row]}; pass one line per track "
                    "(gis.coverage builds them from GPS fixes)",
                    "tracks",
                    row=row + 1,
                    field="geometry",
                )
            ]
        )
    frame = for_display(tracks, columns=["track_id"], options=opts, source="tracks")
    style = path_style(OUTLINE["track"], weight=1.2, opacity=0.55)
    return geojson_layer(
        frame,
        name=LAYERS["tracks"].get(opts.lang),
        styles=[style] * len(frame),
        tooltip=["track_id"],
        popup=[],
        lang=opts.lang,
    )


def _visit_layer(points: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    cols = ["id", "visited", "dwell_minutes"]
    frame = for_display(points, columns=cols, options=opts, source="joint_points")
    visited = frame["visited"].astype(bool).to_numpy()
    styles = [
        path_style("#222222", fill=VISITED if v else NOT_VISITED, fill_opacity=0.9, weight=1)
        for v in visited
    ]
    return geojson_layer(
        frame,
        name=LAYERS["visits"].get(opts.lang),
        styles=styles,
        tooltip=["id", "visited"],
        popup=cols,
        lang=opts.lang,
        point_radius=6,
    )


def _dosage_layer(dosage: gpd.GeoDataFrame, opts: MapOptions) -> folium.GeoJson:
    cols = ["id", "patrol_minutes", "under_patrolled"]
    frame = for_display(dosage, columns=cols, options=opts, source="dosage")
    under = pd.Series(frame["under_patrolled"], dtype="boolean").fillna(False).to_numpy()
    styles = [
        path_style(UNDER, fill=UNDER, fill_opacity=0.35, weight=3)
        if u
        else path_style(UNDER, weight=1, opacity=0.4, dash="3 3")
        for u in under
    ]
    return geojson_layer(
        frame,
        name=f"{LAYERS['under_patrolled'].get(opts.lang)} ({int(under.sum())})",
        styles=styles,
        tooltip=["id", "under_patrolled"],
        popup=cols,
        lang=opts.lang,
    )


def _legend(opts: MapOptions, shown: dict[str, bool]) -> Legend:
    """Legend rows for the layers on the map only."""
    lang = opts.lang
    lows = ["0", *(f"{b:.0%}" for b in SHARE_BREAKS[:-1])]
    share_rows = tuple(
        LegendEntry(c, f"{lo} – {hi:.0%}")
        for c, lo, hi in zip(SHARE_COLOURS, lows, SHARE_BREAKS, strict=True)
    )
    visits = LAYERS["visits"].get(lang)
    rows = {
        "tracks": [LegendEntry(OUTLINE["track"], LAYERS["tracks"].get(lang), "line")],
        "covered": [LegendEntry(COVERED, LAYERS["covered"].get(lang))],
        "uncovered": [LegendEntry(UNCOVERED, LAYERS["uncovered"].get(lang))],
        "dosage": [LegendEntry(UNDER, LAYERS["under_patrolled"].get(lang))],
        "visits": [
            LegendEntry(VISITED, f"{visits}: {WORDS['yes'].get(lang)}", "point"),
            LegendEntry(NOT_VISITED, f"{visits}: {WORDS['no'].get(lang)}", "point"),
        ],
    }
    other = tuple(e for key, entries in rows.items() if shown[key] for e in entries)
    return Legend(
        TITLES["coverage"].get(lang),
        [
            LegendSection(FIELDS["covered_share"].get(lang), share_rows),
            LegendSection(WORDS["layers"].get(lang), other),
        ],
    )
