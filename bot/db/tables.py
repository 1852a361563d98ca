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
)
