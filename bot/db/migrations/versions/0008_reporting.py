"""Reporting: answers counted per entitlement, districts on unanswered questions, kept weeks.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("answered_at", sa.DateTime, nullable=False),
        sa.Column("entitlement_id", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("district", sa.String(64), nullable=True),
    )
    op.create_index("ix_answer_log_answered_at", "answer_log", ["answered_at"])
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("week_start", sa.Date, nullable=False, unique=True),
        sa.Column("produced_at", sa.DateTime, nullable=False),
        sa.Column("figures", sa.Text, nullable=False),
    )
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("district", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("district")
    op.drop_table("weekly_reports")
    op.drop_index("ix_answer_log_answered_at", table_name="answer_log")
    op.drop_table("answer_log")
