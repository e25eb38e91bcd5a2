"""``beatgrid check``: are the beats aligned with the grids?  Exit status 1 if not.

Takes a district manifest (``beatgrid check data/demo``) or individual layer files
(``--grids grids.geojson --beats beats.shp ...``); prints the verdict, the figures
and the findings per rule; writes GeoPackage, GeoJSON, XLSX, CSV and HTML with
``-o``.  Exit status: 0 consistent, 1 violations remain, 2 unusable input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer
from rich.table import Table

from beatgrid.commands._choices import LangChoice
from beatgrid.commands._common import console, user_errors
from gis.checks import CheckConfig, CheckReport, check_district, check_layers
from gis.checks.exceptions import ExceptionRegister, load_exceptions, load_sidecars

_FILES = {
    "street": "--streets",
    "community": "--communities",
    "grid": "--grids",
    "joint_point": "--joint-points",
    "station": "--stations",
    "beat": "--beats",
    "aux_beat": "--aux-beats",
}


def register(app: typer.Typer) -> None:
    """Add ``check`` to the CLI."""
    app.command("check")(check)


def check(
    manifest: Annotated[
        Path | None, typer.Argument(help="district manifest.json (or its folder)")
    ] = None,
    grids: Annotated[Path | None, typer.Option("--grids", help="grid layer file")] = None,
    beats: Annotated[Path | None, typer.Option("--beats", help="officer beat layer")] = None,
    aux_beats: Annotated[Path | None, typer.Option("--aux-beats", help="auxiliary beats")] = None,
    communities: Annotated[Path | None, typer.Option("--communities")] = None,
    streets: Annotated[Path | None, typer.Option("--streets")] = None,
    stations: Annotated[Path | None, typer.Option("--stations")] = None,
    joint_points: Annotated[Path | None, typer.Option("--joint-points")] = None,
    assignments: Annotated[
        Path | None, typer.Option("--assignments", help="officer assignments CSV")
    ] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="metres")] = 2.0,
    sliver: Annotated[float, typer.Option("--sliver", help="sliver area threshold, m²")] = 20.0,
    exceptions: Annotated[
        Path | None, typer.Option("--exceptions", help="accepted exceptions JSON")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="folder for the report files")
    ] = None,
    lang: Annotated[
        LangChoice, typer.Option("--lang", help="language of the summary")
    ] = LangChoice.ZH,
) -> None:
    """Check beats against grids and every layer against its parent (边界一致性检查)."""
    files = {
        "street": streets,
        "community": communities,
        "grid": grids,
        "joint_point": joint_points,
        "station": stations,
        "beat": beats,
        "aux_beat": aux_beats,
    }
    with user_errors():
        config = CheckConfig(tolerance_m=tolerance, sliver_area_m2=sliver)
        register = load_exceptions(exceptions) if exceptions else None
        report = _run(manifest, files, assignments, config=config, register=register)
        _print(report, lang.lang)
        if output is not None:
            _write(report, output)
    raise typer.Exit(0 if report.ok else 1)


def _run(
    manifest: Path | None,
    files: dict[str, Path | None],
    assignments: Path | None,
    *,
    config: CheckConfig,
    register: ExceptionRegister | None,
) -> CheckReport:
    given = {k: v for k, v in files.items() if v is not None}
    if manifest is not None:
        from gis.district import load_district

        return check_district(load_district(manifest), config=config, exceptions=register)
    if not given:
        from gis.errors import ConfigError

        raise ConfigError("give a manifest or at least one layer file (--grids, --beats, ...)")
    from gis.io import read_layer

    layers = {kind: read_layer(path, kind=kind).gdf for kind, path in given.items()}
    table = pd.read_csv(assignments, dtype=str) if assignments is not None else None
    if register is None:
        register = load_sidecars(given)
    return check_layers(layers, assignments=table, config=config, exceptions=register)


def _print(report: CheckReport, lang: Literal["zh", "en"]) -> None:
    style = "green" if report.ok else "bold red"
    console.print(f"[{style}]{report.summary(lang)}[/]")
    counts = report.counts()
    if not counts.empty:
        table = Table("rule", "error", "warning", "noise", "accepted")
        for rule, row in counts.iterrows():
            table.add_row(str(rule), *(str(int(v)) for v in row.tolist()))
        console.print(table)
    column = "message_zh" if lang == "zh" else "message_en"
    for message in report.violations[column].head(30):
        console.print(f"  · {message}")
    if len(report.violations) > 30:
        console.print(f"  … {len(report.violations) - 30} more")


def _write(report: CheckReport, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    report.to_geopackage(folder / "findings.gpkg")
    report.to_geojson(folder / "findings.geojson")
    report.to_xlsx(folder / "report.xlsx")
    report.to_csv(folder / "csv")
    report.to_html(folder / "report.html")
    console.print(f"report written to {folder}")
