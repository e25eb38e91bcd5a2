"""The audit log, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AdminDep, SessionDep
from api.schemas import AuditPublic
from api.store.audit import entries

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditPublic])
def audit_log(
    *,
    session: SessionDep,
    user: AdminDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AuditPublic]:
    return [AuditPublic.model_validate(e) for e in entries(session, limit=limit, offset=offset)]
