"""``beatgrid demo run``: the main job of ``make demo`` on the demo district.

Generate the district → load and validate every layer → run the consistency checks →
geocode the incidents given by address → compute the map results → serve the API and the
maps.  Each stage is one call into ``gis`` / ``api`` / ``maps``; this module only prints.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beatgrid.commands._choices import LangChoice
from beatgrid.commands._common import console, user_errors

if TYPE_CHECKING:
    from gis.district import District
    from maps.pages import MapPage

demo_app = typer.Typer(help="The demo district: generate it, check it, serve its maps.")


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
    lang: Annotated[LangChoice, typer.Option(help="language of the report")] = LangChoice.ZH,
) -> None:
    """Generate, load, check, geocode, analyse and serve the demo district (演示全流程)."""
    from data.generate import generate_demo

    with user_errors():
        _stage("1/6 generate / 生成演示辖区")
        manifest = generate_demo(out, seed=20161013)
        _stage("2/6 load and validate / 加载并校验图层")
        district = _load(manifest)
        _stage("3/6 boundary consistency / 边界一致性检查")
        _check(district, out / "report", lang)
        _stage("4/6 geocode incidents given by address / 地址警情定位")
        _geocode(district, out)
        _stage("5/6 grid redraw: population balance and change notice / 网格人口均衡与变更通知")
        change = _redraw(district, out / "notice")
        _stage("6/6 analyses for the maps / 热点与巡逻覆盖分析")
        pages = _pages(district, change)
        if serve:
            _serve(manifest, pages, district_name=district.name, out=out, host=host, port=port)


def _stage(title: str) -> None:
    console.rule(f"[bold]{title}")


def _load(manifest: Path) -> District:
    from beatgrid.commands.layers import _print_summary
    from gis.district import load_district

    district = load_district(manifest)
    _print_summary(district.name, district.summary())
    return district


def _check(district: District, folder: Path, lang: LangChoice) -> None:
    from beatgrid.commands.check import _print, _write
    from gis.checks import check_district

    started = time.perf_counter()
    report = check_district(district)
    _print(report, lang.lang)
    _write(report, folder)
    console.print(
        f"checked in {time.perf_counter() - started:.1f} s; report files in {folder}/ "
        "(the demo plants defects on purpose: docs/demo.md lists them)"
    )


def _geocode(district: District, out: Path) -> None:
    from beatgrid.commands.geocode import _summary_table
    from gis.geocoding.assign import build_area_index, district_areas
    from gis.geocoding.batch import geocode_file
    from gis.geocoding.match import load_gazetteer
    from gis.geocoding.pipeline import GeocodeOptions

    index = build_area_index(district_areas(district), tolerance_m=1.0)
    options = GeocodeOptions(
        x=None, y=None, address="address", gazetteer=load_gazetteer(out / "gazetteer.csv")
    )
    summary = geocode_file(
        out / "incident_addresses.csv", out / "incident_addresses_geocoded.csv", index,
        options=options,
    )  # fmt: skip
    console.print(_summary_table(summary, "zh"))


def _redraw(district: District, folder: Path) -> dict[str, object]:
    """Balance the out-of-band grids, write the station's change notice, return the map parts."""
    from beatgrid.commands.redraw import _roads, change_layers, impact_of
    from gis.redraw.balance import Band, balance_district
    from gis.redraw.notice import build_notice

    if district.grids is None or district.buildings is None:
        return {}
    with console.status("balancing grids / 网格均衡中 …"):
        new, results = balance_district(
            district.grids, district.buildings, band=Band(min_households=300, max_households=800),
            barriers=_roads(district), scope="neighbourhood",
        )  # fmt: skip
        found = impact_of(district, new)
        notice = build_notice(
            found, district.grids, new,
            sender=_first_name(district.streets, district.name),
            recipient=_first_name(district.stations, ""),
            date=time.strftime("%Y-%m-%d"),
        )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    notice.write_html(folder / "notice.html")
    notice.write_xlsx(folder / "notice.xlsx")
    for r in results:
        f = r.figures
        console.print(
            f"community {r.community_id}: grids in band {f['in_band_before']:.0f} → "
            f"{f['in_band_after']:.0f} of {f['grids_after']:.0f}; max deviation "
            f"{f['max_deviation_before']:.2f} → {f['max_deviation_after']:.2f}"
        )
    console.print(f"change notice for the police station: {folder}/notice.html, notice.xlsx")
    diff, beats = change_layers(district, found)
    return {"new_grids": new, "grid_diff": diff, "affected_beats": beats}


def _first_name(layer: object, default: str) -> str:
    names = getattr(layer, "get", lambda _: None)("name")
    return str(names.iloc[0]) if names is not None and len(names) else default


def _pages(district: District, change: dict[str, object]) -> list[MapPage]:
    from dataclasses import replace

    from maps.pages import district_pages
    from maps.results import district_results

    started = time.perf_counter()
    with console.status("hot spots, patrol coverage … / 热点、巡逻覆盖分析中 …"):
        pages = district_pages(replace(district_results(district), **change))  # type: ignore[arg-type]
    console.print(f"{len(pages)} maps ready in {time.perf_counter() - started:.1f} s")
    return pages


def _serve(
    manifest: Path, pages: list[MapPage], *, district_name: str, out: Path, host: str, port: int
) -> None:
    import uvicorn

    from api.app import create_app
    from api.demo import seed_demo
    from api.settings import Settings
    from maps.web import maps_router

    settings = Settings(database_url=f"sqlite:///{(out / 'beatgrid.sqlite').resolve()}")
    logins = seed_demo(settings, manifest)
    app = create_app(settings, extra_routers=[maps_router(pages, district=district_name)])
    base = f"http://{host}:{port}"
    console.rule("[bold green]beatgrid is serving / 服务已启动")
    console.print(f"maps / 地图:        {base}/maps/")
    console.print(f"API docs / 接口文档: {base}/docs")
    console.print(f"OGC API Features:  {base}/ogc")
    for login in logins:
        console.print(f"login {login.role:<13} {login.username} / {login.password}  ({login.area})")
    uvicorn.run(app, host=host, port=port, log_level="warning")
