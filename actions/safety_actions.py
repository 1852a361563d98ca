"""Records a safety event after the crisis signposting has been sent, and alerts staff.

The signposting itself is a response in ``domain.yml`` that a rule sends
straight after a crisis message, so it never waits for this server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services, who_is_talking
from bot.cases.conversation import alert_staff
from bot.records import record_safety_event
from bot.safety.detector import assess

logger = logging.getLogger(__name__)


class ActionRecordSafetyEvent(Action):
    """Store the safety event for the message just answered with signposting."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_record_safety_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Record which kinds of risk were seen, and whether patterns or the model saw it."""
        text = tracker.latest_message.get("text") or ""
        assessment = assess(text)
        detected_by = "pattern" if assessment.at_risk else "model"
        categories = assessment.categories or ("unspecified",)
        event_id = await asyncio.to_thread(
            record_safety_event,
            get_services().engine,
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            categories=categories,
            detected_by=detected_by,
            text=text,
        )
        logger.warning(
            "Safety event %s recorded (%s, by %s)", event_id, ",".join(categories), detected_by
        )
        services = get_services()
        person = await who_is_talking(tracker.sender_id)
        texted = await asyncio.to_thread(
            alert_staff,
            services.engine,
            services.settings,
            safety_event_id=event_id,
            conversation_id=tracker.sender_id,
            person=person,
            now=dt.datetime.now(dt.timezone.utc),
        )
        logger.warning("Safety alert for event %s: %s member(s) of staff texted", event_id, texted)
        return []
