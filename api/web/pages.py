"""The page routes: landing page, role workspaces, the cached map layers, log out.

Each route is thin: it gathers what the page shows through the same stores and services
as the JSON API, renders a template, and leaves every action to the page's script, which
calls the JSON API.  Who may see what is decided by the user's jurisdiction
(``Principal.read_area``), never here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from api.auth import Principal, principal, user_for_token
from api.deps import COOKIE, CurrentUserDep, SessionDep, get_session
from api.routes.review import _visible_waivers, visible_notices
from api.web.mapdata import LayerCache, MapLayer, current_layers
from api.web.render import lang_of, render
from api.web.words import STATION, texts
from gis.errors import PermissionDenied
from gis.i18n import Text

router = APIRouter(include_in_schema=False)
WORKSPACE = {
    "station": "/app/station",
    "street_office": "/app/street",
    "commander": "/app/commander",
    "admin": "/app/admin",
}
_cache = LayerCache()


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
    layer_id: str,
    version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    session: SessionDep,
    user: CurrentUserDep,
) -> Response:
    """One stored version of a layer inside your jurisdiction (cached; the URL names the
    version, so the browser may keep it)."""
    body = _cache.get(session, layer_id, version, user.read_area())
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
    check_layers = {k: v.id for k, v in layers.items() if k != "station"}
    return render(
        request, "station.html", user=user, t=t, layers=layers,
        waivers=_visible_waivers(session, user), notices=visible_notices(session, user),
        config=map_config(layers, request, words=t, check_layers=check_layers),
    )  # fmt: skip
