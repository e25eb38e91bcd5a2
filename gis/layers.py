"""The layer model: which layers exist, their fields, geometry and hierarchy.

Every layer that beatgrid loads is a GeoDataFrame (a DataFrame for officer
assignments) whose columns carry the *canonical* names below, whatever the
source file called them (``gis.fields`` does the renaming).  The hierarchy
follows DOMAIN.md::

    district ─┬─ street ── community ── grid ─┬─ joint_point
              │                                └─ (aux_beat coincides with one grid)
              └─ station ── beat ── aux_beat

Point layers (incidents, GPS fixes, addresses, buildings) are located in the
polygon layers by ``gis.geocoding``; they have no ``parent_id``.  Roads are an optional
line layer for orientation on the maps (and road-length coverage); nothing nests in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

GeometryKind = Literal["polygon", "point", "line", "none"]


class LayerKind(StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    JOINT_POINT = "joint_point"
    STATION = "station"
    BEAT = "beat"
    AUX_BEAT = "aux_beat"
    INCIDENT = "incident"
    TRACK = "track"
    ADDRESS = "address"
    BUILDING = "building"
    ASSIGNMENT = "assignment"
    OUTSIDE = "outside"
    ROAD = "road"


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its name, value type and whether a layer must have it."""

    name: str
    dtype: Literal["str", "int", "float", "datetime", "bool"]
    required: bool
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class LayerSpec:
    """What a layer of one kind must look like."""

    kind: LayerKind
    label_zh: str
    label_en: str
    geometry: GeometryKind
    parent: LayerKind | None
    fields: tuple[FieldSpec, ...]
    point_allowed: bool = False  # joint-defense points are sometimes drawn as points

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def label(self, lang: Literal["zh", "en"] = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _f(
    name: str,
    zh: str,
    en: str,
    *,
    dtype: Literal["str", "int", "float", "datetime", "bool"] = "str",
    required: bool = True,
) -> FieldSpec:
    return FieldSpec(name, dtype, required, zh, en)


_ID = _f("id", "编码", "id")
_NAME = _f("name", "名称", "name", required=False)
_CODE = _f("code", "代码", "code", required=False)


def _area(parent_label: str | None) -> tuple[FieldSpec, ...]:
    """Fields shared by the polygon layers of the hierarchy."""
    parent = () if parent_label is None else (_f("parent_id", parent_label, "parent id"),)
    return (_ID, _NAME, _CODE, *parent)


LAYER_SPECS: dict[LayerKind, LayerSpec] = {
    s.kind: s
    for s in (
        LayerSpec(LayerKind.STREET, "街道/乡镇", "street / township", "polygon", None, _area(None)),
        LayerSpec(
            LayerKind.COMMUNITY,
            "社区/行政村",
            "community / village",
            "polygon",
            LayerKind.STREET,
            (
                *_area("所属街道"),
                _f("urban", "是否城市社区", "urban", dtype="bool", required=False),
            ),
        ),
        LayerSpec(
            LayerKind.GRID, "网格", "grid", "polygon", LayerKind.COMMUNITY, _area("所属社区")
        ),
        LayerSpec(
            LayerKind.JOINT_POINT,
            "联防联控点",
            "joint-defense point",
            "polygon",
            LayerKind.GRID,
            _area("所属网格"),
            point_allowed=True,
        ),
        LayerSpec(
            LayerKind.STATION,
            "派出所辖区",
            "police station jurisdiction",
            "polygon",
            None,
            _area(None),
        ),
        LayerSpec(
            LayerKind.BEAT,
            "民警责任区",
            "officer beat",
            "polygon",
            LayerKind.STATION,
            _area("所属派出所"),
        ),
        LayerSpec(
            LayerKind.AUX_BEAT,
            "辅警警格",
            "auxiliary-police beat",
            "polygon",
            LayerKind.BEAT,
            (*_area("所属责任区"), _f("grid_id", "对应网格", "grid id", required=False)),
        ),
        LayerSpec(
            LayerKind.INCIDENT,
            "警情/事件",
            "incident",
            "point",
            None,
            (
                _ID,
                _f("time", "发生时间", "time", dtype="datetime"),
                _f("category", "类别", "category"),
                _f("address", "地址", "address", required=False),
                _f("status", "状态", "status", required=False),
            ),
        ),
        LayerSpec(
            LayerKind.TRACK,
            "巡逻轨迹",
            "patrol track (GPS fixes)",
            "point",
            None,
            (
                _f("track_id", "轨迹编号", "track id"),
                _f("time", "定位时间", "time", dtype="datetime"),
                _f("officer_id", "警员编号", "officer id", required=False),
            ),
        ),
        LayerSpec(
            LayerKind.ADDRESS,
            "标准地址",
            "standard address",
            "point",
            None,
            (
                _ID,
                _f("address", "标准地址", "address"),
                _f("building_id", "建筑编码", "building id", required=False),
                _f("level", "管理类别", "level (重点/关注/一般)", required=False),
            ),
        ),
        LayerSpec(
            LayerKind.BUILDING,
            "建筑",
            "building",
            "polygon",
            None,
            (
                _ID,
                _NAME,
                _f("households", "户数", "households", dtype="int"),
                _f("population", "人口", "population", dtype="int"),
                _f("address", "地址", "address", required=False),
            ),
            point_allowed=True,
        ),
        LayerSpec(
            LayerKind.OUTSIDE,
            "辖区外区域",
            "outside area (belongs to no one here)",
            "polygon",
            None,
            (_ID, _NAME),
        ),
        LayerSpec(
            LayerKind.ROAD,
            "道路",
            "road",
            "line",
            None,
            (_ID, _NAME, _f("source", "来源", "source", required=False)),
        ),
        LayerSpec(
            LayerKind.ASSIGNMENT,
            "警力配置",
            "officer assignment",
            "none",
            None,
            (
                _f("officer_id", "警号", "officer id"),
                _f("name", "姓名", "name", required=False),
                _f("role", "岗位 (民警/辅警)", "role (officer/auxiliary)"),
                _f("area_kind", "责任区类型", "area kind (beat/aux_beat/grid/community)"),
                _f("area_id", "责任区编码", "area id"),
            ),
        ),
    )
}

POLYGON_HIERARCHY: tuple[tuple[LayerKind, LayerKind], ...] = tuple(
    (s.kind, s.parent)
    for s in LAYER_SPECS.values()
    if s.parent is not None and s.geometry == "polygon"
)
"""(child, parent) pairs whose nesting the consistency engine checks."""


def spec(kind: LayerKind | str) -> LayerSpec:
    """The spec of a layer kind, by enum or by its string value."""
    return LAYER_SPECS[LayerKind(kind)]


ATTRIBUTE: dict[LayerKind, str] = {
    LayerKind.STREET: "streets",
    LayerKind.COMMUNITY: "communities",
    LayerKind.GRID: "grids",
    LayerKind.JOINT_POINT: "joint_points",
    LayerKind.STATION: "stations",
    LayerKind.BEAT: "beats",
    LayerKind.AUX_BEAT: "aux_beats",
    LayerKind.INCIDENT: "incidents",
    LayerKind.TRACK: "tracks",
    LayerKind.ADDRESS: "addresses",
    LayerKind.BUILDING: "buildings",
    LayerKind.ASSIGNMENT: "assignments",
    LayerKind.OUTSIDE: "outside",
    LayerKind.ROAD: "roads",
}
"""District attribute holding each layer kind."""

_BY_NAME: dict[str, LayerKind] = {
    **{k.value: k for k in LayerKind},
    **{v: k for k, v in ATTRIBUTE.items()},
}


def kind_named(name: str) -> LayerKind | None:
    """The layer kind a manifest key names, singular (``grid``) or plural (``grids``)."""
    return _BY_NAME.get(name)
