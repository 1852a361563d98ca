"""Cases: pathway-plan cases, handoffs, safety alerts, and their histories.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _history(table: str, subject: str, subject_table: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(subject, sa.Integer, sa.ForeignKey(f"{subject_table}.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index(f"ix_{table}_{subject}", table, [subject])


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("acknowledge_due", sa.DateTime, nullable=False),
        sa.Column("answer_due", sa.DateTime, nullable=False),
        sa.Column("acknowledged_at", sa.DateTime, nullable=True),
        sa.Column("answered_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("escalated_at", sa.DateTime, nullable=True),
        sa.Column("escalated_for", sa.String(16), nullable=True),
        sa.Column("escalated_to", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_care_leaver_id", "cases", ["care_leaver_id"])
    op.create_index("ix_cases_adviser_id", "cases", ["adviser_id"])
    _history("case_events", "case_id", "cases")

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("first_reply_at", sa.DateTime, nullable=True),
        sa.Column("ended_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_status", "handoffs", ["status"])
    _history("handoff_events", "handoff_id", "handoffs")

    op.create_table(
        "safety_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("safety_event_id", sa.Integer, nullable=True, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
        sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("raised_at", sa.DateTime, nullable=False),
        sa.Column("acknowledged_at", sa.DateTime, nullable=True),
        sa.Column("acknowledged_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("escalated_at", sa.DateTime, nullable=True),
        sa.Column("escalated_to", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    )
    op.create_index("ix_safety_alerts_conversation_id", "safety_alerts", ["conversation_id"])
    op.create_index("ix_safety_alerts_raised_at", "safety_alerts", ["raised_at"])
    _history("safety_alert_events", "alert_id", "safety_alerts")


def downgrade() -> None:
    op.drop_index("ix_safety_alert_events_alert_id", table_name="safety_alert_events")
    op.drop_table("safety_alert_events")
    op.drop_index("ix_safety_alerts_raised_at", table_name="safety_alerts")
    op.drop_index("ix_safety_alerts_conversation_id", table_name="safety_alerts")
    op.drop_table("safety_alerts")
    op.drop_index("ix_handoff_events_handoff_id", table_name="handoff_events")
    op.drop_table("handoff_events")
    op.drop_index("ix_handoffs_status", table_name="handoffs")
    op.drop_index("ix_handoffs_conversation_id", table_name="handoffs")
    op.drop_table("handoffs")
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_adviser_id", table_name="cases")
    op.drop_index("ix_cases_care_leaver_id", table_name="cases")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_table("cases")
