"""The fixed choices of the CLI's options, as enums typer validates and lists in ``--help``.

Each mirrors a ``Literal`` of the library or the service (``tests/cli/test_choices.py``
checks they agree): a value outside the choices is refused by typer with exit status 2
before a command runs.  ``.value`` is the library's literal.
"""

from __future__ import annotations

from enum import StrEnum

from gis.i18n import Lang

__all__ = [
    "AreaScope",
    "BasemapCrs",
    "CellShape",
    "Format",
    "Inference",
    "LangChoice",
    "MapValue",
    "RoleChoice",
    "ScopeChoice",
    "Window",
]


class LangChoice(StrEnum):
    """Language of messages and maps (``gis.i18n.Lang``)."""

    ZH = "zh"
    EN = "en"

    @property
    def lang(self) -> Lang:
        """As the library's ``Lang`` literal."""
        return "en" if self is LangChoice.EN else "zh"


class BasemapCrs(StrEnum):
    """CRS of the basemap tiles (``maps.base.MapOptions.basemap_crs``): gcj02 for Amap tiles."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


class MapValue(StrEnum):
    """What a hot-spot choropleth colours (``maps.hotspots.hotspot_map`` ``value``)."""

    COUNT = "count"
    RATE_KM2 = "rate_km2"
    RATE_1000 = "rate_1000"


class ScopeChoice(StrEnum):
    """How far a rebalance may move grids (``gis.redraw.balance.Scope``)."""

    COMMUNITY = "community"
    NEIGHBOURHOOD = "neighbourhood"


class RoleChoice(StrEnum):
    """A user's role in the service (``api.auth.Role``)."""

    STATION = "station"
    STREET_OFFICE = "street_office"
    COMMANDER = "commander"
    ADMIN = "admin"
    GRID_WORKER = "grid_worker"
    GRID_HEAD = "grid_head"


class Window(StrEnum):
    """A review or briefing period (``gis.hotspots.review.ReviewWindow``, ``BriefKind``)."""

    day = "day"
    week = "week"
    month = "month"


class CellShape(StrEnum):
    """Hot-spot cells (``gis.hotspots.cells.Shape``)."""

    hexagon = "hexagon"
    square = "square"


class Inference(StrEnum):
    """Gi* p-values: normal (as Esri) or permutation."""

    normal = "normal"
    permutation = "permutation"


class Format(StrEnum):
    """Result frames on disk."""

    gpkg = "gpkg"
    parquet = "parquet"


class AreaScope(StrEnum):
    """What a briefing covers (``gis.briefing.ScopeKind``)."""

    district = "district"
    station = "station"
    street = "street"
    community = "community"
