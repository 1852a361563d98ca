"""What a web chat page shows after a reload: the conversation's visible messages.

Read from Rasa's stored events (``events``) for the session's own conversation id
only: the young person's messages and the bot's replies (text and buttons), in
order. A button the person clicked was sent as its payload; it is shown as the
button's title, as the page showed it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db.rasa_events import events

MAX_HISTORY = 200


def _buttons(data: dict[str, Any]) -> list[dict[str, str]]:
    raw = (data.get("data") or {}).get("buttons") or []
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw
        if isinstance(b, dict) and b.get("title") and b.get("payload")
    ]


def visible_messages(engine: Engine, conversation_id: str) -> list[dict[str, Any]]:
    """The last ``MAX_HISTORY`` messages of a conversation, oldest first.

    Each is ``{"from": "user" | "bot", "text": ..., "buttons": [...]}`` (buttons on
    bot messages only).
    """
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.type_name, events.c.data)
            .where(
                events.c.sender_id == conversation_id,
                events.c.type_name.in_(("user", "bot")),
            )
            .order_by(events.c.id.desc())
            .limit(MAX_HISTORY)
        ).all()
    messages: list[dict[str, Any]] = []
    # The buttons of the latest reply (every message of it: an answer's follow-ups and
    # "Did that help?" both), to show a clicked payload as its title.
    last_buttons: dict[str, str] = {}
    new_reply = True
    for row in reversed(rows):
        try:
            data = json.loads(row.data or "{}")
        except ValueError:
            continue
        text = data.get("text")
        if row.type_name == "user":
            if not isinstance(text, str):
                continue
            messages.append({"from": "user", "text": last_buttons.get(text, text)})
            new_reply = True
        else:
            buttons = _buttons(data)
            if buttons:
                if new_reply:
                    last_buttons, new_reply = {}, False
                last_buttons.update({b["payload"]: b["title"] for b in buttons})
            if (isinstance(text, str) and text) or buttons:
                messages.append({"from": "bot", "text": text or "", "buttons": buttons})
    return messages
