"""Errors answered to a browser page are pages (bilingual), not JSON.

A request "wants a page" when it is a GET whose ``Accept`` starts with ``text/html`` (a
link followed or an address typed); scripts calling the JSON API keep the JSON answers
of :mod:`api.errors`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import errors
from api.web.render import WORDS, lang_of, render
from gis.errors import BeatgridError


def wants_page(request: Request) -> bool:
    return request.method == "GET" and request.headers.get("accept", "").startswith("text/html")


def error_page(request: Request, status: int, message: str) -> Response:
    lang = lang_of(request)
    heading = {404: WORDS["not_found"], 403: WORDS["forbidden"]}.get(status, WORDS["error"])
    return render(
        request, "error.html", status_code=status, status=status,
        heading=heading.get(lang), message=message, user=None,
    )  # fmt: skip


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if wants_page(request) and exc.status_code >= 400 and exc.status_code != 401:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"{WORDS['not_found']}: {request.url.path}"
        return error_page(request, exc.status_code, detail)
    return await errors._login_redirect(request, exc)


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BeatgridError)
    if wants_page(request):
        return error_page(request, errors.status_of(exc), str(exc))
    return await errors._domain_error(request, exc)


def install(app: FastAPI) -> None:
    """Register after :func:`api.errors.install`: pages for browsers, JSON for the rest."""
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(BeatgridError, _domain)
