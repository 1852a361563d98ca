"""Safety events, and what the safety net learns from what it missed.

- ``safety_events``: one row per message the safety net caught (:mod:`bot.records`).
- ``safety_marks`` and ``safety_phrases``: staff marks and approved phrases
  (:mod:`bot.safety.review`).

Times are stored as naive UTC, like the rest of the project's tables, and read and taken
as aware UTC (:class:`bot.store.types.UtcDateTime`).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

safety_events = sa.Table(
    "safety_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("categories", sa.String(255), nullable=False),
    sa.Column("detected_by", sa.String(32), nullable=False),
    sa.Column("message_text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    # The conversation and the message's id: one event per message, whoever records it.
    sa.Column("message_key", sa.String(255), nullable=True),
    # crisis or possible (bot.safety.screen.Tier)
    sa.Column("tier", sa.String(16), nullable=False, server_default="crisis"),
    sa.UniqueConstraint("message_key", name="uq_safety_events_message_key"),
)

# The safety net learns from what it missed (bot/safety/review.py): a message a member of
# staff marked, waiting for a safeguarding approver; its words are cleared once decided.
safety_marks = sa.Table(
    "safety_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("message_text", sa.Text, nullable=True),
    # missed_risk or false_alarm
    sa.Column("mark", sa.String(16), nullable=False),
    # the kind of risk the marker thinks it shows (missed_risk), if they said
    sa.Column("category", sa.String(32), nullable=True),
    # where it was marked: quality, alert
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("marked_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    # waiting, approved, rejected
    sa.Column("status", sa.String(16), nullable=False, server_default="waiting", index=True),
    sa.Column("decided_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=True),
    sa.Column("decided_at", UtcDateTime(), nullable=True),
    # the label approved: a kind of risk, possible or none
    sa.Column("label", sa.String(32), nullable=True),
)

# Phrases approved into the phrase bank; the Rasa servers pick them up within seconds.
safety_phrases = sa.Table(
    "safety_phrases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("label", sa.String(32), nullable=False),
    sa.Column("mark_id", sa.Integer, sa.ForeignKey("safety_marks.id"), nullable=True),
    sa.Column("approved_by", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("approved_at", UtcDateTime(), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)
