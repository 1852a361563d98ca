"""Channel security (issue 15).

- ``sms_outbound.follows_id``: the message that must leave the queue before this one (the
  part before it, of a reply longer than one 1,600-character text);
- ``address_counts``: counters per internet address (a keyed hash of it) in fixed
  windows, for the limits without Redis: new web chats, web chat messages, safety alerts
  (with the alert later events from the address are added to);
- ``link_codes.wrong_tries`` (wrong tries at that code itself) and
  ``care_leavers.linking_locked_until``: web chat linking to a record is locked for a day
  once codes sent to it have been typed wrong too often, in however many chats;
- ``identity_checks``: whether a number on record has been checked to be its young
  person's (their date of birth, asked once in a while), per SMS conversation.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sms_outbound") as batch:
        batch.add_column(sa.Column("follows_id", sa.Integer, nullable=True))
    op.create_table(
        "address_counts",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("bucket", sa.BigInteger, primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("alert_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_address_counts_expires_at", "address_counts", ["expires_at"])
    with op.batch_alter_table("link_codes") as batch:
        batch.add_column(sa.Column("wrong_tries", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("care_leavers") as batch:
        batch.add_column(sa.Column("linking_locked_until", sa.DateTime, nullable=True))
    op.create_table(
        "identity_checks",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
        sa.Column("verified_at", sa.DateTime, nullable=True),
        sa.Column("wrong_tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("asked_at", sa.DateTime, nullable=True),
        sa.Column("pending_text", sa.Text, nullable=True),
        sa.Column("locked_at", sa.DateTime, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_identity_checks_care_leaver_id", "identity_checks", ["care_leaver_id"])


def downgrade() -> None:
    op.drop_index("ix_identity_checks_care_leaver_id", table_name="identity_checks")
    op.drop_table("identity_checks")
    with op.batch_alter_table("care_leavers") as batch:
        batch.drop_column("linking_locked_until")
    with op.batch_alter_table("link_codes") as batch:
        batch.drop_column("wrong_tries")
    op.drop_index("ix_address_counts_expires_at", table_name="address_counts")
    op.drop_table("address_counts")
    with op.batch_alter_table("sms_outbound") as batch:
        batch.drop_column("follows_id")
