"""Care leavers, staff, conversation identities and link codes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
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
        "staff",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("external_ref", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "care_leavers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("external_ref", sa.String(64), nullable=False, unique=True),
        sa.Column("preferred_name", sa.String(80), nullable=False),
        sa.Column("date_of_birth", sa.Date, nullable=False),
        sa.Column("mobile", sa.String(20), nullable=True, unique=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("pathway_last_review", sa.Date, nullable=True),
        sa.Column("pathway_next_review", sa.Date, nullable=True),
        sa.Column("circumstances", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "conversation_identities",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("verified_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_link_codes_conversation_id", "link_codes", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_link_codes_conversation_id", table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_table("conversation_identities")
    op.drop_table("care_leavers")
    op.drop_table("staff")
