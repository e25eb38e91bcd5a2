"""Log in (OAuth2 password flow) and see who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from api import throttle
from api.auth import authenticate, issue_token, revoke_token
from api.deps import COOKIE, CurrentUserDep, SessionDep, SettingsDep, oauth2
from api.schemas import Token, UserPublic
from api.store import audit
from api.web.render import WORDS, lang_of, render

router = APIRouter(prefix="/auth", tags=["auth"])
NAME_MAX = 80
"""The audit log's username column is this long."""


@router.post("/token", response_model=Token)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange a username and password for a bearer token.

    Every attempt, good or bad, is appended to the audit log (never the password).
    """
    address = request.client.host if request.client else "?"
    who = {"username": form.username, "address": address}
    lockout = throttle.check(session, settings.login_throttle, **who)
    if lockout is not None:  # refused before hashing: guessing costs no argon2 CPU
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=lockout.message,
            headers={"Retry-After": str(lockout.retry_after_s)},
        )
    user = authenticate(session, form.username, form.password)
    _audit_login(session, request, form.username, ok=user is not None)
    if user is None:
        throttle.fail(session, **who)
        session.commit()  # the failed attempt stays on record
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    throttle.succeed(session, username=form.username)
    throttle.forget_old(session, settings.login_throttle)
    token = issue_token(session, user, minutes=settings.token_minutes)
    session.commit()
    return Token(access_token=token)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "/app",
    expired: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """The login form for browsers; says so when the previous login has run out."""
    message = WORDS["expired"].get(lang_of(request)) if expired else ""
    return render(request, "login.html", next=_local(next), message=message, username="")


@router.post("/login", include_in_schema=False, response_model=None)
def login_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=NAME_MAX * 4)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    """Log a browser in: set the token cookie and go to ``next`` (a local path).

    A wrong password shows the form again with a bilingual message (401), not JSON.
    """
    user = authenticate(session, username, password)
    _audit_login(session, request, username, ok=user is not None)
    if user is None:
        session.commit()  # the failed attempt stays on record
        message = WORDS["bad_login"].get(lang_of(request))
        return render(
            request, "login.html", status_code=401, next=_local(next),
            message=message, username=username[:NAME_MAX],
        )  # fmt: skip
    token = issue_token(session, user, minutes=settings.token_minutes)
    session.commit()
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=settings.behind_https,
    )
    return response


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    user: CurrentUserDep,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Response:
    """Revoke the token of this request (bearer or cookie) and clear the login cookie."""
    revoke_token(session, token or request.cookies.get(COOKIE, ""))
    audit.record(session, username=user.username, action="logout", target=user.username)
    session.commit()
    response = Response(status_code=204)
    response.delete_cookie(COOKIE)
    return response


def _audit_login(session: Session, request: Request, username: str, *, ok: bool) -> None:
    name = username[:NAME_MAX]  # a made-up name may be longer than any real one
    client = request.client.host if request.client else None
    action = "login" if ok else "login.failed"
    audit.record(session, username=name, action=action, target=name, client=client)


def _local(path: str) -> str:
    """Only same-site paths: never redirect a login to another host."""
    return path if path.startswith("/") and not path.startswith("//") else "/app"


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUserDep) -> UserPublic:
    return UserPublic(
        username=user.username,
        role=user.role,
        area_ids=list(user.area_ids),
        has_jurisdiction=user.jurisdiction is not None,
    )
