"""``beatgrid demo``: the demo district of ``make demo``.

``demo run`` generates the district, stores it in the service database with demo users
whose jurisdictions differ, and serves the web application by the code path of
``beatgrid serve``.  Each stage is one call into ``data`` / ``api``; this module only prints.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from beatgrid.commands._common import console, user_errors

demo_app = typer.Typer(help="The demo district: generate it, store it, serve the app.")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command group to the CLI."""
    app.add_typer(demo_app, name="demo")


@demo_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write into")] = Path(
        "data/demo"
    ),
    seed: Annotated[int, typer.Option(help="random seed (same seed, same files)")] = 20161013,
) -> None:
    """Generate the demo district (生成演示辖区) into OUT."""
    from data.generate import generate_demo

    with user_errors(), console.status("generating the demo district / 生成演示辖区 …"):
        manifest = generate_demo(out, seed=seed)
    console.print(f"demo district written: {manifest}")


@demo_app.command("run")
def run(
    out: Annotated[Path, typer.Option("--out", "-o", help="demo folder")] = Path("data/demo"),
    host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to serve on")] = 8000,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="start the service")] = True,
) -> None:
    """Generate the demo district, store it in the database and serve the app (演示).

    The district is generated once (a second run reuses it); the database is
    ``OUT/beatgrid.sqlite`` unless ``DATABASE_URL`` names another.  The app is served by
    the same code as ``beatgrid serve``.
    """
    from beatgrid.commands.serve import _settings, print_demo_logins, run_service

    with user_errors():
        started = time.perf_counter()
        _stage("1/3 generate the demo district / 生成演示辖区")
        manifest = _generate(out)
        console.print(f"  {manifest} ({time.perf_counter() - started:.1f} s)")
        _stage("2/3 store it in the database / 演示数据入库")
        settings = _settings(_database_url(out))
        print_demo_logins(settings, manifest, host=host, port=port)
    if serve:
        _stage("3/3 serve / 启动服务")
        run_service(settings, host=host, port=port)


def _stage(title: str) -> None:
    console.rule(f"[bold]{title}")


def _generate(out: Path) -> Path:
    """The demo district's manifest: generated unless a previous run left it complete."""
    import json

    from data.generate import generate_demo

    manifest = out / "manifest.json"
    if manifest.is_file():
        layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers", {})
        if all((out / entry["path"]).is_file() for entry in layers.values()):
            console.print("  already generated, reused / 已生成，直接使用")
            return manifest
    with console.status("generating / 生成中 …"):
        return generate_demo(out, seed=20161013)


def _database_url(out: Path) -> str:
    import os

    return (
        os.environ.get("BEATGRID_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///{(out / 'beatgrid.sqlite').resolve()}"
    )
