"""Two-way assessment (双向考核) per grid, per grid head and per officer for a period.

Every figure is a count or a ratio of counts from rows the briefing already holds, kept
next to its numerator and denominator so a reader can recompute it:

=====================  ===========================================================
走访覆盖率              covered / standard addresses (gis.coverage.visits rules)
办结率                  closed / received in the period
办结用时 (h)            mean hours from received to closed (where the data has it)
巡逻时长 (h)            patrol minutes inside the grid / 60
采集登记率              addresses with address text, building and level / addresses
隐患发现                hazards reported in the grid (categories in ``HAZARDS``)
网格上报                items the grid reported itself (source 网格上报 / 网格员上报)
=====================  ===========================================================

Scores: each indicator is scaled to 0–100 (rates × 100; counts and hours as a share of
the best unit; handling time as the fastest unit's time over this unit's), then weighted
by ``weights.toml`` (or a file the user gives).  A person's figures sum the numerators and
denominators of the grids they answer for: an officer the grids of the beat, an auxiliary
or a grid head their grid.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gis.errors import ConfigError

HAZARDS = frozenset(
    {"hazard", "safety_hazard", "security_hazard", "安全隐患", "治安隐患", "风险隐患"}
)
GRID_SOURCES = frozenset({"网格上报", "网格员上报", "走访发现", "巡查发现"})
REGISTRATION_FIELDS = ("address", "building_id", "level")
DEFAULT_WEIGHTS = Path(__file__).with_name("weights.toml")

SUMS = ["addresses", "covered", "received", "closed", "handling_hours_sum", "handled",
        "patrol_minutes", "registered", "hazards", "grid_reports"]  # fmt: skip
GRID_WORK = ("visit_coverage", "registration_rate", "hazards", "grid_reports")
POLICE_WORK = ("closure_rate", "handling", "patrol_hours")


@dataclass(frozen=True)
class Weights:
    grid_work: Mapping[str, float]
    police_work: Mapping[str, float]


def read_weights(path: Path | None = None) -> Weights:
    """Weights from a TOML file (default: the shipped ``weights.toml``)."""
    source = path or DEFAULT_WEIGHTS
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the weights ({exc}) / 权重文件无法读取") from None
    out = {}
    for side, names in (("grid_work", GRID_WORK), ("police_work", POLICE_WORK)):
        table = data.get(side, {})
        unknown = set(table) - set(names)
        if unknown:
            raise ConfigError(f"{source} [{side}]: unknown {sorted(unknown)} / 未知指标")
        bad = [k for k, v in table.items() if not isinstance(v, int | float) or v < 0]
        if bad:
            raise ConfigError(f"{source} [{side}] {bad}: weights must be ≥ 0 / 权重须为非负数")
        out[side] = {k: float(table.get(k, 0)) for k in names}
        if not sum(out[side].values()) > 0:
            raise ConfigError(f"{source} [{side}]: all weights are 0 / 权重全为零")
    return Weights(out["grid_work"], out["police_work"])


@dataclass(frozen=True)
class Assessment:
    """``grids`` and ``people``: the raw sums, the rates, the two scores and the rank."""

    grids: pd.DataFrame
    people: pd.DataFrame
    weights: Weights


def grid_figures(
    grid_ids: pd.Series,
    *,
    incidents: pd.DataFrame,
    addresses: pd.DataFrame | None,
    visit_grids: pd.DataFrame | None,
    patrol_grids: pd.DataFrame | None,
) -> pd.DataFrame:
    """The raw sums per grid (``SUMS``) for the period.

    ``incidents``: the period's incidents with ``grid_id``, ``status``, ``category``,
    ``source`` and, when known, ``closed_time``.
    """
    index = pd.Index(grid_ids.astype(str), name="grid_id")
    out = pd.DataFrame(index=index)
    out["addresses"], out["covered"] = _visits(visit_grids, index)
    out["registered"] = _registered(addresses, index)
    out = out.join(_handling(incidents, index))
    out["patrol_minutes"] = _patrol(patrol_grids, index)
    return out.fillna(0)


def assess(
    grids: pd.DataFrame,
    *,
    assignments: pd.DataFrame | None,
    grids_of: Mapping[tuple[str, str], list[str]],
    weights: Weights,
) -> Assessment:
    """Scores per grid and per person.

    ``grids``: :func:`grid_figures`; ``grids_of``: (area_kind, area_id) → the grid ids
    that area answers for.
    """
    scored_grids = _score(_rates(grids), weights)
    people = _people(grids, assignments, grids_of)
    scored_people = _score(_rates(people), weights) if len(people) else people
    if len(people):  # people are ranked among their peers (officers, auxiliaries, heads)
        by_role = scored_people.groupby("role")["total_score"]
        scored_people["rank"] = by_role.rank(ascending=False, method="min").astype("Int64")
        scored_people = scored_people.sort_values(["role", "rank"], na_position="last")
    return Assessment(scored_grids.reset_index(), scored_people.reset_index(), weights)


def _visits(visit_grids: pd.DataFrame | None, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    if visit_grids is None:
        zero = pd.Series(0, index=index)
        return zero, zero
    v = visit_grids.set_index(visit_grids["id"].astype(str))
    return v["addresses"].reindex(index, fill_value=0), v["covered"].reindex(index, fill_value=0)


def _registered(addresses: pd.DataFrame | None, index: pd.Index) -> pd.Series:
    if addresses is None or "grid_id" not in addresses:
        return pd.Series(0, index=index)
    filled = pd.Series(True, index=addresses.index)
    for field in REGISTRATION_FIELDS:
        col = addresses[field] if field in addresses else pd.Series("", index=addresses.index)
        filled &= col.notna() & (col.astype(str).str.strip() != "")
    return filled.groupby(addresses["grid_id"].astype(str)).sum().reindex(index, fill_value=0)


def _handling(incidents: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    from gis.briefing.labels import is_closed

    frame = pd.DataFrame({"grid_id": incidents["grid_id"].astype(str)})
    frame["received"] = 1
    frame["closed"] = is_closed(incidents["status"]).astype(int).to_numpy()
    cats = incidents["category"].astype(str)
    frame["hazards"] = cats.isin(HAZARDS).astype(int).to_numpy()
    if "category_zh" in incidents:
        frame["hazards"] |= incidents["category_zh"].astype(str).isin(HAZARDS).astype(int)
    source = incidents["source"] if "source" in incidents else pd.Series("", index=incidents.index)
    frame["grid_reports"] = source.astype(str).isin(GRID_SOURCES).astype(int).to_numpy()
    hours = pd.Series(np.nan, index=incidents.index)
    if "closed_time" in incidents:
        delta = pd.to_datetime(incidents["closed_time"]) - pd.to_datetime(incidents["time"])
        hours = delta.dt.total_seconds() / 3600
    frame["handling_hours_sum"] = hours.fillna(0).to_numpy()
    frame["handled"] = hours.notna().astype(int).to_numpy()
    return frame.groupby("grid_id").sum().reindex(index, fill_value=0)


def _patrol(patrol_grids: pd.DataFrame | None, index: pd.Index) -> pd.Series:
    if patrol_grids is None:
        return pd.Series(0.0, index=index)
    p = patrol_grids.set_index(patrol_grids["id"].astype(str))["patrol_minutes"]
    return p.reindex(index, fill_value=0.0)


def _rates(sums: pd.DataFrame) -> pd.DataFrame:
    out = sums.copy()
    out["visit_coverage"] = _ratio(sums["covered"], sums["addresses"])
    out["registration_rate"] = _ratio(sums["registered"], sums["addresses"])
    out["closure_rate"] = _ratio(sums["closed"], sums["received"])
    out["handling_hours"] = _ratio(sums["handling_hours_sum"], sums["handled"])
    out["patrol_hours"] = sums["patrol_minutes"] / 60
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return num / den.where(den > 0)


def _score(frame: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    scaled = {
        "visit_coverage": frame["visit_coverage"] * 100,
        "registration_rate": frame["registration_rate"] * 100,
        "closure_rate": frame["closure_rate"] * 100,
        "hazards": _relative(frame["hazards"]),
        "grid_reports": _relative(frame["grid_reports"]),
        "patrol_hours": _relative(frame["patrol_hours"]),
        "handling": frame["handling_hours"].min() / frame["handling_hours"] * 100,
    }
    out = frame.copy()
    out["grid_score"] = _weighted(scaled, weights.grid_work)
    out["police_score"] = _weighted(scaled, weights.police_work)
    out["total_score"] = out[["grid_score", "police_score"]].mean(axis=1)
    out["rank"] = out["total_score"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank"], na_position="last")


def _relative(values: pd.Series) -> pd.Series:
    best = values.max()
    return values / best * 100 if best and best > 0 else pd.Series(np.nan, index=values.index)


def _weighted(scaled: Mapping[str, pd.Series], weights: Mapping[str, float]) -> pd.Series:
    """Weighted mean over the indicators that have a value (NaN ones drop out)."""
    index = next(iter(scaled.values())).index
    num = pd.Series(0.0, index=index)
    den = pd.Series(0.0, index=index)
    for k, w in weights.items():
        num += scaled[k].fillna(0) * w
        den += scaled[k].notna() * w
    return (num / den.where(den > 0)).round(1)


def _people(
    grids: pd.DataFrame,
    assignments: pd.DataFrame | None,
    grids_of: Mapping[tuple[str, str], list[str]],
) -> pd.DataFrame:
    if assignments is None or assignments.empty:
        return pd.DataFrame(columns=["person_id", "name", "role", *SUMS]).set_index("person_id")
    rows = []
    for _, a in assignments.iterrows():  # one row per person: a short table
        mine = [
            g
            for g in grids_of.get((str(a["area_kind"]), str(a["area_id"])), [])
            if g in grids.index
        ]
        if not mine:
            continue
        sums = grids.loc[mine, SUMS].sum()
        rows.append(
            {"person_id": str(a["officer_id"]), "name": str(a.get("name", "")),
             "role": str(a["role"]), "area_id": str(a["area_id"]), "grids": len(mine), **sums}
        )  # fmt: skip
    return pd.DataFrame(rows).set_index("person_id")


COLUMNS = {
    "name": ("名称", "name"),
    "role": ("角色", "role"),
    "grids": ("网格数", "grids"),
    "addresses": ("标准地址数", "standard addresses"),
    "covered": ("已走访覆盖", "covered"),
    "visit_coverage": ("走访覆盖率(%)", "visit coverage (%)"),
    "received": ("接报", "received"),
    "closed": ("办结", "closed"),
    "closure_rate": ("办结率(%)", "closure rate (%)"),
    "handling_hours": ("平均办结用时(小时)", "mean handling time (h)"),
    "patrol_hours": ("巡逻时长(小时)", "patrol hours"),
    "registered": ("信息完整地址数", "complete addresses"),
    "registration_rate": ("采集登记率(%)", "registration rate (%)"),
    "hazards": ("隐患发现", "hazards reported"),
    "grid_reports": ("网格上报", "grid reports"),
    "grid_score": ("网格工作得分", "grid-work score"),
    "police_score": ("警务工作得分", "police-work score"),
    "total_score": ("综合得分", "total score"),
    "rank": ("排名", "rank"),
}
SHEETS = {"grids": ("网格考核", "grids"), "people": ("民警辅警网格长考核", "people")}
PERCENT = ("visit_coverage", "closure_rate", "registration_rate")


def assessment_sheets(
    assessment: Assessment, *, lang: str, grid_names: Mapping[str, str], roles: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """The assessment as sheets with headers and values in ``lang``, figures rounded."""
    i = 0 if lang == "zh" else 1
    grids = assessment.grids.assign(
        name=assessment.grids["grid_id"].map(lambda g: grid_names.get(g, g))
    )
    people = assessment.people.assign(role=assessment.people["role"].map(lambda r: roles.get(r, r)))
    out = {}
    for key, frame in (("grids", grids), ("people", people)):
        cols = [c for c in COLUMNS if c in frame.columns]
        table = frame[cols].copy()
        for c in PERCENT:
            table[c] = (table[c] * 100).round(1)
        for c in ("handling_hours", "patrol_hours", "grid_score", "police_score", "total_score"):
            table[c] = table[c].astype(float).round(1)
        out[SHEETS[key][i]] = table.rename(columns={c: COLUMNS[c][i] for c in cols})
    return out
