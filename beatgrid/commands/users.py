"""``beatgrid user add / list / remove / passwd``: the service's users."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beatgrid.commands._choices import RoleChoice
from beatgrid.commands._common import console, user_errors
from beatgrid.commands.serve import DbUrlOpt, _settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

user_app = typer.Typer(help="Service users and their jurisdictions.", no_args_is_help=True)


def _sessions(database_url: str | None) -> sessionmaker[Session]:
    from api import db

    engine = db.make_engine(_settings(database_url))
    db.upgrade(engine)
    return db.session_factory(engine)


@user_app.command("add")
def add(
    username: str,
    role: Annotated[RoleChoice, typer.Option(help="what the user may see and do")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    jurisdiction: Annotated[
        Path | None, typer.Option(help="vector file: the union of its polygons is the area")
    ] = None,
    areas: Annotated[
        str | None, typer.Option(help="LAYER:ID,ID… stored features forming the area")
    ] = None,
    database_url: DbUrlOpt = None,
) -> None:
    """Add a user; non-admins need a jurisdiction (a file or stored areas)."""
    import shapely

    from api.auth import create_user, jurisdiction_from_areas
    from gis.io import read_frame

    with user_errors(), _sessions(database_url)() as session:
        area, ids = None, []
        if jurisdiction is not None:
            area = shapely.union_all(read_frame(jurisdiction).to_crs(4326).geometry.to_numpy())
        if areas is not None:
            layer, _, text = areas.partition(":")
            ids = [i for i in text.split(",") if i]
            area = jurisdiction_from_areas(session, layer, ids)
        create_user(
            session, username=username, password=password, role=role.value,
            jurisdiction=area, area_ids=ids, actor="cli",
        )  # fmt: skip
        session.commit()
    console.print(f"added {role} user {username}")


@user_app.command("list")
def list_(database_url: DbUrlOpt = None) -> None:
    """List users, roles and whether they have a jurisdiction."""
    from api.auth import list_users

    with user_errors(), _sessions(database_url)() as session:
        for user in list_users(session):
            where = "everywhere" if user.role == "admin" else (
                "jurisdiction set" if user.jurisdiction is not None else "NO jurisdiction"
            )  # fmt: skip
            console.print(f"{user.username:<20} {user.role:<14} {where}")


@user_app.command("remove")
def remove(username: str, database_url: DbUrlOpt = None) -> None:
    """Remove a user (the audit log keeps what they did)."""
    from api.auth import remove_user

    with user_errors(), _sessions(database_url)() as session:
        remove_user(session, username, actor="cli")
        session.commit()
    console.print(f"removed {username}")


@user_app.command("passwd")
def passwd(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    database_url: DbUrlOpt = None,
) -> None:
    """Set a new password; the user's tokens stop working."""
    from api.auth import set_password

    with user_errors(), _sessions(database_url)() as session:
        set_password(session, username, password, actor="cli")
        session.commit()
    console.print(f"password of {username} changed")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
