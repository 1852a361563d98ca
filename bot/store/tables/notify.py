"""Outbound SMS, opt-outs and delivery reports (part of the project's metadata)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.store.metadata import metadata
from bot.store.types import UtcDateTime

sms_outbound = sa.Table(
    "sms_outbound",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # What makes this message unique: e.g. the inbound MessageSid it answers and its part.
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("to_number", sa.String(20), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    # queued -> sending -> sent (-> delivered/undelivered/failed by callback);
    # outbox (demo mode); suppressed (opted out); failed; unknown (Twilio may have it).
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
    sa.Column("twilio_sid", sa.String(64), nullable=True, unique=True),
    sa.Column("error", sa.String(255), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # The message that must leave the queue first (the part before, of a long reply).
    sa.Column("follows_id", sa.Integer, nullable=True),
)

sms_opt_outs = sa.Table(
    "sms_opt_outs",
    metadata,
    sa.Column("number", sa.String(20), primary_key=True),
    sa.Column("opted_out_at", UtcDateTime(), nullable=False),
)

sms_delivery_reports = sa.Table(
    "sms_delivery_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("twilio_sid", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("error_code", sa.String(16), nullable=True),
    sa.Column("received_at", UtcDateTime(), nullable=False),
)
