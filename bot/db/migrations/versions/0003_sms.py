"""SMS: inbound messages seen, conversations' numbers, outbound queue, opt-outs, reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbound",
        sa.Column("message_sid", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("handled_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "sms_contacts",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("options", sa.Text, nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sms_outbound",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("to_number", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime, nullable=True),
        sa.Column("twilio_sid", sa.String(64), nullable=True, unique=True),
        sa.Column("error", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sms_outbound_conversation_id", "sms_outbound", ["conversation_id"])
    op.create_index("ix_sms_outbound_status", "sms_outbound", ["status"])
    op.create_table(
        "sms_opt_outs",
        sa.Column("number", sa.String(20), primary_key=True),
        sa.Column("opted_out_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sms_delivery_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("twilio_sid", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("error_code", sa.String(16), nullable=True),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_sms_delivery_reports_twilio_sid", "sms_delivery_reports", ["twilio_sid"])


def downgrade() -> None:
    op.drop_index("ix_sms_delivery_reports_twilio_sid", table_name="sms_delivery_reports")
    op.drop_table("sms_delivery_reports")
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_sms_outbound_status", table_name="sms_outbound")
    op.drop_index("ix_sms_outbound_conversation_id", table_name="sms_outbound")
    op.drop_table("sms_outbound")
    op.drop_table("sms_contacts")
    op.drop_table("sms_inbound")
