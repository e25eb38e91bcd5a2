"""The alignment map: grids, beats, auxiliary beats, joint points and every misalignment.

Draws the consistency findings of ``gis.checks`` (columns in docs/architecture.md,
"Consistency findings") over the layers they concern, coloured by rule, one overlay per
severity (digitizing noise hidden until switched on), with ids, shares and the message in
the popup.  Computes nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

import folium
import geopandas as gpd
import pandas as pd

from gis.checks import RULES, SEVERITY_LABELS
from gis.i18n import Lang
from maps.base import MapOptions, base_map, finish
from maps.display import Simplify, bounds_of, for_display, geojson_layer
from maps.labels import LAYERS, TITLES, WORDS
from maps.legend import Legend, LegendEntry, LegendSection
from maps.styles import OTHER_COLOUR, OUTLINE, RULE_COLOURS, path_style

_POPUP = ("rule", "severity", "ids", "other_ids", "area_m2", "length_m", "message", "accepted")
FINDING_COLUMNS = ("rule", "severity", "ids", "other_ids", "area_m2", "length_m", "width_m")
_SEVERITY_LOOK = {  # outline weight, fill opacity, dash: errors loud, noise faint
    "error": (3.0, 0.55, None),
    "warning": (2.0, 0.40, "6 4"),
    "noise": (1.0, 0.20, "2 4"),
}


class HasFindings(Protocol):
    """A frozen check report (``gis.checks``) exposing its findings frame."""

    @property
    def findings(self) -> gpd.GeoDataFrame: ...


def alignment_map(
    findings: gpd.GeoDataFrame | HasFindings,
    *,
    grids: gpd.GeoDataFrame,
    beats: gpd.GeoDataFrame | None = None,
    aux_beats: gpd.GeoDataFrame | None = None,
    joint_points: gpd.GeoDataFrame | None = None,
    options: MapOptions | None = None,
    lang_switch: str | None = None,
) -> folium.Map:
    """Draw the layers and the consistency findings on one map.

    Parameters
    ----------
    findings
        The findings frame, or a report object with a ``findings`` attribute.
    grids, beats, aux_beats, joint_points
        The layers, canonical columns (``id``, ``name`` optional).
    options
        Language, basemap, simplification; defaults to Chinese, no basemap.
    lang_switch
        Link to the same page in the other language.

    Returns
    -------
    folium.Map
        Overlays: grids, auxiliary beats, beats, joint points, then one per severity.
    """
    opts = options or MapOptions()
    frame = findings if isinstance(findings, gpd.GeoDataFrame) else findings.findings
    shown = _finding_frame(frame, opts)
    layers = {
        kind: _area_frame(gdf, kind, opts)
        for kind, gdf in (
            ("grid", grids),
            ("aux_beat", aux_beats),
            ("beat", beats),
            ("joint_point", joint_points),
        )
        if gdf is not None
    }
    m = base_map(
        bounds_of(*layers.values(), shown), name="alignment", options=opts, lang_switch=lang_switch
    )
    for kind, gdf in layers.items():
        _area_layer(gdf, kind, opts).add_to(m)
    for severity in _SEVERITY_LOOK:
        part = shown[shown["severity_key"] == severity]
        _finding_layer(part, severity, opts).add_to(m)
    return finish(m, legend=_legend(shown, tuple(layers), opts))


def _area_frame(gdf: gpd.GeoDataFrame, kind: str, opts: MapOptions) -> gpd.GeoDataFrame:
    columns = ["id", *(["name"] if "name" in gdf.columns else [])]
    simplify: Simplify = "none" if (gdf.geom_type == "Point").any() else "coverage"
    return for_display(gdf, columns=columns, options=opts, source=kind, simplify=simplify)


def _area_layer(frame: gpd.GeoDataFrame, kind: str, opts: MapOptions) -> folium.GeoJson:
    look = {
        "grid": path_style(OUTLINE["grid"], fill="#dbe8f6", fill_opacity=0.35, weight=1),
        "aux_beat": path_style(OUTLINE["aux_beat"], weight=1.5, dash="4 3"),
        "beat": path_style(OUTLINE["beat"], weight=3),
        "joint_point": path_style(
            OUTLINE["joint_point"], fill=OUTLINE["joint_point"], fill_opacity=0.6, weight=1
        ),
    }[kind]
    fields = [c for c in ("id", "name") if c in frame.columns]
    return geojson_layer(
        frame,
        name=LAYERS[kind].get(opts.lang),
        styles=[look] * len(frame),
        tooltip=fields,
        popup=fields if kind == "grid" else [],
        lang=opts.lang,
        point_radius=5 if kind == "joint_point" else None,
    )


def _finding_frame(frame: gpd.GeoDataFrame, opts: MapOptions) -> gpd.GeoDataFrame:
    lang = opts.lang
    message = "message_zh" if lang == "zh" else "message_en"
    accepted = ["accepted"] if "accepted" in frame.columns else []
    shown = for_display(
        frame, columns=[*FINDING_COLUMNS, message, *accepted], options=opts, source="findings"
    ).rename(columns={message: "message"})
    if not accepted:
        shown["accepted"] = False
    shown["accepted"] = shown["accepted"].fillna(False).astype(bool)
    shown["severity_key"] = shown["severity"].astype(str)
    shown["rule_key"] = shown["rule"].astype(str)
    shown["rule"] = shown["rule_key"].map(lambda r: _rule_label(r, lang))
    shown["severity"] = shown["severity_key"].map(lambda s: _severity_label(s, lang))
    return shown


def _finding_layer(part: gpd.GeoDataFrame, severity: str, opts: MapOptions) -> folium.GeoJson:
    weight, fill_opacity, dash = _SEVERITY_LOOK[severity]
    colours = part["rule_key"].map(RULE_COLOURS).fillna(OTHER_COLOUR)
    styles: list[dict[str, Any]] = [  # accepted exceptions stay visible, but faint
        path_style(
            c,
            fill=c,
            weight=weight,
            fill_opacity=fill_opacity / (4 if a else 1),
            dash="1 4" if a else dash,
        )
        for c, a in zip(colours, part["accepted"], strict=True)
    ]
    name = f"{LAYERS['findings'].get(opts.lang)} · {_severity_label(severity, opts.lang)}"
    # a 20 m overlap is a speck at the opening zoom: each finding also gets a circle
    # marker at a point inside it, drawn after (over) the shapes, same colour and popup
    shaped = ~part.geom_type.isin(["Point", "MultiPoint"]).to_numpy() & ~part.geometry.isna()
    shaped &= ~part.geometry.is_empty.to_numpy()
    marks = part[shaped].set_geometry(part.geometry[shaped].representative_point())
    return geojson_layer(
        gpd.GeoDataFrame(pd.concat([part, marks], ignore_index=True), crs=part.crs),
        name=f"{name} ({len(part)})",
        styles=styles + [s for s, keep in zip(styles, shaped, strict=True) if keep],
        point_radius=6,
        tooltip=["rule", "ids"],
        popup=[
            "rule",
            "severity",
            "ids",
            "other_ids",
            "area_m2",
            "length_m",
            "message",
            "accepted",
        ],
        lang=opts.lang,
        show=severity != "noise",
    )


def _legend(shown: gpd.GeoDataFrame, kinds: tuple[str, ...], opts: MapOptions) -> Legend:
    lang = opts.lang
    rules = pd.unique(shown["rule_key"])
    layer_entries = tuple(
        LegendEntry(OUTLINE[k], LAYERS[k].get(lang), "point" if k == "joint_point" else "line")
        for k in kinds
    )
    rule_entries = tuple(
        LegendEntry(RULE_COLOURS.get(r, OTHER_COLOUR), _rule_label(r, lang)) for r in rules
    )
    return Legend(
        TITLES["alignment"].get(lang),
        [
            LegendSection(WORDS["layers"].get(lang), layer_entries),
            LegendSection(LAYERS["findings"].get(lang), rule_entries),
        ],
    )


def _rule_label(rule: str, lang: Lang) -> str:
    """The rule's label (on its spec in ``gis.checks.RULES``); an unknown rule shows as itself."""
    spec = RULES.get(rule)
    return rule if spec is None else spec.label.get(lang)


def _severity_label(severity: str, lang: Lang) -> str:
    text = SEVERITY_LABELS.get(severity)  # type: ignore[call-overload]
    return severity if text is None else text.get(lang)
