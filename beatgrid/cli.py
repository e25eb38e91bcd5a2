"""Entry point of the ``beatgrid`` command.

Each module in ``beatgrid.commands`` defines a ``register(app)`` function that
adds its commands; this file only collects them, so that commands for checks,
geocoding, maps and the service live beside the code they drive.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from beatgrid import __version__, commands

app = typer.Typer(
    name="beatgrid",
    help="Police-grid fusion (警网融合): beats vs. community grids, incidents, hotspots, patrols.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"beatgrid {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """beatgrid: 警网融合 GIS."""


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_register_all()


def main() -> None:
    app()
