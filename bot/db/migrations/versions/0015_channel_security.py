"""Channel security (issue 15): the parts of a long SMS reply go out in order.

``sms_outbound.follows_id``: the message that must leave the queue before this one (the
part before it, of a reply longer than one 1,600-character text).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_outbound") as batch:
        batch.add_column(sa.Column("follows_id", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sms_outbound") as batch:
        batch.drop_column("follows_id")
