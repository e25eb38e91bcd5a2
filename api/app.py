"""The application factory: ``create_app(settings) -> FastAPI``."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Response

from api import db, errors, ogc, tiles
from api.deps import SessionScope, get_user
from api.escalation import EscalationClock
from api.jobs import JobRunner, fail_interrupted
from api.limits import LimitsMiddleware
from api.routes import ROUTERS
from api.services import dashboard
from api.settings import Settings
from api.web import docs, pages
from api.web import errors as web_errors
from gis.hotspots.kernels import warm_kernels
from maps.web import static_router

DESCRIPTION = """
警网融合 beatgrid: one shared, versioned map of police beats and community grids.

Log in at `/auth/token` (OAuth2 password flow) and send `Authorization: Bearer <token>`.
Layers are also served as OGC API - Features at `/ogc` (QGIS, GDAL OAPIF) and as
Mapbox vector tiles at `/tiles/{layer}/{z}/{x}/{y}.pbf`.
"""


def create_app(
    settings: Settings | None = None, *, extra_routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """Build the service for ``settings`` (default: from the environment).

    The database is migrated to the newest schema at start when ``settings.auto_migrate``;
    jobs a previous run left running are marked failed when ``settings.recover_jobs``;
    overdue events are escalated every ``settings.escalate_every_s`` seconds while the app
    runs (by one process of several: :mod:`api.escalation`).
    ``extra_routers`` are served behind the login; a browser without a login is sent to
    the login form.  The pages (:mod:`api.web`), ``/docs`` and the
    offline assets under ``/maps/static`` are served too.
    """
    settings = settings or Settings()
    engine = db.make_engine(settings)
    if settings.auto_migrate:
        db.upgrade(engine)
    sessions = db.session_factory(engine)
    if settings.recover_jobs:
        fail_interrupted(sessions)

    clock = EscalationClock(settings, engine, sessions)
    warmer = dashboard.Warmer(sessions, every_s=settings.warm_every_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # synchronous routes run in anyio's threads; the pool is sized for this many
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        clock.start()  # off unless settings.escalate_every_s > 0
        warmer.start()
        # the permutation kernels load now, not in the first hotspot job (0.5 s of 0.6)
        threading.Thread(target=warm_kernels, name="kernels", daemon=True).start()
        yield
        warmer.stop()
        clock.stop()
        app.state.jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        title="beatgrid",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.web.docs from the vendored Swagger UI
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.jobs = JobRunner(sessions, workers=settings.job_workers)
    app.state.escalation = clock
    app.state.warmer = warmer
    app.add_middleware(SessionScope)
    app.add_middleware(
        LimitsMiddleware,
        max_body=int(settings.max_body_mb * 2**20),
        per_minute=settings.rate_limit_per_minute,
    )
    errors.install(app)
    errors.install_login_redirect(app)
    errors.install_limits(app)
    web_errors.install(app)
    for router in (*ROUTERS, ogc.router, tiles.router, pages.router, docs.router):
        app.include_router(router)
    ogc.install(app)
    for router in extra_routers:  # plugged-in routers: behind the login too
        app.include_router(router, dependencies=[Depends(get_user)])
    app.include_router(static_router(check_assets=settings.check_assets))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for one; no console error, no file

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "database": engine.dialect.name}

    return app
