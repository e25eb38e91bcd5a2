"""Events (事件流转): events, transitions, attachments, zero reports, field logs, setup.

Revision ID: 0004
Revises: 0001 (the integrator re-chains it after 0002 hardening and 0003 web app)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import api.geometry

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "event_setup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("assignments", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    _events()
    _transitions()
    _attachments()
    _zero_reports()
    _field_logs()
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_events_geom_gist", "events", ["geom"], postgresql_using="gist")


def _events() -> None:
    ids = [sa.Column(f"{k}_id", sa.String(200), nullable=True) for k in _AREAS]
    op.create_table(
        "events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("geom", api.geometry.GeometryType(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter", sa.String(80), nullable=False),
        *ids,
        sa.Column("assignees", sa.JSON(), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.Column("responded_at", _TZ, nullable=True),
        sa.Column("closed_at", _TZ, nullable=True),
        sa.Column("due_at", _TZ, nullable=False),
    )
    op.create_index("ix_events_lonlat", "events", ["lon", "lat"])
    op.create_index("ix_events_state_due", "events", ["state", "due_at"])
    op.create_index("ix_events_category", "events", ["category"])
    op.create_index("ix_events_grid_id", "events", ["grid_id"])
    op.create_index("ix_events_received_at", "events", ["received_at"])


_AREAS = ("grid", "community", "street", "beat", "aux_beat", "station")


def _transitions() -> None:
    op.create_table(
        "event_transitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id",
            sa.String(40),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("from_level", sa.String(20), nullable=True),
        sa.Column("to_level", sa.String(20), nullable=False),
        sa.UniqueConstraint("event_id", "seq", name="uq_event_transitions_seq"),
    )
    op.create_index("ix_event_transitions_event_id", "event_transitions", ["event_id"])


def _attachments() -> None:
    op.create_table(
        "event_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id",
            sa.String(40),
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("gps_kept", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(80), nullable=False),
        sa.Column("uploaded_at", _TZ, nullable=False),
    )
    op.create_index("ix_event_attachments_event_id", "event_attachments", ["event_id"])


def _zero_reports() -> None:
    op.create_table(
        "zero_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reporter", sa.String(80), nullable=False),
        sa.Column("grid_id", sa.String(200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("reporter", "day", name="uq_zero_reports_day"),
    )
    op.create_index("ix_zero_reports_grid_id", "zero_reports", ["grid_id"])
    op.create_index("ix_zero_reports_day", "zero_reports", ["day"])


def _field_logs() -> None:
    op.create_table(
        "field_logs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("layer_id", sa.String(80), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
    )
    op.create_index("ix_field_logs_username", "field_logs", ["username"])
    op.create_index("ix_field_logs_at", "field_logs", ["at"])


def downgrade() -> None:
    for table in (
        "field_logs",
        "zero_reports",
        "event_attachments",
        "event_transitions",
        "events",
        "event_setup",
    ):
        op.drop_table(table)
