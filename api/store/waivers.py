"""Waivers (accepted check findings) and grid-change notices, stored in the database.

A waiver is the database form of :class:`gis.checks.exceptions.AcceptedException`:
:func:`register` turns the live ones into the register ``gis.checks.check_district``
honours.  Neither is ever deleted: a waiver is revoked (who, when), a notice is
acknowledged per user.  Every write is audited in the caller's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Notice, Waiver
from api.store import audit
from gis.checks.exceptions import ExceptionRegister
from gis.errors import ConfigError, ConflictError, NotFoundError
from gis.i18n import Text


def add_waiver(
    session: Session,
    finding: dict[str, Any],
    *,
    area: BaseGeometry | None,
    reason: str,
    author: str,
) -> Waiver:
    """Store a waiver of one finding (its ``rule``, ``layer``, ``ids``, ``other_ids``)."""
    if not reason.strip():
        raise ConfigError(str(Text("豁免需要说明理由", "a waiver needs a reason")))
    keys = {k: str(finding.get(k) or "") for k in ("rule", "layer", "ids", "other_ids")}
    waiver = Waiver(**keys, reason=reason.strip(), author=author, area=area)
    session.add(waiver)
    session.flush()
    audit.record(
        session, username=author, action="waiver.add", target=str(waiver.id), reason=reason, **keys
    )
    return waiver


def revoke_waiver(session: Session, waiver: Waiver, *, actor: str) -> None:
    if waiver.revoked_at is not None:
        raise ConflictError(str(Text("该豁免已撤销", "this waiver is already revoked")))
    waiver.revoked_by, waiver.revoked_at = actor, datetime.now(UTC)
    audit.record(session, username=actor, action="waiver.revoke", target=str(waiver.id))


def get_waiver(session: Session, waiver_id: int) -> Waiver:
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        raise NotFoundError(f"waiver {waiver_id} does not exist")
    return waiver


def live_waivers(session: Session) -> list[Waiver]:
    """The waivers not revoked, oldest first."""
    stmt = select(Waiver).where(Waiver.revoked_at.is_(None)).order_by(Waiver.id)
    return list(session.scalars(stmt))


def all_waivers(session: Session) -> list[Waiver]:
    return list(session.scalars(select(Waiver).order_by(Waiver.id.desc())))


def register(session: Session) -> ExceptionRegister:
    """The live waivers as the register a consistency check honours."""
    found = ExceptionRegister()
    for w in live_waivers(session):
        found = found.accept(
            rule=w.rule, layer=w.layer, ids=w.ids, other_ids=w.other_ids,
            reason=w.reason, accepted_by=w.author,
        )  # fmt: skip
    return found


def add_notice(
    session: Session,
    *,
    layer_id: str,
    versions: tuple[int, int],
    sender: str,
    summary: Text,
    reason: str,
    area: BaseGeometry,
) -> Notice:
    """Store the notice of one grid change; its ``area`` decides who receives it."""
    notice = Notice(
        layer_id=layer_id, from_version=versions[0], to_version=versions[1], sender=sender,
        summary_zh=summary.zh, summary_en=summary.en, reason=reason, acknowledged={}, area=area,
    )  # fmt: skip
    session.add(notice)
    session.flush()
    audit.record(
        session, username=sender, action="notice.send", target=str(notice.id), layer=layer_id
    )
    return notice


def all_notices(session: Session) -> list[Notice]:
    return list(session.scalars(select(Notice).order_by(Notice.id.desc())))


def acknowledge(session: Session, notice: Notice, *, username: str) -> None:
    """Mark a notice read and acknowledged by ``username`` (idempotent)."""
    if username in notice.acknowledged:
        return
    notice.acknowledged = {**notice.acknowledged, username: datetime.now(UTC).isoformat()}
    audit.record(session, username=username, action="notice.ack", target=str(notice.id))
