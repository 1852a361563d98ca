"""Safety tiers: one safety event per message, and alerts with a priority.

``safety_events.message_key`` (the conversation and the message's id) lets the Rasa
server and the action server both record a message's event without making two;
``tier`` says whether it was a crisis or possible risk. ``safety_alerts.priority`` is
``urgent`` (a crisis: PA and duty worker at once, the manager after 15 minutes),
``check_in`` (possible risk: the PA, the manager after 4 hours) or ``undelivered`` (the
crisis reply could not reach the young person: everyone at once).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("safety_events") as batch:
        batch.add_column(sa.Column("message_key", sa.String(255), nullable=True))
        batch.add_column(sa.Column("tier", sa.String(16), nullable=False, server_default="crisis"))
        batch.create_unique_constraint("uq_safety_events_message_key", ["message_key"])
    with op.batch_alter_table("safety_alerts") as batch:
        batch.add_column(
            sa.Column("priority", sa.String(16), nullable=False, server_default="urgent")
        )


def downgrade() -> None:
    with op.batch_alter_table("safety_alerts") as batch:
        batch.drop_column("priority")
    with op.batch_alter_table("safety_events") as batch:
        batch.drop_constraint("uq_safety_events_message_key", type_="unique")
        batch.drop_column("tier")
        batch.drop_column("message_key")
