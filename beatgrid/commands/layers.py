"""``beatgrid import / info / export``: bring files into a GeoPackage workspace and out again.

``import`` reads any supported file as one layer kind, validates it, and writes the
canonical layer into a GeoPackage workspace (layer name = kind).  ``info`` describes a
file without changing anything.  ``export`` writes a workspace layer to another format,
optionally in GCJ-02/BD-09 for Amap/Baidu users.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
import typer
from rich.table import Table

from beatgrid.commands._common import console, err_console, progress, user_errors
from beatgrid.commands._inputs import CrsOpt, EncodingOpt, MapOpt, RepairOpt, ToCrsOpt, mappings
from gis.errors import LayerError
from gis.layers import LayerKind, spec

KindOpt = Annotated[
    LayerKind, typer.Option("--kind", "-k", help="layer kind", case_sensitive=False)
]
MappingFileOpt = Annotated[
    Path | None,
    typer.Option("--mapping-file", help='TOML/JSON mapping file ([grid] id = "COL")'),
]
LayerOpt = Annotated[
    str | None, typer.Option("--layer", "-l", help="layer (GeoPackage, KML) or sheet (XLSX)")
]


def register(app: typer.Typer) -> None:
    """Add ``import``, ``info`` and ``export`` to the CLI."""
    app.command("import")(import_layer)
    app.command("info")(info)
    app.command("export")(export)
    app.command("district")(district)


def _mapping(kind: str, options: list[str] | None, mapping_file: Path | None) -> dict[str, str]:
    """A mapping file's columns for ``kind``, then ``--map`` (FIELD=COLUMN, KIND:FIELD=COLUMN)."""
    from gis.fields import load_mapping

    out = load_mapping(mapping_file, kind) if mapping_file is not None else {}
    given = mappings(options)
    out.update(given.get("", {}))
    out.update(given.get(kind, {}))
    return out


def import_layer(
    file: Annotated[Path, typer.Argument(help="file to import", dir_okay=False)],
    kind: KindOpt,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    map_: MapOpt = None,
    mapping_file: MappingFileOpt = None,
    layer: LayerOpt = None,
    repair: RepairOpt = False,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="GeoPackage workspace to write into")
    ] = Path("workspace.gpkg"),
) -> None:
    """Read FILE as one layer kind, validate it and write it into a GeoPackage workspace.

    导入图层：识别字段、检查数据、写入工作空间 GeoPackage（图层名 = 类型）。
    """
    from gis.io import read_layer, write_layer

    with user_errors():
        lk = kind
        with progress() as bar, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = bar.add_task(f"reading {file.name}", total=2)
            result = read_layer(
                file,
                kind=lk,
                layer=layer,
                crs=crs,
                encoding=encoding,
                mapping=_mapping(lk.value, map_, mapping_file),
                repair=repair,
            )
            bar.update(task, advance=1, description=f"writing {out.name}::{lk.value}")
            write_layer(result.gdf, out, format="gpkg", layer=lk.value)
            bar.update(task, advance=1, description="done")
        _print_mapping(result.column_map, lk)
        console.print(
            f"[green]imported[/] {len(result.gdf)} {spec(lk).label_zh} ({lk.value}) from "
            f"{result.source} → {out}::{lk.value}\nCRS: {result.crs_note}"
        )
        _print_notes([str(w.message) for w in caught])
        _print_rejected(result.rejected)


def _print_mapping(column_map: dict[str, str], kind: LayerKind) -> None:
    table = Table(title=f"recognised columns / 字段识别 ({kind.value})")
    table.add_column("field / 字段")
    table.add_column("label")
    table.add_column("source column / 原列名")
    labels = {f.name: f.label_zh for f in spec(kind).fields}
    for fname, column in column_map.items():
        table.add_row(fname, labels.get(fname, "坐标"), str(column))
    missing = [f.name for f in spec(kind).fields if f.name not in column_map]
    for fname in missing:
        table.add_row(fname, labels[fname], "[dim]—[/]")
    console.print(table)


def _print_notes(notes: list[str]) -> None:
    for note in dict.fromkeys(notes):
        err_console.print(f"[yellow]note:[/] {note}")


def _print_rejected(rejected: pd.DataFrame, *, limit: int = 10) -> None:
    if rejected.empty:
        return
    table = Table(title=f"rows not loaded / 未导入的行 ({len(rejected)})")
    for column in ("row", "field", "reason"):
        table.add_column(column)
    for record in rejected.head(limit).to_dict("records"):
        table.add_row(str(record["row"]), str(record["field"]), str(record["reason"]))
    if len(rejected) > limit:
        table.add_row("…", "", f"{len(rejected) - limit} more")
    err_console.print(table)


def info(
    file: Annotated[Path, typer.Argument(help="file to describe", dir_okay=False)],
    kind: Annotated[
        LayerKind | None,
        typer.Option(
            "--kind", "-k", help="also recognise and validate as this kind", case_sensitive=False
        ),
    ] = None,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    map_: MapOpt = None,
    mapping_file: MappingFileOpt = None,
    layer: LayerOpt = None,
) -> None:
    """Describe FILE: layers, CRS, counts, fields; with --kind also validate it.

    With --kind, prints the recognised column mapping and every problem found; the exit
    status is then 1 when the file has problems.

    查看文件：图层、坐标系、要素数、字段；指定 --kind 时显示字段识别和问题。
    """
    from gis.io.describe import describe

    with user_errors():
        for entry in describe(file, encoding=encoding):
            console.print(
                f"[bold]{entry.name}[/]  {entry.count} features  {entry.geometry_type}  "
                f"CRS: {entry.crs or '[red]none declared[/]'}  encoding: {entry.encoding or '-'}"
            )
            console.print("  fields: " + ", ".join(entry.fields))
        if kind is None:
            return
        mapping = _mapping(kind.value, map_, mapping_file)
        problems = _try_read(file, kind, crs, encoding, mapping, layer)
    if problems:
        raise typer.Exit(1)


def _try_read(
    file: Path,
    kind: LayerKind,
    crs: str | None,
    encoding: str | None,
    mapping: dict[str, str],
    layer: str | None,
) -> bool:
    """Read as ``kind`` and print what happened; True when the layer has problems."""
    from gis.io import read_layer

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = read_layer(
                file, kind=kind, layer=layer, crs=crs, encoding=encoding, mapping=mapping
            )
    except LayerError as exc:
        err_console.print(f"[bold red]{len(exc.problems)} problem(s) / 问题:[/]")
        for problem in exc.problems:
            err_console.print(f"  [red]·[/] {problem}")
        return True
    _print_mapping(result.column_map, kind)
    console.print(f"[green]valid[/]: {len(result.gdf)} features; CRS: {result.crs_note}")
    _print_notes([str(w.message) for w in caught])
    _print_rejected(result.rejected)
    return False


def export(
    workspace: Annotated[Path, typer.Argument(help="GeoPackage workspace", dir_okay=False)],
    kind: KindOpt,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help=".geojson .gpkg .parquet .shp .kml .kmz .csv .xlsx"),
    ],
    to_crs: Annotated[
        str | None,
        typer.Option("--to-crs", help="write in this CRS: EPSG code, gcj02 (Amap), bd09 (Baidu)"),
    ] = None,
    gbk: Annotated[
        bool, typer.Option("--gbk", help="shapefile attributes in GBK (.cpg GBK), else UTF-8")
    ] = False,
) -> None:
    """Write the KIND layer of a workspace to another file format.

    导出图层（可转换为 GCJ-02 / BD-09）。
    """
    from gis.io import read_layer, write_layer

    with user_errors():
        lk = kind
        with progress() as bar:
            task = bar.add_task(f"reading {workspace.name}::{lk.value}", total=2)
            result = read_layer(workspace, kind=lk, layer=lk.value)
            bar.update(task, advance=1, description=f"writing {out.name}")
            encoding: Literal["utf-8", "gbk"] = "gbk" if gbk else "utf-8"
            write_layer(result.gdf, out, layer=lk.value, to_crs=to_crs, encoding=encoding)
            bar.update(task, advance=1, description="done")
        where = f" in {to_crs}" if to_crs else ""
        console.print(f"[green]exported[/] {len(result.gdf)} {lk.value} → {out}{where}")


def district(
    manifest: Annotated[Path, typer.Argument(help="district folder or its manifest.json")],
    to_crs: ToCrsOpt = None,
    repair: RepairOpt = False,
) -> None:
    """Load, validate and summarize every layer of a district (manifest.json).

    加载并检查辖区全部图层：要素数、坐标系、范围、面积（km²）、有效性。
    """
    from gis.district import load_district

    with user_errors():
        with progress() as bar, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = bar.add_task("loading", total=None)
            loaded = load_district(
                manifest,
                to_crs=to_crs,
                repair=repair,
                on_layer=lambda name: bar.update(task, advance=1, description=f"reading {name}"),
            )
            bar.update(task, total=len(loaded.layers), description="done")
        _print_summary(loaded.name, loaded.summary())
        _print_notes([str(w.message) for w in caught])


def _print_summary(name: str, summary: pd.DataFrame) -> None:
    headers = {
        "layer": "layer",
        "label": "图层",
        "count": "n",
        "crs": "CRS",
        "area_km2": "km²",
        "metric_crs": "measured in",
        "valid": "valid",
        "repaired": "fixed",
        "rejected_rows": "rejected",
    }
    table = Table(title=f"{name}: layers / 图层")
    for column, header in headers.items():
        numeric = column not in ("layer", "label", "crs", "metric_crs")
        table.add_column(header, justify="right" if numeric else "left", no_wrap=True)
    for record in summary.to_dict("records"):
        area = record["area_km2"]
        record["area_km2"] = None if pd.isna(area) else f"{area:,.3f}"
        table.add_row(*("" if pd.isna(record[c]) else str(record[c]) for c in headers))
    console.print(table)
