"""Rules, severities and tolerances of the boundary-consistency engine.

Every rule has a name (the ``rule`` column of the findings), a default severity
and a bilingual message template.  A :class:`CheckConfig` says which rules run,
overrides severities and sets the tolerances.  Defaults and the reasons for them
are documented in ``docs/checks.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gis.checks.ids import EXACT, IdNormalization
from gis.errors import ConfigError
from gis.i18n import Text

Severity = Literal["error", "warning", "noise"]
Rule = Literal[
    "invalid_geometry",
    "empty_geometry",
    "duplicate_id",
    "overlap",
    "gap",
    "not_covering_parent",
    "crosses_parent",
    "orphan",
    "parent_not_found",
    "code_mismatch",
    "grid_split_by_beat",
    "beat_boundary_off_grid",
    "aux_beat_missing",
    "aux_beat_extra",
    "aux_beat_mismatch",
    "grid_unstaffed",
    "community_understaffed",
    "joint_point_outside_grid",
    "grid_without_joint_point",
]


@dataclass(frozen=True)
class RuleSpec:
    """One rule: name, default severity, ArcGIS topology equivalent, message template, label.

    The template's fields are ``{layer}``, ``{ids}``, ``{other_layer}``,
    ``{other_ids}``, ``{area}`` (m²), ``{width}`` (m), ``{length}`` (m), ``{detail}``.
    """

    name: Rule
    severity: Severity
    arcgis: str
    message: Text
    label: Text
    """Short name of the rule for legends and tables (``重叠`` / ``overlap``)."""


_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec(
        "invalid_geometry",
        "error",
        "Check Geometry",
        Text("{layer} {ids} 几何无效：{detail}", "{layer} {ids}: invalid geometry: {detail}"),
        Text("几何无效", "invalid geometry"),
    ),
    RuleSpec(
        "empty_geometry",
        "error",
        "Check Geometry",
        Text("{layer} {ids} 几何为空", "{layer} {ids}: empty or missing geometry"),
        Text("几何为空", "empty geometry"),
    ),
    RuleSpec(
        "duplicate_id",
        "error",
        "(unique id)",
        Text("{layer} 编码 {ids} 重复 {detail} 次", "{layer} id {ids} is used {detail} times"),
        Text("编码重复", "duplicate id"),
    ),
    RuleSpec(
        "overlap",
        "error",
        "Must Not Overlap",
        Text(
            "{layer} {ids} 相互重叠 {area} 平方米（宽 {width} 米）",
            "{layer} {ids} overlap by {area} m² (width {width} m)",
        ),
        Text("重叠", "overlap"),
    ),
    RuleSpec(
        "gap",
        "error",
        "Must Not Have Gaps",
        Text(
            "{layer} {ids} 之间有缝隙 {area} 平方米（宽 {width} 米）",
            "gap of {area} m² (width {width} m) between {layer} {ids}",
        ),
        Text("缝隙", "gap"),
    ),
    RuleSpec(
        "not_covering_parent",
        "error",
        "Must Be Covered By Feature Class Of (reverse)",
        Text(
            "{layer}未完全覆盖上级区域：{other_layer} {other_ids} 有 {area} 平方米（宽 {width} 米）"
            "不在任何{layer}内",
            "{other_layer} {other_ids}: {area} m² (width {width} m) not covered by any {layer}",
        ),
        Text("未完全覆盖上级区域", "does not cover its parent"),
    ),
    RuleSpec(
        "crosses_parent",
        "error",
        "Must Be Covered By Feature Class Of",
        Text(
            "{layer} {ids} 跨越{other_layer}边界（{detail}），越界 {area} 平方米（宽 {width} 米）",
            "{layer} {ids} crosses {other_layer} boundaries ({detail}) by {area} m² "
            "(width {width} m)",
        ),
        Text("跨越上级边界", "crosses parent boundary"),
    ),
    RuleSpec(
        "orphan",
        "error",
        "Must Be Covered By Feature Class Of",
        Text(
            "{layer} {ids} 有 {area} 平方米（宽 {width} 米）不在任何上级区域（{other_layer}）内",
            "{layer} {ids}: {area} m² (width {width} m) lies in no {other_layer}",
        ),
        Text("不在任何上级区域内", "in no parent"),
    ),
    RuleSpec(
        "parent_not_found",
        "error",
        "(parent id must exist)",
        Text(
            "{layer} {ids} 的上级编码 {other_ids} 在{other_layer}图层中不存在{detail}",
            "{layer} {ids}: parent id {other_ids} matches no {other_layer}{detail}",
        ),
        Text("上级编码不存在", "parent id not found"),
    ),
    RuleSpec(
        "code_mismatch",
        "error",
        "(GB/T 2260 code prefix)",
        Text(
            "{layer} {ids} 的代码 {detail} 与所在{other_layer} {other_ids} 的代码不符"
            "（应以上级代码开头）",
            "{layer} {ids}: code {detail} does not start with the code of its {other_layer} "
            "{other_ids}",
        ),
        Text("代码与上级不符", "code does not match parent"),
    ),
    RuleSpec(
        "grid_split_by_beat",
        "error",
        "Area Boundary Must Be Covered By Boundary Of",
        Text(
            "网格 {ids} 被民警责任区分割：{detail}",
            "grid {ids} is split between officer beats: {detail}",
        ),
        Text("网格被责任区切分", "grid split by beat"),
    ),
    RuleSpec(
        "beat_boundary_off_grid",
        "error",
        "Area Boundary Must Be Covered By Boundary Of",
        Text(
            "民警责任区 {ids} 的边界有 {length} 米不在网格边界上（穿过网格 {other_ids}）",
            "officer beats {ids}: {length} m of boundary off grid boundaries "
            "(through grids {other_ids})",
        ),
        Text("责任区边界偏离网格", "beat boundary off grid"),
    ),
    RuleSpec(
        "aux_beat_missing",
        "error",
        "Must Cover Each Other",
        Text("网格 {other_ids} 没有对应的辅警警格", "grid {other_ids} has no auxiliary beat"),
        Text("缺少辅警警格", "auxiliary beat missing"),
    ),
    RuleSpec(
        "aux_beat_extra",
        "error",
        "Must Cover Each Other",
        Text(
            "辅警警格 {ids} 不对应任何网格（最高交并比 {detail}）",
            "auxiliary beat {ids} matches no grid (best IoU {detail})",
        ),
        Text("多余辅警警格", "extra auxiliary beat"),
    ),
    RuleSpec(
        "aux_beat_mismatch",
        "error",
        "Must Cover Each Other",
        Text(
            "辅警警格 {ids} 与网格 {other_ids} 边界不一致：交并比 {detail}，差异 {area} 平方米",
            "auxiliary beat {ids} differs from grid {other_ids}: IoU {detail}, {area} m² differ",
        ),
        Text("警格与网格不一致", "auxiliary beat ≠ grid"),
    ),
    RuleSpec(
        "grid_unstaffed",
        "error",
        "(一村（格）一警)",
        Text("网格 {ids} 未配备民（辅）警", "grid {ids} has no officer or auxiliary assigned"),
        Text("网格未配备民（辅）警", "grid unstaffed"),
    ),
    RuleSpec(
        "community_understaffed",
        "warning",
        "(南京 2016 社区民警配置)",
        Text("社区 {ids} 社区民警配置不足：{detail}", "community {ids} is understaffed: {detail}"),
        Text("社区警力不足", "community understaffed"),
    ),
    RuleSpec(
        "joint_point_outside_grid",
        "error",
        "Contains Point / Must Be Covered By",
        Text(
            "联防联控点 {ids} 不在唯一网格内：{detail}",
            "joint-defense point {ids} is not inside exactly one grid: {detail}",
        ),
        Text("联防点跨网格", "joint point outside grid"),
    ),
    RuleSpec(
        "grid_without_joint_point",
        "warning",
        "Contains Point",
        Text("网格 {ids} 没有联防联控点", "grid {ids} has no joint-defense point"),
        Text("网格无联防点", "grid without joint point"),
    ),
)

RULES: Mapping[str, RuleSpec] = MappingProxyType({s.name: s for s in _SPECS})
"""Every rule by name, in the order the report lists them."""

SEVERITY_LABELS: Mapping[Severity, Text] = MappingProxyType(
    {
        "error": Text("错误", "error"),
        "warning": Text("警告", "warning"),
        "noise": Text("数字化误差", "digitizing noise"),
    }
)
"""What each severity is called in reports, tables and legends."""


@dataclass(frozen=True)
class CheckConfig:
    """Options of a consistency check.

    Parameters
    ----------
    tolerance_m : float
        Distance tolerance in metres (ArcGIS' cluster tolerance).  An overlap,
        gap, crossing or split whose width (twice its maximum inscribed circle
        radius) is at most this is digitizing noise, not a violation.
    sliver_area_m2 : float
        Any such area below this many m² is digitizing noise whatever its width.
    aux_iou_min : float
        Below this intersection-over-union an auxiliary beat and a grid are not
        considered the same area at all (missing / extra instead of mismatch).
    rural_communities_per_officer : int
        Nanjing 2016: one community officer per urban community and per 2–3
        rural ones; an officer serving more rural communities than this leaves
        them understaffed.
    staffing_via : {"grid", "grid_or_beat"}
        Whether an officer assigned to the beat that holds a grid staffs it
        (``"grid_or_beat"``) or only people assigned to the grid itself or to
        its auxiliary beat do (``"grid"``, the "一格一警" reading).
    precision_m : float
        Coordinates are snapped to this grid (metres) before checking, so that
        reprojection round-off never shows up as findings; 0 disables it.
    speck_m : float
        Area findings narrower than this (default 1 cm) are numerical round-off
        (a straight edge bends by millimetres when reprojected), not even
        digitizing noise, and are dropped.
    parent_ids : IdNormalization
        How a declared ``parent_id`` is compared with the parents' ids (exact by
        default; see :mod:`gis.checks.ids`).  The report states the one used.
    codes : {"auto", "on", "off"}
        The ``code_mismatch`` rule (a child's ``code`` starts with its parent's, GB/T
        2260): ``"auto"`` runs it when both layers' codes are all digits and the
        parents' have at least 6 (Chinese division codes), so foreign data is left
        alone; ``"on"`` always, ``"off"`` never.
    rules : frozenset of str or None
        The rules to run; ``None`` runs them all.
    severities : mapping
        Severity overrides by rule name.
    """

    tolerance_m: float = 2.0
    sliver_area_m2: float = 20.0
    aux_iou_min: float = 0.3
    rural_communities_per_officer: int = 3
    staffing_via: Literal["grid", "grid_or_beat"] = "grid"
    precision_m: float = 0.001
    speck_m: float = 0.01
    parent_ids: IdNormalization = EXACT
    codes: Literal["auto", "on", "off"] = "auto"
    rules: frozenset[str] | None = None
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        try:
            checked = _Options.model_validate(
                {name: getattr(self, name) for name in _Options.model_fields}
            )
        except ValidationError as exc:
            raise ConfigError(_messages(exc)) from None
        for name in _Options.model_fields:
            object.__setattr__(self, name, getattr(checked, name))
        object.__setattr__(self, "severities", MappingProxyType(dict(checked.severities)))

    @classmethod
    def from_options(cls, options: Mapping[str, object]) -> CheckConfig:
        """A config from untrusted options (JSON from a request or a file).

        Unknown option names are refused, each named, like bad values.

        Raises
        ------
        gis.errors.ConfigError
            Every bad or unknown option, by name.
        """
        unknown = sorted(set(options) - set(_Options.model_fields))
        if unknown:
            known = ", ".join(_Options.model_fields)
            raise ConfigError(
                "; ".join(
                    str(Text("未知选项", f"check option {u!r}: unknown option; known: {known}"))
                    for u in unknown
                )
            )
        return cls(**options)  # type: ignore[arg-type]

    def enabled(self, rule: str) -> bool:
        """Whether ``rule`` runs."""
        return self.rules is None or rule in self.rules

    def severity(self, rule: str) -> Severity:
        """The severity of a violation of ``rule`` (noise is decided per finding)."""
        return self.severities.get(rule, RULES[rule].severity)


class _Options(BaseModel):
    """What :class:`CheckConfig` accepts, checked by pydantic (every field named on error)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, arbitrary_types_allowed=True)

    tolerance_m: float = Field(ge=0)
    sliver_area_m2: float = Field(ge=0)
    aux_iou_min: float = Field(gt=0, lt=1)
    rural_communities_per_officer: int = Field(ge=1)
    staffing_via: Literal["grid", "grid_or_beat"]
    precision_m: float = Field(ge=0)
    speck_m: float = Field(ge=0)
    parent_ids: IdNormalization
    codes: Literal["auto", "on", "off"]
    rules: frozenset[str] | None
    severities: dict[str, Severity]

    @field_validator("parent_ids", mode="before")
    @classmethod
    def _parent_ids_text(cls, value: object) -> object:
        """``"zeros"``, ``"width=2,upper"`` … as the CLI's ``--parent-ids`` (JSON options)."""
        try:
            if isinstance(value, str):
                return IdNormalization.parse(value)
            if isinstance(value, Mapping):
                return IdNormalization(**value)
        except (ConfigError, TypeError) as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        _refuse_unknown(value or ())
        return value

    @field_validator("severities")
    @classmethod
    def _known_severity_rules(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        _refuse_unknown(value)
        return value

    @model_validator(mode="after")
    def _within_tolerance(self) -> _Options:
        for name in ("precision_m", "speck_m"):
            if getattr(self, name) > self.tolerance_m:
                raise ValueError(f"{name} must be in [0, tolerance_m], got {getattr(self, name)!r}")
        return self


def _refuse_unknown(rules: Iterable[str]) -> None:
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValueError(f"unknown rule(s) {unknown}; known: {list(RULES)}")


def _messages(error: ValidationError) -> str:
    """``check option 'tolerance_m': Input should be greater than or equal to 0, got -1``."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"])
        message = str(e["msg"]).removeprefix("Value error, ")
        got = f", got {e['input']!r}" if e["type"] != "value_error" else ""
        parts.append(f"check option {where!r}: {message}{got}" if where else message + got)
    return "; ".join(parts)
