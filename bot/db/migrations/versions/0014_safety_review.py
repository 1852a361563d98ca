"""The safety net learns from what it missed: marks, a review queue, approved phrases.

``safety_marks``: a message a member of staff marked as a missed risk or a false alarm,
waiting for a safeguarding approver (its words are cleared once decided).
``safety_phrases``: the phrases approved into the phrase bank, with their kind; the Rasa
servers pick them up within seconds (bot/safety/review.py, bot/safety/semantic.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("message_text", sa.Text, nullable=True),
        sa.Column("mark", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("marked_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="waiting"),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("label", sa.String(32), nullable=True),
    )
    op.create_index("ix_safety_marks_status", "safety_marks", ["status"])
    op.create_table(
        "safety_phrases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("mark_id", sa.Integer, sa.ForeignKey("safety_marks.id"), nullable=True),
        sa.Column("approved_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("approved_at", sa.DateTime, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_table("safety_phrases")
    op.drop_index("ix_safety_marks_status", table_name="safety_marks")
    op.drop_table("safety_marks")
