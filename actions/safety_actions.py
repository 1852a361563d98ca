"""Records a safety event after the crisis signposting has been sent, and alerts staff.

The signposting itself is a response in ``domain.yml`` that a rule sends
straight after a crisis message, so it never waits for this server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
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
            now=dt.datetime.now(dt.timezone.utc),
        )
        return []
