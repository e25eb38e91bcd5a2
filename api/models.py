"""Database tables (SQLAlchemy 2 typed models).

Features are stored once per change, not once per version: a row is valid for the layer
versions ``version_from <= v < version_to`` (``version_to`` is NULL while current).  A new
version only closes the rows that changed and inserts their replacements, so every old
version stays readable and nothing is ever overwritten.  Each feature keeps its bounding
box in four indexed columns so SQLite can prefilter bbox queries as PostGIS does with GiST.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api.geometry import GeometryType


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """All tables."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    area_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    jurisdiction: Mapped[BaseGeometry | None] = mapped_column(GeometryType(), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Layer(Base):
    __tablename__ = "layers"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    source_crs: Mapped[str] = mapped_column(String(200))
    head_version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LayerVersion(Base):
    __tablename__ = "layer_versions"

    layer_id: Mapped[str] = mapped_column(
        ForeignKey("layers.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    feature_count: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)


class Feature(Base):
    __tablename__ = "features"
    __table_args__ = (
        Index("ix_features_layer_span", "layer_id", "version_from", "version_to"),
        Index("ix_features_layer_fid", "layer_id", "fid"),
        Index("ix_features_bbox", "layer_id", "minx", "maxx", "miny", "maxy"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[str] = mapped_column(ForeignKey("layers.id", ondelete="CASCADE"))
    fid: Mapped[str] = mapped_column(String(200))
    version_from: Mapped[int] = mapped_column(Integer)
    version_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(40))
    geom_digest: Mapped[str] = mapped_column(String(40))
    minx: Mapped[float] = mapped_column(Float)
    miny: Mapped[float] = mapped_column(Float)
    maxx: Mapped[float] = mapped_column(Float)
    maxy: Mapped[float] = mapped_column(Float)
    geom: Mapped[BaseGeometry] = mapped_column(GeometryType())


class Incident(Base):
    """An incident (警情): ``address`` and ``persons`` are personal data, never mapped."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_lonlat", "lon", "lat"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=False), index=True)
    category: Mapped[str] = mapped_column(String(80), index=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    persons: Mapped[str | None] = mapped_column(Text, nullable=True)
    grid_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geom: Mapped[BaseGeometry] = mapped_column(GeometryType())
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    owner: Mapped[str] = mapped_column(String(80), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """Append-only: the migrations install triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Waiver(Base):
    """A check finding a user accepted, with a reason (出具说明的豁免); revocable, never deleted.

    Keyed like :class:`gis.checks.exceptions.AcceptedException` (rule, layer, ids, other
    ids), so a later check lists the finding as accepted instead of as a violation.
    """

    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(80))
    layer: Mapped[str] = mapped_column(String(40))
    ids: Mapped[str] = mapped_column(Text)
    other_ids: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    area: Mapped[BaseGeometry | None] = mapped_column(GeometryType(), nullable=True)


class Notice(Base):
    """A grid-change notice (网格调整告知) for the stations whose area the change touches."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layer_id: Mapped[str] = mapped_column(String(80))
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(80))
    summary_zh: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    area: Mapped[BaseGeometry] = mapped_column(GeometryType())


class LoginAttempt(Base):
    """A failed login, kept for throttling (shared by every worker process)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_time", "username", "time"),
        Index("ix_login_attempts_address_time", "address", "time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
