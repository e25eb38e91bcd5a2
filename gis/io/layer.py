"""The result of reading a layer: a validated GeoDataFrame and what happened on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis.layers import LayerKind


@dataclass(frozen=True)
class Repair:
    """One geometry fixed by ``repair=True``: where, why, and how much area it changed."""

    row: int
    feature_id: str | None
    reason: str
    area_before_m2: float
    area_after_m2: float

    @property
    def area_change_m2(self) -> float:
        return self.area_after_m2 - self.area_before_m2

    def __str__(self) -> str:
        fid = f" (id {self.feature_id})" if self.feature_id is not None else ""
        return (
            f"row {self.row}{fid}: repaired {self.reason}; area "
            f"{self.area_before_m2:,.1f} → {self.area_after_m2:,.1f} m² "
            f"({self.area_change_m2:+,.1f} m²)"
        )


def _no_rejects() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "field": [], "reason": []})


@dataclass(frozen=True)
class Layer:
    """A validated layer with canonical columns.

    Attributes
    ----------
    kind
        The layer kind it was read as.
    gdf
        Canonical columns first (``id``, ``name``…), then the file's other columns unchanged,
        then ``geometry``.  Always has a CRS; GCJ-02/BD-09 input is already in WGS84.
    source
        File name it came from, ``name::layer`` for a named layer (as in messages).
    crs_note
        How the CRS was established: declared in the file, stated by the user, assumed, or
        converted from GCJ-02/BD-09.
    column_map
        Canonical field → source column.
    warnings
        Data-quality notes that did not stop the import (also issued as typed warnings).
    repairs
        Geometries repaired because ``repair=True`` was asked.
    path
        The file read (None for a layer validated in memory).
    rejected
        Rows of a point table dropped for lack of usable coordinates: ``row`` (1-based, as in
        the file), ``field``, ``reason``.
    """

    kind: LayerKind
    gdf: gpd.GeoDataFrame
    source: str
    crs_note: str
    column_map: dict[str, str]
    warnings: tuple[str, ...] = ()
    repairs: tuple[Repair, ...] = ()
    rejected: pd.DataFrame = field(default_factory=_no_rejects)
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.gdf)


def frame_of(value: Layer | pd.DataFrame) -> pd.DataFrame:
    """The frame of a :class:`Layer`, or the frame itself: how an engine accepts either.

    >>> frame_of(gpd.GeoDataFrame({"id": ["a"]}, geometry=[None])).columns.tolist()
    ['id', 'geometry']
    """
    return value.gdf if isinstance(value, Layer) else value
