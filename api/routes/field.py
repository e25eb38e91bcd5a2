"""Phone pages (``/field``) for grid workers and auxiliaries, and their small JSON API.

Pages gather data through the same services as the JSON API and render a template; the
one script (``/field/static/field.js``) calls the JSON API and keeps unsent reports on
the phone (IndexedDB) until the connection returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.auth import Principal
from api.deps import CurrentUserDep, SessionDep, SettingsDep
from api.event_schemas import FieldLogPublic, NearbyPublic, PatrolPoint
from api.routes.events import RulesDep
from api.services import events, field
from api.services.event_setup import load_setup
from api.store.events import state_of
from gis.errors import ConfigError, NotFoundError
from gis.events import allowed_actions
from gis.events.states import ACTION_TEXT, LEVEL_TEXT, STATE_TEXT

HERE = FilePath(__file__).resolve().parents[1] / "field"
STATIC = HERE / "static"
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
router = APIRouter(prefix="/field", tags=["field"])
Kind = Literal["address", "joint_point"]


class FieldLogBody(BaseModel):
    target_id: str = Field(min_length=1, max_length=200)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    note: str = Field(default="", max_length=500)


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(f"{name}.html").render(page=name, **context))


@router.get("/static/{name}", include_in_schema=False)
def static(*, name: Annotated[str, Path(pattern=r"^field\.(js|css)$")]) -> FileResponse:
    return FileResponse(STATIC / name, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", response_class=HTMLResponse, summary="Field home / 网格工作首页")
def home(*, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    try:
        patrol = field.patrol_list(session, user=user, now=datetime.now(UTC)).to_dict("records")
    except (ConfigError, NotFoundError):
        patrol = None
    tasks = len(events.my_tasks(session, user=user))
    can_zero = user.role in ("grid_worker", "grid_head")
    return _page(
        "home", title="网格工作 / Field", user=user, tasks=tasks, patrol=patrol, can_zero=can_zero
    )


@router.get("/report", response_class=HTMLResponse, summary="Report an event / 上报事件")
def report(*, user: CurrentUserDep, rules: RulesDep) -> HTMLResponse:
    return _page(
        "report",
        title="上报事件 / Report",
        user=user,
        categories=list(rules.categories.values()),
        sources=events.SOURCES,
    )


@router.get("/tasks", response_class=HTMLResponse, summary="My tasks / 我的任务")
def tasks(*, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    rows = events.my_tasks(session, user=user)
    now = datetime.now(UTC)
    actions = {r.id: allowed_actions(state_of(session, r)) for r in rows}
    due = {r.id: r.due_at if r.due_at.tzinfo else r.due_at.replace(tzinfo=UTC) for r in rows}
    return _page(
        "tasks",
        title="我的任务 / My tasks",
        user=user,
        tasks=[_task(r, due[r.id], now) for r in rows],
        actions=actions,
        states={k: f"{v.zh} {v.en}" for k, v in STATE_TEXT.items()},
        levels={k: f"{v.zh}级" for k, v in LEVEL_TEXT.items()},
        action_text={k: f"{v.zh} / {v.en}" for k, v in ACTION_TEXT.items()},
    )


def _task(row: Any, due: datetime, now: datetime) -> dict[str, Any]:
    keys = ("id", "version", "category", "level", "state", "description", "grid_id")
    return {**{k: getattr(row, k) for k in keys}, "due_at": due, "overdue": now > due}


@router.get("/visit", response_class=HTMLResponse, summary="Log a household visit / 走访登记")
def visit(*, user: CurrentUserDep) -> HTMLResponse:
    hint = "选择身边的标准地址 / pick the standard address you are at"
    return _page("nearby", title="走访登记 / Visit", user=user, kind="address", hint=hint)


@router.get(
    "/checkin", response_class=HTMLResponse, summary="Check in at a joint-defense point / 到点签到"
)
def checkin(*, user: CurrentUserDep) -> HTMLResponse:
    hint = "在联防联控点签到 / check in at the joint-defense point you are at"
    return _page("nearby", title="到点签到 / Check in", user=user, kind="joint_point", hint=hint)


@router.get("/api/nearby", response_model=list[NearbyPublic])
def nearby(
    *,
    session: SessionDep,
    user: CurrentUserDep,
    kind: Kind,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[NearbyPublic]:
    """The nearest standard addresses or joint-defense points in your area (metres)."""
    found = field.nearby(session, kind, lon=lon, lat=lat, user=user, limit=limit)
    return [NearbyPublic(id=n.id, name=n.name, distance_m=n.distance_m) for n in found]


@router.post("/api/visits", status_code=201, response_model=FieldLogPublic)
def log_visit(
    *, body: FieldLogBody, session: SessionDep, user: CurrentUserDep, settings: SettingsDep
) -> FieldLogPublic:
    """走访: a household visit at a standard address within the check-in distance."""
    return _log(session, "address", body, user, settings.checkin_max_m)


@router.post("/api/checkins", status_code=201, response_model=FieldLogPublic)
def log_checkin(
    *, body: FieldLogBody, session: SessionDep, user: CurrentUserDep, settings: SettingsDep
) -> FieldLogPublic:
    """到点: a check-in at a joint-defense point; refused farther than ``checkin_max_m``."""
    return _log(session, "joint_point", body, user, settings.checkin_max_m)


def _log(
    session: Session, kind: Kind, body: FieldLogBody, user: Principal, max_m: float
) -> FieldLogPublic:
    row = field.log_field(
        session,
        kind,
        target_id=body.target_id,
        lon=body.lon,
        lat=body.lat,
        user=user,
        max_m=max_m,
        note=body.note,
    )
    session.commit()
    return FieldLogPublic(kind=row.kind, target_id=row.target_id, distance_m=row.distance_m)


@router.get("/api/patrol", response_model=list[PatrolPoint])
def patrol(*, session: SessionDep, user: CurrentUserDep) -> list[PatrolPoint]:
    """Today's joint-defense points in your area and whether you checked in at each."""
    load_setup(session)
    points = field.patrol_list(session, user=user, now=datetime.now(UTC))
    return [PatrolPoint.model_validate(p) for p in points.to_dict("records")]
