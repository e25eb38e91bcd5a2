"""The event state machine: a fixed walk, refusals, and invariants over random sequences."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.events import ACTIONS, LEVELS, TransitionRefused, allowed_actions, apply, new_event
from gis.events.states import OPEN, EventState

T0 = datetime(2025, 3, 1, 8, 0)


def _event() -> EventState:
    return new_event("E1", category="矛盾纠纷", actor="wgy01", at=T0)


def test_the_whole_flow_records_who_when_why() -> None:
    ev = _event()
    steps = [("route", "wgy01"), ("handle", "JY0001"), ("close", "JY0001"), ("follow_up", "wgy01")]
    for k, (action, who) in enumerate(steps, start=1):
        ev = apply(ev, action, actor=who, at=T0 + timedelta(hours=k), reason=f"step {k}")  # type: ignore[arg-type]
    assert ev.state == "followed_up" and ev.level == "grid"
    assert [t.action for t in ev.history] == ["receive", "route", "handle", "close", "follow_up"]
    assert [t.actor for t in ev.history][1:] == ["wgy01", "JY0001", "JY0001", "wgy01"]
    assert ev.history[3].reason == "step 3" and ev.first("close") == T0 + timedelta(hours=3)
    assert allowed_actions(ev) == ()


def test_closed_event_refuses_all_but_follow_up_with_both_languages() -> None:
    ev = _event()
    for k, a in enumerate(("route", "handle", "close"), start=1):
        ev = apply(ev, a, actor="x", at=T0 + timedelta(hours=k))  # type: ignore[arg-type]
    with pytest.raises(TransitionRefused) as info:
        apply(ev, "escalate", actor="x", at=T0 + timedelta(hours=5), reason="why")
    assert "办结" in str(info.value) and "closed" in str(info.value)
    assert "follow_up" in info.value.text.en and "不能升级" in info.value.text.zh
    assert allowed_actions(ev) == ("follow_up",)


@pytest.mark.parametrize(
    ("action", "at", "reason", "words"),
    [
        ("return", T0 + timedelta(hours=1), " ", "原因"),  # a return needs a reason
        ("escalate", T0 + timedelta(hours=1), "", "reason"),
        ("handle", T0 - timedelta(minutes=1), "", "before the previous step"),
        ("teleport", T0, "", "unknown action"),
    ],
)
def test_refusals_name_the_problem(action: str, at: datetime, reason: str, words: str) -> None:
    ev = apply(_event(), "route", actor="x", at=T0)
    with pytest.raises(TransitionRefused, match=words):
        apply(ev, action, actor="x", at=at, reason=reason)  # type: ignore[arg-type]


def test_escalation_stops_at_the_district() -> None:
    ev = _event()
    for k in range(3):
        ev = apply(ev, "escalate", actor="sys", at=T0 + timedelta(hours=k), reason="overdue")
    assert ev.level == "district" and "escalate" not in allowed_actions(ev)
    with pytest.raises(TransitionRefused, match="区级"):
        apply(ev, "escalate", actor="sys", at=T0 + timedelta(hours=9), reason="again")


def test_an_empty_actor_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="who"):
        apply(_event(), "route", actor=" ", at=T0)


steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(-60, 600), st.booleans()), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_random_sequences_keep_the_invariants(seq: list[tuple[str, int, bool]]) -> None:
    ev = _event()
    at = T0
    for action, minutes, with_reason in seq:
        before = ev
        try:
            ev = apply(
                ev,
                action,  # type: ignore[arg-type]
                actor="u",
                at=at + timedelta(minutes=minutes),
                reason="r" if with_reason else "",
            )
        except TransitionRefused:
            assert ev is before
            continue
        at = ev.last_at
        step = ev.history[-1]
        # no transition out of a closed state except the follow-up; none out of followed_up
        if before.state == "closed":
            assert action == "follow_up"
        assert before.state != "followed_up"
        # the level only rises, and only by one step of escalation
        rise = LEVELS.index(ev.level) - LEVELS.index(before.level)
        assert rise == (1 if action == "escalate" else 0)
        assert step.from_state == before.state and step.to_state == ev.state
        assert (action in ("return", "escalate")) <= bool(step.reason)
    times = [t.at for t in ev.history]
    assert times == sorted(times)
    assert len(ev.history) == 1 + sum(1 for t in ev.history[1:])
    assert ev.is_open == (ev.state in OPEN)
    # the history replays to the same state
    replay = _event()
    for t in ev.history[1:]:
        replay = apply(replay, t.action, actor=t.actor, at=t.at, reason=t.reason)  # type: ignore[arg-type]
    assert replay == ev
