"""Reporting tables (part of the project's metadata).

- ``answer_log``: one row per question the bot answered from the knowledge base,
  with the entitlement, the channel, a pseudonym of the conversation and the young
  person's district when they are on record. No words, no ids a person could be
  found by: it is there to count.
- ``weekly_reports``: a week's figures once that week has ended, kept so that the
  report for an ended week always shows the same numbers, whatever changes later.

Times are naive UTC, like the rest of the project's tables.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

answer_log = sa.Table(
    "answer_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answered_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("entitlement_id", sa.String(80), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("conversation_key", sa.String(64), nullable=False),
    sa.Column("district", sa.String(64), nullable=True),
)

weekly_reports = sa.Table(
    "weekly_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The Monday the week starts on, in the council's time zone.
    sa.Column("week_start", sa.Date, nullable=False, unique=True),
    sa.Column("produced_at", UtcDateTime(), nullable=False),
    # JSON: {"council": {...figures}, "North": {...}, ...}
    sa.Column("figures", sa.Text, nullable=False),
)
