"""``beatgrid redraw``: edit grids, diff versions, assess impact, balance, notify.

Thin commands over :mod:`gis.redraw`.  Every command reads the district like every other
command (:mod:`beatgrid.commands._inputs`): a manifest (or its folder), a workspace .gpkg,
or single files (``--grids``, ``--beats`` … of the kinds it uses).  Edits write the
proposed grid layer with ``-o`` only when the consistency engine finds no new tiling
violation.  Lines and polygons are WKT in the grids' CRS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
import shapely
import typer
from rich.table import Table

from beatgrid.commands._choices import ScopeChoice
from beatgrid.commands._common import console, user_errors
from beatgrid.commands._inputs import Inputs, Reading, option_of, reads_layers
from gis.district import District
from gis.io import read_frame, write_layer
from gis.redraw import (
    EditResult,
    Impact,
    assess_impact,
    diff_grids,
    draw_grid,
    merge_grids,
    move_boundary,
    reassign_grid,
)
from gis.redraw import split_grid as _split
from gis.redraw.balance import Band, Scope, balance_district, propose_balance
from gis.redraw.beats import propose_beats
from gis.redraw.notice import build_notice

app = typer.Typer(help="Redraw grids safely (网格调整): edits, diff, impact, balance, notice.")

Output = Annotated[Path, typer.Option("--output", "-o", help="file to write")]
Lock = Annotated[list[str] | None, typer.Option("--lock", help="grid id that must not change")]


def register(root: typer.Typer) -> None:
    """Add ``redraw`` to the CLI."""
    root.add_typer(app, name="redraw")


EDIT = ("grid", "community")
"""What an edit reads: the grids and the communities they must tile."""
IMPACT = (
    "grid",
    "beat",
    "aux_beat",
    "joint_point",
    "address",
    "incident",
    "assignment",
    "building",
)
"""What an impact (and its notice) counts."""


def _district(inputs: Inputs) -> District:
    """The district of the command's inputs (manifest, workspace .gpkg or files)."""
    district: District = inputs.district()
    return district


def _lacks(kind: str) -> typer.BadParameter:
    """No layer of ``kind``: name the option that gives one."""
    return typer.BadParameter(
        f"no {kind} layer: give {option_of(kind)} FILE or a manifest that lists one "
        f"(缺少图层 {kind}，请用 {option_of(kind)} 指定文件)"
    )


def _new_grids(path: Path, how: Reading) -> gpd.GeoDataFrame:
    """The new grid layer file, read with the same options as the district, except that a
    file with an ``id`` column (what the edit commands write) is read without ``--map``."""
    from dataclasses import replace

    if "id" in _columns(path, how.layers.get("grid") or how.layers.get("")):
        how = replace(how, maps={})
    grids: gpd.GeoDataFrame = Inputs(None, {"grid": path}, how).district().grids
    return grids


def _columns(path: Path, layer: str | None) -> set[str]:
    """The attribute columns of a layer file (none when it cannot be read as one)."""
    import pyogrio

    try:
        return {str(c) for c in pyogrio.read_info(path, layer=layer)["fields"]}
    except Exception:  # not a layer file: reading it reports why
        return set()


def _grids(district: District) -> gpd.GeoDataFrame:
    if district.grids is None:
        raise _lacks("grid")
    return district.grids


def _save(result: EditResult, output: Path) -> None:
    console.print(f"[green]✓[/] {result.description}")
    write_layer(result.grids, output)
    console.print(f"written {output}")


@app.command("split")
@reads_layers(kinds=EDIT)
def split(
    inputs: Inputs,
    grid_id: Annotated[str, typer.Argument(help="grid to split")],
    line: Annotated[str, typer.Option("--line", help="WKT LINESTRING in the grids' CRS")],
    output: Output,
    new_id: Annotated[list[str] | None, typer.Option("--new-id")] = None,
    lock: Lock = None,
) -> None:
    """Split a grid by a line crossing it (网格分割)."""
    with user_errors():
        d = _district(inputs)
        result = _split(
            _grids(d),
            grid_id,
            shapely.from_wkt(line),
            new_ids=new_id,
            communities=d.communities,
            locked=lock or (),
        )
        _save(result, output)


@app.command("merge")
@reads_layers(kinds=EDIT)
def merge(
    inputs: Inputs,
    ids: Annotated[list[str], typer.Argument(help="adjacent grids of one community")],
    output: Output,
    new_id: Annotated[str | None, typer.Option("--new-id")] = None,
    lock: Lock = None,
) -> None:
    """Merge adjacent grids (网格合并)."""
    with user_errors():
        d = _district(inputs)
        result = merge_grids(
            _grids(d), ids, new_id=new_id, communities=d.communities, locked=lock or ()
        )
        _save(result, output)


@app.command("move")
@reads_layers(kinds=EDIT)
def move(
    inputs: Inputs,
    first: Annotated[str, typer.Argument(help="grid on one side")],
    second: Annotated[str, typer.Argument(help="its neighbour")],
    line: Annotated[str, typer.Option("--line", help="new shared boundary, WKT")],
    output: Output,
    lock: Lock = None,
) -> None:
    """Move the shared boundary of two neighbouring grids (边界调整)."""
    with user_errors():
        d = _district(inputs)
        result = move_boundary(
            _grids(d),
            first,
            second,
            shapely.from_wkt(line),
            communities=d.communities,
            locked=lock or (),
        )
        _save(result, output)


@app.command("reassign")
@reads_layers(kinds=EDIT)
def reassign(
    inputs: Inputs,
    grid_id: Annotated[str, typer.Argument(help="grid to move")],
    community: Annotated[str, typer.Argument(help="the neighbouring community it joins")],
    output: Output,
    communities_out: Annotated[
        Path | None, typer.Option("--communities-out", help="file for the new communities")
    ] = None,
    lock: Lock = None,
) -> None:
    """Move a grid to a neighbouring community (网格划转); both communities are reshaped."""
    with user_errors():
        d = _district(inputs)
        if d.communities is None:
            raise _lacks("community")
        result = reassign_grid(
            _grids(d), grid_id, community, communities=d.communities, locked=lock or ()
        )
        _save(result, output)
        if communities_out is not None and result.communities is not None:
            write_layer(result.communities, communities_out)


@app.command("draw")
@reads_layers(kinds=EDIT)
def draw(
    inputs: Inputs,
    polygon: Annotated[str, typer.Option("--polygon", help="WKT POLYGON in the grids' CRS")],
    output: Output,
    new_id: Annotated[str | None, typer.Option("--new-id")] = None,
    name: Annotated[str, typer.Option("--name")] = "",
    lock: Lock = None,
) -> None:
    """Draw a new grid carved out of the grids it covers (新增网格)."""
    with user_errors():
        d = _district(inputs)
        result = draw_grid(
            _grids(d),
            shapely.from_wkt(polygon),
            new_id=new_id,
            name=name,
            communities=d.communities,
            locked=lock or (),
        )
        _save(result, output)


@app.command("diff")
@reads_layers(kinds=("grid", "building"))
def diff(
    inputs: Inputs,
    after: Annotated[Path, typer.Argument(help="the new grid layer file")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV")] = None,
) -> None:
    """Diff the district's grids against a new version (areas, households moving)."""
    with user_errors():
        d = _district(inputs)
        new = _new_grids(after, inputs.how)
        result = diff_grids(_grids(d), new, buildings=d.buildings)
        table = Table("status", "count")
        for status, count in result.counts().items():
            table.add_row(status, str(count))
        console.print(table)
        if output is not None:
            write_layer(pd.DataFrame(result.changed.drop(columns="geometry")), output, format="csv")


@app.command("impact")
@reads_layers(kinds=IMPACT)
def impact(
    inputs: Inputs,
    after: Annotated[Path, typer.Argument(help="the new grid layer file")],
) -> None:
    """What a new grid version affects: beats, aux beats, points, officers, incidents."""
    with user_errors():
        d = _district(inputs)
        result = impact_of(d, _new_grids(after, inputs.how))
        table = Table("impact / 影响", "count")
        for key, value in result.summary().items():
            table.add_row(key, str(value))
        console.print(table)


def impact_of(d: District, new: gpd.GeoDataFrame) -> Impact:
    """Everything a new grid layer changes for the district's beats, points and people."""
    return assess_impact(
        _grids(d),
        new,
        beats=d.beats,
        aux_beats=d.aux_beats,
        joint_points=d.joint_points,
        addresses=d.addresses,
        incidents=d.incidents,
        assignments=d.assignments,
        buildings=d.buildings,
    )


@app.command("notice")
@reads_layers(kinds=IMPACT)
def notice(
    inputs: Inputs,
    after: Annotated[Path, typer.Argument(help="the new grid layer file")],
    output: Annotated[Path, typer.Option("--output", "-o", help="folder")],
    sender: Annotated[str, typer.Option("--from")] = "",
    recipient: Annotated[str, typer.Option("--to")] = "",
    date: Annotated[str, typer.Option("--date")] = "",
    with_map: Annotated[
        bool, typer.Option("--changes-map", help="also write changes.html (interactive map)")
    ] = False,
) -> None:
    """Write the change notice to the police station (HTML + XLSX, zh/en)."""
    with user_errors():
        d = _district(inputs)
        new = _new_grids(after, inputs.how)
        found = impact_of(d, new)
        result = build_notice(found, _grids(d), new, sender=sender, recipient=recipient, date=date)
        output.mkdir(parents=True, exist_ok=True)
        result.write_html(output / "notice.html")
        result.write_xlsx(output / "notice.xlsx")
        if with_map:
            _changes_map(d, new, found).save(str(output / "changes.html"))
        console.print(f"written {output / 'notice.html'} and {output / 'notice.xlsx'}")


@app.command("balance")
@reads_layers(kinds=("grid", "building"))
def balance(
    inputs: Inputs,
    output: Output,
    community: Annotated[str | None, typer.Option("--community", help="only this one")] = None,
    min_households: Annotated[float, typer.Option("--min-households")] = 300,
    max_households: Annotated[float, typer.Option("--max-households")] = 800,
    min_population: Annotated[float | None, typer.Option("--min-population")] = None,
    max_population: Annotated[float | None, typer.Option("--max-population")] = None,
    lock: Lock = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    scope: Annotated[
        ScopeChoice, typer.Option("--scope", help="neighbourhood: fewer grids change")
    ] = ScopeChoice.COMMUNITY,
) -> None:
    """Redraw grids so every grid's households lie in the band (人口规模适度)."""
    with user_errors():
        d = _district(inputs)
        band = Band(
            min_households=min_households,
            max_households=max_households,
            min_population=min_population,
            max_population=max_population,
        )
        roads = _roads(d)
        if d.buildings is None:
            raise _lacks("building")
        if community is not None:
            one = propose_balance(
                _grids(d),
                d.buildings,
                community_id=community,
                band=band,
                barriers=roads,
                locked=lock or (),
                seed=seed,
                scope=_scope(scope),
            )
            grids, results = one.grids, [one]
        else:
            grids, results = balance_district(
                _grids(d),
                d.buildings,
                band=band,
                barriers=roads,
                locked=lock or (),
                seed=seed,
                scope=_scope(scope),
            )
        table = Table("community", "grids", "in band", "max dev.", "mean PP")
        for r in results:
            f = r.figures
            table.add_row(
                r.community_id,
                f"{f['grids_before']:.0f} → {f['grids_after']:.0f}",
                f"{f['in_band_before']:.0f} → {f['in_band_after']:.0f}",
                f"{f['max_deviation_before']:.2f} → {f['max_deviation_after']:.2f}",
                f"{f['mean_pp_before']:.2f} → {f['mean_pp_after']:.2f}",
            )
        console.print(table)
        write_layer(grids, output)


@app.command("beats")
@reads_layers(kinds=("grid", "beat", "building", "incident"))
def beats(
    inputs: Inputs,
    output: Output,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Propose officer beats as balanced unions of whole grids (责任区均衡划分)."""
    with user_errors():
        d = _district(inputs)
        if d.beats is None or d.buildings is None:
            raise _lacks("beat" if d.beats is None else "building")
        result = propose_beats(_grids(d), d.beats, d.buildings, incidents=d.incidents, seed=seed)
        f = result.figures
        console.print(
            f"workload imbalance {f['imbalance_before']:.2f} → "
            f"{f['imbalance_after']:.2f}; mean PP {f['mean_pp_before']:.2f} → "
            f"{f['mean_pp_after']:.2f}"
        )
        write_layer(result.beats, output)


def change_layers(d: District, found: Impact) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """What the grid-change map draws of a change: changed areas and affected beats."""
    diff = found.diff.changed.copy()
    diff["change"] = diff["status"].replace({"reshaped": "changed", "renamed": "changed"})
    beats = None
    if found.beat_proposal is not None and d.beats is not None:
        moved = set(found.beat_proposal.changes["from"]) | set(found.beat_proposal.changes["to"])
        beats = d.beats[d.beats["id"].astype(str).isin(moved)]
    return diff, beats


def _changes_map(d: District, new: gpd.GeoDataFrame, found: Impact) -> Any:
    """The maps engineer's grid-change map (maps.changes) of this change."""
    from maps.changes import changes_map

    diff, beats = change_layers(d, found)
    return changes_map(_grids(d), new, diff=diff, affected_beats=beats)


def _scope(choice: ScopeChoice) -> Scope:
    return "neighbourhood" if choice is ScopeChoice.NEIGHBOURHOOD else "community"


def _roads(d: District) -> gpd.GeoDataFrame | None:
    """The road layer the manifest lists under ``extras`` (else None)."""
    path = d.extras.get("roads")
    return None if path is None else read_frame(path)
