"""What a web chat page shows after a reload: the conversation's visible messages.

Read from Rasa's stored events (``events``) for the session's own conversation id
only: the young person's messages and the bot's replies (text and buttons), in
order. A button the person clicked was sent as its payload; it is shown as the
button's title, as the page showed it. Staff messages written for the chat in the
console (:mod:`bot.channels.web.staff_messages`), delivered or still waiting, are
placed among them by the time they were written.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.channels.web.staff_messages import conversation_messages
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
    bot messages only), or ``{"from": "staff", "text", "sender", "at", "ref"}`` for a
    message from a member of staff.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.type_name, events.c.data, events.c.timestamp)
            .where(
                events.c.sender_id == conversation_id,
                events.c.type_name.in_(("user", "bot")),
            )
            .order_by(events.c.id.desc())
            .limit(MAX_HISTORY)
        ).all()
    timed: list[tuple[float, dict[str, Any]]] = []
    # The buttons of the latest reply (every message of it: an answer's follow-ups and
    # "Did that help?", asked once a conversation), to show a clicked payload as its title.
    last_buttons: dict[str, str] = {}
    new_reply = True
    for row in reversed(rows):
        try:
            data = json.loads(row.data or "{}")
        except ValueError:
            continue
        text = data.get("text")
        at = float(row.timestamp or 0.0)
        if row.type_name == "user":
            if not isinstance(text, str):
                continue
            timed.append((at, {"from": "user", "text": last_buttons.get(text, text)}))
            new_reply = True
        else:
            buttons = _buttons(data)
            if buttons:
                if new_reply:
                    last_buttons, new_reply = {}, False
                last_buttons.update({b["payload"]: b["title"] for b in buttons})
            if (isinstance(text, str) and text) or buttons:
                timed.append((at, {"from": "bot", "text": text or "", "buttons": buttons}))
    staff = [
        (m.timestamp, {"from": "staff", **m.visible()})
        for m in conversation_messages(engine, conversation_id, MAX_HISTORY)
    ]
    return _merged(timed, staff)[-MAX_HISTORY:]


def _merged(
    timed: list[tuple[float, dict[str, Any]]], staff: list[tuple[float, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Rasa's messages in their stored order, each staff message before the first later one."""
    merged: list[dict[str, Any]] = []
    waiting = list(staff)
    for at, message in timed:
        while waiting and waiting[0][0] < at:
            merged.append(waiting.pop(0)[1])
        merged.append(message)
    merged.extend(message for _, message in waiting)
    return merged
