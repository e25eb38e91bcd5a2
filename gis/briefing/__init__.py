"""Briefings (日见面、周研判、月讲评) and two-way assessment (双向考核).

``make_brief`` assembles one briefing from the hotspot and coverage reviews, the
incidents' handling and the duty lists; ``assess`` scores grids and people; the document
writers turn a :class:`Brief` into DOCX and HTML.
"""

from gis.briefing.assessment import Assessment, Weights, assess, read_weights
from gis.briefing.brief import Brief, Change, Consistency, make_brief
from gis.briefing.periods import BriefKind, BriefPeriods, brief_periods
from gis.briefing.scope import Scope, ScopeKind, resolve_scope

__all__ = [
    "Assessment",
    "Brief",
    "BriefKind",
    "BriefPeriods",
    "Change",
    "Consistency",
    "Scope",
    "ScopeKind",
    "Weights",
    "assess",
    "brief_periods",
    "make_brief",
    "read_weights",
    "resolve_scope",
]
