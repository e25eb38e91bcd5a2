"""The audit log, for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AdminDep, SessionDep
from api.store.audit import entries

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def audit_log(
    session: SessionDep,
    user: AdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "time": e.time.isoformat(),
            "username": e.username,
            "action": e.action,
            "target": e.target,
            "detail": e.detail,
        }
        for e in entries(session, limit=limit, offset=offset)
    ]
