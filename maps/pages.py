"""The map pages of a district: which maps exist for a set of results, and how to build them.

A :class:`MapPage` binds a builder to its results; :func:`district_pages` makes the
standard set (alignment, hot spots, coverage, changes) from whichever results are
available.  The service (:mod:`maps.web`) and ``make demo`` list and render these pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import folium
import geopandas as gpd

from gis.i18n import Text
from maps.alignment import HasFindings, alignment_map
from maps.base import MapOptions
from maps.changes import changes_map
from maps.coverage import coverage_map
from maps.hotspots import Periods, Surface, hotspot_map
from maps.labels import TITLES


@dataclass(frozen=True)
class MapPage:
    """One map of a district: its URL name, its title and a builder bound to its results."""

    name: str
    title: Text
    build: Callable[[MapOptions, str | None], folium.Map]


@dataclass(frozen=True, kw_only=True)
class DistrictResults:
    """What ``gis`` computed for one district; every part is optional.

    ``layers`` holds the district's layers by kind value (``"grid"``, ``"beat"``,
    ``"aux_beat"``, ``"joint_point"``).
    """

    name: str = ""
    layers: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    findings: gpd.GeoDataFrame | HasFindings | None = None
    cells: gpd.GeoDataFrame | None = None
    periods: Periods | None = None
    kde: gpd.GeoDataFrame | Surface | None = None
    coverage_grids: gpd.GeoDataFrame | None = None
    coverage_parts: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tracks: gpd.GeoDataFrame | None = None
    visits: gpd.GeoDataFrame | None = None
    dosage: gpd.GeoDataFrame | None = None
    new_grids: gpd.GeoDataFrame | None = None
    grid_diff: gpd.GeoDataFrame | None = None
    affected_beats: gpd.GeoDataFrame | None = None


def district_pages(results: DistrictResults) -> list[MapPage]:
    """The standard map pages for the results at hand (a map without its inputs is left out)."""
    r, layers = results, results.layers
    pages: list[MapPage] = []
    if r.findings is not None and "grid" in layers:
        build = partial(
            alignment_map,
            r.findings,
            grids=layers["grid"],
            beats=layers.get("beat"),
            aux_beats=layers.get("aux_beat"),
            joint_points=layers.get("joint_point"),
        )
        pages.append(_page("alignment", build))
    if r.cells is not None:
        pages.append(_page("hotspots", partial(hotspot_map, r.cells, periods=r.periods, kde=r.kde)))
    if r.coverage_grids is not None:
        build = partial(
            coverage_map,
            r.coverage_grids,
            tracks=r.tracks,
            covered=r.coverage_parts.get("covered"),
            uncovered=r.coverage_parts.get("uncovered"),
            joint_points=r.visits,
            dosage=r.dosage,
        )
        pages.append(_page("coverage", build))
    if r.new_grids is not None and "grid" in layers:
        build = partial(
            changes_map,
            layers["grid"],
            r.new_grids,
            diff=r.grid_diff,
            affected_beats=r.affected_beats,
        )
        pages.append(_page("changes", build))
    return pages


def _page(name: str, build: Callable[..., folium.Map]) -> MapPage:
    def bound(options: MapOptions, lang_switch: str | None) -> folium.Map:
        return build(options=options, lang_switch=lang_switch)

    return MapPage(name, TITLES[name], bound)
