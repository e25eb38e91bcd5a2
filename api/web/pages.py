"""The page routes: landing page, role workspaces, the cached map layers, log out.

Each route is thin: it gathers what the page shows through the same stores and services
as the JSON API, renders a template, and leaves every action to the page's script, which
calls the JSON API.  Who may see what is decided by the one jurisdiction policy
(:class:`api.policy.Jurisdiction`), never here.
"""

from __future__ import annotations

from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from api.auth import Principal, list_users, principal, user_for_token
from api.deps import COOKIE, CurrentUserDep, SessionDep, get_session
from api.policy import Jurisdiction, JurisdictionDep
from api.routes.review import visible_notices, visible_waivers
from api.services.briefs import brief_defaults
from api.store import audit
from api.store import layers as store
from api.web.mapdata import CHECKED_KINDS, LayerCache, MapLayer, current_layers
from api.web.render import lang_of, render
from api.web.words import ADMIN, COMMANDER, STATION, STREET, texts
from gis.errors import PermissionDenied
from gis.i18n import Text
from gis.labels import LAYERS, RULES
from gis.layers import LayerKind

router = APIRouter(include_in_schema=False)
WORKSPACE = {
    "station": "/app/station",
    "street_office": "/app/street",
    "commander": "/app/commander",
    "admin": "/app/admin",
}


def optional_user(
    request: Request, session: Annotated[Session, Depends(get_session)]
) -> Principal | None:
    """The logged-in user of the cookie, or None (the landing page is public)."""
    token = request.cookies.get(COOKIE)
    user = None if not token else user_for_token(session, token)
    return None if user is None else principal(user)


def require_role(user: Principal, *roles: str) -> None:
    """A page of another role is refused (an admin may open every workspace)."""
    if user.role not in roles and not user.is_admin:
        raise PermissionDenied(
            str(Text("此工作台不属于您的角色", "this workspace is not for your role"))
        )


@router.get("/", response_class=HTMLResponse)
def landing(
    request: Request, user: Annotated[Principal | None, Depends(optional_user)]
) -> HTMLResponse:
    return render(request, "landing.html", user=user)


@router.get("/app")
def workspace(user: CurrentUserDep) -> RedirectResponse:
    """Each role lands on its own workspace."""
    return RedirectResponse(WORKSPACE[user.role], status_code=303)


@router.post("/auth/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/app/layers/{layer_id}.geojson")
def layer_geojson(
    request: Request,
    layer_id: str,
    version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    session: SessionDep,
    policy: JurisdictionDep,
) -> Response:
    """One stored version of a layer inside your jurisdiction (cached; the URL names the
    version, so the browser may keep it)."""
    state = request.app.state
    if not hasattr(state, "layer_cache"):  # one per service: its database, its answers
        state.layer_cache = LayerCache()
    body = state.layer_cache.get(session, layer_id, version, policy)
    headers = {"Cache-Control": "private, max-age=3600"}
    return Response(body, media_type="application/geo+json", headers=headers)


def map_config(layers: dict[str, MapLayer], request: Request, **extra: Any) -> dict[str, Any]:
    """What a workspace script needs: the layers (URLs with their versions) and words."""
    return {
        "lang": lang_of(request),
        "layers": {k: {"id": v.id, "version": v.version, "url": v.url} for k, v in layers.items()},
        **extra,
    }


@router.get("/app/station", response_class=HTMLResponse)
def station(request: Request, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    """The station's alignment map, consistency check, waivers and notice inbox."""
    require_role(user, "station")
    layers = current_layers(session)
    t = texts(STATION, lang_of(request))
    check_layers = {k: v.id for k, v in layers.items() if k in CHECKED_KINDS}
    rules = {name: label.get(lang_of(request)) for name, label in RULES.items()}
    kinds = {kind: LAYERS[kind].get(lang_of(request)) for kind in layers if kind in LAYERS}
    return render(
        request, "station.html", user=user, t=t, layers=layers, rules=rules, kinds=kinds,
        waivers=visible_waivers(session, Jurisdiction.of(user), user.username),
        notices=visible_notices(session, Jurisdiction.of(user), user.username),
        config=map_config(
            layers, request, words=t, rules=rules, check_layers=check_layers,
            brief=brief_defaults(session),
        ),
    )  # fmt: skip


@router.get("/app/street", response_class=HTMLResponse)
def street(request: Request, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    """The street office's grid editor: select a grid; split, merge, move a boundary, give a
    part to a neighbour, draw a new grid, balance; dry run with impact, save."""
    require_role(user, "street_office")
    layers = current_layers(session)
    t = texts(STREET, lang_of(request))
    community = layers.get("community")
    return render(
        request, "street.html", user=user, t=t, layers=layers,
        config=map_config(
            layers, request, words=t, communities=community.id if community else None,
            impact=impact_layers(session),
        ),
    )  # fmt: skip


def impact_layers(session: Session) -> dict[str, str]:
    """The first stored layer of each kind a dry run measures the impact on (name → id)."""
    names = {"beat": "beats", "aux_beat": "aux_beats", "joint_point": "joint_points",
             "address": "addresses", "building": "buildings"}  # fmt: skip
    found: dict[str, str] = {}
    for layer in store.list_layers(session):
        name = names.get(layer.kind)
        if name and name not in found:
            found[name] = layer.id
    return found


@router.get("/app/commander", response_class=HTMLResponse)
def commander(request: Request, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    """The command centre's dashboard: a period, its counts and 办结率 against the previous
    one, the hot-spot map and its layers, a grid's detail (``/commander/...``, cached)."""
    require_role(user, "commander")
    layers = current_layers(session)
    t = texts(COMMANDER, lang_of(request))
    return render(
        request, "commander.html", user=user, t=t, layers=layers,
        config=map_config(layers, request, words=t, brief=brief_defaults(session)),
    )  # fmt: skip


@router.get("/app/admin", response_class=HTMLResponse)
def admin(request: Request, session: SessionDep, user: CurrentUserDep) -> HTMLResponse:
    """Users and their jurisdictions, layers with an upload form, the audit log."""
    require_role(user, "admin")
    t = texts(ADMIN, lang_of(request))
    users = [
        {"username": u.username, "role": u.role, "area": _km2(u.jurisdiction)}
        for u in list_users(session)
    ]
    return render(
        request, "admin.html", user=user, t=t, users=users,
        layers=store.list_layers(session), kinds=[k.value for k in LayerKind],
        audit=audit.entries(session, limit=100), config={"words": t},
    )  # fmt: skip


def _km2(area: BaseGeometry | None) -> str:
    """A jurisdiction's size for the users table (metres in a local UTM zone)."""
    if area is None:
        return "—"
    series = gpd.GeoSeries([area], crs=4326)
    return f"{series.to_crs(series.estimate_utm_crs()).area.iloc[0] / 1e6:.2f}"
