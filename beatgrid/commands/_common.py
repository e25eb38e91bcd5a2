"""Shared plumbing of the command modules: error display and progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from gis.errors import BeatgridError, LayerError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # error lines stay whole: paths copy-paste


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn beatgrid's domain errors into a red message and exit status 2."""
    try:
        yield
    except LayerError as exc:
        err_console.print(f"[bold red]error:[/] {exc.problems[0] if exc.problems else exc}")
        for problem in exc.problems[1:20]:
            err_console.print(f"  [red]·[/] {problem}")
        if len(exc.problems) > 20:
            err_console.print(f"  … and {len(exc.problems) - 20} more")
        raise typer.Exit(2) from None
    except BeatgridError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None


def progress() -> Progress:
    """A rich progress bar for anything that may take more than a second."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
