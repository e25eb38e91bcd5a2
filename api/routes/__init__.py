"""The REST routers, included by the app factory (``api.app.create_app``).

Other packages' routers (e.g. the map pages, ``maps.web.maps_router``) are passed to
``create_app(settings, extra_routers=[...])``, which serves them behind the login.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    analysis,
    audit,
    auth,
    briefs,
    commander,
    events,
    field,
    incidents,
    jobs,
    layers,
    redraw,
    review,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    layers.router,
    incidents.router,
    analysis.router,
    jobs.router,
    audit.router,
    redraw.router,
    events.router,
    field.router,
    briefs.router,
    review.router,
    commander.router,
)
