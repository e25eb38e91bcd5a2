"""Incidents (警情): create in bulk, query by bbox, time window, category and grid."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUserDep, SessionDep, read_in_thread
from api.params import BBoxDep, Offset, cursor, parse_cursor
from api.policy import JurisdictionDep
from api.schemas import IncidentBatch, IncidentList, IncidentsCreated
from api.store.incidents import IncidentQuery, create_incidents, query_incidents
from gis.errors import PermissionDenied

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.post("", status_code=201, response_model=IncidentsCreated)
def create(
    *, batch: IncidentBatch, session: SessionDep, user: CurrentUserDep, policy: JurisdictionDep
) -> IncidentsCreated:
    """Record incidents inside your jurisdiction; ``grid_layer`` fills in each one's grid."""
    if user.role == "street_office":
        raise PermissionDenied("street offices report events through the grid system, not here")
    n = create_incidents(
        session,
        [i.model_dump() for i in batch.incidents],
        author=user.username,
        policy=policy,
        grid_layer=batch.grid_layer,
    )
    session.commit()
    return IncidentsCreated(created=n)


@router.get("", response_model=IncidentList)
async def search(
    *,
    session: SessionDep,
    policy: JurisdictionDep,
    bbox: BBoxDep,
    start: datetime | None = None,
    end: datetime | None = None,
    category: Annotated[str | None, Query(max_length=80)] = None,
    grid_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Offset = 0,
    after: Annotated[
        str | None,
        Query(max_length=200, description="the ``next`` cursor of the previous page"),
    ] = None,
) -> IncidentList:
    """Incidents in your jurisdiction; ``start`` inclusive, ``end`` exclusive (local time).

    Ordered by ``(time, id)``.  Page with ``after=<next>`` (keyset: each page costs the
    same however deep) or with ``offset``.
    """
    query = IncidentQuery(
        bbox=bbox,
        start=start,
        end=end,
        category=category,
        grid_id=grid_id,
        policy=policy,
        limit=limit,
        offset=offset,
        after=parse_cursor(after),
    )
    page = await read_in_thread(session, query_incidents, query)
    last = page.rows[-1] if len(page.rows) == limit else None
    return IncidentList.model_validate(
        {
            "numberMatched": page.number_matched,
            "incidents": page.records(),
            "next": None if last is None else cursor(last.time, last.id),
        }
    )
