"""The result of a consistency check: findings, summaries per grid and beat, figures.

Figures (``CheckReport.figures``):

- ``grids`` / ``beats``: how many were checked;
- ``findings``, ``violations``, ``noise``, ``accepted``: counts of findings;
  a *violation* is a finding that is not noise and not accepted;
- ``share_grids_aligned``: share of grids lying wholly (within tolerance) in one
  officer beat;
- ``share_area_consistent``: share of the grid layer's area that lies in the
  officer beat holding most of its grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.checks.config import CheckConfig
from gis.i18n import Text

if TYPE_CHECKING:
    from gis.checks.relations import Links, Prepared


@dataclass(frozen=True)
class CheckReport:
    """A frozen consistency report.

    Attributes
    ----------
    findings : GeoDataFrame
        One row per finding (columns of ``gis.checks.findings.FINDING_COLUMNS``).
    grids, beats : DataFrame
        Per-grid and per-beat summaries (empty when the layer was not given).
    figures : mapping
        Overall figures (see the module docstring).
    metric_crs : str
        The CRS areas, lengths and widths were measured in.
    config : CheckConfig
    notes : tuple of Text
        What the check did that the reader must know (an id normalisation used or
        suggested, an outside layer subtracted).
    """

    findings: gpd.GeoDataFrame
    grids: pd.DataFrame
    beats: pd.DataFrame
    figures: Mapping[str, float]
    metric_crs: str
    config: CheckConfig
    notes: tuple[Text, ...] = ()

    @property
    def violations(self) -> gpd.GeoDataFrame:
        """Findings that are neither digitizing noise nor accepted exceptions."""
        f = self.findings
        return f[(f["severity"] != "noise") & ~f["accepted"]]

    @property
    def noise(self) -> gpd.GeoDataFrame:
        """Findings within tolerance: digitizing noise, listed but not violations."""
        return self.findings[self.findings["severity"] == "noise"]

    @property
    def ok(self) -> bool:
        """True when no violation remains."""
        return self.violations.empty

    def counts(self) -> pd.DataFrame:
        """Findings per rule and severity (accepted ones counted apart)."""
        f = self.findings.assign(
            severity=np.where(self.findings["accepted"], "accepted", self.findings["severity"])
        )
        table = pd.crosstab(f["rule"], f["severity"]) if len(f) else pd.DataFrame()
        return table.reindex(columns=["error", "warning", "noise", "accepted"], fill_value=0)

    def summary(self, lang: Literal["zh", "en"] = "en") -> str:
        """A few lines a station can read: verdict and figures."""
        notes = "".join(f"\n{n.get(lang)}" for n in self.notes)
        return self._verdict(lang) + notes

    def _verdict(self, lang: Literal["zh", "en"]) -> str:
        fig = self.figures
        if lang == "zh":
            verdict = "一致" if self.ok else f"{int(fig['violations'])} 处不一致"
            return (
                f"边界一致性检查：{verdict}；网格 {int(fig['grids'])} 个，"
                f"完整落在一个责任区的网格 {fig['share_grids_aligned']:.1%}，"
                f"面积一致 {fig['share_area_consistent']:.1%}；"
                f"数字化误差 {int(fig['noise'])} 处，已接受例外 {int(fig['accepted'])} 处。"
            )
        verdict = "consistent" if self.ok else f"{int(fig['violations'])} violations"
        return (
            f"Boundary consistency: {verdict}; {int(fig['grids'])} grids, "
            f"{fig['share_grids_aligned']:.1%} wholly in one beat, "
            f"{fig['share_area_consistent']:.1%} of area consistent; "
            f"{int(fig['noise'])} digitizing-noise findings, {int(fig['accepted'])} accepted."
        )

    def to_geopackage(self, path: str | Path) -> Path:
        """Findings (layer ``findings``) and summaries into one GeoPackage."""
        from gis.checks.export import to_geopackage

        return to_geopackage(self, Path(path))

    def to_geojson(self, path: str | Path) -> Path:
        """Findings as GeoJSON (WGS84, per RFC 7946)."""
        from gis.checks.export import to_geojson

        return to_geojson(self, Path(path))

    def to_xlsx(self, path: str | Path, *, lang: Literal["zh", "en"] = "zh") -> Path:
        """A workbook an office can file, in one language: summary, findings, grids, beats."""
        from gis.checks.export import to_xlsx

        return to_xlsx(self, Path(path), lang=lang)

    def to_csv(self, directory: str | Path) -> list[Path]:
        """findings.csv (geometry as WKT), grids.csv, beats.csv into ``directory``."""
        from gis.checks.export import to_csv

        return to_csv(self, Path(directory))

    def to_html(self, path: str | Path, *, lang: Literal["zh", "en"] = "zh") -> Path:
        """A self-contained HTML summary in one language (no external assets)."""
        from gis.checks.export import to_html

        return to_html(self, Path(path), lang=lang)


def summarize(
    findings: gpd.GeoDataFrame,
    prepared: Mapping[str, Prepared],
    links: Links,
    *,
    config: CheckConfig,
    metric_crs: pyproj.CRS,
    notes: tuple[Text, ...] = (),
) -> CheckReport:
    """Build the report: per-grid and per-beat summaries and the overall figures."""
    open_ = findings[(findings["severity"] != "noise") & ~findings["accepted"]]
    grids = _grid_summary(prepared.get("grid"), prepared.get("beat"), links, open_)
    beats = _beat_summary(prepared.get("beat"), grids, open_)
    area = grids["area_m2"].sum() if len(grids) else 0.0
    figures = {
        "grids": float(len(grids)),
        "beats": float(len(beats)),
        "findings": float(len(findings)),
        "violations": float(len(open_)),
        "noise": float((findings["severity"] == "noise").sum()),
        "accepted": float(findings["accepted"].sum()),
        "share_grids_aligned": float(grids["aligned"].mean()) if len(grids) else 1.0,
        "share_area_consistent": (
            float((grids["area_m2"] * grids["beat_share"]).sum() / area) if area else 1.0
        ),
    }
    return CheckReport(
        findings,
        grids,
        beats,
        MappingProxyType(figures),
        metric_crs.to_string(),
        config,
        notes,
    )


def _violations_by_id(open_: pd.DataFrame, kind: str) -> pd.Series:
    own = open_.loc[open_["layer"] == kind, "ids"]
    other = open_.loc[open_["other_layer"] == kind, "other_ids"]
    ids = pd.concat([own, other]).str.split(",").explode()
    return ids[ids != ""].value_counts()


def _grid_summary(
    grids: Prepared | None, beats: Prepared | None, links: Links, open_: pd.DataFrame
) -> pd.DataFrame:
    if grids is None:
        return pd.DataFrame(columns=["id", "area_m2", "beat_id", "beat_share", "aligned"])
    n = len(grids.ids)
    frame = pd.DataFrame({"id": grids.ids, "area_m2": np.round(shapely.area(grids.geoms), 1)})
    frame["community_id"] = links.community_of_grid if links.community_of_grid is not None else ""
    split = links.split
    if split is not None and beats is not None:
        home = split.home
        frame["beat_id"] = np.where(home >= 0, beats.ids[np.maximum(home, 0)], "")
        is_home = split.beat == home[split.grid]
        share = np.zeros(n)
        np.add.at(share, split.grid[is_home], split.share[is_home])
        frame["beat_share"] = np.round(np.minimum(share, 1.0), 4)
        frame["n_beats"] = np.bincount(split.grid, minlength=n)
        frame["aligned"] = links.aligned if links.aligned is not None else False
    else:
        frame["beat_id"], frame["beat_share"], frame["n_beats"], frame["aligned"] = (
            "",
            0.0,
            0,
            False,
        )
    if links.grid_of_aux is not None:
        aux_of_grid = pd.Series(links.grid_of_aux.index, index=links.grid_of_aux.to_numpy())
        aux_of_grid = aux_of_grid[~aux_of_grid.index.duplicated()]  # duplicate ids: reported
        frame["aux_beat_id"] = frame["id"].map(aux_of_grid).fillna("")
    frame["violations"] = frame["id"].map(_violations_by_id(open_, "grid")).fillna(0).astype(int)
    return frame


def _beat_summary(beats: Prepared | None, grids: pd.DataFrame, open_: pd.DataFrame) -> pd.DataFrame:
    if beats is None:
        return pd.DataFrame(columns=["id", "grids", "split_grids", "aligned"])
    frame = pd.DataFrame({"id": beats.ids, "area_m2": np.round(shapely.area(beats.geoms), 1)})
    held = grids.groupby("beat_id")["aligned"].agg(["size", "sum"]) if len(grids) else None
    if held is not None:
        frame["grids"] = frame["id"].map(held["size"]).fillna(0).astype(int)
        frame["split_grids"] = frame["grids"] - frame["id"].map(held["sum"]).fillna(0).astype(int)
    else:
        frame["grids"], frame["split_grids"] = 0, 0
    frame["violations"] = frame["id"].map(_violations_by_id(open_, "beat")).fillna(0).astype(int)
    frame["aligned"] = (frame["split_grids"] == 0) & (frame["violations"] == 0)
    return frame
