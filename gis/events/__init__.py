"""Event flow (事件流转): the state machine, deadlines, routing by location and figures.

>>> from gis.events import new_event, apply, load_rules
>>> ev = new_event("E1", category="矛盾纠纷", actor="wgy01", at=t0)  # doctest: +SKIP
>>> ev = apply(ev, "route", actor="wgy01", at=t1)                      # doctest: +SKIP

``states`` holds the machine, ``rules`` the per-category deadlines (TOML),
``routing`` where a point lies and who answers for it, ``figures`` closure rates.
"""

from gis.events.figures import EventFigures, event_figures
from gis.events.routing import Routing, locate_events, responsible
from gis.events.rules import CategoryRule, EventRules, load_rules, parse_rules
from gis.events.states import (
    ACTIONS,
    LEVELS,
    STATES,
    Action,
    EventState,
    Level,
    State,
    Transition,
    TransitionRefused,
    allowed_actions,
    apply,
    new_event,
)

__all__ = [
    "ACTIONS",
    "LEVELS",
    "STATES",
    "Action",
    "CategoryRule",
    "EventFigures",
    "EventRules",
    "EventState",
    "Level",
    "Routing",
    "State",
    "Transition",
    "TransitionRefused",
    "allowed_actions",
    "apply",
    "event_figures",
    "load_rules",
    "locate_events",
    "new_event",
    "parse_rules",
    "responsible",
]
