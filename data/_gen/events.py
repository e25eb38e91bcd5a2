"""A year (2025) of grid events (事件流转) with their whole history, and the grid staff.

Events are found at buildings in proportion to their population; sources, categories
and severities follow the shares below; each is routed by location (gis.events) and
walks the state machine with realistic delays: most are handled within their response
time and closed within their deadline; a few are returned and re-routed (退回); about
one in fifteen is closed late and escalates at its deadline first (升级); a few planted
events are never handled and stand overdue and escalated at year end.  Steps after the
year's end are cut, so December's events are still open.  Everything comes from its own
generator stream, so adding events changed none of the other demo files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from data._gen.assemble import Areas
from data._gen.frame import to_geo_xy
from data._gen.population import Population
from gis.events import EventRules, EventState, Routing, apply, load_rules, new_event, responsible
from gis.events.routing import ROUTED_KINDS, locate_events
from gis.geocoding import build_area_index

N_EVENTS = 1800
N_STUCK = 8
LATE_SHARE = 0.07
RETURN_SHARE = 0.03
START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)
SOURCES = {
    "网格员上报": 0.42,
    "110": 0.15,
    "12345": 0.2,
    "走访发现": 0.13,
    "巡查发现": 0.08,
    "其他": 0.02,
}
CATEGORIES = {"矛盾纠纷": 0.35, "治安隐患": 0.2, "安全隐患": 0.2, "民生诉求": 0.25}
SEVERITIES = {"一般": 0.93, "较大": 0.06, "重大": 0.01}
DESCRIPTIONS = {
    "矛盾纠纷": ("邻里噪音纠纷", "停车位纠纷", "物业费纠纷", "家庭矛盾"),
    "治安隐患": ("可疑人员出没", "楼道门禁损坏", "电动车被盗隐患"),
    "安全隐患": ("楼道堆放杂物", "电动车违规充电", "燃气管道老化"),
    "民生诉求": ("路灯不亮", "井盖缺失", "垃圾清运不及时", "下水道堵塞"),
}


@dataclass(frozen=True)
class EventPlan:
    events: pd.DataFrame
    transitions: pd.DataFrame
    staff: pd.DataFrame
    truth: dict[str, Any]


def build_events(
    areas: Areas, pop: Population, assignments: pd.DataFrame, *, seed: int
) -> EventPlan:
    """The events, their transitions, the grid staff and the ground truth."""
    rng = np.random.default_rng([seed, 14])
    rules = load_rules()
    staff = _staff(areas)
    people = pd.concat([assignments[list(staff.columns)], staff], ignore_index=True)
    where = _where(areas, pop, rng)
    rows, steps = [], []
    stuck = set(
        rng.choice(
            np.flatnonzero(where.received_at > datetime(2025, 10, 1, tzinfo=UTC)),
            N_STUCK,
            replace=False,
        ).tolist()
    )
    spots: list[dict[str, Any]] = where.to_dict("records")  # type: ignore[assignment]
    for k, spot in enumerate(spots):
        draw = _Draw(rng, late=k not in stuck and rng.random() < LATE_SHARE, stuck=k in stuck)
        state, record = _walk(f"EV2025{k + 1:05d}", spot, draw, rules, people)
        rows.append(record)
        steps += [_step(state.id, n, t) for n, t in enumerate(state.history, start=1)]
    events = pd.DataFrame(rows)
    return EventPlan(events, pd.DataFrame(steps), staff, _truth(events, stuck))


def _staff(areas: Areas) -> pd.DataFrame:
    """A grid worker (网格员) and a grid head (网格长) per grid, a head per community."""
    grids = sorted(areas.grids.id.astype(str))
    communities = sorted(areas.communities.id.astype(str))
    rows = [(f"wg{g}", "grid_worker", "grid", g) for g in grids]
    rows += [(f"wz{g}", "grid_head", "grid", g) for g in grids]
    rows += [(f"sq{c}", "grid_head", "community", c) for c in communities]
    rows += [(f"jd{s}", "grid_head", "street", s) for s in areas.street.id.astype(str)]
    return pd.DataFrame(rows, columns=["officer_id", "role", "area_kind", "area_id"])


def _where(areas: Areas, pop: Population, rng: np.random.Generator) -> pd.DataFrame:
    b = pop.buildings
    weight = b.population.to_numpy(float) / b.population.sum()
    pick = rng.choice(len(b), N_EVENTS, p=weight)
    x = b.x.to_numpy()[pick] + rng.normal(0, 4, N_EVENTS)
    y = b.y.to_numpy()[pick] + rng.normal(0, 4, N_EVENTS)
    lon, lat = to_geo_xy(x, y)
    layers = {
        "grid": areas.grids, "community": areas.communities, "street": areas.street,
        "beat": areas.beats, "aux_beat": areas.aux_beats, "station": areas.station,
    }  # fmt: skip
    located = locate_events(lon, lat, build_area_index(layers))
    seconds = np.sort(rng.integers(0, int((END - START).total_seconds()), N_EVENTS))
    hour_shift = rng.normal(0, 3, N_EVENTS) * 3600  # fewer at night: pull towards 14:00
    day = seconds // 86400 * 86400
    at = day + np.clip(14 * 3600 + hour_shift, 6 * 3600, 23 * 3600)
    return located.assign(
        lon=np.round(lon, 7),
        lat=np.round(lat, 7),
        address=b.address.to_numpy()[pick],
        received_at=[START + timedelta(seconds=int(s)) for s in at],
        source=rng.choice(list(SOURCES), N_EVENTS, p=list(SOURCES.values())),
        category=rng.choice(list(CATEGORIES), N_EVENTS, p=list(CATEGORIES.values())),
        severity=rng.choice(list(SEVERITIES), N_EVENTS, p=list(SEVERITIES.values())),
        pick=rng.integers(0, 4, N_EVENTS),
    )


@dataclass
class _Draw:
    rng: np.random.Generator
    late: bool
    stuck: bool

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=round(60 * float(self.rng.uniform(low, high))))

    def share(self, hours: float, low: float, high: float) -> timedelta:
        return timedelta(seconds=round(3600 * hours * float(self.rng.uniform(low, high))))


def _walk(
    event_id: str, spot: dict[str, Any], draw: _Draw, rules: EventRules, people: pd.DataFrame
) -> tuple[EventState, dict[str, Any]]:
    rule = rules.rule(spot["category"])
    routing = Routing.from_row(spot)
    reporter = _reporter(spot["source"], routing)
    t = spot["received_at"]
    ev = new_event(
        event_id,
        category=rule.name,
        actor=reporter,
        at=t,
        level=rules.start_level(spot["severity"]),
    )
    t += draw.minutes(1, 15)
    ev = apply(ev, "route", actor="system", at=t, reason="按位置分流 / routed by location")
    lead = _lead(routing, people, ev, rule.joint)
    if draw.rng.random() < RETURN_SHARE:
        t += draw.minutes(20, 180)
        ev = apply(ev, "return", actor=lead, at=t, reason="不属本网格，退回重新分流")
        t += draw.minutes(10, 60)
        ev = apply(ev, "route", actor="center", at=t, reason="核实后重新分流")
    plan = []
    if not draw.stuck:
        handle = t + draw.share(rule.respond_hours, 0.2, 1.3)
        close_in = (
            draw.share(rule.close_hours, 1.1, 2.5)
            if draw.late
            else draw.share(rule.close_hours, 0.1, 0.9)
        )
        plan = [
            ("handle", handle),
            (
                "close",
                spot["received_at"]
                + max(close_in, handle - spot["received_at"] + timedelta(hours=1)),
            ),
        ]
    for action, at in plan:
        if at >= END:
            break
        ev = rules.escalate_overdue(ev, at, actor="system")
        lead = _lead(routing, people, ev, rule.joint)
        if action == "close" and ev.state == "routed":  # escalated: the new level takes it up
            ev = apply(ev, "handle", actor=lead, at=ev.last_at + draw.minutes(30, 240))
        ev = apply(ev, action, actor=lead, at=max(at, ev.last_at), reason="")  # type: ignore[arg-type]
    ev = rules.escalate_overdue(ev, END, actor="system")
    if ev.state == "closed" and draw.rng.random() < 0.8:
        at = ev.last_at + draw.share(24, 1, 5)
        if at < END:
            ev = apply(ev, "follow_up", actor=f"wg{routing.grid_id}", at=at, reason="回访满意")
    return ev, _record(ev, spot, routing, reporter, rules, people, rule.joint)


def _reporter(source: str, routing: Routing) -> str:
    if source in ("网格员上报", "走访发现", "巡查发现"):
        return f"wg{routing.grid_id}"
    return {"110": "110", "12345": "12345"}.get(source, "center")


def _lead(routing: Routing, people: pd.DataFrame, ev: EventState, joint: bool) -> str:
    who = responsible(routing, people, level=ev.level, joint=joint)
    return who[0] if who else "center"


def _record(
    ev: EventState, spot: dict[str, Any], routing: Routing, reporter: str, rules: EventRules,
    people: pd.DataFrame, joint: bool,
) -> dict[str, Any]:  # fmt: skip
    assignees = responsible(routing, people, level=ev.level, joint=joint)
    return {
        "id": ev.id,
        "version": len(ev.history),
        "source": spot["source"],
        "category": ev.category,
        "severity": spot["severity"],
        "state": ev.state,
        "level": ev.level,
        "lon": spot["lon"],
        "lat": spot["lat"],
        "address": spot["address"],
        "description": DESCRIPTIONS[ev.category][spot["pick"] % len(DESCRIPTIONS[ev.category])],
        "reporter": reporter,
        **{f"{k}_id": routing.area(k) for k in ROUTED_KINDS},
        "assignees": ";".join(assignees),
        "received_at": ev.received_at.isoformat(),
        "responded_at": _iso(ev.first("handle")),
        "closed_at": _iso(ev.first("close")),
        "due_at": rules.due_at(ev).isoformat(),
        "escalations": sum(t.action == "escalate" for t in ev.history),
        "returned": any(t.action == "return" for t in ev.history),
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _step(event_id: str, seq: int, t: Any) -> dict[str, Any]:
    return {
        "event_id": event_id, "seq": seq, "action": t.action, "actor": t.actor,
        "at": t.at.isoformat(), "reason": t.reason, "from_state": t.from_state,
        "to_state": t.to_state, "from_level": t.from_level, "to_level": t.to_level,
    }  # fmt: skip


def _truth(events: pd.DataFrame, stuck: set[int]) -> dict[str, Any]:
    closed = events.closed_at.notna()
    overdue_open = events[
        events.state.isin(["received", "routed", "handling"])
        & (pd.to_datetime(events.due_at, format="ISO8601") < pd.Timestamp(END))
    ]
    per_community = events.groupby("community_id").agg(
        events=("id", "size"), closed=("closed_at", "count")
    )
    return {
        "year": 2025,
        "events": len(events),
        "closed": int(closed.sum()),
        "closure_rate": round(float(closed.mean()), 6),
        "by_source": events.source.value_counts().to_dict(),
        "by_category": events.category.value_counts().to_dict(),
        "escalated": sorted(events.id[events.escalations > 0]),
        "returned": sorted(events.id[events.returned]),
        "never_handled": sorted(events.id.iloc[sorted(stuck)]),
        "overdue_open_at_year_end": sorted(overdue_open.id),
        "per_community": {
            str(k): {"events": int(v.events), "closed": int(v.closed)}
            for k, v in per_community.iterrows()
        },
    }
