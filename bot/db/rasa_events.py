"""Rasa's tracker-store table, declared here so our migrations own it.

Rasa's ``SQLTrackerStore`` creates an ``events`` table with this shape when it
is missing. Creating it in our migrations instead lets us add the index that
keeps loading one conversation fast however long it gets: Rasa itself indexes
``sender_id`` only, and looks up each conversation's latest session start by
``sender_id``, ``type_name`` and ``timestamp``.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, sa.Sequence("events_seq", optional=True), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
    sa.Index("ix_events_sender_type_time", "sender_id", "type_name", "timestamp"),
)
