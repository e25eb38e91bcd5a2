"""``beatgrid hotspots`` and ``beatgrid coverage``: the commander's review figures.

Both take a district manifest (``beatgrid hotspots data/demo -o out/``), print a short
summary and write the result frames as GeoPackage (or GeoParquet with
``--format parquet``) plus one XLSX workbook with a sheet per frame (no geometry).

``hotspots`` classifies Gi* on normal p-values by default, as Esri's tool does: with
999 permutations the smallest pseudo p-value is 0.002, and after the false-discovery-rate
correction over hundreds of cells few cells can reach 95 % (``--inference permutation``
with ``--permutations 9999`` if permutation inference is wanted).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import geopandas as gpd
import pandas as pd
import typer
from rich.table import Table

from beatgrid.commands._common import console, progress, user_errors
from gis.errors import ConfigError, FileFormatError
from gis.hotspots.cells import Shape

Format = Literal["gpkg", "parquet"]


def register(app: typer.Typer) -> None:
    """Add ``hotspots`` and ``coverage`` to the CLI."""
    app.command("hotspots")(hotspots)
    app.command("coverage")(coverage)


def hotspots(
    manifest: Annotated[Path, typer.Argument(help="district manifest.json (or its folder)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for the results")],
    category: Annotated[
        list[str] | None, typer.Option("--category", help="only these categories (repeatable)")
    ] = None,
    window: Annotated[str, typer.Option(help="day, week or month")] = "month",
    at: Annotated[str | None, typer.Option(help="a date in the period (default: latest)")] = None,
    shape: Annotated[str, typer.Option(help="hexagon or square cells")] = "hexagon",
    size: Annotated[
        float | None, typer.Option(help="cell size, metres (default: from data)")
    ] = None,
    inference: Annotated[
        str, typer.Option(help="Gi* p-values: normal (as Esri) or permutation")
    ] = "normal",
    permutations: Annotated[int, typer.Option(help="Gi* permutations (with permutation)")] = 999,
    bins: Annotated[str, typer.Option(help="emerging hot-spot bins: day, week, month")] = "month",
    fmt: Annotated[str, typer.Option("--format", help="gpkg or parquet")] = "gpkg",
) -> None:
    """Counts per grid, Gi* hot spots, emerging hot spots and PAI (热点分析)."""
    with user_errors():
        _check_choice(window, ("day", "week", "month"), "--window")
        _check_choice(shape, ("hexagon", "square"), "--shape")
        _check_choice(fmt, ("gpkg", "parquet"), "--format")
        _check_choice(inference, ("normal", "permutation"), "--inference")
        options = {
            "manifest": manifest,
            "category": category,
            "window": window,
            "at": at,
            "shape": shape,
            "size": size,
            "bins": bins,
            "permutations": permutations if inference == "permutation" else 0,
        }
        state: dict[str, Any] = {"options": options}
        _run_steps(_HOTSPOT_STEPS, state)
        frames = {
            "grid_counts": state["grid_gi"].cells,
            "cell_hotspots": state["gi"].cells,
            "emerging": state["emerging"].cells,
        }
        written = _write(frames, output, fmt, tables={"pai": _pai_table(state["pai"])})
        _print_hotspots(state)
        console.print(f"written: {', '.join(str(p) for p in written)}")


def _load(s: dict[str, Any]) -> None:
    o = s["options"]
    s["district"], s["incidents"] = _district_incidents(o["manifest"], o["category"])


def _counts(s: dict[str, Any]) -> None:
    from gis.hotspots.counts import count_incidents, population_by_area

    d, o = s["district"], s["options"]
    pop = population_by_area(d.buildings, d.grids) if d.buildings is not None else None
    s["counts"] = count_incidents(
        s["incidents"], d.grids, window=o["window"], at=o["at"], population=pop
    )


def _cells(s: dict[str, Any]) -> None:
    from gis.hotspots.cells import make_cells
    from gis.hotspots.counts import assign_points

    o = s["options"]
    c = make_cells(
        s["district"].grids, shape=cast(Shape, o["shape"]), size_m=o["size"], points=s["incidents"]
    )
    inc = s["incidents"].to_crs(c.crs)
    inc["cell"] = assign_points(inc, c.cells)
    s["cell_size"], s["cell_incidents"] = c.size_m, inc
    period = s["counts"].period
    now = inc[(inc["time"] >= period.start) & (inc["time"] < period.end)]
    before = inc[(inc["time"] >= period.previous_start) & (inc["time"] < period.start)]
    s["cells"] = c.cells.assign(count=_per_cell(now, c.cells))
    s["cells_before"] = c.cells.assign(count=_per_cell(before, c.cells))


def _gi(s: dict[str, Any]) -> None:
    from gis.hotspots.gistar import gi_star

    perms = s["options"]["permutations"]
    s["gi"] = gi_star(s["cells"], permutations=perms)
    s["grid_gi"] = gi_star(s["counts"].areas, permutations=perms)


def _emerging(s: dict[str, Any]) -> None:
    from gis.hotspots.emerging import emerging_hotspots

    s["emerging"] = emerging_hotspots(
        s["cell_incidents"],
        s["cells"][["id", "geometry"]],
        freq=s["options"]["bins"],
        area_col="cell",
    )


def _evaluate(s: dict[str, Any]) -> None:
    from gis.hotspots.evaluation import pai

    s["pai"] = pai(s["cells_before"], s["cells"].set_index("id")["count"])


_HOTSPOT_STEPS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("load district", _load),
    ("counts and rates", _counts),
    ("cells", _cells),
    ("Gi* hot spots", _gi),
    ("emerging hot spots", _emerging),
    ("PAI", _evaluate),
]


def coverage(
    manifest: Annotated[Path, typer.Argument(help="district manifest.json (or its folder)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder for the results")],
    start: Annotated[str | None, typer.Option(help="period start (inclusive)")] = None,
    end: Annotated[str | None, typer.Option(help="period end (exclusive)")] = None,
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
    fmt: Annotated[str, typer.Option("--format", help="gpkg or parquet")] = "gpkg",
) -> None:
    """Patrol coverage per grid, joint points visited, visit coverage (巡逻与走访覆盖).

    ``--roads`` measures reach along streets instead of over area; ``--hotspots`` adds the
    patrol dosage of each hot cell (minutes, visits of ≥ ``--min-visit`` minutes, the
    under-patrolled ones: layer ``hotspot_dosage``, sheet ``hotspot_visits``).
    """
    with user_errors():
        _check_choice(fmt, ("gpkg", "parquet"), "--format")
        options = {
            "manifest": manifest,
            "start": start,
            "end": end,
            "within": within,
            "dwell_within": dwell_within,
            "min_dwell": min_dwell,
            "max_speed": max_speed,
            "max_gap": max_gap,
            "roads": roads,
            "hotspots": hotspots,
            "min_visit": min_visit,
        }
        state: dict[str, Any] = {"options": options}
        _run_steps(_COVERAGE_STEPS, state)
        frames = {"grid_patrol": state["patrol"].grids}
        tables: dict[str, pd.DataFrame] = {}
        if "joints" in state:
            frames["joint_points"] = state["joints"].points
        if "dosage" in state:
            frames["hotspot_dosage"] = state["dosage"].areas
            tables["hotspot_visits"] = state["dosage"].visits
        if "visits" in state:
            frames["grid_visits"] = state["visits"].grids
            tables["uncovered_addresses"] = state["visits"].uncovered
        written = _write(frames, output, fmt, tables=tables)
        _print_coverage(state)
        console.print(f"written: {', '.join(str(p) for p in written)}")


def _load_for_coverage(s: dict[str, Any]) -> None:
    from gis.district import load_district

    s["district"] = load_district(s["options"]["manifest"])
    if s["district"].tracks is None or s["district"].grids is None:
        raise ConfigError("the manifest needs grids and tracks / 清单须包含网格和轨迹")


def _patrol(s: dict[str, Any]) -> None:
    from gis.coverage.patrol import patrol_coverage

    d, o = s["district"], s["options"]
    roads = None if o["roads"] is None else _read_vector(o["roads"])
    s["patrol"] = patrol_coverage(
        d.tracks,
        d.grids,
        start=o["start"],
        end=o["end"],
        within_m=o["within"],
        roads=roads,
        max_speed_kmh=o["max_speed"],
        max_gap_s=o["max_gap"],
    )


def _joints(s: dict[str, Any]) -> None:
    from gis.coverage.joint_points import joint_point_visits
    from gis.coverage.patrol import legs_in_period

    d, p, o = s["district"], s["patrol"], s["options"]
    if d.joint_points is not None:
        legs = legs_in_period(p.tracks.legs, start=p.start, end=p.end)
        s["joints"] = joint_point_visits(
            legs, d.joint_points, within_m=o["dwell_within"], min_dwell_minutes=o["min_dwell"]
        )


def _dosage(s: dict[str, Any]) -> None:
    from gis.coverage.patrol import hotspot_dosage, legs_in_period

    p, o = s["patrol"], s["options"]
    if o["hotspots"] is not None:
        cells = _read_vector(o["hotspots"], layer="cell_hotspots")
        legs = legs_in_period(p.tracks.legs, start=p.start, end=p.end)
        s["dosage"] = hotspot_dosage(legs, cells, min_visit_minutes=o["min_visit"])


def _read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """A vector file as is (``layer`` when the file has it, else its first layer)."""
    import pyogrio

    from gis.io.read import check_file

    check_file(path)
    try:
        if path.suffix.lower() == ".parquet":
            return gpd.read_parquet(path)
        names = set(pyogrio.list_layers(path)[:, 0])
        return gpd.read_file(path, layer=layer if layer in names else None)
    except (pyogrio.errors.DataSourceError, OSError, ValueError) as exc:
        raise FileFormatError.single(path.name, f"cannot be read (无法读取): {exc}") from None


def _visits(s: dict[str, Any]) -> None:
    from gis.coverage.visits import visit_coverage

    d, o = s["district"], s["options"]
    if "visit" in d.tables and d.addresses is not None:
        table = pd.read_csv(d.tables["visit"], parse_dates=["time"])
        s["visits"] = visit_coverage(d.addresses, table, d.grids, start=o["start"], end=o["end"])


_COVERAGE_STEPS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("load district", _load_for_coverage),
    ("patrol coverage", _patrol),
    ("joint points", _joints),
    ("hot-spot dosage", _dosage),
    ("visit coverage", _visits),
]


def _check_choice(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise ConfigError(f"{option} must be one of {', '.join(choices)}, got {value!r}")


def _district_incidents(manifest: Path, category: list[str] | None) -> tuple[Any, gpd.GeoDataFrame]:
    from gis.district import load_district

    district = load_district(manifest)
    if district.incidents is None or district.grids is None:
        raise ConfigError("the manifest needs grids and incidents / 清单须包含网格和警情")
    incidents = district.incidents
    if category:
        incidents = incidents[incidents["category"].astype(str).isin(category)]
        if incidents.empty:
            raise ConfigError(f"no incident of category {', '.join(category)} / 没有该类别警情")
    return district, incidents


def _per_cell(incidents: pd.DataFrame, cells: gpd.GeoDataFrame) -> Any:
    return incidents["cell"].value_counts().reindex(cells["id"]).fillna(0).astype(int).to_numpy()


def _run_steps(steps: list[tuple[str, Callable[[dict[str, Any]], None]]], state: dict) -> None:
    with progress() as bar:
        task = bar.add_task("analysis", total=len(steps))
        for name, step in steps:
            bar.update(task, description=name)
            step(state)
            bar.advance(task)


def _write(
    frames: dict[str, gpd.GeoDataFrame], folder: Path, fmt: str, *, tables: dict[str, pd.DataFrame]
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    gpkg = folder / "results.gpkg"
    if fmt == "gpkg" and gpkg.exists():
        gpkg.unlink()
    for name, frame in frames.items():
        if fmt == "gpkg":
            frame.to_file(gpkg, layer=name, driver="GPKG")
            if gpkg not in written:
                written.append(gpkg)
        else:
            path = folder / f"{name}.parquet"
            frame.to_parquet(path)
            written.append(path)
    xlsx = folder / "results.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        for name, frame in {**frames, **tables}.items():
            plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
            for col in plain.select_dtypes(include=["datetimetz"]).columns:
                plain[col] = plain[col].dt.tz_localize(None)
            plain.to_excel(writer, sheet_name=name[:31], index=False)
    written.append(xlsx)
    return written


def _pai_table(result: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "pai": result.pai,
                "hit_rate": result.hit_rate,
                "area_share": result.area_share,
                "n_hit": result.n_hit,
                "n_total": result.n_total,
                "area_flagged_km2": result.area_flagged_km2,
                "area_total_km2": result.area_total_km2,
            }
        ]
    )


def _print_hotspots(state: dict[str, Any]) -> None:
    c, gi, em, p = state["counts"], state["gi"], state["emerging"], state["pai"]
    table = Table(title=f"{c.period.start:%Y-%m-%d} – {c.period.end:%Y-%m-%d} ({c.period.window})")
    table.add_column("figure / 指标")
    table.add_column("value / 数值", justify="right")
    table.add_row("incidents in grids / 网格内警情", f"{int(c.areas['count'].sum())}")
    table.add_row("previous period / 上期", f"{int(c.areas['previous_count'].sum())}")
    table.add_row(f"cells / 格元 ({state['cell_size']:.0f} m)", f"{len(gi.cells)}")
    table.add_row("hot / cold cells (Gi*) / 热点/冷点", f"{gi.n_hot} / {gi.n_cold}")
    patterns = em.cells.loc[em.cells["pattern"] != "none", "label_en"].value_counts()
    for label, n in patterns.items():
        table.add_row(f"emerging: {label}", f"{n}")
    table.add_row("PAI (3 %, previous → this period)", f"{p.pai:.2f}")
    console.print(table)


def _print_coverage(state: dict[str, Any]) -> None:
    g = state["patrol"].grids
    table = Table(title="patrol and visit coverage / 巡逻与走访覆盖")
    table.add_column("figure / 指标")
    table.add_column("value / 数值", justify="right")
    table.add_row("patrol hours / 巡逻时长 (h)", f"{g['patrol_minutes'].sum() / 60:.1f}")
    table.add_row("patrol km / 巡逻里程", f"{g['distance_m'].sum() / 1000:.1f}")
    table.add_row("grids never patrolled / 未巡逻网格", f"{int((g['patrol_minutes'] == 0).sum())}")
    basis = "street length / 道路长度" if state["options"]["roads"] else "area / 面积"
    table.add_row(f"mean reach, {basis} / 平均覆盖率", f"{g['covered_share'].mean():.1%}")
    if "joints" in state:
        table.add_row("joint points visited / 联防点到访率", f"{state['joints'].visited_share:.1%}")
    if "dosage" in state:
        dose = state["dosage"]
        table.add_row("hot cells / 热点格元", f"{len(dose.areas)}")
        table.add_row("under-patrolled hot cells / 巡逻不足热点", f"{len(dose.under_patrolled)}")
    if "visits" in state:
        v = state["visits"]
        covered = v.addresses["covered"].mean()
        table.add_row("visit coverage / 规范化走访覆盖率", f"{covered:.1%}")
        table.add_row(
            "uncovered key addresses / 未走访重点地址",
            f"{int((v.uncovered['level'] != 'ordinary').sum())}",
        )
    console.print(table)
