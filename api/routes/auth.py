"""Log in (OAuth2 password flow) and see who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import authenticate, issue_token
from api.deps import CurrentUserDep, SessionDep, SettingsDep
from api.schemas import Token, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange a username and password for a bearer token."""
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = issue_token(session, user, minutes=settings.token_minutes)
    session.commit()
    return Token(access_token=token)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUserDep) -> UserPublic:
    return UserPublic(
        username=user.username,
        role=user.role,
        area_ids=list(user.area_ids),
        has_jurisdiction=user.jurisdiction is not None,
    )
