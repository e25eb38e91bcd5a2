"""From draft findings to the findings GeoDataFrame: measure, classify, word, mark.

The order matters and is the same for every rule: measure in the metric CRS,
drop sub-centimetre specks (numerical round-off), decide digitizing noise
(width ≤ tolerance or area < sliver threshold, for the rules where that makes
sense), set the severity, write both messages, mark the accepted exceptions, then
reproject the geometry to the layers' CRS.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.checks.config import RULES, CheckConfig
from gis.checks.exceptions import ExceptionRegister
from gis.checks.findings import FINDING_COLUMNS, concat
from gis.checks.noise import Measures, is_noise, measure
from gis.i18n import Text
from gis.layers import LAYER_SPECS, LayerKind


def finalize(
    drafts: pd.DataFrame,
    *,
    config: CheckConfig,
    exceptions: ExceptionRegister,
    metric_crs: pyproj.CRS,
    output_crs: pyproj.CRS | None,
    known_widths: Mapping[int, float] | None = None,
) -> gpd.GeoDataFrame:
    """Turn a draft frame (metric geometry) into the findings GeoDataFrame.

    ``known_widths``: widths the checks already measured, by ``id()`` of the draft
    geometry (see :func:`gis.checks.noise.measure`).
    """
    frame = concat([drafts])
    frame = frame[frame["rule"].map(config.enabled).astype(bool)].reset_index(drop=True)
    geoms = np.asarray(frame["geometry"], dtype=object)
    m = measure(geoms, tolerance_m=config.tolerance_m, known_widths=known_widths)
    eligible = frame["noise_eligible"].astype(bool).to_numpy()
    speck = eligible & (m.width_m < config.speck_m)
    if speck.any():
        frame, geoms = frame[~speck].reset_index(drop=True), geoms[~speck]
        m = Measures(m.area_m2[~speck], m.length_m[~speck], m.width_m[~speck])
    noise = frame["noise"].astype(bool).to_numpy() | (
        frame["noise_eligible"].astype(bool).to_numpy()
        & is_noise(m.area_m2, m.width_m, config=config)
    )
    severity = np.where(noise, "noise", frame["rule"].map(config.severity).to_numpy())
    out = pd.DataFrame(
        {
            "rule": frame["rule"].to_numpy(),
            "severity": severity,
            "layer": frame["layer"].to_numpy(),
            "ids": frame["ids"].to_numpy(),
            "other_layer": frame["other_layer"].to_numpy(),
            "other_ids": frame["other_ids"].to_numpy(),
            "area_m2": np.round(m.area_m2, 3),
            "length_m": np.round(m.length_m, 3),
            "width_m": np.round(m.width_m, 3),
        }
    )
    out, geoms, detail = _merge_noise(out, geoms, frame["detail"].to_numpy())
    out["message_zh"], out["message_en"] = _messages(out, detail)
    out["accepted"] = exceptions.mark(out)
    findings = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=metric_crs))
    if output_crs is not None and findings.crs != output_crs:
        findings = findings.to_crs(output_crs)
    order = {name: i for i, name in enumerate(RULES)}
    findings = findings.assign(_o=findings["rule"].map(order)).sort_values(
        ["_o", "layer", "ids", "other_ids"], kind="stable"
    )
    return findings.drop(columns="_o").reset_index(drop=True)[list(FINDING_COLUMNS)]


_KEY = ["rule", "layer", "ids", "other_layer", "other_ids"]


def _merge_noise(
    out: pd.DataFrame, geoms: np.ndarray, detail: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One noise finding per rule and feature pair: areas and lengths summed, widest width.

    Two layers digitized apart leave thousands of specks along every shared line;
    listing them one by one hides the findings that matter.
    """
    noise = (out["severity"] == "noise").to_numpy()
    if noise.sum() <= 1:
        return out, geoms, detail
    part = out[noise].reset_index(drop=True)
    groups = part.groupby(_KEY, sort=False).ngroup().to_numpy()
    merged = part.groupby(groups).agg(
        {
            **{k: "first" for k in [*_KEY, "severity"]},
            "area_m2": "sum",
            "length_m": "sum",
            "width_m": "max",
        }
    )
    parts, owner = shapely.get_parts(geoms[noise], return_index=True)
    order = np.argsort(groups[owner], kind="stable")
    full = np.full(len(merged), None, dtype=object)
    if len(parts):
        collected = shapely.geometrycollections(parts[order], indices=groups[owner][order])
        full[: len(collected)] = collected
    first_detail = pd.Series(detail[noise]).groupby(groups).first().to_numpy()
    keep = out[~noise]
    return (
        pd.concat([keep, merged[keep.columns]], ignore_index=True),
        np.concatenate([geoms[~noise], _tidy(full)]),
        np.concatenate([detail[~noise], first_detail]),
    )


def _tidy(collections: np.ndarray) -> np.ndarray:
    """A collection of only polygons becomes a MultiPolygon (GeoPackage-friendly)."""
    from gis.checks.findings import polygonal

    areas = polygonal(collections)
    return np.where(shapely.is_missing(areas), collections, areas)


def _label(kind: str, lang: str) -> str:
    if kind == "parent":
        return "上级" if lang == "zh" else "parent"
    try:
        sp = LAYER_SPECS[LayerKind(kind)]
    except ValueError:
        return kind
    return sp.label_zh if lang == "zh" else sp.label_en


def _messages(out: pd.DataFrame, detail: np.ndarray) -> tuple[list[str], list[str]]:
    zh: list[str] = []
    en: list[str] = []
    rows = zip(
        out["rule"],
        out["layer"],
        out["ids"],
        out["other_layer"],
        out["other_ids"],
        out["area_m2"],
        out["width_m"],
        out["length_m"],
        detail,
        strict=True,
    )
    for rule, layer, ids, other_layer, other_ids, area, width, length, det in rows:
        values = {
            "ids": ids,
            "other_ids": other_ids,
            "area": f"{area:,.1f}",
            "width": f"{width:.1f}",
            "length": f"{length:,.1f}",
        }
        zh.append(
            RULES[rule].message.zh.format(
                layer=_label(layer, "zh"),
                other_layer=_label(other_layer, "zh"),
                detail=det.zh if isinstance(det, Text) else det,
                **values,
            )
        )
        en.append(
            RULES[rule].message.en.format(
                layer=_label(layer, "en"),
                other_layer=_label(other_layer, "en"),
                detail=det.en if isinstance(det, Text) else det,
                **values,
            )
        )
    return zh, en
