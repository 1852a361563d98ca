"""Entitlements packs, nudges, and when the pack round is next due.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "packs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("offer_key", sa.String(64), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("contents", sa.Text, nullable=False),
        sa.Column("content_revision", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sa.Column("not_sent_reason", sa.String(32), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime, nullable=True),
        sa.Column("first_opened_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("care_leaver_id", "offer_key", name="uq_packs_offer"),
    )
    op.create_index("ix_packs_care_leaver_id", "packs", ["care_leaver_id"])
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("about_date", sa.Date, nullable=False),
        sa.Column("detail", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("young_person_status", sa.String(16), nullable=False),
        sa.Column("young_person_reason", sa.String(32), nullable=True),
        sa.Column("adviser_status", sa.String(16), nullable=False),
        sa.Column("adviser_reason", sa.String(32), nullable=True),
        sa.UniqueConstraint("care_leaver_id", "kind", "about_date", name="uq_nudges_key"),
    )
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("next_run_at", sa.DateTime, nullable=False),
        sa.Column("last_run_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("nudges")
    op.drop_index("ix_packs_care_leaver_id", table_name="packs")
    op.drop_table("packs")
