"""Where an event lies (grid, community, street, beat, aux beat, station) and who answers.

Location is the geocoding engine's (:func:`gis.geocoding.assign_points`): a point on a
shared boundary goes to the lowest id.  The responsible people come from the officer
assignments (``officer_id, role, area_kind, area_id``; roles ``officer`` 民警,
``auxiliary`` 辅警, ``grid_worker`` 网格员, ``grid_head`` 网格长):

- at grid level, 一格一警: the grid's auxiliary (its aux beat), the beat's officer and the
  grid's workers;
- a joint category (disputes, 1+1+N): the grid head and the community officer lead,
  the others follow;
- at community / street / district level: whoever is assigned to that area, with the
  beat's officer staying on the case from community level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from gis.errors import ConfigError
from gis.events.states import Level
from gis.geocoding.assign import AreaIndex, assign_points

ROUTED_KINDS = ("grid", "community", "street", "beat", "aux_beat", "station")
ROLES = ("officer", "auxiliary", "grid_worker", "grid_head")
_ASSIGNMENT_COLUMNS = ("officer_id", "role", "area_kind", "area_id")


@dataclass(frozen=True)
class Routing:
    """The areas an event lies in (None: outside every area of that layer)."""

    grid_id: str | None = None
    community_id: str | None = None
    street_id: str | None = None
    beat_id: str | None = None
    aux_beat_id: str | None = None
    station_id: str | None = None

    def area(self, kind: str) -> str | None:
        value: str | None = getattr(self, f"{kind}_id")
        return value

    @classmethod
    def from_row(cls, row: Mapping[Any, object]) -> Routing:
        values = {f.name: row.get(f.name) for f in fields(cls)}
        return cls(**{k: None if _missing(v) else str(v) for k, v in values.items()})


def locate_events(lon: ArrayLike, lat: ArrayLike, areas: AreaIndex) -> pd.DataFrame:
    """One row per WGS84 point: ``<kind>_id`` for every routed layer in ``areas``.

    Layers the index lacks give None columns, so callers always see all six.
    """
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ConfigError(f"lon and lat must be equally long lists ({x.size} vs {y.size})")
    points = gpd.GeoSeries(shapely.points(x, y), crs=4326)
    table = assign_points(points, areas).table
    out = pd.DataFrame(index=range(len(x)))
    for kind in ROUTED_KINDS:
        column = f"{kind}_id"
        out[column] = table[column].to_numpy(dtype=object) if column in table else None
        out[column] = out[column].where(out[column].notna(), None)
    return out


def responsible(
    routing: Routing,
    assignments: pd.DataFrame,
    *,
    level: Level = "grid",
    joint: bool = False,
) -> tuple[str, ...]:
    """The officer ids answering for an event, lead first, each once."""
    _check_assignments(assignments)

    def who(kind: str, *roles: str) -> list[str]:
        area = routing.area(kind) if kind in ROUTED_KINDS else None
        if area is None:
            return []
        rows = assignments[(assignments.area_kind == kind) & (assignments.area_id == area)]
        if roles:
            rows = rows[rows.role.isin(roles)]
        return [str(v) for v in rows.officer_id]

    officer = who("beat", "officer")
    if level == "grid":
        police = who("aux_beat", "auxiliary") + officer
        workers = who("grid", "grid_worker")
        heads = who("grid", "grid_head")
        people = heads + officer + police + workers if joint else police + workers + heads
    else:
        people = who(level) + officer
    return tuple(dict.fromkeys(people))


def _check_assignments(assignments: pd.DataFrame) -> None:
    missing = [c for c in _ASSIGNMENT_COLUMNS if c not in assignments.columns]
    if missing:
        raise ConfigError(f"assignments: missing columns {missing} (need {_ASSIGNMENT_COLUMNS})")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
