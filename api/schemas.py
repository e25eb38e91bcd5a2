"""Request and response bodies (separate Create / Public schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from gis.checks import CheckConfig
from gis.checks.config import Rule, Severity
from gis.checks.ids import IdNormalization
from gis.errors import ConfigError
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


# -- GeoJSON (RFC 7946, WGS84) ---------------------------------------------------------------

GeometryType = Literal[
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
]  # fmt: skip


class Geometry(BaseModel):
    """A GeoJSON geometry; ``coordinates`` (or ``geometries``) are passed through unchecked."""

    model_config = ConfigDict(extra="allow")

    type: GeometryType
    coordinates: list[Any] | None = None

    @model_serializer(mode="wrap")
    def _no_null_coordinates(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("coordinates") is None:  # a GeometryCollection has "geometries" instead
            out.pop("coordinates", None)
        return out


class Feature(BaseModel):
    """A GeoJSON Feature; ``id`` is left out when the feature has none."""

    type: Literal["Feature"] = "Feature"
    id: str | int | None = None
    properties: dict[str, Any] | None = None
    geometry: Geometry | None = None

    @model_serializer(mode="wrap")
    def _no_null_id(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("id") is None:
            out.pop("id", None)
        return out


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]


class FeaturePage(FeatureCollection):
    """One page of a layer version's features inside the reader's jurisdiction."""

    numberMatched: int
    version: int


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
    changes: FeatureCollection = Field(description="GeoJSON of what moved, with changed_area_m2")


class IncidentCreate(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

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


class IncidentsCreated(BaseModel):
    created: int


class IncidentList(BaseModel):
    """One page of incidents; ``next`` is the ``after`` cursor of the next page (None: last)."""

    numberMatched: int
    incidents: list[IncidentPublic]
    next: str | None = None


class IncidentBatch(BaseModel):
    incidents: list[IncidentCreate] = Field(min_length=1, max_length=50_000)
    grid_layer: str | None = Field(default=None, description="Locate each incident in this layer")


class PointIn(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class GeocodeRequest(PointIn):
    layers: list[str] = Field(min_length=1, max_length=20)
    tolerance_m: float = Field(default=0.0, ge=0, le=1000)


class BatchGeocodeRequest(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    layer: str
    lon: list[float] = Field(max_length=1_000_000)
    lat: list[float] = Field(max_length=1_000_000)
    tolerance_m: float = Field(default=0.0, ge=0, le=1000)


class AddressGeocodeRequest(BaseModel):
    """Addresses to place against a stored standard-address layer (标准地址)."""

    addresses: list[Annotated[str, Field(max_length=500)]] = Field(min_length=1, max_length=10_000)
    gazetteer: str = Field(description="a layer of kind address (标准地址): the standard addresses")
    buildings: str | None = Field(
        default=None, description="a layer of kind building: 小区 names from its building names"
    )
    roads: str | None = Field(
        default=None,
        description="a layer of kind road (centre lines with names): road intersections "
        "(…路与…路交叉口) are placed where the two lines cross; without it they answer "
        "needs_roads",
    )
    layers: list[str] = Field(default_factory=list, max_length=20)
    tolerance_m: float = Field(default=0.0, ge=0, le=1000)


class AddressMatchPublic(BaseModel):
    """One address: its status, how it was read and where it was placed (null: not placed,
    or not in your jurisdiction)."""

    address: str
    status: str
    match_status: str
    confidence: float
    form: str | None
    lon: float | None
    lat: float | None
    areas: dict[str, str | None]
    reason_zh: str
    reason_en: str


class AddressGeocodePublic(BaseModel):
    results: list[AddressMatchPublic]
    matched: int
    review: int
    unmatched: int


class GeocodePublic(BaseModel):
    """One point: the area id per layer and how it was placed (null: none, or not yours)."""

    lon: float
    lat: float
    areas: dict[str, str | None]
    how: dict[str, str | None]


class BatchGeocodePublic(BaseModel):
    """Area ids in the order of the points (null: none, or not yours)."""

    layer: str
    ids: list[str | None]
    how: list[str | None]
    located: int
    near_other_area: int = Field(
        default=0, description="located points with another area within the tolerance"
    )


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


class AuditPublic(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    time: datetime
    username: str
    action: str
    target: str
    detail: dict[str, Any] | None = None


# -- job results (``/jobs/{id}/result``) -----------------------------------------------------


class CheckCounts(BaseModel):
    findings: int
    accepted: int
    open: int


class CheckResult(BaseModel):
    """A consistency check: the verdict, counts and findings (GeoJSON, WGS84)."""

    ok: bool
    counts: CheckCounts
    layers: dict[str, str] = Field(description="layer kind → stored layer id")
    findings: FeatureCollection


class Period(BaseModel):
    start: str
    end: str


class HotspotResult(BaseModel):
    """Counts, change, rates and Gi* class per area of ``layer`` (GeoJSON, WGS84)."""

    layer: str
    window: str
    period: Period
    cells: FeatureCollection


class CoverageResult(BaseModel):
    """Patrol minutes, distance and covered share per area of ``layer`` (GeoJSON, WGS84)."""

    layer: str
    within_m: float
    metric_crs: str
    grids: FeatureCollection


JobResult = CheckResult | HotspotResult | CoverageResult
JOB_RESULTS: dict[str, type[CheckResult] | type[HotspotResult] | type[CoverageResult]] = {
    "check": CheckResult,
    "hotspots": HotspotResult,
    "coverage": CoverageResult,
}
"""The result model of each job kind."""


class BriefScope(BaseModel):
    """The station, street or community a briefing covers."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["station", "street", "community"]
    id: str = Field(min_length=1, max_length=64)


class BriefRequest(BaseModel):
    """A briefing (日见面 day, 周研判 week, 月讲评 month) as a document."""

    model_config = ConfigDict(extra="forbid")

    period: Literal["day", "week", "month"]
    at: date = Field(description="a day in the period")
    scope: BriefScope | None = Field(default=None, description="default: all you may see")
    format: Literal["docx", "html", "pdf"] = "docx"
    lang: Literal["zh", "en"] = "zh"
    layers: dict[LayerKind, str] | None = Field(
        default=None, description="layer kind → stored layer id; default: the one of each kind"
    )


class HotspotRequest(BaseModel):
    """Counts per area for a day, week or month containing ``at`` (or a custom range
    ``[start, end)``, both or neither) and their Gi* classes."""

    layer: str = Field(description="stored area layer (grids, beats, …)")
    window: Literal["day", "week", "month"] = "month"
    at: datetime | None = Field(default=None, description="default: the latest incident")
    start: datetime | None = Field(default=None, description="a custom range [start, end)")
    end: datetime | None = Field(default=None, description="with start, instead of window/at")
    category: list[str] | None = Field(default=None, max_length=100)
    permutations: int = Field(
        default=0,
        ge=0,
        le=999,
        description="Gi* permutations; 0 (as `beatgrid hotspots`): normal p-values",
    )


class CheckOptions(BaseModel):
    """Options of a consistency check (:class:`gis.checks.CheckConfig`); unset: its default.

    Each bad option is a 422 naming it (``loc: ["body", "config", "<option>"]``).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    tolerance_m: float | None = Field(
        default=None, ge=0, le=1000, description="digitizing noise, m"
    )
    sliver_area_m2: float | None = Field(
        default=None, ge=0, description="noise below this area, m²"
    )
    aux_iou_min: float | None = Field(default=None, gt=0, lt=1, description="aux beat vs grid IoU")
    rural_communities_per_officer: int | None = Field(default=None, ge=1, le=1000)
    staffing_via: Literal["grid", "grid_or_beat"] | None = Field(default=None)
    precision_m: float | None = Field(default=None, ge=0, le=1000, description="snap grid, m")
    speck_m: float | None = Field(default=None, ge=0, le=1000, description="round-off width, m")
    rules: list[Rule] | None = Field(default=None, max_length=100, description="None: all rules")
    severities: dict[Rule, Severity] = Field(default_factory=dict)
    parent_ids: str | None = Field(
        default=None,
        max_length=100,
        description="compare parent ids: exact, zeros, width=N, upper, lower (comma list)",
    )
    codes: Literal["auto", "on", "off"] | None = Field(
        default=None, description="code_mismatch rule (GB/T 2260 prefixes)"
    )

    @field_validator("parent_ids")
    @classmethod
    def _normalisation(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                IdNormalization.parse(value)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _within_tolerance(self) -> CheckOptions:
        tolerance = CheckConfig.tolerance_m if self.tolerance_m is None else self.tolerance_m
        for name in ("precision_m", "speck_m"):
            value = getattr(self, name)
            if value is not None and value > tolerance:
                raise ValueError(f"{name} ({value}) must not exceed tolerance_m ({tolerance})")
        return self

    def config(self) -> CheckConfig:
        """The engine's options: what was set here, the engine's defaults for the rest."""
        given = self.model_dump(exclude_unset=True, exclude_none=True)
        if "rules" in given:
            given["rules"] = frozenset(given["rules"])
        return CheckConfig(**given)


class CheckRequest(BaseModel):
    """Which stored layers to check (kind → layer id) and how."""

    model_config = ConfigDict(extra="forbid")

    layers: dict[LayerKind, str] = Field(
        min_length=1, description="layer kind → stored layer id, e.g. {'grid': 'grids'}"
    )
    config: CheckOptions | None = None


# -- grid edits (``/layers/{id}/edits/…``) and their impact ---------------------------------

GRID_ID = Field(min_length=1, max_length=64)
Version = Annotated[int, Path(ge=0, le=2**31 - 1)]
Shape = dict[str, Any] | str
"""A geometry as GeoJSON (a dict) or WKT (a string), in WGS84 longitude/latitude."""


class ImpactContext(BaseModel):
    """The district's other layers (ids; newest versions) the impact is assessed on."""

    beats: str | None = Field(None, pattern=LAYER_ID, description="officer beat layer")
    aux_beats: str | None = Field(None, pattern=LAYER_ID, description="auxiliary beat layer")
    joint_points: str | None = Field(None, pattern=LAYER_ID, description="joint-defense points")
    addresses: str | None = Field(None, pattern=LAYER_ID, description="standard addresses")


class EditContext(ImpactContext):
    """The district's layers a dry run measures the edit's impact on (ids; newest versions,
    read inside your jurisdiction around the edit): the impact's, and the buildings."""

    buildings: str | None = Field(None, pattern=LAYER_ID, description="buildings (households)")


class EditBody(BaseModel):
    """What every edit names: the version it starts from and why."""

    base_version: int = Field(ge=0, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)
    communities_layer: str | None = Field(
        None, pattern=LAYER_ID, description="community layer: nesting is checked too"
    )
    locked: list[str] = Field(
        default_factory=list, max_length=10_000, description="grid ids the edit must not change"
    )
    dry_run: bool = Field(False, description="answer what the edit would do; store nothing")
    impact: EditContext | None = Field(
        None, description="with dry_run: also answer the impact on these layers"
    )


class SplitBody(EditBody):
    grid_id: str = GRID_ID
    line: Shape = Field(description="GeoJSON geometry or WKT line (WGS84)")
    new_ids: list[str] | None = Field(None, max_length=100)


class MergeBody(EditBody):
    grid_ids: list[str] = Field(min_length=2, max_length=100)
    new_id: str | None = Field(None, min_length=1, max_length=64)


class MoveBody(EditBody):
    first: str = GRID_ID
    second: str = GRID_ID
    line: Shape = Field(description="the new shared boundary: GeoJSON or WKT (WGS84)")


class TransferBody(EditBody):
    source: str = GRID_ID
    target: str = Field(min_length=1, max_length=64, description="a neighbour of source")
    area: Shape = Field(description="the part of source that goes to target: polygon (WGS84)")


class AddBody(EditBody):
    polygon: Shape = Field(description="the new grid on unassigned land: polygon (WGS84)")
    new_id: str | None = Field(None, min_length=1, max_length=64)
    name: str = Field("", max_length=200)
    overlap_tolerance: float = Field(
        0.05, ge=0, le=0.5, description="share of the drawing that may overlap existing grids"
    )


class BalanceBody(EditBody):
    community_id: str = Field(min_length=1, max_length=64)
    buildings_layer: str = Field(pattern=LAYER_ID, description="buildings with households")
    min_households: float = Field(300, ge=0, le=1e6)
    max_households: float = Field(800, gt=0, le=1e6)
    scope: Literal["community", "neighbourhood"] = "neighbourhood"


class ReassignBody(EditBody):
    grid_id: str = GRID_ID
    community_id: str = Field(min_length=1, max_length=64)
    communities_layer: str = Field(pattern=LAYER_ID)
    communities_base_version: int = Field(
        ge=0, le=2**31 - 1, description="the community layer is reshaped too: a new version"
    )


class DrawBody(EditBody):
    polygon: Shape = Field(description="the new grid: GeoJSON or WKT polygon (WGS84)")
    new_id: str | None = Field(None, min_length=1, max_length=64)
    name: str = Field("", max_length=200)


class EditPublic(BaseModel):
    """The stored version and what the edit did."""

    version: VersionPublic
    communities_version: VersionPublic | None = None
    operation: str
    created: list[str]
    removed: list[str]
    reshaped: list[str]
    description: dict[str, str]


class EditRefusal(BaseModel):
    """The 422 of an edit the library refused or that breaks the tiling: nothing is stored."""

    detail: str
    zh: str
    en: str
    error: Literal["EditError"] = "EditError"
    findings: list[dict[str, Any]] = Field(description="one row per finding, no geometry")


class ImpactPublic(BaseModel):
    """What a redraw from version ``a`` to ``b`` changes inside the reader's jurisdiction.

    Without any grid of the layer inside the jurisdiction only ``summary`` (zero changes)
    is filled in.
    """

    layer_id: str
    a: int
    b: int
    summary: dict[str, int]
    grids: list[dict[str, Any]] = Field(default_factory=list)
    flows: list[dict[str, Any]] = Field(default_factory=list)
    beats: list[dict[str, Any]] = Field(default_factory=list)
    aux_beats: list[dict[str, Any]] = Field(default_factory=list)
    joint_points: list[dict[str, Any]] = Field(default_factory=list)
    addresses: list[dict[str, Any]] = Field(default_factory=list)
    metric_crs: str | None = None
