"""Request and response bodies (separate Create / Public schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gis.layers import LayerKind

LAYER_ID = r"^[a-z0-9][a-z0-9_\-]{0,63}$"


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class UserPublic(BaseModel):
    username: str
    role: str
    area_ids: list[str]
    has_jurisdiction: bool


class LayerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: LayerKind
    title: str
    source_crs: str
    head_version: int
    created_by: str
    created_at: datetime


class VersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    layer_id: str
    version: int
    author: str
    reason: str
    created_at: datetime
    feature_count: int
    added: int
    removed: int
    changed: int


class FeatureEdit(BaseModel):
    """Edit some features of a layer from ``base_version`` (optimistic concurrency)."""

    base_version: int = Field(ge=0, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)
    upsert: list[dict[str, Any]] = Field(
        default_factory=list, max_length=100_000, description="GeoJSON Features (WGS84) with id"
    )
    delete: list[str] = Field(default_factory=list, max_length=100_000)


class DiffPublic(BaseModel):
    layer_id: str
    a: int
    b: int
    added: list[str]
    removed: list[str]
    changed: list[str]
    geometry_changed: list[str]
    changes: dict[str, Any] = Field(description="GeoJSON of what moved, with changed_area_m2")


class IncidentCreate(BaseModel):
    id: str = Field(min_length=1, max_length=80)
    time: datetime
    category: str = Field(min_length=1, max_length=80)
    status: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    persons: str | None = Field(default=None, max_length=2000)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class IncidentPublic(IncidentCreate):
    model_config = ConfigDict(from_attributes=True)

    grid_id: str | None = None


class IncidentList(BaseModel):
    """One page of incidents; ``next`` is the ``after`` cursor of the next page (None: last)."""

    numberMatched: int
    incidents: list[IncidentPublic]
    next: str | None = None


class IncidentBatch(BaseModel):
    incidents: list[IncidentCreate] = Field(min_length=1, max_length=50_000)
    grid_layer: str | None = Field(default=None, description="Locate each incident in this layer")


class PointIn(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class GeocodeRequest(PointIn):
    layers: list[str] = Field(min_length=1, max_length=20)
    tolerance_m: float = Field(default=0.0, ge=0, le=1000)


class BatchGeocodeRequest(BaseModel):
    layer: str
    lon: list[float] = Field(max_length=1_000_000)
    lat: list[float] = Field(max_length=1_000_000)
    tolerance_m: float = Field(default=0.0, ge=0, le=1000)


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    status: str
    progress: float
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    result_url: str | None = None


class HotspotRequest(BaseModel):
    """Counts per area for a day, week or month ending at ``at`` and their Gi* classes."""

    layer: str = Field(description="stored area layer (grids, beats, …)")
    window: Literal["day", "week", "month"] = "month"
    at: datetime | None = Field(default=None, description="default: the latest incident")
    category: list[str] | None = Field(default=None, max_length=100)
    permutations: int = Field(default=99, ge=0, le=999)
