"""``beatgrid map ...``: standalone HTML maps that work with no server and no internet.

Every script and stylesheet is copied into the file (images as ``data:`` URIs), so the file
opens from a USB stick on an intranet PC.  Inputs are result files written by the other
commands (findings, hot-spot cells, coverage frames) and the layers, in any format
geopandas reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import geopandas as gpd
import typer

from beatgrid.commands._choices import BasemapCrs, LangChoice, MapValue
from beatgrid.commands._common import console, user_errors
from beatgrid.commands._inputs import DISTRICT_KINDS, Inputs, reads_layers
from gis.errors import ConfigError
from gis.io import read_frame

if TYPE_CHECKING:  # maps (folium) is imported only when a map command runs: fast CLI start
    import folium

    from maps.base import MapOptions

app = typer.Typer(
    help="Interactive maps as standalone HTML files / 导出离线地图", no_args_is_help=True
)

Out = Annotated[Path, typer.Option("--out", "-o", help="HTML file to write", dir_okay=False)]
LangOpt = Annotated[LangChoice, typer.Option("--lang", help="language of the map")]
BasemapOpt = Annotated[
    str | None, typer.Option("--basemap-url", help="XYZ tile URL (intranet); none by default")
]
BasemapCrsOpt = Annotated[
    BasemapCrs, typer.Option("--basemap-crs", help="CRS of the tiles (gcj02: Amap tiles)")
]
FileOpt = Annotated[Path | None, typer.Option(exists=True, dir_okay=False)]


def register(root: typer.Typer) -> None:
    """Add ``beatgrid map`` to the CLI."""
    root.add_typer(app, name="map")


def _read(path: Path | None) -> gpd.GeoDataFrame | None:
    """A result file or layer through ``gis.io`` (GBK detection, CRS rules, located errors)."""
    return None if path is None else read_frame(path)


def _need(path: Path) -> gpd.GeoDataFrame:
    frame = _read(path)
    assert frame is not None
    return frame


def _write(
    m: folium.Map, out: Path, *, lang: LangChoice, basemap: str | None, crs: BasemapCrs
) -> None:
    from maps.base import render_html

    html = render_html(m, inline=True, options=_options(lang, basemap, crs))
    out.write_text(html, encoding="utf-8")
    console.print(f"wrote {out} ({len(html.encode()) / 1e6:.2f} MB, works offline)")


def _options(lang: LangChoice, basemap: str | None, crs: BasemapCrs) -> MapOptions:
    """Options from the command line (typer has already refused values outside the choices)."""
    from maps.base import MapOptions

    return MapOptions(lang=lang.lang, basemap_url=basemap, basemap_crs=crs.value)


@app.command("alignment")
@reads_layers(kinds=("grid", "beat", "aux_beat", "joint_point"))
def alignment(
    inputs: Inputs,
    findings: Annotated[Path, typer.Argument(dir_okay=False, help="findings file of `check -o`")],
    out: Out,
    lang: LangOpt = LangChoice.ZH,
    basemap_url: BasemapOpt = None,
    basemap_crs: BasemapCrsOpt = BasemapCrs.WGS84,
) -> None:
    """Grids, beats and joint points with every misalignment highlighted.

    Layers are read like ``check`` reads them: a manifest or workspace .gpkg before the
    findings, or files (``--grids``, ``--beats`` …), with the same options.
    """
    from maps.alignment import alignment_map

    with user_errors():
        read = inputs.district()
        if read.grids is None:
            raise ConfigError("no grid layer: give --grids FILE (缺少网格图层，请用 --grids 指定)")
        m = alignment_map(
            _need(findings),
            grids=read.grids,
            beats=read.beats,
            aux_beats=read.aux_beats,
            joint_points=read.joint_points,
            options=_options(lang, basemap_url, basemap_crs),
        )
        _write(m, out, lang=lang, basemap=basemap_url, crs=basemap_crs)


@app.command("hotspots")
def hotspots(
    cells: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="hot-spot cells")],
    out: Out,
    value: Annotated[MapValue, typer.Option(help="what the choropleth colours")] = MapValue.COUNT,
    kde: FileOpt = None,
    lang: LangOpt = LangChoice.ZH,
    basemap_url: BasemapOpt = None,
    basemap_crs: BasemapCrsOpt = BasemapCrs.WGS84,
) -> None:
    """Counts/rates choropleth, Gi* classes and kernel-density heat."""
    from maps.hotspots import hotspot_map

    with user_errors():
        m = hotspot_map(
            _need(cells),
            value=value.value,
            kde=_read(kde),
            options=_options(lang, basemap_url, basemap_crs),
        )
        _write(m, out, lang=lang, basemap=basemap_url, crs=basemap_crs)


@app.command("coverage")
def coverage(
    grids: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="grid coverage")],
    out: Out,
    tracks: FileOpt = None,
    covered: FileOpt = None,
    uncovered: FileOpt = None,
    joint_points: FileOpt = None,
    dosage: FileOpt = None,
    lang: LangOpt = LangChoice.ZH,
    basemap_url: BasemapOpt = None,
    basemap_crs: BasemapCrsOpt = BasemapCrs.WGS84,
) -> None:
    """Patrol tracks, covered/uncovered parts, joint-point visits, under-patrolled hot spots."""
    from maps.coverage import coverage_map

    with user_errors():
        m = coverage_map(
            _need(grids),
            tracks=_read(tracks),
            covered=_read(covered),
            uncovered=_read(uncovered),
            joint_points=_read(joint_points),
            dosage=_read(dosage),
            options=_options(lang, basemap_url, basemap_crs),
        )
        _write(m, out, lang=lang, basemap=basemap_url, crs=basemap_crs)


@app.command("changes")
def changes(
    old_grids: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    new_grids: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    out: Out,
    diff: FileOpt = None,
    affected_beats: FileOpt = None,
    lang: LangOpt = LangChoice.ZH,
    basemap_url: BasemapOpt = None,
    basemap_crs: BasemapCrsOpt = BasemapCrs.WGS84,
) -> None:
    """Old vs new grids and the beats the change affects."""
    from maps.changes import changes_map

    with user_errors():
        m = changes_map(
            _need(old_grids),
            _need(new_grids),
            diff=_read(diff),
            affected_beats=_read(affected_beats),
            options=_options(lang, basemap_url, basemap_crs),
        )
        _write(m, out, lang=lang, basemap=basemap_url, crs=basemap_crs)


@app.command("district")
@reads_layers(kinds=DISTRICT_KINDS, tables=("event", "visit"))
def district(
    inputs: Inputs,
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", file_okay=False)],
    basemap_url: BasemapOpt = None,
    basemap_crs: BasemapCrsOpt = BasemapCrs.WGS84,
) -> None:
    """Every map of a district in both languages, with an index.html: a folder for a USB stick."""
    from maps.base import render_html
    from maps.pages import district_pages
    from maps.results import district_results
    from maps.web import landing_html

    with user_errors():
        loaded = inputs.district()
        with console.status("analysing / 分析中 …"):
            pages = district_pages(district_results(loaded))
        out_dir.mkdir(parents=True, exist_ok=True)
        for lang in LangChoice:
            opts = _options(lang, basemap_url, basemap_crs)
            for page in pages:
                m = page.build(opts, _file(page.name, "en" if lang == "zh" else "zh"))
                html = render_html(m, inline=True, options=opts)
                (out_dir / _file(page.name, lang)).write_text(html, encoding="utf-8")
            index = landing_html(pages, district=loaded.name, lang=opts.lang, href=_file)
            name = "index.html" if lang == "zh" else "index-en.html"
            (out_dir / name).write_text(index, encoding="utf-8")
    console.print(f"wrote {len(pages)} maps × 2 languages to {out_dir}/index.html")


def _file(name: str, lang: str) -> str:
    """``hotspots-en.html``; the index for an empty name."""
    if not name:
        return "index.html" if lang == "zh" else "index-en.html"
    return f"{name}-{lang}.html"


@app.command("assets")
def assets(
    update_lock: Annotated[bool, typer.Option(help="rewrite the lock file")] = False,
) -> None:
    """Fetch Leaflet and plugins from the npm registry into maps/static/vendor (install step)."""
    from maps.assets import vendor_assets

    with user_errors():
        fetched = vendor_assets(update_lock=update_lock)
    for name, entry in fetched.items():
        console.print(f"{name}@{entry['version']}")
