"""The command centre's dashboard (指挥中心): a period's review, its layers, one grid's detail.

Each route parses the period once (:func:`period_choice`), calls one service of
:mod:`api.services.dashboard` (cached there per layer version, data version, period,
jurisdiction and language) and returns its model.  Commanders (and admins) only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.auth import Principal
from api.deps import CurrentUserDep, SessionDep
from api.services import dashboard
from gis.errors import PermissionDenied
from gis.i18n import Text

router = APIRouter(prefix="/commander", tags=["commander"])


class PeriodPublic(BaseModel):
    window: str
    start: datetime
    end: datetime
    previous_start: datetime


class EventTotals(BaseModel):
    events: int
    closed: int
    closure_rate: float | None
    overdue: int


class EventsPublic(BaseModel):
    now: EventTotals
    before: EventTotals


class ReviewPublic(BaseModel):
    """The period's counts against the previous one, the grids (GeoJSON with ``count``,
    ``previous_count``, ``change``, ``hotspot_class`` …) and the events' 办结率."""

    period: PeriodPublic
    count: int
    previous_count: int
    hot_grids: int
    cell_size_m: float
    grids: dict[str, Any]
    events: EventsPublic


class OverlayPublic(BaseModel):
    period: PeriodPublic
    cells: dict[str, Any]
    max: float | None = None
    bandwidth_m: float | None = None


class CategoryCount(BaseModel):
    category: str
    count: int
    previous_count: int


class TrendBin(BaseModel):
    start: str
    count: int


class GridEvent(BaseModel):
    id: str
    category: str
    state: str
    received_at: str | None
    due_at: str | None


class GridPublic(BaseModel):
    id: str
    period: PeriodPublic
    categories: list[CategoryCount]
    trend: list[TrendBin]
    events: list[GridEvent]


async def period_choice(
    window: Literal["day", "week", "month", "custom"] = "week",
    at: Annotated[datetime | None, Query(description="a moment in the period")] = None,
    start: Annotated[datetime | None, Query(description="custom range start")] = None,
    end: Annotated[datetime | None, Query(description="custom range end (excluded)")] = None,
) -> dashboard.PeriodChoice:
    """The period asked for; no ``at`` nor range: the last complete one of the data."""
    return dashboard.PeriodChoice(window=window, at=at, start=start, end=end)


PeriodDep = Annotated[dashboard.PeriodChoice, Depends(period_choice)]
Lang = Literal["zh", "en"]


def _commander(user: Principal) -> Principal:
    if user.role != "commander" and not user.is_admin:
        raise PermissionDenied(str(Text("仅指挥中心可用", "for the command centre only")))
    return user


@router.get("/review", response_model=ReviewPublic)
def review(
    *, session: SessionDep, user: CurrentUserDep, period: PeriodDep, lang: Lang = "zh"
) -> ReviewPublic:
    """Counts vs the previous period, Gi* grid classes and the events' closure rate."""
    answer = dashboard.review(session, user=_commander(user), choice=period, lang=lang)
    return ReviewPublic.model_validate(answer)


@router.get("/layers/{name}", response_model=OverlayPublic)
def layer(
    *,
    name: Literal["kde", "emerging"],
    session: SessionDep,
    user: CurrentUserDep,
    period: PeriodDep,
    lang: Lang = "zh",
) -> OverlayPublic:
    """Kernel density of the period, or emerging hot spots up to its end (cells, GeoJSON)."""
    answer = dashboard.overlay(session, user=_commander(user), name=name, choice=period, lang=lang)
    return OverlayPublic.model_validate(answer)


@router.get("/grids/{grid_id}", response_model=GridPublic)
def grid(
    *, grid_id: str, session: SessionDep, user: CurrentUserDep, period: PeriodDep
) -> GridPublic:
    """One grid: counts by category (now, before), its trend and its events."""
    answer = dashboard.grid_detail(session, user=_commander(user), grid_id=grid_id, choice=period)
    return GridPublic.model_validate(answer)
