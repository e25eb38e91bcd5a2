"""Deadlines from TOML, overdue escalation, and the errors of a bad rules file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gis.errors import ConfigError
from gis.events import apply, load_rules, new_event, parse_rules

T0 = datetime(2025, 3, 1, 8, 0)


def test_bundled_rules_have_the_four_categories_and_disputes_are_joint() -> None:
    rules = load_rules()
    assert list(rules.categories) == ["矛盾纠纷", "治安隐患", "安全隐患", "民生诉求"]
    assert rules.rule("矛盾纠纷").joint and rules.rule("矛盾纠纷").close_hours == 72
    assert rules.start_level("重大") == "street" and rules.start_level(None) == "grid"


def test_overdue_event_escalates_once_per_passed_deadline() -> None:
    rules = load_rules()
    ev = apply(new_event("E", category="矛盾纠纷", actor="w", at=T0), "route", actor="w", at=T0)
    assert rules.due_at(ev) == T0 + timedelta(hours=72)
    assert rules.escalate_overdue(ev, T0 + timedelta(hours=71), actor="sys") == ev
    up = rules.escalate_overdue(ev, T0 + timedelta(hours=73), actor="sys")
    assert up.level == "community" and up.history[-1].at == T0 + timedelta(hours=72)
    assert "72" in up.history[-1].reason
    far = rules.escalate_overdue(ev, T0 + timedelta(days=30), actor="sys")
    assert far.level == "district" and [t.to_level for t in far.history[-3:]] == [
        "community",
        "street",
        "district",
    ]


def test_closed_event_never_escalates() -> None:
    rules = load_rules()
    ev = new_event("E", category="民生诉求", actor="w", at=T0)
    for k, a in enumerate(("route", "handle", "close"), start=1):
        ev = apply(ev, a, actor="w", at=T0 + timedelta(hours=k))  # type: ignore[arg-type]
    assert rules.escalate_overdue(ev, T0 + timedelta(days=90), actor="sys") is ev


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[categories", "not valid TOML"),
        ("x = 1", "at least one"),
        ('[categories."a"]\nrespond_hours = 1', "'close_hours'"),
        ('[categories."a"]\nrespond_hours = -1\nclose_hours = 2', "'respond_hours'"),
        ('[categories."a"]\nrespond_hours = 5\nclose_hours = 2', "exceeds"),
        ('[categories."a"]\nrespond_hours = 1\nclose_hours = 2\njoint = "yes"', "'joint'"),
        ('[categories."a"]\nrespond_hours=1\nclose_hours=2\n[severity]\n"大" = "city"', "'大'"),
    ],
)
def test_bad_rules_name_file_table_and_field(text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as info:
        parse_rules(text, source="my.toml")
    assert "my.toml" in str(info.value)


def test_unknown_category_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown event category 'x'.*矛盾纠纷"):
        load_rules().rule("x")
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "none.toml")
