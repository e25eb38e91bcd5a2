"""Event attachments: cleaned photos stored with the event, read back by who sees it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.event_models import EventAttachment
from api.services.events import visible_event
from api.services.photos import clean_photo
from api.store import audit
from gis.errors import ConfigError, NotFoundError

MAX_PER_EVENT = 20


def attach_photo(
    session: Session,
    event_id: str,
    *,
    raw: bytes,
    filename: str,
    user: Principal,
    max_bytes: int,
    keep_gps: bool = False,
) -> EventAttachment:
    """Store a photo of an event the user sees (GPS EXIF stripped unless ``keep_gps``)."""
    visible_event(session, event_id, user=user)
    photo = clean_photo(raw, filename=filename, max_bytes=max_bytes, keep_gps=keep_gps)
    if len(list_attachments(session, event_id)) >= MAX_PER_EVENT:
        raise ConfigError(f"一个事件最多 {MAX_PER_EVENT} 张照片 / at most {MAX_PER_EVENT} photos")
    row = EventAttachment(
        event_id=event_id,
        filename=filename[:200],
        content_type=photo.content_type,
        size=len(photo.data),
        sha256=photo.sha256,
        gps_kept=photo.gps_kept,
        data=photo.data,
        uploaded_by=user.username,
    )
    session.add(row)
    audit.record(
        session,
        username=user.username,
        action="event.attach",
        target=event_id,
        sha256=photo.sha256,
        gps_kept=photo.gps_kept,
        had_gps=photo.had_gps,
    )
    session.flush()
    return row


def list_attachments(session: Session, event_id: str) -> list[EventAttachment]:
    stmt = select(EventAttachment).where(EventAttachment.event_id == event_id)
    return list(session.scalars(stmt.order_by(EventAttachment.id)))


def get_attachment(
    session: Session, event_id: str, attachment_id: int, *, user: Principal
) -> EventAttachment:
    visible_event(session, event_id, user=user)
    row = session.get(EventAttachment, attachment_id)
    if row is None or row.event_id != event_id:
        raise NotFoundError(
            f"附件 {attachment_id} 不存在 / attachment {attachment_id} does not exist"
        )
    return row
