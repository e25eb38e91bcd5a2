"""``beatgrid events escalate``: move overdue events up a level (run it from cron)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from beatgrid.commands._common import console, user_errors
from beatgrid.commands.serve import DbUrlOpt, _settings

events_app = typer.Typer(help="The event flow (事件流转).", no_args_is_help=True)


@events_app.command("escalate")
def escalate(
    database_url: DbUrlOpt = None,
    rules: Annotated[
        Path | None, typer.Option(help="TOML of categories and deadlines (default: bundled)")
    ] = None,
) -> None:
    """Escalate (升级) every open event whose deadline passed, one level per deadline."""
    from api import db
    from api.auth import Principal
    from api.services.events import escalate_overdue
    from gis.events import load_rules

    settings = _settings(database_url)
    with user_errors():
        engine = db.make_engine(settings)
        db.upgrade(engine)
        path = rules if rules is not None else settings.event_rules
        with db.transaction(db.session_factory(engine)) as session:
            moved = escalate_overdue(
                session,
                rules=load_rules(path),
                now=datetime.now(UTC),
                user=Principal("system", "admin"),
            )
        engine.dispose()
    console.print(
        f"{len(moved)} event(s) escalated / 升级 {len(moved)} 件"
        + "".join(f"\n  {i}" for i in moved)
    )


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
