"""While a person has a conversation, the bot does not answer in their place.

Shared by the SMS and web chat channels: a message in a conversation handed over to
its PA is kept in the handoff's history for the console, and not passed to Rasa,
unless the safety net (already run by the channel, :mod:`bot.channels.safety_first`)
or Rasa's NLU calls it a crisis: then it goes through as usual (the young person
already has the signposting, and staff have been alerted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import Engine

from bot.cases.handoffs import active_handoff, record_message
from bot.clock import utcnow
from bot.rasa_plugins.safety_net import CRISIS_INTENT
from bot.safety.screen import Tier, Verdict

Parse = Callable[[str], Awaitable[Any]]
"""Rasa's NLU on one text (the agent's ``parse_message``): its intent, safety net included."""

HELD_NOTICE = "Your PA has your message and will reply here."


def parser_of(app: Any) -> Parse | None:
    """The running Rasa agent's NLU, if the app has an agent loaded."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    return agent.parse_message if agent is not None else None


async def held_for_handoff(
    engine: Engine,
    conversation_id: str,
    text: str,
    parse: Parse | None,
    verdict: Verdict | None = None,
) -> bool:
    """True if a person has this conversation: the message is kept for them, no bot reply."""
    handoff = await asyncio.to_thread(active_handoff, engine, conversation_id)
    if handoff is None:
        return False
    if verdict is not None and verdict.tier is Tier.CRISIS:
        return False
    if parse is not None:
        parsed = await parse(text)
        if ((parsed or {}).get("intent") or {}).get("name") == CRISIS_INTENT:
            return False
    await asyncio.to_thread(record_message, engine, handoff.id, text=text, now=utcnow())
    return True
