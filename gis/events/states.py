"""The event state machine: 受理 → 分流 → 处置 → 办结 → 回访, with 退回 and 升级.

::

    received ──route──▶ routed ──handle──▶ handling ──close──▶ closed ──follow_up──▶ followed_up
    (受理)      (分流)    ▲  │    (处置)     │   ▲       (办结)         (回访)
        ▲                │  └──return──────┘   │
        └────return──────┘     escalate (升级): from received/routed/handling,
                               level grid → community → street → district, back to routed

A closed event only moves on to its follow-up (回访); a followed-up event is final.
Every transition records who, when and why; times never run backwards; a return and an
escalation need a reason.  Illegal transitions raise :class:`TransitionRefused` with a
bilingual message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, cast, get_args

from gis.errors import ConflictError
from gis.i18n import Text

State = Literal["received", "routed", "handling", "closed", "followed_up"]
Action = Literal["route", "handle", "close", "follow_up", "return", "escalate"]
Level = Literal["grid", "community", "street", "district"]
STATES: tuple[State, ...] = get_args(State)
ACTIONS: tuple[Action, ...] = get_args(Action)
LEVELS: tuple[Level, ...] = get_args(Level)
OPEN: frozenset[State] = frozenset({"received", "routed", "handling"})

STATE_TEXT: dict[State, Text] = {
    "received": Text("受理", "received"),
    "routed": Text("分流", "routed"),
    "handling": Text("处置", "handling"),
    "closed": Text("办结", "closed"),
    "followed_up": Text("回访", "followed up"),
}
ACTION_TEXT: dict[Action, Text] = {
    "route": Text("分流", "route"),
    "handle": Text("处置", "handle"),
    "close": Text("办结", "close"),
    "follow_up": Text("回访", "follow up"),
    "return": Text("退回", "return"),
    "escalate": Text("升级", "escalate"),
}
LEVEL_TEXT: dict[Level, Text] = {
    "grid": Text("网格", "grid"),
    "community": Text("社区", "community"),
    "street": Text("街道", "street"),
    "district": Text("区", "district"),
}
_NEXT: dict[tuple[State, Action], State] = {
    ("received", "route"): "routed",
    ("routed", "handle"): "handling",
    ("handling", "close"): "closed",
    ("closed", "follow_up"): "followed_up",
    ("routed", "return"): "received",
    ("handling", "return"): "routed",
    ("received", "escalate"): "routed",
    ("routed", "escalate"): "routed",
    ("handling", "escalate"): "routed",
}
NEEDS_REASON: frozenset[Action] = frozenset({"return", "escalate"})


class TransitionRefused(ConflictError):
    """An action the event's state does not allow; ``text`` holds both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


@dataclass(frozen=True)
class Transition:
    """One recorded step: who did what, when and why, and the state and level around it."""

    action: Action | Literal["receive"]
    actor: str
    at: datetime
    reason: str
    from_state: State | None
    to_state: State
    from_level: Level | None
    to_level: Level


@dataclass(frozen=True)
class EventState:
    """An event as the machine sees it: id, category, state, level and its history."""

    id: str
    category: str
    state: State
    level: Level
    history: tuple[Transition, ...]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def received_at(self) -> datetime:
        return self.history[0].at

    @property
    def last_at(self) -> datetime:
        return self.history[-1].at

    def first(self, action: str) -> datetime | None:
        """When ``action`` first happened (None: never)."""
        return next((t.at for t in self.history if t.action == action), None)

    def level_since(self) -> datetime:
        """When the event reached its current level (receipt or the last escalation)."""
        for t in reversed(self.history):
            if t.action in ("escalate", "receive"):
                return t.at
        return self.received_at


def new_event(
    event_id: str,
    *,
    category: str,
    actor: str,
    at: datetime,
    level: Level = "grid",
    reason: str = "",
) -> EventState:
    """A received (受理) event at ``level`` (a severe one may start above the grid)."""
    if level not in LEVELS:
        raise TransitionRefused(
            Text("未知层级 {v!r}", "unknown level {v!r}").format(v=level),
        )
    first = Transition("receive", actor, at, reason, None, "received", None, level)
    return EventState(event_id, category, "received", level, (first,))


def allowed_actions(event: EventState) -> tuple[Action, ...]:
    """The actions the event's state allows now (escalate only below the district)."""
    return tuple(
        a
        for a in ACTIONS
        if (event.state, a) in _NEXT and not (a == "escalate" and event.level == "district")
    )


def apply(
    event: EventState,
    action: Action,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
) -> EventState:
    """The event after ``action``; raises :class:`TransitionRefused` when not allowed."""
    _check(event, action, actor=actor, at=at, reason=reason)
    level = _next_level(event.level) if action == "escalate" else event.level
    to_state = _NEXT[(event.state, action)]
    step = Transition(action, actor, at, reason, event.state, to_state, event.level, level)
    return replace(event, state=to_state, level=level, history=(*event.history, step))


def _check(event: EventState, action: str, *, actor: str, at: datetime, reason: str) -> None:
    if action not in ACTIONS:
        raise TransitionRefused(
            Text("未知操作 {a!r}（可用：{all}）", "unknown action {a!r} (known: {all})").format(
                a=action, all=", ".join(ACTIONS)
            )
        )
    verb = cast(Action, action)
    if (event.state, verb) not in _NEXT:
        allowed = ", ".join(allowed_actions(event)) or "—"
        raise TransitionRefused(
            Text(
                "事件 {id} 处于“{s_zh}”状态，不能{a_zh}（可执行：{allowed}）",
                "event {id} is {s_en}: it cannot {a_en} now (allowed: {allowed})",
            ).format(
                id=event.id,
                s_zh=STATE_TEXT[event.state].zh,
                s_en=STATE_TEXT[event.state].en,
                a_zh=ACTION_TEXT[verb].zh,
                a_en=ACTION_TEXT[verb].en,
                allowed=allowed,
            )
        )
    if verb == "escalate" and event.level == "district":
        raise TransitionRefused(
            Text(
                "事件 {id} 已在区级，不能再升级", "event {id} is at district level already"
            ).format(id=event.id)
        )
    _check_who_when_why(event, verb, actor=actor, at=at, reason=reason)


def _check_who_when_why(
    event: EventState, action: Action, *, actor: str, at: datetime, reason: str
) -> None:
    if not actor.strip():
        raise TransitionRefused(Text("缺少操作人", "who did it is missing"))
    if (at.tzinfo is None) != (event.last_at.tzinfo is None):
        raise TransitionRefused(
            Text("时间须与事件一致（均带或均不带时区）", "times must all be aware or all naive")
        )
    if at < event.last_at:
        raise TransitionRefused(
            Text(
                "时间 {at} 早于上一步 {last}", "time {at} is before the previous step {last}"
            ).format(at=at.isoformat(), last=event.last_at.isoformat())
        )
    if action in NEEDS_REASON and not reason.strip():
        raise TransitionRefused(
            Text("{a}须说明原因", "a {e} needs a reason").format(
                a=ACTION_TEXT[action].zh, e=ACTION_TEXT[action].en
            )
        )


def _next_level(level: Level) -> Level:
    return LEVELS[LEVELS.index(level) + 1]
