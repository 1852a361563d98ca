"""Content workflow: drafts of entitlement entries, their steps, and why each version was made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entitlement_id", sa.String(80), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("is_new", sa.Boolean, nullable=False),
        sa.Column("base_version", sa.Integer, nullable=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_key", sa.String(80), nullable=True, unique=True),
        sa.Column("author_id", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("approved_by", sa.Integer, nullable=True),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_kb_drafts_entitlement_id", "kb_drafts", ["entitlement_id"])
    op.create_table(
        "kb_draft_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("kb_drafts.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_index("ix_kb_draft_events_draft_id", "kb_draft_events", ["draft_id"])
    op.add_column("kb_versions", sa.Column("note", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kb_versions") as batch:
        batch.drop_column("note")
    op.drop_index("ix_kb_draft_events_draft_id", table_name="kb_draft_events")
    op.drop_table("kb_draft_events")
    op.drop_index("ix_kb_drafts_entitlement_id", table_name="kb_drafts")
    op.drop_table("kb_drafts")
