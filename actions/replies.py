"""Sends :class:`bot.answering.Outcome` replies through a rasa-sdk dispatcher."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answering import Outcome

ENTITLEMENT_SLOT = "entitlement_id"


def send(dispatcher: CollectingDispatcher, outcome: Outcome) -> list[dict[str, Any]]:
    """Utter each reply of ``outcome``; return the events that remember its entry."""
    for reply in outcome.replies:
        dispatcher.utter_message(
            response=reply.response, buttons=list(reply.buttons), **reply.variables
        )
    if outcome.entitlement_id:
        return [SlotSet(ENTITLEMENT_SLOT, outcome.entitlement_id)]
    return []
