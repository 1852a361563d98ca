"""Quality assurance samples, reviews and flags; young people's "did that help?" feedback.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_draws",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("week_start", sa.Date, nullable=False, unique=True),
        sa.Column("per_district", sa.Integer, nullable=False),
        sa.Column("drawn_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "qa_samples",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
        sa.UniqueConstraint(
            "week_start", "conversation_id", name="uq_qa_samples_week_conversation"
        ),
    )
    op.create_index("ix_qa_samples_week_start", "qa_samples", ["week_start"])
    op.create_table(
        "qa_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "sample_id", sa.Integer, sa.ForeignKey("qa_samples.id"), nullable=False, unique=True
        ),
        sa.Column("grade", sa.String(32), nullable=False),
        sa.Column("tags", sa.String(255), nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_qa_reviews_reviewed_at", "qa_reviews", ["reviewed_at"])
    op.create_table(
        "qa_flags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sample_id", sa.Integer, sa.ForeignKey("qa_samples.id"), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column(
            "unanswered_id",
            sa.Integer,
            sa.ForeignKey("unanswered_questions.id"),
            nullable=False,
        ),
        sa.Column("flagged_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("flagged_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("sample_id", "event_id", name="uq_qa_flags_sample_event"),
    )
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("given_at", sa.DateTime, nullable=False),
        sa.Column("entitlement_id", sa.String(80), nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
    )
    op.create_index("ix_answer_feedback_given_at", "answer_feedback", ["given_at"])


def downgrade() -> None:
    op.drop_index("ix_answer_feedback_given_at", table_name="answer_feedback")
    op.drop_table("answer_feedback")
    op.drop_table("qa_flags")
    op.drop_index("ix_qa_reviews_reviewed_at", table_name="qa_reviews")
    op.drop_table("qa_reviews")
    op.drop_index("ix_qa_samples_week_start", table_name="qa_samples")
    op.drop_table("qa_samples")
    op.drop_table("qa_draws")
