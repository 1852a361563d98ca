"""Staff messages waiting for, or delivered to, a web chat conversation.

Part of the project's metadata (:mod:`bot.store.metadata`), migrated by Alembic (0006).
Times are aware UTC in and out (:class:`bot.store.types.UtcDateTime`). Rows are never deleted: a
delivered message keeps its ``delivered_at``, and the page's history shows it.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

web_chat_messages = sa.Table(
    "web_chat_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # A random public reference: the page uses it to show a message once.
    sa.Column("ref", sa.String(32), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    # What the young person sees as the sender, fixed when it was written
    # ("Pat (your personal adviser)"): a first name and a role, nothing more.
    sa.Column("sender_label", sa.String(160), nullable=False),
    # The caller's key (e.g. "handoff-reply:12:345"): the same key twice is one message.
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    # sha256 of conversation, sender, words and a two-minute window: the same words
    # from the same person posted again at once (a retried form) are one message.
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
)
