"""Entitlements packs, nudges and when the scheduler's pack round is next due.

Part of the project's metadata (:mod:`bot.store.metadata`), migrated by Alembic. Times are
aware UTC in and out (:class:`bot.store.types.UtcDateTime`), like every table's.

- ``packs``: one row per pack made for a care leaver. The link's token is never
  stored, only its SHA-256 (``token_hash``). ``contents`` is JSON: the entitlements
  that applied (id and published version) and those to ask the PA about.
  ``offer_key`` makes an offer happen once: ``birthday_21``, ``content:17``; it is
  NULL for packs staff or the ``send-packs`` command ask for.
- ``nudges``: one row per reminder, unique on (care leaver, kind, the date it is
  about), so none is sent twice, whatever restarts or however many schedulers run.
- ``job_runs``: when a scheduled job is next due (stored, so a restart does not lose it).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

packs = sa.Table(
    "packs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    # first, birthday_18, birthday_21, birthday_25, content_change, resend
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("offer_key", sa.String(64), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("contents", sa.Text, nullable=False),
    sa.Column("content_revision", sa.Integer, nullable=False),
    # sms or print
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    # Why it was not sent: opted_out, no_mobile.
    sa.Column("not_sent_reason", sa.String(32), nullable=True),
    sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
    sa.Column("first_opened_at", UtcDateTime(), nullable=True),
    sa.Index("ix_packs_care_leaver_id", "care_leaver_id"),
    sa.UniqueConstraint("care_leaver_id", "offer_key", name="uq_packs_offer"),
)

nudges = sa.Table(
    "nudges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("care_leaver_id", sa.Integer, sa.ForeignKey("care_leavers.id"), nullable=False),
    # review (a pathway-plan review) or age_limit (a birthday that ends entitlements)
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("about_date", sa.Date, nullable=False),
    # The entitlement ids an age_limit nudge is about, comma-separated.
    sa.Column("detail", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # queued (or in the outbox), or not_sent with the reason: opted_out, no_mobile.
    sa.Column("young_person_status", sa.String(16), nullable=False),
    sa.Column("young_person_reason", sa.String(32), nullable=True),
    sa.Column("adviser_status", sa.String(16), nullable=False),
    sa.Column("adviser_reason", sa.String(32), nullable=True),
    sa.UniqueConstraint("care_leaver_id", "kind", "about_date", name="uq_nudges_key"),
)

job_runs = sa.Table(
    "job_runs",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("next_run_at", UtcDateTime(), nullable=False),
    sa.Column("last_run_at", UtcDateTime(), nullable=True),
)
