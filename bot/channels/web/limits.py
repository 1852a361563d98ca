"""Limits on what one web chat session may send: how long, and how often.

Both answered with a friendly message in the chat, never an error page. How often
is counted from the conversation's stored user messages (Rasa's ``events`` table),
so every Rasa worker process sees the same count, whichever one a socket is on.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db.rasa_events import events

RATE_WINDOW_SECONDS = 60.0

EMPTY_MESSAGE = "Type a message first."
TOO_FAST = (
    "You're sending messages very fast. Please wait a minute, then try again. "
    "If you are in danger now, call 999."
)


def too_long(limit: int) -> str:
    """What a message over ``limit`` characters gets."""
    return (
        f"That message is too long for me. Please keep it under {limit} characters, "
        "or split it into shorter messages."
    )


def message_problem(text: str, limit: int) -> str | None:
    """A friendly reason the message cannot be taken, or None if it can."""
    if not text.strip():
        return EMPTY_MESSAGE
    if len(text) > limit:
        return too_long(limit)
    return None


def recent_messages(engine: Engine, conversation_id: str, since: float) -> int:
    """How many messages the conversation's user has sent since ``since`` (Unix seconds)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(events)
                .where(
                    events.c.sender_id == conversation_id,
                    events.c.type_name == "user",
                    events.c.timestamp >= since,
                )
            ).scalar_one()
        )


def over_rate(engine: Engine, conversation_id: str, now: float, per_minute: int) -> bool:
    """True if the conversation has already sent ``per_minute`` messages in the last minute."""
    return recent_messages(engine, conversation_id, now - RATE_WINDOW_SECONDS) >= per_minute
