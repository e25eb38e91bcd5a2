"""Grid redrawing through the API: split, merge, move, transfer, reassign, draw, add,
balance; impact and notice.

Each edit route validates the body and calls one :mod:`api.services.edits` workflow (or,
with ``"dry_run": true``, answers 200 with what it would do and stores nothing): the
edit runs on the layer's newest version and is stored as the next version, guarded by
the author's jurisdiction (403) and by ``base_version`` (409).  An edit the library
refuses, or one that would break the tiling, answers 422 with the bilingual message and
the findings (:class:`api.schemas.EditRefusal`); nothing is written then.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import CurrentUserDep, SessionDep
from api.edit_outcome import DryRun
from api.policy import JurisdictionDep
from api.schemas import (
    AddBody,
    BalanceBody,
    DrawBody,
    EditPublic,
    EditRefusal,
    ImpactContext,
    ImpactPublic,
    MergeBody,
    MoveBody,
    ReassignBody,
    SplitBody,
    TransferBody,
    Version,
)
from api.services import edits
from gis.errors import NotFoundError
from gis.redraw.notice import build_notice

router = APIRouter(prefix="/layers", tags=["redraw"])
_EDIT = {
    "response_model": EditPublic,
    "status_code": 201,
    "responses": {422: {"model": EditRefusal}, 409: {}},
}
ContextQuery = Annotated[ImpactContext, Query()]


def _answer(outcome: edits.Outcome) -> EditPublic | JSONResponse:
    if isinstance(outcome, EditRefusal):
        return JSONResponse(outcome.model_dump(mode="json"), status_code=422)
    if isinstance(outcome, DryRun):
        return JSONResponse(outcome.body)
    return outcome


@router.post("/{layer_id}/edits/split", **_EDIT)  # type: ignore[arg-type]
def split(
    *, layer_id: str, body: SplitBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Split a grid by a line crossing it from edge to edge."""
    return _answer(
        edits.split(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/merge", **_EDIT)  # type: ignore[arg-type]
def merge(
    *, layer_id: str, body: MergeBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Merge adjacent grids of one community into one."""
    return _answer(
        edits.merge(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/move", **_EDIT)  # type: ignore[arg-type]
def move(
    *, layer_id: str, body: MoveBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Move the boundary shared by two neighbouring grids to a new line."""
    return _answer(
        edits.move(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/transfer", **_EDIT)  # type: ignore[arg-type]
def transfer(
    *, layer_id: str, body: TransferBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Give the drawn part of grid ``source`` to its neighbour ``target``."""
    return _answer(
        edits.transfer(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/add", **_EDIT)  # type: ignore[arg-type]
def add(
    *, layer_id: str, body: AddBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Draw a new grid on land no grid covers; a drawing overlapping grids beyond the
    tolerance is refused."""
    return _answer(
        edits.add(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/balance", **_EDIT)  # type: ignore[arg-type]
def balance(
    *, layer_id: str, body: BalanceBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """The balancing proposal of one community (dry run), adopted as a new version."""
    return _answer(
        edits.balance(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/reassign", **_EDIT)  # type: ignore[arg-type]
def reassign(
    *, layer_id: str, body: ReassignBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Move a grid to a neighbouring community; both communities are stored reshaped too."""
    return _answer(
        edits.reassign(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.post("/{layer_id}/edits/draw", **_EDIT)  # type: ignore[arg-type]
def draw(
    *, layer_id: str, body: DrawBody, session: SessionDep, user: CurrentUserDep,
    policy: JurisdictionDep,
) -> EditPublic | JSONResponse:  # fmt: skip
    """Draw a new grid, carved out of the grids it covers."""
    return _answer(
        edits.draw(session, policy=policy, author=user.username, layer_id=layer_id, body=body)
    )


@router.get("/{layer_id}/versions/{a}/impact/{b}", response_model=ImpactPublic)
def impact(
    *, layer_id: str, a: Version, b: Version, session: SessionDep, policy: JurisdictionDep,
    ctx: ContextQuery,
) -> ImpactPublic:  # fmt: skip
    """What a redraw from version ``a`` to ``b`` changes, inside your jurisdiction."""
    return edits.impact_public(session, policy=policy, layer_id=layer_id, a=a, b=b, ctx=ctx)


@router.get("/{layer_id}/versions/{a}/impact/{b}/notice.html", response_class=HTMLResponse)
def notice(
    *,
    layer_id: str,
    a: Version,
    b: Version,
    session: SessionDep,
    policy: JurisdictionDep,
    ctx: ContextQuery,
    sender: Annotated[str, Query(max_length=200)] = "",
    recipient: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The printable change notice (HTML) for the redraw from ``a`` to ``b``."""
    result, before, after = edits.impact_of(
        session, policy=policy, layer_id=layer_id, a=a, b=b, ctx=ctx
    )
    if result is None:
        raise NotFoundError(f"layer {layer_id!r} has no grid inside your jurisdiction")
    page = build_notice(result, before, after, sender=sender, recipient=recipient)
    return HTMLResponse(page.html)
