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

from beatgrid.commands._choices import CellShape, Format, Inference, LangChoice, Window
from beatgrid.commands._common import console, progress, user_errors
from beatgrid.commands._inputs import Inputs, Reading, reads_layers, zone_of
from gis.coverage.review import CoverageReview, coverage_review
from gis.district import District
from gis.hotspots.gistar import HotSpots
from gis.hotspots.kde import write_geotiff
from gis.hotspots.review import HotspotReview, hotspot_review
from gis.i18n import Lang, Text
from gis.io import read_frame, write_layer, write_workbook
from gis.labels import review_sheets

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="folder for the results")]
FormatOpt = Annotated[Format, typer.Option("--format", help="gpkg or parquet")]


def register(app: typer.Typer) -> None:
    """Add ``hotspots`` and ``coverage`` to the CLI."""
    app.command("hotspots")(hotspots)
    app.command("coverage")(coverage)


@reads_layers(tz=True, kinds=("grid", "incident", "building"))
def hotspots(
    inputs: Inputs,
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
    whole_period: Annotated[
        bool, typer.Option(help="also Gi* over every incident up to the period's end")
    ] = False,
    fmt: FormatOpt = Format.gpkg,
    lang: Annotated[
        LangChoice, typer.Option("--lang", help="language of the summary and the workbook")
    ] = LangChoice.ZH,
) -> None:
    """Counts per grid, Gi* hot spots, emerging hot spots, PAI and kernel density (热点分析).

    From a manifest, a workspace .gpkg, or files: ``--grids beats.zip --incidents
    crimes.csv`` (any polygon layer can serve as the grids).  The density of the period's
    incidents goes to ``density.tif`` (GeoTIFF, metric CRS, incidents per km²) and its
    contour polygons to layer ``density_contours``; ``--whole-period`` adds layer
    ``cell_hotspots_whole`` (Gi* of all incidents).
    """
    with user_errors(), progress() as bar:
        task = bar.add_task("load district", total=3)
        district = inputs.district()
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
            density=True,
            whole_period=whole_period,
        )
        bar.update(task, advance=1, description="write results")
        written = _write(
            hotspot_frames(review), output, fmt, tables={"pai": review.pai}, lang=lang.lang
        )
        if review.density is not None:
            written.append(write_geotiff(review.density, output / "density.tif"))
        bar.update(task, advance=1)
    _print_hotspots(review, lang.lang)
    console.print(f"{Text('已写出', 'written').get(lang.lang)}: {', '.join(map(str, written))}")


def hotspot_frames(review: HotspotReview) -> dict[str, gpd.GeoDataFrame]:
    """The layers ``beatgrid hotspots`` writes, by layer name."""
    frames = {"grid_counts": review.grids, "cell_hotspots": review.cells}
    extra = {
        "emerging": review.emerging,
        "density_contours": review.contours,
        "cell_hotspots_whole": review.whole,
    }
    return {**frames, **{k: v for k, v in extra.items() if v is not None and len(v)}}


@reads_layers(tz=True, kinds=("grid", "track", "joint_point", "address"), tables=("visit",))
def coverage(
    inputs: Inputs,
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
    lang: Annotated[
        LangChoice, typer.Option("--lang", help="language of the summary and the workbook")
    ] = LangChoice.ZH,
) -> None:
    """Patrol coverage per grid, joint points visited, visit coverage (巡逻与走访覆盖).

    ``--roads`` measures reach along streets instead of over area; ``--hotspots`` adds the
    patrol dosage of each hot cell (minutes, visits of ≥ ``--min-visit`` minutes, the
    under-patrolled ones: layer ``hotspot_dosage``, sheet ``hotspot_visits``).
    """
    with user_errors(), progress() as bar:
        task = bar.add_task("load district", total=3)
        district = inputs.district()
        visit_table = _visits(district.tables.get("visit"), district, inputs.how)
        road_frame = None if roads is None else read_frame(roads)
        cells = None if hotspots is None else read_frame(hotspots, layer="cell_hotspots")
        bar.update(task, advance=1, description="coverage review")
        review = coverage_review(
            district,
            window=None if window is None else window.value,
            at=at,
            start=start,
            end=end,
            visits=visit_table,
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
        written = _write(frames, output, fmt, tables=tables, lang=lang.lang)
        bar.update(task, advance=1)
    _print_coverage(review, lang.lang)
    console.print(f"{Text('已写出', 'written').get(lang.lang)}: {', '.join(map(str, written))}")


def _visits(path: Path | None, district: District, how: Reading) -> pd.DataFrame | None:
    """The visit table read with times in local time (the zone of ``--tz`` or the data's)."""
    if path is None:
        return None
    from gis.io import read_visits

    return read_visits(path, tz=zone_of(district, how.tz))


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
    lang: Lang,
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
    sheets = review_sheets({**frames, **tables}, lang)
    written.append(write_workbook(sheets, folder / "results.xlsx"))
    return written


def _figures(title: str, rows: list[tuple[Text, str]], lang: Lang) -> Table:
    table = Table(title=title)
    table.add_column(Text("指标", "figure").get(lang))
    table.add_column(Text("数值", "value").get(lang), justify="right")
    for label, value in rows:
        table.add_row(label.get(lang), value)
    return table


def _print_hotspots(review: HotspotReview, lang: Lang) -> None:
    p, g = review.period, review.grids
    window = WINDOWS[p.window].get(lang) if p.window in WINDOWS else str(p.window)
    rows = [
        (Text("网格内警情", "incidents in grids"), f"{int(g['count'].sum())}"),
        (Text("上期警情", "previous period"), f"{int(g['previous_count'].sum())}"),
        (Text("热点/冷点网格", "hot / cold grids (Gi*)"), _hot_cold(review.grid_hotspots)),
        (
            Text(
                f"格网单元（边长 {review.cell_size_m:.0f} 米）",
                f"cells ({review.cell_size_m:.0f} m)",
            ),
            f"{len(review.cells)}",
        ),
        (Text("热点/冷点格网单元", "hot / cold cells (Gi*)"), _hot_cold(review.cell_hotspots)),
    ]
    em = review.emerging if review.emerging is not None else pd.DataFrame(columns=["pattern"])
    column = "label_zh" if lang == "zh" else "label_en"
    for label, n in em.loc[em["pattern"] != "none", column].value_counts().items():
        rows.append((Text(f"时空模式：{label}", f"emerging: {label}"), f"{n}"))
    rows.append(
        (
            Text("预测精度指数（前 3% 面积，上期→本期）", "PAI (3 %, previous → this period)"),
            f"{review.evaluation.pai:.2f}",
        )
    )
    title = f"{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d}（{window}）"
    console.print(_figures(title, rows, lang))


def _hot_cold(result: HotSpots) -> str:
    return f"{result.n_hot} / {result.n_cold}"


def _print_coverage(review: CoverageReview, lang: Lang) -> None:
    g = review.patrol.grids
    basis = Text("按道路长度", "street length") if review.roads else Text("按面积", "area")
    rows = [
        (Text("巡逻时长（小时）", "patrol hours"), f"{g['patrol_minutes'].sum() / 60:.1f}"),
        (Text("巡逻里程（千米）", "patrol km"), f"{g['distance_m'].sum() / 1000:.1f}"),
        (Text("未巡逻网格", "grids never patrolled"), f"{int((g['patrol_minutes'] == 0).sum())}"),
        (
            Text(f"平均巡逻覆盖率（{basis.zh}）", f"mean reach, {basis.en}"),
            f"{g['covered_share'].mean():.1%}",
        ),
    ]
    if review.joint_points is not None:
        rows.append(
            (
                Text("联防联控点到点率", "joint points visited"),
                f"{review.joint_points.visited_share:.1%}",
            )
        )
    if review.dosage is not None:
        rows.append((Text("热点格网单元", "hot cells"), f"{len(review.dosage.areas)}"))
        rows.append(
            (
                Text("巡逻不足的热点格网单元", "under-patrolled hot cells"),
                f"{len(review.dosage.under_patrolled)}",
            )
        )
    if review.visits is not None:
        v = review.visits
        rows.append(
            (Text("规范化走访覆盖率", "visit coverage"), f"{v.addresses['covered'].mean():.1%}")
        )
        rows.append(
            (
                Text("未走访重点地址", "uncovered key addresses"),
                f"{int((v.uncovered['level'] != 'ordinary').sum())}",
            )
        )
    console.print(
        _figures(Text("巡逻与走访覆盖", "patrol and visit coverage").get(lang), rows, lang)
    )


WINDOWS = {
    "day": Text("日", "day"),
    "week": Text("周", "week"),
    "month": Text("月", "month"),
    "custom": Text("自定义", "custom"),
}
