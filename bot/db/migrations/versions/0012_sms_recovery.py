"""Inbound SMS kept until handled, so a server that dies mid-message loses nothing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_inbound") as batch:
        batch.add_column(sa.Column("pending_from", sa.String(20), nullable=True))
        batch.add_column(sa.Column("pending_body", sa.Text, nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))
    op.create_index("ix_sms_inbound_claimed_at", "sms_inbound", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_sms_inbound_claimed_at", table_name="sms_inbound")
    with op.batch_alter_table("sms_inbound") as batch:
        batch.drop_column("attempts")
        batch.drop_column("claimed_at")
        batch.drop_column("pending_body")
        batch.drop_column("pending_from")
