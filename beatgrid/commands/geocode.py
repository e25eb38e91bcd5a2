"""``beatgrid geocode INPUT -o OUTPUT``: attach every incident to its areas.

The areas come from a district manifest or workspace (``--areas``) and/or from layer files
given by the same per-kind options as every other command (``--grids``, ``--beats`` …),
read with the same ``--repair``, ``--to-crs``, ``--map``, ``--layer``, ``--encoding``
(:mod:`beatgrid.commands._inputs`); ``--crs`` here is the incidents' coordinates.  The
input is streamed in chunks with a progress bar; a summary of matched / low-confidence /
outside / unmatched rows ends the run.  With ``--scheduler`` (or ``--dask``) a partitioned
GeoParquet input is geocoded on a dask cluster instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from beatgrid.commands._choices import LangChoice
from beatgrid.commands._common import console, err_console, progress, user_errors
from beatgrid.commands._inputs import (
    AuxBeatsOpt,
    BeatsOpt,
    CommunitiesOpt,
    EncodingOpt,
    GridsOpt,
    Inputs,
    JointPointsOpt,
    LayerOpt,
    MapOpt,
    Reading,
    RepairOpt,
    StationsOpt,
    StreetsOpt,
    ToCrsOpt,
)
from gis.errors import ConfigError
from gis.i18n import Lang, Text

if TYPE_CHECKING:
    import geopandas as gpd

    from gis.geocoding.assign import AreaIndex
    from gis.geocoding.batch import BatchSummary
    from gis.geocoding.pipeline import GeocodeOptions


def register(app: typer.Typer) -> None:
    """Add ``geocode`` to the CLI."""
    app.command("geocode")(geocode)


def geocode(
    source: Annotated[Path, typer.Argument(help="incidents: CSV, XLSX or (Geo)Parquet")],
    output: Annotated[Path, typer.Option("--output", "-o", help="result: .csv, .xlsx or .parquet")],
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas", "-a", help="district manifest.json (or its folder) or workspace .gpkg"
        ),
    ] = None,
    streets: StreetsOpt = None,
    communities: CommunitiesOpt = None,
    grids: GridsOpt = None,
    joint_points: JointPointsOpt = None,
    stations: StationsOpt = None,
    beats: BeatsOpt = None,
    aux_beats: AuxBeatsOpt = None,
    repair: RepairOpt = False,
    to_crs: ToCrsOpt = None,
    map_: MapOpt = None,
    layer: LayerOpt = None,
    encoding: EncodingOpt = None,
    crs: Annotated[
        str, typer.Option("--crs", help="input coordinates: wgs84, cgcs2000, gcj02, bd09, EPSG:…")
    ] = "wgs84",
    x: Annotated[
        str | None,
        typer.Option("--x", "--lon", help="longitude / easting column (default: recognised)"),
    ] = None,
    y: Annotated[
        str | None,
        typer.Option("--y", "--lat", help="latitude / northing column (default: recognised)"),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="address column (used without coordinates)")
    ] = None,
    gazetteer: Annotated[
        Path | None, typer.Option("--gazetteer", help="standard addresses: address,lon,lat,…")
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option("--roads", help="road centre lines with a name column (A路与B路交叉口)"),
    ] = None,
    pois: Annotated[
        Path | None, typer.Option("--pois", help="小区/POI points or polygons with a name column")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id", help="incident id column (duplicates are flagged)")
    ] = None,
    row_ids: Annotated[
        bool, typer.Option("--row-ids", help="use row numbers as ids (file without an id column)")
    ] = False,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="metres: place points this close to an area")
    ] = 0.0,
    threshold: Annotated[
        float, typer.Option("--threshold", help="fuzzy address score to accept (0-100)")
    ] = 85.0,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="rows per chunk")] = 100_000,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="dask scheduler address (tcp://host:8786)")
    ] = None,
    dask: Annotated[
        bool, typer.Option("--dask", help="partitioned GeoParquet on a local dask cluster")
    ] = False,
    lang: Annotated[LangChoice, typer.Option("--lang", help="summary language")] = LangChoice.ZH,
) -> None:
    """Place incidents in street, community, grid, station, beat … by coordinates or address."""
    from gis.geocoding.assign import build_area_index
    from gis.geocoding.batch import peek_columns
    from gis.geocoding.diagnose import diagnose, pick_coordinates
    from gis.geocoding.forms import AddressContext, address_context
    from gis.geocoding.match import load_gazetteer
    from gis.geocoding.pipeline import GeocodeOptions

    with user_errors():
        language: Lang = lang.lang
        columns = peek_columns(source) if source.is_file() else []
        picked = pick_coordinates(columns, x=x, y=y)
        err_console.print(picked.describe().get(language))
        files = {
            "street": streets,
            "community": communities,
            "grid": grids,
            "joint_point": joint_points,
            "station": stations,
            "beat": beats,
            "aux_beat": aux_beats,
        }
        how = Reading.of(repair, to_crs, map_, layer, encoding=encoding)
        layers = _area_layers(Inputs(areas, files, how))
        index = build_area_index(layers, tolerance_m=tolerance)
        context = AddressContext()
        if gazetteer is not None:  # roads and 小区 names: the files, else the manifest's
            context = address_context(areas, roads=roads, pois=pois)
        options = GeocodeOptions(
            x=picked.x,
            y=picked.y,
            address=address,
            id_column=id_column,
            row_ids=row_ids,
            source_crs=crs,
            gazetteer=load_gazetteer(gazetteer) if gazetteer is not None else None,
            threshold=threshold,
            roads=context.roads,
            pois=context.pois,
        )
        if scheduler is not None or dask:
            _run_dask(source, output, index, options, scheduler)
            return
        summary = _run_batch(source, output, index, options, chunk_size)
        console.print(_summary_table(summary, language))
        problem = diagnose(summary.by_status, columns=picked, crs=crs)
    if problem is not None:
        err_console.print(f"[bold red]{problem.reason.get(language)}[/]")
        err_console.print(f"→ {problem.fix.get(language)}")
        raise typer.Exit(1)


def _area_layers(inputs: Inputs) -> dict[str, gpd.GeoDataFrame]:
    """The area layers of the manifest or workspace and of the single files."""
    from gis.geocoding.assign import district_areas

    if inputs.source is None and not any(inputs.files.values()):
        raise ConfigError(
            "give the areas: --areas manifest.json (or a workspace .gpkg) or the layer files "
            "--grids, --beats … (需要区域图层：--areas 或 --grids、--beats 等)"
        )
    return district_areas(inputs.district())


def _run_batch(
    source: Path, output: Path, index: AreaIndex, options: GeocodeOptions, chunk_size: int
) -> BatchSummary:
    from gis.geocoding.batch import count_rows, geocode_file

    total = count_rows(source) if Path(source).is_file() else None
    with progress() as bar:
        task = bar.add_task("geocoding 定位", total=total)
        return geocode_file(
            source,
            output,
            index,
            options=options,
            chunk_size=chunk_size,
            on_chunk=lambda n: bar.advance(task, n),
        )


def _run_dask(
    source: Path, output: Path, index: AreaIndex, options: GeocodeOptions, scheduler: str | None
) -> None:
    from gis.geocoding.distributed import geocode_parquet

    with progress() as bar:
        bar.add_task("geocoding on dask 分布式定位", total=None)
        result = geocode_parquet(
            source, output, index, options=options, scheduler_address=scheduler
        )
    err_console.print(f"{result.partitions} partitions → {result.output}")
    console.print(_summary_table(result.summary, "zh"))


_LABELS = {
    "rows": Text("记录数", "rows"),
    "matched": Text("已定位", "matched"),
    "low_confidence": Text("低置信度待核查", "low confidence (review)"),
    "outside": Text("区域外（已给最近区域）", "outside (nearest given)"),
    "unmatched": Text("未定位", "unmatched"),
    "near_other_area": Text("容差内另有区域（归属需留意）", "another area within the tolerance"),
}


_STATUS_WORDS = {
    "ok": Text("其中：按坐标定位", "of which: by coordinates"),
    "tolerance": Text("其中：容差内就近归属", "of which: within tolerance"),
    "address": Text("其中：按地址定位", "of which: by address"),
    "outside": Text("其中：区域外", "of which: outside"),
    "review": Text("其中：待人工核查", "of which: review"),
    "needs_roads": Text("其中：路口地址缺道路图层", "of which: intersection, no roads layer"),
    "missing_coordinates": Text("其中：缺少坐标", "of which: coordinates missing"),
    "out_of_range": Text("其中：坐标超出范围", "of which: out of range"),
    "swapped_lat_lon": Text("其中：经纬度对调", "of which: lat/lon swapped"),
}


def _summary_table(summary: BatchSummary, lang: Lang) -> Table:
    table = Table(title=Text("定位结果", "geocoding summary").get(lang))
    table.add_column(Text("项目", "outcome").get(lang))
    table.add_column(Text("行数", "rows").get(lang), justify="right")
    for key, label in _LABELS.items():
        table.add_row(label.get(lang), f"{getattr(summary, key):,}")
    for status, count in sorted(summary.by_status.items()):
        word = _STATUS_WORDS.get(status)
        shown = f"{word.get(lang)} ({status})" if word is not None else status
        table.add_row(f"  · {shown}", f"{count:,}")
    return table
