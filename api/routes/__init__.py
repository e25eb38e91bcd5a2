"""The REST routers.  ``EXTRA_ROUTERS`` is where other packages plug in (e.g. maps).

The app factory includes every router of ``ROUTERS`` and then of ``EXTRA_ROUTERS``::

    from maps.api import router as maps_router   # the maps engineer's APIRouter
    EXTRA_ROUTERS.append(maps_router)            # served under its own prefix, e.g. /maps
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import analysis, audit, auth, incidents, jobs, layers, redraw, review

ROUTERS: list[APIRouter] = [
    auth.router,
    layers.router,
    incidents.router,
    analysis.router,
    jobs.router,
    audit.router,
    redraw.router,
    review.router,
]

# ---- extra routers (maps etc.): add them here --------------------------------------------
EXTRA_ROUTERS: list[APIRouter] = []
