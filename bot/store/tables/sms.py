"""Inbound SMS seen (for exactly-once handling) and each SMS conversation's number.

An inbound message's number and words are kept (``pending_from``, ``pending_body``)
only until it has been handled, then cleared: if the server handling it dies first,
another server finds it unhandled and handles it (:meth:`SmsService.recover`).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

sms_inbound = sa.Table(
    "sms_inbound",
    metadata,
    sa.Column("message_sid", sa.String(64), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("handled_at", UtcDateTime(), nullable=True),
    sa.Column("pending_from", sa.String(20), nullable=True),
    sa.Column("pending_body", sa.Text, nullable=True),
    # When a server last took the message on; another takes it over if it stays unhandled.
    sa.Column("claimed_at", UtcDateTime(), nullable=True, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
)

sms_contacts = sa.Table(
    "sms_contacts",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    # The numbered options of the last reply ("1" -> payload), as JSON.
    sa.Column("options", sa.Text, nullable=False, server_default="{}"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)
