"""``beatgrid hotspots`` and ``beatgrid coverage``: the commander's review figures.

Both take a district manifest (``beatgrid hotspots data/demo -o out/``), call one review of
the library (:func:`gis.hotspots.hotspot_review`, :func:`gis.coverage.coverage_review`),
print a short summary and write the result frames through :mod:`gis.io` as GeoPackage
(or GeoParquet with ``--format parquet``) plus one XLSX workbook with a sheet per frame
(no geometry).  The commands parse options and write files; every figure comes from the
review, so the service and the maps show the same ones.

``hotspots`` classifies Gi* on normal p-values by default, as Esri's tool does
(``--inference permutation --permutations 9999`` if permutation inference is wanted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.table import Table

from beatgrid.commands._choices import CellShape, Format, Inference, Window
from beatgrid.commands._common import console, progress, user_errors
from gis.coverage.review import CoverageReview, coverage_review
from gis.district import load_district
from gis.hotspots.gistar import HotSpots
from gis.hotspots.review import HotspotReview, hotspot_review
from gis.io import read_frame, write_layer, write_workbook

ManifestArg = Annotated[Path, typer.Argument(help="district manifest.json (or its folder)")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="folder for the results")]
FormatOpt = Annotated[Format, typer.Option("--format", help="gpkg or parquet")]


def register(app: typer.Typer) -> None:
    """Add ``hotspots`` and ``coverage`` to the CLI."""
    app.command("hotspots")(hotspots)
    app.command("coverage")(coverage)


def hotspots(
    manifest: ManifestArg,
    output: OutputOpt,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="only these categories (repeatable)")
    ] = None,
    window: Annotated[Window, typer.Option(help="day, week or month")] = Window.month,
    at: Annotated[str | None, typer.Option(help="a date in the period (default: latest)")] = None,
    start: Annotated[str | None, typer.Option(help="custom period start (with --end)")] = None,
    end: Annotated[str | None, typer.Option(help="custom period end, exclusive")] = None,
    shape: Annotated[CellShape, typer.Option(help="hexagon or square cells")] = CellShape.hexagon,
    size: Annotated[
        float | None, typer.Option(help="cell size, metres (default: from data)")
    ] = None,
    inference: Annotated[
        Inference, typer.Option(help="Gi* p-values: normal (as Esri) or permutation")
    ] = Inference.normal,
    permutations: Annotated[int, typer.Option(help="Gi* permutations (with permutation)")] = 999,
    bins: Annotated[Window, typer.Option(help="emerging hot-spot bins: day, week, month")] = (
        Window.month
    ),
    fmt: FormatOpt = Format.gpkg,
) -> None:
    """Counts per grid, Gi* hot spots, emerging hot spots and PAI (热点分析)."""
    with user_errors(), progress() as bar:
        task = bar.add_task("load district", total=3)
        district = load_district(manifest)
        bar.update(task, advance=1, description="hotspot review")
        review = hotspot_review(
            district,
            window=window.value,
            at=at,
            start=start,
            end=end,
            category=category or None,
            shape=shape.value,
            size_m=size,
            permutations=permutations if inference is Inference.permutation else 0,
            bins=bins.value,
        )
        bar.update(task, advance=1, description="write results")
        written = _write(hotspot_frames(review), output, fmt, tables={"pai": review.pai})
        bar.update(task, advance=1)
    _print_hotspots(review)
    console.print(f"written: {', '.join(str(p) for p in written)}")


def hotspot_frames(review: HotspotReview) -> dict[str, gpd.GeoDataFrame]:
    """The layers ``beatgrid hotspots`` writes, by layer name."""
    frames = {"grid_counts": review.grids, "cell_hotspots": review.cells}
    return frames if review.emerging is None else {**frames, "emerging": review.emerging}


def coverage(
    manifest: ManifestArg,
    output: OutputOpt,
    start: Annotated[str | None, typer.Option(help="period start (inclusive)")] = None,
    end: Annotated[str | None, typer.Option(help="period end (exclusive)")] = None,
    window: Annotated[
        Window | None, typer.Option(help="day, week or month containing --at (or the latest)")
    ] = None,
    at: Annotated[str | None, typer.Option(help="a date in the --window period")] = None,
    within: Annotated[float, typer.Option(help="reach distance N, metres")] = 50.0,
    dwell_within: Annotated[float, typer.Option(help="joint-point radius R, metres")] = 30.0,
    min_dwell: Annotated[float, typer.Option(help="joint-point dwell M, minutes")] = 5.0,
    max_speed: Annotated[float, typer.Option(help="GPS speed limit, km/h")] = 80.0,
    max_gap: Annotated[float, typer.Option(help="GPS gap that splits a track, s")] = 300.0,
    roads: Annotated[
        Path | None, typer.Option(help="street centre lines: reach as a share of street length")
    ] = None,
    hotspots: Annotated[
        Path | None,
        typer.Option(help="hot cells (id, hotspot_class), e.g. `beatgrid hotspots` results.gpkg"),
    ] = None,
    min_visit: Annotated[float, typer.Option(help="hot-spot visit that counts, minutes")] = 10.0,
    fmt: FormatOpt = Format.gpkg,
) -> None:
    """Patrol coverage per grid, joint points visited, visit coverage (巡逻与走访覆盖).

    ``--roads`` measures reach along streets instead of over area; ``--hotspots`` adds the
    patrol dosage of each hot cell (minutes, visits of ≥ ``--min-visit`` minutes, the
    under-patrolled ones: layer ``hotspot_dosage``, sheet ``hotspot_visits``).
    """
    with user_errors(), progress() as bar:
        task = bar.add_task("load district", total=3)
        district = load_district(manifest)
        road_frame = None if roads is None else read_frame(roads)
        cells = None if hotspots is None else read_frame(hotspots, layer="cell_hotspots")
        bar.update(task, advance=1, description="coverage review")
        review = coverage_review(
            district,
            window=None if window is None else window.value,
            at=at,
            start=start,
            end=end,
            roads=road_frame,
            hot_cells=cells,
            within_m=within,
            dwell_within_m=dwell_within,
            min_dwell_minutes=min_dwell,
            max_speed_kmh=max_speed,
            max_gap_s=max_gap,
            min_visit_minutes=min_visit,
        )
        bar.update(task, advance=1, description="write results")
        frames, tables = coverage_frames(review)
        written = _write(frames, output, fmt, tables=tables)
        bar.update(task, advance=1)
    _print_coverage(review)
    console.print(f"written: {', '.join(str(p) for p in written)}")


def coverage_frames(
    review: CoverageReview,
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, pd.DataFrame]]:
    """The layers and the extra sheets ``beatgrid coverage`` writes, by name."""
    frames = {"grid_patrol": review.patrol.grids}
    tables: dict[str, pd.DataFrame] = {}
    if review.joint_points is not None:
        frames["joint_points"] = review.joint_points.points
    if review.dosage is not None:
        frames["hotspot_dosage"] = review.dosage.areas
        tables["hotspot_visits"] = review.dosage.visits
    if review.visits is not None:
        frames["grid_visits"] = review.visits.grids
        tables["uncovered_addresses"] = review.visits.uncovered
    return frames, tables


def _write(
    frames: dict[str, gpd.GeoDataFrame],
    folder: Path,
    fmt: Format,
    *,
    tables: dict[str, pd.DataFrame],
) -> list[Path]:
    """Layers to ``results.gpkg`` (or one GeoParquet each) and every frame to ``results.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    gpkg = folder / "results.gpkg"
    if fmt is Format.gpkg:
        gpkg.unlink(missing_ok=True)  # a rerun replaces the whole result, not single layers
    for name, frame in frames.items():
        path = gpkg if fmt is Format.gpkg else folder / f"{name}.parquet"
        write_layer(frame, path, layer=name)
        if path not in written:
            written.append(path)
    written.append(write_workbook({**frames, **tables}, folder / "results.xlsx"))
    return written


def _print_hotspots(review: HotspotReview) -> None:
    p, g = review.period, review.grids
    table = Table(title=f"{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d} ({p.window})")
    table.add_column("figure / 指标")
    table.add_column("value / 数值", justify="right")
    table.add_row("incidents in grids / 网格内警情", f"{int(g['count'].sum())}")
    table.add_row("previous period / 上期", f"{int(g['previous_count'].sum())}")
    table.add_row("hot / cold grids (Gi*) / 热点/冷点网格", _hot_cold(review.grid_hotspots))
    table.add_row(f"cells / 格网单元 ({review.cell_size_m:.0f} m)", f"{len(review.cells)}")
    table.add_row("hot / cold cells (Gi*) / 热点/冷点", _hot_cold(review.cell_hotspots))
    em = review.emerging if review.emerging is not None else pd.DataFrame(columns=["pattern"])
    for label, n in em.loc[em["pattern"] != "none", "label_en"].value_counts().items():
        table.add_row(f"emerging: {label}", f"{n}")
    table.add_row("PAI (3 %, previous → this period)", f"{review.evaluation.pai:.2f}")
    console.print(table)


def _hot_cold(result: HotSpots) -> str:
    return f"{result.n_hot} / {result.n_cold}"


def _print_coverage(review: CoverageReview) -> None:
    g = review.patrol.grids
    table = Table(title="patrol and visit coverage / 巡逻与走访覆盖")
    table.add_column("figure / 指标")
    table.add_column("value / 数值", justify="right")
    table.add_row("patrol hours / 巡逻时长 (h)", f"{g['patrol_minutes'].sum() / 60:.1f}")
    table.add_row("patrol km / 巡逻里程", f"{g['distance_m'].sum() / 1000:.1f}")
    table.add_row("grids never patrolled / 未巡逻网格", f"{int((g['patrol_minutes'] == 0).sum())}")
    basis = "street length / 道路长度" if review.roads else "area / 面积"
    table.add_row(f"mean reach, {basis} / 平均覆盖率", f"{g['covered_share'].mean():.1%}")
    if review.joint_points is not None:
        table.add_row(
            "joint points visited / 联防点到访率", f"{review.joint_points.visited_share:.1%}"
        )
    if review.dosage is not None:
        table.add_row("hot cells / 热点格网单元", f"{len(review.dosage.areas)}")
        table.add_row(
            "under-patrolled hot cells / 巡逻不足热点", f"{len(review.dosage.under_patrolled)}"
        )
    if review.visits is not None:
        v = review.visits
        table.add_row("visit coverage / 规范化走访覆盖率", f"{v.addresses['covered'].mean():.1%}")
        table.add_row(
            "uncovered key addresses / 未走访重点地址",
            f"{int((v.uncovered['level'] != 'ordinary').sum())}",
        )
    console.print(table)
