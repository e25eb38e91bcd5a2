"""The append-only audit log: one row per write, never updated or deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import AuditEntry


def record(session: Session, *, username: str, action: str, target: str, **detail: Any) -> None:
    """Append one entry in the caller's transaction (so it commits or vanishes with the write)."""
    session.add(AuditEntry(username=username, action=action, target=target, detail=detail))


def entries(session: Session, *, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """The newest entries first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))
