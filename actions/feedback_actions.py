"""Records a young person's one-tap "Did that help?" about the answer just given."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import ENTITLEMENT_SLOT
from actions.services import get_services, talking
from bot.reports.feedback import record_feedback

ASK_RESPONSE = "utter_ask_helpful"
HELPFUL_INTENT = "feedback_helpful"


def _said_by(event: dict[str, Any]) -> set[str]:
    """The metadata values of a bot event: the response it came from is one of them."""
    metadata = event.get("metadata") or {}
    return {value for value in metadata.values() if isinstance(value, str)}


def was_asked(tracker: Tracker) -> bool:
    """True if the bot's last turn asked "Did that help?" (so each answer counts once)."""
    seen_current = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_current:
                return False  # the turn before this message ended without the question
            seen_current = True
        elif kind == "bot" and seen_current and ASK_RESPONSE in _said_by(event):
            return True
    return False


def asked_before(tracker: Tracker) -> bool:
    """True if "Did that help?" was asked earlier in this conversation (at most once each).

    Read from the events Rasa sends with the tracker (the current session's: a
    conversation idle for the session's expiry time starts again), never from memory.
    """
    return any(
        event.get("event") == "bot" and ASK_RESPONSE in _said_by(event) for event in tracker.events
    )


class ActionRecordFeedback(Action):
    """Count "yes, that helped" or "no" for the entitlement the conversation is about."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Record the answer once per question asked, and thank them."""
        helpful = (tracker.latest_message.get("intent") or {}).get("name") == HELPFUL_INTENT
        entitlement_id = tracker.get_slot(ENTITLEMENT_SLOT)
        if entitlement_id and was_asked(tracker):
            # The district is for the figures only, never said: checked or not.
            person = (await talking(tracker.sender_id)).person
            await asyncio.to_thread(
                record_feedback,
                get_services().engine,
                entitlement_id=str(entitlement_id),
                helpful=helpful,
                channel=tracker.get_latest_input_channel() or "unknown",
                district=person.district if person else None,
            )
        dispatcher.utter_message(
            response="utter_feedback_thanks" if helpful else "utter_feedback_sorry"
        )
        return []
