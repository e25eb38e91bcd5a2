"""Login throttling: per account and per client address, kept in the database.

Each failed login is a row of ``login_attempts``; the counts are read from there, so every
worker process of ``beatgrid serve --workers N`` (and every replica on the same database)
sees the same numbers.  A locked-out attempt is refused *before* the password is hashed,
so guessing costs the server no argon2 CPU.  The refusal reads the same whether or not the
account exists, and unknown names are counted like real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.models import LoginAttempt
from gis.i18n import Text

NAME_MAX = 80
ADDRESS_MAX = 64


@dataclass(frozen=True)
class Throttle:
    """``max_failures`` per account and ``max_per_address`` per address within ``window``."""

    max_failures: int
    max_per_address: int
    window: timedelta


@dataclass(frozen=True)
class Lockout:
    """A refused login: how long until the oldest counted failure is forgotten."""

    retry_after_s: int

    @property
    def message(self) -> str:
        minutes = max(1, round(self.retry_after_s / 60))
        return str(
            Text(
                f"登录失败次数过多，请约 {minutes} 分钟后再试",
                f"too many failed logins for this account or from this address; try again in "
                f"about {minutes} min",
            )
        )


def check(session: Session, throttle: Throttle, *, username: str, address: str) -> Lockout | None:
    """The lockout that applies to this attempt, or None if it may go ahead."""
    since = datetime.now(UTC) - throttle.window
    for column, value, limit in (
        (LoginAttempt.username, username[:NAME_MAX], throttle.max_failures),
        (LoginAttempt.address, address[:ADDRESS_MAX], throttle.max_per_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.time)).where(
                column == value, LoginAttempt.time > since
            )
        ).one()
        if count >= limit:
            return Lockout(_seconds_until(oldest, throttle.window))
    return None


def fail(session: Session, *, username: str, address: str) -> None:
    """Count one failed attempt (the caller commits)."""
    session.add(LoginAttempt(username=username[:NAME_MAX], address=address[:ADDRESS_MAX]))


def succeed(session: Session, *, username: str) -> None:
    """A good password clears the account's count (not the address's)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username[:NAME_MAX]))


def forget_old(session: Session, throttle: Throttle) -> None:
    """Drop failures older than the window (they no longer count)."""
    since = datetime.now(UTC) - throttle.window
    session.execute(delete(LoginAttempt).where(LoginAttempt.time <= since))


def _seconds_until(oldest: datetime | None, window: timedelta) -> int:
    if oldest is None:
        return int(window.total_seconds())
    start = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    return max(1, int((start + window - datetime.now(UTC)).total_seconds()))
