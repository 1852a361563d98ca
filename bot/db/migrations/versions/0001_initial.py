"""Knowledge base, unanswered questions, safety events and Rasa's events table.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_entitlements",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "entitlement_id", sa.String(80), sa.ForeignKey("kb_entitlements.id"), nullable=False
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("entitlement_id", "version", name="uq_kb_versions_entry_version"),
    )
    op.create_table(
        "kb_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asked_at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("best_guess", sa.String(80), nullable=True),
        sa.Column("best_score", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
        sa.Column("resolved_by", sa.String(120), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
    )
    op.create_index("ix_unanswered_questions_asked_at", "unanswered_questions", ["asked_at"])
    op.create_table(
        "safety_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("categories", sa.String(255), nullable=False),
        sa.Column("detected_by", sa.String(32), nullable=False),
        sa.Column("message_text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    )
    op.create_index("ix_safety_events_created_at", "safety_events", ["created_at"])
    op.create_index("ix_safety_events_conversation_id", "safety_events", ["conversation_id"])

    # Rasa's tracker store table: Rasa creates it only if it is missing, so a database
    # where Rasa ran first already has it; then only our extra index is added.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("events"):
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, sa.Sequence("events_seq", optional=True), primary_key=True),
            sa.Column("sender_id", sa.String(255), nullable=False),
            sa.Column("type_name", sa.String(255), nullable=False),
            sa.Column("timestamp", sa.Float),
            sa.Column("intent_name", sa.String(255)),
            sa.Column("action_name", sa.String(255)),
            sa.Column("data", sa.Text),
        )
        op.create_index("ix_events_sender_id", "events", ["sender_id"])
    op.create_index("ix_events_sender_type_time", "events", ["sender_id", "type_name", "timestamp"])


def downgrade() -> None:
    op.drop_index("ix_events_sender_type_time", table_name="events")
    op.drop_table("safety_events")
    op.drop_table("unanswered_questions")
    op.drop_table("kb_state")
    op.drop_table("kb_versions")
    op.drop_table("kb_entitlements")
