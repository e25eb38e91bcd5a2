"""Hardening: failed logins, kept for per-account and per-address throttling.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_login_attempts_username_time", "login_attempts", ["username", "time"], unique=False
    )
    op.create_index(
        "ix_login_attempts_address_time", "login_attempts", ["address", "time"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempts_address_time", table_name="login_attempts")
    op.drop_index("ix_login_attempts_username_time", table_name="login_attempts")
    op.drop_table("login_attempts")
