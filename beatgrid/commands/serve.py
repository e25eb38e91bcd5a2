"""``beatgrid serve`` and ``beatgrid db upgrade``: run the service, migrate its database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beatgrid.commands._common import console, user_errors

if TYPE_CHECKING:
    from api.settings import Settings

DbUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar=["BEATGRID_DATABASE_URL", "DATABASE_URL"],
        help="sqlite:///beatgrid.db (default) or postgresql+psycopg://user:pw@host/db",
    ),
]


def _settings(database_url: str | None) -> Settings:
    from api.settings import Settings

    return Settings(database_url=database_url) if database_url else Settings()


def serve(
    database_url: DbUrlOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[
        Path | None,
        typer.Option(help="load this demo manifest.json first and print demo logins"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=32,
            help="worker processes; each has its own caches, jobs and rate-limit counters",
        ),
    ] = 1,
) -> None:
    """Start the service (REST, OGC API - Features at /ogc, tiles, docs at /docs)."""
    import uvicorn

    from api.app import create_app

    with user_errors():
        settings = _settings(database_url)
        if demo is not None:
            print_demo_logins(settings, demo, host=host, port=port)
        if workers > 1:
            _prepare_workers(settings)
        else:
            app = create_app(settings)
    console.print(
        f"beatgrid service on http://{host}:{port}  (API docs: /docs, OGC: /ogc)"
        + (f", {workers} workers" if workers > 1 else ""),
        soft_wrap=True,
    )
    if workers > 1:  # uvicorn starts the workers from an import string, settings from env
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # uvicorn kills a worker that has not answered its ping within 5 s; importing
            # the GIS stack takes longer than that on a loaded machine, so workers were
            # killed and restarted in a loop.  A hung worker is still replaced.
            timeout_worker_healthcheck=_WORKER_HEALTHCHECK_S,
        )
    else:
        uvicorn.run(app, host=host, port=port, log_level="info")


_WORKER_HEALTHCHECK_S = 120


def _prepare_workers(settings: Settings) -> None:
    """What must happen once per start, not once per worker: migrate, fail stale jobs.

    The workers then read the same settings from the environment, told to skip both
    (several processes running alembic at once, or one failing the jobs another just
    started, would race).
    """
    import os

    from api import db
    from api.jobs import fail_interrupted

    engine = db.make_engine(settings)
    if settings.auto_migrate:
        db.upgrade(engine)
    if settings.recover_jobs:
        fail_interrupted(db.session_factory(engine))
    engine.dispose()
    os.environ.update(
        BEATGRID_DATABASE_URL=settings.database_url,
        BEATGRID_AUTO_MIGRATE="false",
        BEATGRID_RECOVER_JOBS="false",
    )


def print_demo_logins(settings: Settings, manifest: Path, *, host: str, port: int) -> None:
    """Seed the demo district and print one login per role."""
    from api.demo import seed_demo

    logins = seed_demo(settings, manifest)
    console.print(
        f"[bold]demo logins[/] for http://{host}:{port}/docs (Authorize) and "
        f"http://{host}:{port}/auth/login (maps):",
        soft_wrap=True,
    )
    for login in logins:
        console.print(
            f"  {login.role:<14} user [cyan]{login.username}[/]  password [cyan]"
            f"{login.password}[/]  ({login.area})",
            soft_wrap=True,
        )


def upgrade(database_url: DbUrlOpt = None) -> None:
    """Bring the database schema to the newest version (alembic upgrade head)."""
    from api import db

    with user_errors():
        settings = _settings(database_url)
        engine = db.make_engine(settings)
        db.upgrade(engine)
        engine.dispose()
    console.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    db_app = typer.Typer(help="The service database.", no_args_is_help=True)
    db_app.command("upgrade")(upgrade)
    app.add_typer(db_app, name="db")
