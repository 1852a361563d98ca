"""The project's own tables (SQLAlchemy 1.4 Core), apart from the knowledge base's.

The knowledge base's tables live in :mod:`entitlements.store` and Rasa's
conversation events in :mod:`bot.db.rasa_events`; Alembic migrates all three
(see ``bot/db/migrations``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

unanswered_questions = sa.Table(
    "unanswered_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("asked_at", sa.DateTime, nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("conversation_key", sa.String(64), nullable=False),
    sa.Column("best_guess", sa.String(80), nullable=True),
    sa.Column("best_score", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Column("resolved_by", sa.String(120), nullable=True),
    sa.Column("resolution", sa.Text, nullable=True),
    # The young person's district when they are on record (for the weekly report).
    sa.Column("district", sa.String(64), nullable=True),
)

safety_events = sa.Table(
    "safety_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
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
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
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
    sa.Column("decided_at", sa.DateTime, nullable=True),
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
    sa.Column("approved_at", sa.DateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

# Counters per internet address (a keyed hash of it), in fixed windows, for the limits a
# single machine without Redis applies (bot/address_limits.py): new web chats, web chat
# messages, safety alerts. Rows go once their window is over (expires_at).
address_counts = sa.Table(
    "address_counts",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("bucket", sa.BigInteger, primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    # The safety alert that later events from the address are added to (kind "alert").
    sa.Column("alert_id", sa.Integer, nullable=True),
)
