"""One map from beatgrid's domain errors to HTTP statuses.

Bad input answers 4xx with a message naming the problem (and, for layers, every located
problem), never 500.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, InternalError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gis.errors import (
    BeatgridError,
    ConfigError,
    ConflictError,
    LayerError,
    LimitError,
    NotFoundError,
    PermissionDenied,
)
from gis.i18n import Text

STATUS: tuple[tuple[type[BeatgridError], int], ...] = (
    (LimitError, 413),
    (LayerError, 422),
    (ConfigError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (PermissionDenied, 403),
    (BeatgridError, 400),
)
"""Most specific first; the first matching class decides."""


def status_of(error: BeatgridError) -> int:
    return next(code for cls, code in STATUS if isinstance(error, cls))


def body_of(error: BeatgridError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(error), "error": type(error).__name__}
    if isinstance(error, LayerError):
        body["problems"] = [
            {
                "message": p.message,
                "source": p.source,
                "row": p.row,
                "feature_id": p.feature_id,
                "field": p.field,
            }
            for p in error.problems
        ]
    return body


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BeatgridError)
    return JSONResponse(body_of(exc), status_code=status_of(exc))


async def _database_input_error(_request: Request, exc: Exception) -> JSONResponse:
    # A value the database refuses (out of range, wrong type) is still the client's input.
    return JSONResponse(
        {"detail": f"the database refused a value: {getattr(exc, 'orig', exc)}"}, status_code=422
    )


RETRY_AFTER_S = 2
"""What a 503 asks the client to wait before trying again."""
_INPUT_TOO_BIG = ("too big", "too many")
_DISK_FULL = ("database or disk is full", "no space left on device", "disk full")
_DISK_FULL_CODES = ("53100",)  # PostgreSQL disk_full
_READ_ONLY = ("readonly database", "read-only", "read only")
_READ_ONLY_CODES = ("25006",)  # PostgreSQL read_only_sql_transaction


def storage_fault(exc: Exception) -> tuple[int, str] | None:
    """A full disk (507) or a read-only database (503), told apart from a busy one.

    Neither passes by itself in seconds, so neither answer carries Retry-After: a client
    that retries would only loop.  Nothing was written: the transaction rolled back.
    """
    orig = getattr(exc, "orig", exc)
    message = str(orig).lower()
    code = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    if code in _DISK_FULL_CODES or any(s in message for s in _DISK_FULL):
        return 507, (
            str(
                Text(
                    "存储空间已满，未保存任何内容",
                    "the server's storage is full, nothing was saved; an administrator must free "
                    "space",
                )
            )
        )
    if code in _READ_ONLY_CODES or any(s in message for s in _READ_ONLY):
        return 503, (
            str(
                Text(
                    "数据库只读，未保存任何内容",
                    "the database is read-only at the moment (maintenance or a fault), nothing was "
                    "saved; reading still works",
                )
            )
        )
    return None


async def _storage_fault_or_input(request: Request, exc: Exception) -> JSONResponse:
    fault = storage_fault(exc)
    if fault is None:
        return await _database_input_error(request, exc)
    return JSONResponse({"detail": fault[1]}, status_code=fault[0])


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database is busy (SQLite's one writer, a PostgreSQL lock or lost connection).

    That is neither the client's fault nor a bug, so: 503 and when to try again.  SQLite's
    "string or blob too big" and "too many SQL variables" are the client's oversized input;
    a full disk or a read-only database is a :func:`storage_fault`.
    """
    message = str(getattr(exc, "orig", exc))
    if any(s in message for s in _INPUT_TOO_BIG):
        return await _database_input_error(request, exc)
    fault = storage_fault(exc)
    if fault is not None:
        return JSONResponse({"detail": fault[1]}, status_code=fault[0])
    return JSONResponse(
        {"detail": f"the database is busy, try again in {RETRY_AFTER_S} s: {message}"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _overflow(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"a number is out of range: {exc}"}, status_code=422)


async def _invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, with every value that JSON cannot carry (NaN, Infinity, bytes) as text,
    so the error response itself is always valid JSON."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _json_safe(exc.errors())}, status_code=422)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(BeatgridError, _domain_error)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(InternalError, _storage_fault_or_input)
    app.add_exception_handler(DataError, _database_input_error)
    app.add_exception_handler(StatementError, _database_input_error)
    app.add_exception_handler(OperationalError, _database_unavailable)  # before StatementError


async def _too_large(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=413)


def install_limits(app: FastAPI) -> None:
    from api.limits import BodyTooLarge

    app.add_exception_handler(BodyTooLarge, _too_large)


async def _login_redirect(request: Request, exc: Exception) -> Response:
    """A browser page asked without a login goes to the login form, not to a JSON 401."""
    assert isinstance(exc, StarletteHTTPException)
    wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
    if exc.status_code == 401 and wants_page:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/auth/login?next={target}", status_code=303)
    return await http_exception_handler(request, exc)


def install_login_redirect(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _login_redirect)
