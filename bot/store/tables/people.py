"""Records of care leavers and staff, and which conversation belongs to whom.

Part of the project's metadata (:mod:`bot.store.metadata`), migrated by Alembic. Times are
stored as naive UTC, like the rest of the project's tables, and read and taken as aware UTC
(:class:`bot.store.types.UtcDateTime`).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("external_ref", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("district", sa.String(64), nullable=False),
    sa.Column("mobile", sa.String(20), nullable=True),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

care_leavers = sa.Table(
    "care_leavers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("external_ref", sa.String(64), nullable=False, unique=True),
    sa.Column("preferred_name", sa.String(80), nullable=False),
    # NULL only once the record is erased (bot.privacy.erasure).
    sa.Column("date_of_birth", sa.Date, nullable=True),
    sa.Column("mobile", sa.String(20), nullable=True, unique=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("district", sa.String(64), nullable=False),
    sa.Column("adviser_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("pathway_last_review", sa.Date, nullable=True),
    sa.Column("pathway_next_review", sa.Date, nullable=True),
    # Codes from entitlements.model.CIRCUMSTANCES, comma-separated and sorted.
    sa.Column("circumstances", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # When the young person's personal data were erased on request; the row stays so
    # that kept records (cases, safety alerts) still resolve.
    sa.Column("erased_at", UtcDateTime(), nullable=True),
    # Web chat linking to this record is locked until then (too many wrong codes).
    sa.Column("linking_locked_until", UtcDateTime(), nullable=True),
)

conversation_identities = sa.Table(
    "conversation_identities",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("verified_at", UtcDateTime(), nullable=False),
)

link_codes = sa.Table(
    "link_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=True),
    sa.Column("code_hash", sa.String(128), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    # Wrong tries at this code itself (``attempts`` carries the chat's earlier ones).
    sa.Column("wrong_tries", sa.Integer, nullable=False, server_default="0"),
)

# Whether a number on record has been checked to be its young person's (bot/people/sms_check.py):
# one row per SMS conversation (a keyed hash of the number). Never the date of birth given.
identity_checks = sa.Table(
    "identity_checks",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    # The last time the right date of birth was given.
    sa.Column("verified_at", UtcDateTime(), nullable=True),
    sa.Column("wrong_tries", sa.Integer, nullable=False, server_default="0"),
    # A question asking for the date of birth is waiting for its answer since then, and
    # the young person's question to answer once it comes (cleared when used).
    sa.Column("asked_at", UtcDateTime(), nullable=True),
    sa.Column("pending_text", sa.Text, nullable=True),
    # The check was failed: general answers only until staff clear it.
    sa.Column("locked_at", UtcDateTime(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_identity_checks_care_leaver_id", "care_leaver_id"),
)
