"""Records a safety event after the crisis signposting has been sent, and alerts staff.

The signposting itself never waits for this server: the channel sent it before the
message reached Rasa (bot/channels/safety_first.py), and the crisis rule's response is
in ``domain.yml``. The channel has usually recorded the event already; the message's
key (its conversation and id) makes this call a no-op then.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
from bot.clock import utcnow
from bot.safety.alerting import raise_safety_alert


class ActionRecordSafetyEvent(Action):
    """Store the safety event for the message just answered with signposting."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_record_safety_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Record which kinds of risk were seen, and alert the PA and the duty worker."""
        services = get_services()
        await asyncio.to_thread(
            raise_safety_alert,
            services.engine,
            services.settings,
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            text=tracker.latest_message.get("text") or "",
            now=utcnow(),
            message_key=message_key(tracker),
        )
        return []


def message_key(tracker: Tracker) -> str | None:
    """The latest message's safety event key, as the channels make it."""
    message_id = tracker.latest_message.get("message_id")
    return f"{tracker.sender_id}:{message_id}" if message_id else None
