"""``beatgrid check``: are the beats aligned with the grids?  Exit status 1 if not.

Takes a district manifest (``beatgrid check data/demo``) or individual layer files
(``--grids grids.geojson --beats beats.shp ...``); prints the verdict, the figures
and the findings per rule; writes GeoPackage, GeoJSON, XLSX, CSV and HTML with
``-o``.  Exit status: 0 consistent, 1 violations remain, 2 unusable input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import geopandas as gpd
import typer
from rich.table import Table

from beatgrid.commands._choices import LangChoice
from beatgrid.commands._common import console, user_errors
from beatgrid.commands._inputs import (
    AREA_KINDS,
    Inputs,
    is_workspace,
    read_one,
    read_workspace,
    reads_layers,
    same_crs,
)
from gis.checks import CheckConfig, CheckReport, check_district, check_layers
from gis.checks.exceptions import ExceptionRegister, load_exceptions, load_sidecars
from gis.checks.ids import IdNormalization
from gis.checks.run import LAYER_ATTRIBUTES
from gis.errors import ConfigError
from gis.labels import COLUMNS, RULES

CHECKED = (*AREA_KINDS, "outside")
"""The layer kinds the consistency check compares."""


def register(app: typer.Typer) -> None:
    """Add ``check`` to the CLI."""
    app.command("check")(check)


@reads_layers(kinds=(*CHECKED, "assignment"))
def check(
    inputs: Inputs,
    parent_ids: Annotated[
        str,
        typer.Option(
            "--parent-ids", help="compare parent ids: exact, zeros, width=N, upper, lower (a,b)"
        ),
    ] = "exact",
    codes: Annotated[
        str, typer.Option("--codes", help="code_mismatch rule (GB/T 2260): auto, on, off")
    ] = "auto",
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
    with user_errors():
        config = CheckConfig(
            tolerance_m=tolerance,
            sliver_area_m2=sliver,
            parent_ids=IdNormalization.parse(parent_ids),
            codes=_codes(codes),
        )
        register = load_exceptions(exceptions) if exceptions else None
        report = _run(inputs, config=config, register=register)
        language = lang.lang
        _print(report, language)
        if output is not None:
            _write(report, output, language)
    raise typer.Exit(0 if report.ok else 1)


def _codes(value: str) -> Literal["auto", "on", "off"]:
    if value not in ("auto", "on", "off"):
        raise ConfigError(f"--codes {value!r}: use auto, on or off")
    return value  # type: ignore[return-value]


def _run(inputs: Inputs, *, config: CheckConfig, register: ExceptionRegister | None) -> CheckReport:
    """Check a manifest as its district, else the layers of a workspace and the files."""
    inputs.validate()
    manifest, how = inputs.source, inputs.how
    files = {k: v for k, v in inputs.files.items() if k in CHECKED}
    given = {k: v for k, v in files.items() if v is not None}
    assignments = inputs.files.get("assignment")
    layers: dict[str, gpd.GeoDataFrame] = {}
    if manifest is not None and not is_workspace(manifest):
        from gis.district import load_district

        district = load_district(manifest, to_crs=how.to_crs, repair=how.repair)
        if not given:
            return check_district(district, config=config, exceptions=register)
        layers = {k: v for k in LAYER_ATTRIBUTES if (v := _frame(district, k)) is not None}
    elif manifest is not None:
        layers = read_workspace(manifest, CHECKED, **how.options())
    if not given and not layers:
        raise ConfigError("give a manifest or at least one layer file (--grids, --beats, ...)")
    for kind, path in given.items():
        layers[kind] = read_one(path, kind, **how.options())
    layers = same_crs(layers, how.to_crs)
    table = None if assignments is None else read_one(assignments, "assignment", maps=how.maps)
    if register is None:
        register = load_sidecars(given)
    return check_layers(layers, assignments=table, config=config, exceptions=register)


def _frame(district: object, kind: str) -> gpd.GeoDataFrame | None:
    value = getattr(district, LAYER_ATTRIBUTES[kind], None)
    return value if isinstance(value, gpd.GeoDataFrame) else None


def _print(report: CheckReport, lang: Literal["zh", "en"]) -> None:
    style = "green" if report.ok else "bold red"
    console.print(f"[{style}]{report.summary(lang)}[/]")
    counts = report.counts()
    if not counts.empty:
        heads = ("rule", "error", "warning", "noise", "accepted")
        table = Table(*(COLUMNS[k].get(lang) for k in heads))
        for rule, row in counts.iterrows():
            name = RULES[str(rule)].get(lang) if str(rule) in RULES else str(rule)
            table.add_row(name, *(str(int(v)) for v in row.tolist()))
        console.print(table)
    column = "message_zh" if lang == "zh" else "message_en"
    for message in report.violations[column].head(30):
        console.print(f"  · {message}")
    if len(report.violations) > 30:
        console.print(f"  … {len(report.violations) - 30} more")


def _write(report: CheckReport, folder: Path, lang: Literal["zh", "en"]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    report.to_geopackage(folder / "findings.gpkg")
    report.to_geojson(folder / "findings.geojson")
    report.to_xlsx(folder / "report.xlsx", lang=lang)
    report.to_csv(folder / "csv")
    report.to_html(folder / "report.html", lang=lang)
    console.print(f"report written to {folder}")
