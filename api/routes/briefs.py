"""Briefing documents (日见面、周研判、月讲评) of the reader's jurisdiction."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from api.deps import CurrentUserDep, SessionDep, SettingsDep
from api.policy import JurisdictionDep
from api.schemas import BriefRequest
from api.services.briefs import MEDIA, brief_document
from gis.documents import read_letterhead

router = APIRouter(tags=["briefings"])


@router.post(
    "/briefs",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "the file"}},
)
def make_brief_document(
    *,
    req: BriefRequest,
    session: SessionDep,
    user: CurrentUserDep,
    policy: JurisdictionDep,
    settings: SettingsDep,
) -> Response:
    """The briefing as DOCX, HTML or PDF; a scope outside your jurisdiction is a 403."""
    content, name = brief_document(
        session, req=req, user=user, policy=policy, letterhead=read_letterhead(settings.letterhead)
    )
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=MEDIA[req.format],
                    headers={"Content-Disposition": disposition})  # fmt: skip
