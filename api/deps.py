"""FastAPI dependencies: settings, database session, current user (``Annotated`` aliases)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import Principal, principal_for_token
from api.origin import foreign_origin
from api.settings import Settings

oauth2 = OAuth2PasswordBearer(tokenUrl="auth/token", auto_error=False)
T = TypeVar("T")


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


_SESSION = "beatgrid.session"
"""Key of the request's session in the ASGI scope's ``state``."""


async def get_session(request: Request) -> Session:
    """The request's session; routes that write call ``session.commit()`` themselves, else
    it rolls back.  :class:`SessionScope` closes it once the app has answered.

    Made on the event loop: a Session does no I/O until it is used, and a synchronous
    dependency would cost a worker-thread hop (as a synchronous generator it cost two,
    entering and leaving: a quarter of a small request's CPU in py-spy).
    """
    state = request.scope.setdefault("state", {})
    session: Session | None = state.get(_SESSION)
    if session is None:
        session = state[_SESSION] = request.app.state.sessions()
    return session


class SessionScope:
    """ASGI middleware: closes the request's session (:func:`get_session`) after the app
    has answered.  A plain ``try/finally`` around the request; as a generator dependency
    the same close cost FastAPI an exit stack and two context managers per request.

    Closed in a worker thread when it holds a PostgreSQL connection (returning it to the
    pool sends a rollback over the network); a SQLite connection is closed here, where a
    rollback after reads touches no file.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # made here, so every copy of scope shares it
        try:
            await self.app(scope, receive, send)
        finally:
            session: Session | None = state.pop(_SESSION, None)
            if session is not None:
                await _close(session)


async def _close(session: Session) -> None:
    if session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        await run_in_threadpool(session.close)
    else:
        session.close()


async def read_in_thread(
    session: Session, work: Callable[..., T], /, *args: object, **kwargs: object
) -> T:
    """``work(session, *args, **kwargs)`` of a route that only reads, in one worker thread
    that also ends the session's transaction.

    A synchronous route costs FastAPI two thread hops (the work, then the check of its
    answer), and on PostgreSQL :class:`SessionScope` a third to hand the connection
    back; an ``async`` route that reads through this costs one.
    """

    def read() -> T:
        try:
            return work(session, *args, **kwargs)
        finally:
            session.close()  # the connection goes back to the pool from this thread

    return await run_in_threadpool(read)


COOKIE = "beatgrid_token"
"""Browsers (the map pages) send the token as this HttpOnly, SameSite=strict cookie."""


def get_user(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    token: Annotated[str | None, Depends(oauth2)],
) -> Principal:
    """The user of the bearer token (or login cookie); 401 without a valid one.

    A token may also come as the password of HTTP Basic authentication with its user's
    name (:func:`basic_token`): clients that cannot send a bearer header (QGIS 3.22's
    "Basic" authentication configuration) use that; a password is never accepted there.
    A browser asking for a page without a login is sent to the login form instead.

    Synchronous, so FastAPI runs it in a worker thread: its read takes a pooled
    connection, and only the worker threads are bounded (on the event loop, 50 waiting
    requests took every connection of the pool before the threads could).
    """
    header = request.headers.get("authorization")
    basic = None if token else basic_token(header)
    by_cookie = not token and not header  # a header that is not a valid token is refused
    token = token or (basic[1] if basic else None)
    if by_cookie:
        token = request.cookies.get(COOKIE)
    user = None if not token else principal_for_token(session, token)
    if user is not None and basic is not None and basic[0] != user.username:
        user = None  # a token sent under another user's name is refused
    if user is not None and by_cookie:
        refused = foreign_origin(request, request.app.state.settings)
        if refused is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refused)
    if user is None and _wants_page(request):
        target = quote(request.url.path, safe="/")
        expired = "&expired=1" if token else ""  # a token was sent, so it has run out
        raise HTTPException(
            status.HTTP_303_SEE_OTHER,
            headers={"Location": f"/auth/login?next={target}{expired}"},
        )
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="not authenticated: log in at /auth/token and send 'Authorization: Bearer …'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def basic_token(header: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic base64(username:token)`` → ``(username, token)``, else None."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        username, sep, token = (
            base64.b64decode(value.strip(), validate=True).decode().partition(":")
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return (username, token) if sep and token else None


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and accept.startswith("text/html")


async def get_admin(user: Annotated[Principal, Depends(get_user)]) -> Principal:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only an admin may do this")
    return user


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
CurrentUserDep = Annotated[Principal, Depends(get_user)]
AdminDep = Annotated[Principal, Depends(get_admin)]
