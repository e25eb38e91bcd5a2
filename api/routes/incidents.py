"""Incidents (警情): create in bulk, query by bbox, time window, category and grid."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CurrentUserDep, SessionDep
from api.routes.layers import BBoxQuery, parse_bbox
from api.schemas import IncidentBatch, IncidentPublic
from api.store.incidents import IncidentQuery, create_incidents, query_incidents
from gis.errors import PermissionDenied

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.post("", status_code=201)
def create(batch: IncidentBatch, session: SessionDep, user: CurrentUserDep) -> dict[str, int]:
    """Record incidents inside your jurisdiction; ``grid_layer`` fills in each one's grid."""
    if user.role == "street_office":
        raise PermissionDenied("street offices report events through the grid system, not here")
    n = create_incidents(
        session,
        [i.model_dump() for i in batch.incidents],
        author=user.username,
        area=user.read_area(),
        grid_layer=batch.grid_layer,
    )
    session.commit()
    return {"created": n}


@router.get("")
def search(
    session: SessionDep,
    user: CurrentUserDep,
    bbox: BBoxQuery = None,
    start: datetime | None = None,
    end: datetime | None = None,
    category: Annotated[str | None, Query(max_length=80)] = None,
    grid_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> dict[str, Any]:
    """Incidents in your jurisdiction; ``start`` inclusive, ``end`` exclusive (local time)."""
    query = IncidentQuery(
        bbox=parse_bbox(bbox),
        start=start,
        end=end,
        category=category,
        grid_id=grid_id,
        within=user.read_area(),
        limit=limit,
        offset=offset,
    )
    rows, total = query_incidents(session, query)
    return {
        "numberMatched": total,
        "incidents": [IncidentPublic.model_validate(r).model_dump(mode="json") for r in rows],
    }
