"""Per-address counters for the limits a single machine applies (:mod:`bot.address_limits`)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

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
    sa.Column("expires_at", UtcDateTime(strict=True), nullable=False, index=True),
    # The safety alert that later events from the address are added to (kind "alert").
    sa.Column("alert_id", sa.Integer, nullable=True),
)
