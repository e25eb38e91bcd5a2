"""Per-category deadlines and severities from a TOML file (default: ``rules.toml`` here).

::

    [categories."矛盾纠纷"]
    en = "dispute"
    respond_hours = 2
    close_hours = 72
    joint = true            # 1+1+N: grid head and community officer together

    [severity]
    "一般" = "grid"
    "重大" = "street"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gis.errors import ConfigError
from gis.events.states import LEVELS, EventState, Level, apply

DEFAULT_RULES = Path(__file__).with_name("rules.toml")


@dataclass(frozen=True)
class CategoryRule:
    """Deadlines of one category, in hours from receipt at the current level."""

    name: str
    en: str
    respond_hours: float
    close_hours: float
    joint: bool = False


@dataclass(frozen=True)
class EventRules:
    """Categories (in file order), their deadlines, and the start level of each severity."""

    categories: Mapping[str, CategoryRule]
    severity: Mapping[str, Level]

    def rule(self, category: str) -> CategoryRule:
        """The rule of ``category``; ConfigError naming the known ones otherwise."""
        if category not in self.categories:
            known = "、".join(self.categories)
            raise ConfigError(
                f"未知事件类别 {category!r}（可用：{known}） / "
                f"unknown event category {category!r} (known: {known})"
            )
        return self.categories[category]

    def start_level(self, severity: str | None) -> Level:
        """The level an event of ``severity`` starts at (None: the grid)."""
        if severity is None:
            return "grid"
        if severity not in self.severity:
            known = "、".join(self.severity)
            raise ConfigError(
                f"未知严重程度 {severity!r}（可用：{known}） / "
                f"unknown severity {severity!r} (known: {known})"
            )
        return self.severity[severity]

    def due_at(self, event: EventState) -> datetime:
        """When the event must be closed at its current level."""
        return event.level_since() + timedelta(hours=self.rule(event.category).close_hours)

    def respond_by(self, event: EventState) -> datetime:
        """When handling (处置) must have started."""
        return event.received_at + timedelta(hours=self.rule(event.category).respond_hours)

    def is_overdue(self, event: EventState, now: datetime) -> bool:
        return event.is_open and now > self.due_at(event)

    def escalate_overdue(self, event: EventState, now: datetime, *, actor: str) -> EventState:
        """Escalate, one level per passed deadline, an open event whose deadline passed.

        Each escalation is dated at the deadline it followed (or the last step, if later),
        so the history tells when the event should have moved up.
        """
        while self.is_overdue(event, now) and event.level != LEVELS[-1]:
            due = self.due_at(event)
            at = max(due, event.last_at)
            hours = self.rule(event.category).close_hours
            reason = f"超过办结时限 {hours:g} 小时 / deadline of {hours:g} h passed"
            event = apply(event, "escalate", actor=actor, at=at, reason=reason)
        return event


def load_rules(path: str | Path | None = None) -> EventRules:
    """Read the rules TOML (default: the bundled ``rules.toml``)."""
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read the event rules: {exc}") from exc
    return parse_rules(text, source=str(source))


def parse_rules(text: str, *, source: str = "rules.toml") -> EventRules:
    """Parse rules from TOML text; errors name the file, the table and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    raw = data.get("categories")
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f'{source}: needs at least one [categories."名称"] table')
    categories = {name: _category(source, name, body) for name, body in raw.items()}
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{source}: [severity] must be a table")
    for name, level in severity.items():
        if level not in LEVELS:
            raise ConfigError(
                f"{source}: [severity] field {name!r}: {level!r} is not one of {', '.join(LEVELS)}"
            )
    return EventRules(categories, dict(severity))


def _category(source: str, name: str, body: Any) -> CategoryRule:
    where = f"{source}: [categories.{name!r}]"
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a table")
    hours = {}
    for key in ("respond_hours", "close_hours"):
        value = body.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigError(f"{where} field {key!r}: needs a positive number, got {value!r}")
        hours[key] = float(value)
    if hours["respond_hours"] > hours["close_hours"]:
        raise ConfigError(f"{where}: respond_hours exceeds close_hours")
    joint = body.get("joint", False)
    if not isinstance(joint, bool):
        raise ConfigError(f"{where} field 'joint': needs true or false, got {joint!r}")
    return CategoryRule(name, str(body.get("en", name)), joint=joint, **hours)
