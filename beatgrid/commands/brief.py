"""``beatgrid brief``, ``beatgrid assess`` and ``beatgrid wallmap``: the documents of the
日见面、周研判、月讲评 rhythm, the two-way assessment table and the 网格示意图.

Each parses options, calls the library (:func:`gis.briefing.make_brief`,
:func:`gis.briefing.assess`) and writes the file; nothing is counted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import pandas as pd
import typer

from beatgrid.commands._choices import AreaScope, LangChoice, Window
from beatgrid.commands._common import console, progress, user_errors
from beatgrid.commands._inputs import (
    AREA_KINDS,
    DISTRICT_KINDS,
    Inputs,
    Reading,
    reads_layers,
    zone_of,
)
from gis.briefing import BriefKind, make_brief, read_weights
from gis.briefing.assessment import assessment_sheets
from gis.briefing.labels import ROLE
from gis.briefing.scope import ScopeKind as BriefScope
from gis.checks import check_district
from gis.district import District
from gis.documents import read_letterhead
from gis.errors import ConfigError
from gis.io import read_events, read_visits, write_workbook

AtOpt = Annotated[str, typer.Option("--at", help="a date in the period, e.g. 2025-11-20")]
ScopeOpt = Annotated[
    tuple[AreaScope, str] | None,
    typer.Option("--scope", help="station|street|community ID (default: the whole district)"),
]
LetterheadOpt = Annotated[
    Path | None, typer.Option("--letterhead", help="TOML: issuer, number, recipient, phones")
]
LangOpt = Annotated[LangChoice, typer.Option("--lang", help="zh or en")]
WALLMAP_KINDS = (*AREA_KINDS, "assignment")
"""What the 网格示意图 draws and names."""


def register(app: typer.Typer) -> None:
    app.command("brief")(brief)
    app.command("assess")(assess)
    app.command("wallmap")(wallmap)


@reads_layers(tz=True, kinds=DISTRICT_KINDS, tables=("event", "visit"))
def brief(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help=".docx, .html or .pdf")],
    period: Annotated[Window, typer.Option("--period", help="day, week or month")],
    at: AtOpt,
    scope: ScopeOpt = None,
    letterhead: LetterheadOpt = None,
    check: Annotated[bool, typer.Option(help="run the consistency check for its status")] = True,
    lang: LangOpt = LangChoice.ZH,
) -> None:
    """A briefing document: 日见面 (day), 周研判 (week), 月讲评 (month)."""
    from maps.brief_document import write_brief

    with user_errors():
        head, when = read_letterhead(letterhead), _date(at)
        _writable(output, (".docx", ".html", ".pdf"))
        with progress() as bar:
            task = bar.add_task("loading / 读取", total=4)
            district, how = inputs.district(), inputs.how
            bar.update(task, advance=1, description="checking / 一致性检查")
            report = check_district(district) if check else None
            bar.update(task, advance=1, description="analysing / 分析")
            result = make_brief(
                district,
                kind=cast(BriefKind, period.value),
                at=when,
                scope=_scope(scope),
                check=report,
                events=_events(district, how),
                visits=_visits(district, how),
                tz=zone_of(district, how.tz),
                lang=lang.lang,
            )
            bar.update(task, advance=1, description="writing / 写出")
            write_brief(result, output, letterhead=head)
            bar.update(task, advance=1)
        state = "零报告 / zero report" if result.zero_report else f"{len(result.actions)} 项待办"
        console.print(f"written / 已写出: {output} ({state})")


@reads_layers(tz=True, kinds=DISTRICT_KINDS, tables=("event", "visit"))
def assess(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help=".xlsx")],
    period: Annotated[Window, typer.Option("--period", help="week or month")],
    at: AtOpt,
    scope: ScopeOpt = None,
    weights: Annotated[Path | None, typer.Option(help="TOML weights (双向考核权重)")] = None,
    lang: LangOpt = LangChoice.ZH,
) -> None:
    """Two-way assessment (双向考核) per grid, officer, auxiliary and grid head, as XLSX."""
    with user_errors():
        _writable(output, (".xlsx",))
        if period is Window.day:
            raise ConfigError("assessment is weekly or monthly / 考核按周或按月")
        when, table = _date(at), read_weights(weights)
        district, how = inputs.district(), inputs.how
        result = make_brief(
            district,
            kind=cast(BriefKind, period.value),
            at=when,
            scope=_scope(scope),
            weights=table,
            events=_events(district, how),
            visits=_visits(district, how),
            tz=zone_of(district, how.tz),
            lang=lang.lang,
        )
        assert result.assessment is not None
        roles = {k: v.get(lang.lang) for k, v in ROLE.items()}
        sheets = assessment_sheets(
            result.assessment, lang=lang.lang, grid_names=result.grid_names, roles=roles
        )
        write_workbook(sheets, output)
        console.print(f"written / 已写出: {output}")


@reads_layers(kinds=WALLMAP_KINDS)
def wallmap(
    inputs: Inputs,
    community: Annotated[str, typer.Argument(help="community id (社区编码)")],
    output: Annotated[Path, typer.Option("--output", "-o", help=".pdf or .png (A3)")],
    letterhead: LetterheadOpt = None,
) -> None:
    """网格示意图 (公示上墙): an A3 map of a community's grids and who answers for them."""
    from maps.wallmap import write_wall_map

    with user_errors():
        head = read_letterhead(letterhead)
        _writable(output, (".pdf", ".png"))
        write_wall_map(inputs.district(), community, output, letterhead=head)
        console.print(f"written / 已写出: {output}")


def _events(district: District, how: Reading) -> pd.DataFrame | None:
    """The event table (事件流转) of ``--events`` or the manifest, in local time."""
    path = district.tables.get("event")
    return None if path is None else read_events(path, tz=zone_of(district, how.tz))


def _visits(district: District, how: Reading) -> pd.DataFrame | None:
    """The visit table (走访记录) of ``--visits`` or the manifest, in local time."""
    path = district.tables.get("visit")
    return None if path is None else read_visits(path, tz=zone_of(district, how.tz))


def _date(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise ConfigError(f"--at {text!r}: not a date (e.g. 2025-11-20) / 日期格式错误") from None


def _writable(output: Path, suffixes: tuple[str, ...]) -> None:
    """Refuse a wrong suffix or a missing folder before any work is done."""
    if output.suffix.lower() not in suffixes:
        raise ConfigError(
            f"{output.name}: write {' or '.join(suffixes)} / 输出格式应为 {'、'.join(suffixes)}"
        )
    if not output.parent.is_dir():
        raise ConfigError(f"{output.parent}: no such folder / 输出目录不存在")


def _scope(scope: tuple[AreaScope, str] | None) -> tuple[BriefScope, str | None]:
    return ("district", None) if scope is None else (cast(BriefScope, scope[0].value), scope[1])
