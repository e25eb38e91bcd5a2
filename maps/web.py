"""The offline assets in the service: ``/maps/static/...`` (Leaflet, plugins, Swagger UI,
the workspace scripts and styles).

Every script, stylesheet and image a page needs is served here, from the files vendored
at install time (:mod:`maps.assets`): a page makes no request to any other host.  The
files are public (libraries and styles, no data), so the login page and ``/docs`` load
them too.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse

from gis.i18n import Lang
from maps.assets import STATIC_DIR, VENDOR_DIR, verify_assets
from maps.base import MapOptions, render_html
from maps.labels import TITLES, WORDS
from maps.pages import MapPage

LangQuery = Annotated[Literal["zh", "en"], Query(description="label language / 标注语言")]
PagesSource = Sequence[MapPage] | Callable[[], Sequence[MapPage]]
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def static_router(*, prefix: str = "/maps/static", check_assets: bool = True) -> APIRouter:
    """A router serving the vendored assets and the workspace scripts under ``prefix``.

    ``check_assets`` verifies the vendored files against the lock at start-up (fail
    early, not in the browser).
    """
    if check_assets:
        verify_assets(VENDOR_DIR)
    router = APIRouter(prefix=prefix, tags=["maps"])

    @router.get("/{path:path}", include_in_schema=False)
    def static(path: str) -> FileResponse:
        file = (STATIC_DIR / path).resolve()
        if not file.is_relative_to(STATIC_DIR) or not file.is_file() or file.suffix not in _TYPES:
            raise HTTPException(404, f"no asset {path!r}")
        headers = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(file, media_type=_TYPES[file.suffix], headers=headers)

    return router


def maps_router(
    pages: PagesSource,
    *,
    district: str = "",
    options: MapOptions | None = None,
    prefix: str = "/maps",
    check_assets: bool = True,
) -> APIRouter:
    """A router serving a fixed set of folium map pages and their offline assets.

    The web application draws its maps from the database (:mod:`api.web`); this serves
    the analysis maps ``beatgrid maps`` builds from files, for a viewer or a benchmark.

    Parameters
    ----------
    pages
        The pages (``maps.pages.district_pages(results)``), or a callable returning them
        (called on each landing-page request, so new results show up).
    district
        Shown in the landing page's title.
    options
        Basemap and simplification; ``lang`` is taken from each request.
    prefix
        Where the router is mounted; asset links follow it.
    check_assets
        Verify the vendored files against the lock at start-up (fail early, not in the
        browser).
    """
    if check_assets:
        verify_assets(VENDOR_DIR)
    base = replace(options or MapOptions(), asset_base_url=f"{prefix}/static")
    cache: dict[tuple[str, Lang], str] = {}
    lock = threading.Lock()

    def current() -> dict[str, MapPage]:
        found = pages() if callable(pages) else pages
        return {p.name: p for p in found}

    router = APIRouter(prefix=prefix, tags=["maps"])
    router.include_router(static_router(prefix="/static", check_assets=False))

    @router.get("/", response_class=HTMLResponse, summary="Map index / 地图目录")
    def landing(lang: LangQuery = "zh") -> HTMLResponse:
        return HTMLResponse(landing_html(list(current().values()), district=district, lang=lang))

    @router.get("/{name}", response_class=HTMLResponse, summary="One map / 地图")
    def page(name: str, lang: LangQuery = "zh") -> HTMLResponse:
        found = current().get(name)
        if found is None:
            raise HTTPException(404, f"no map {name!r}; see {prefix}/")
        with lock:
            if (name, lang) not in cache:
                other = "en" if lang == "zh" else "zh"
                m = found.build(replace(base, lang=lang), f"?lang={other}")
                cache[(name, lang)] = render_html(m, options=base)
        return HTMLResponse(cache[(name, lang)])

    return router


def landing_html(
    pages: Sequence[MapPage],
    *,
    district: str,
    lang: Lang,
    href: Callable[[str, Lang], str] = lambda name, lang: f"{name}?lang={lang}",
) -> str:
    """A plain page linking the map files ``beatgrid maps`` wrote (no script, no asset).

    ``href(name, lang)`` gives each link (``"hotspots-en.html"`` for a folder of files);
    the language switch links ``href("", other)``.
    """
    title = f"{html.escape(district)} {TITLES['index'].get(lang)}".strip()
    other: Lang = "en" if lang == "zh" else "zh"
    items = (
        "".join(
            f'<li><a href="{href(p.name, lang)}">{html.escape(p.title.get(lang))}</a></li>'
            for p in pages
        )
        or f"<li>{WORDS['no_maps'].get(lang)}</li>"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title} · beatgrid</title><link rel="icon" href="data:,">'
        "<style>body{font:16px/1.6 sans-serif;"
        "margin:2em auto;max-width:40em;padding:0 1em}a{color:#2b6cb0}</style></head>"
        f'<body><h1>{title}</h1><ul class="maps">{items}</ul>'
        f'<p><a href="{href("", other)}">{WORDS["language"].get(lang)}</a></p></body></html>'
    )
