"""Questions the assistant could not answer, for content staff (:mod:`bot.records`).

Times are stored as naive UTC and read and taken as aware UTC
(:class:`bot.store.types.UtcDateTime`), like the rest of the project's tables.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

unanswered_questions = sa.Table(
    "unanswered_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("asked_at", UtcDateTime(), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("conversation_key", sa.String(64), nullable=False),
    sa.Column("best_guess", sa.String(80), nullable=True),
    sa.Column("best_score", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    sa.Column("resolved_at", UtcDateTime(), nullable=True),
    sa.Column("resolved_by", sa.String(120), nullable=True),
    sa.Column("resolution", sa.Text, nullable=True),
    # The young person's district when they are on record (for the weekly report).
    sa.Column("district", sa.String(64), nullable=True),
)
