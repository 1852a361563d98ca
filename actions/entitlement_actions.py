"""Actions that answer questions about entitlements from the knowledge base."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import ENTITLEMENT_SLOT, send
from actions.services import get_services
from bot.answering import (
    SENTENCE_VECTOR_KEY,
    FollowUp,
    answer_entry,
    answer_follow_up,
    answer_question,
    answer_unsure,
    outcome_summary,
)
from bot.records import record_unanswered
from entitlements.knowledge_base import ContentNotLoadedError, KnowledgeBase

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"

FOLLOW_UPS = {
    "ask_more": FollowUp.MORE,
    "ask_how_to_get": FollowUp.HOW_TO_GET,
    "ask_who_can_get": FollowUp.WHO_CAN_GET,
    "ask_sources": FollowUp.SOURCES,
}


def _knowledge(dispatcher: CollectingDispatcher) -> KnowledgeBase | None:
    try:
        return get_services().knowledge.current()
    except ContentNotLoadedError:
        logger.error("No entitlement content is published; run `python -m bot setup`.")
        dispatcher.utter_message(response="utter_try_again_later")
        return None


def _best_guess(tracker: Tracker) -> str | None:
    """The model's most likely intent, under the fallback it was not sure enough of."""
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name and name != FALLBACK_INTENT:
            return str(name)
    return None


def _vector(tracker: Tracker) -> list[float] | None:
    """The message's sentence vector, passed on by the NLU pipeline (saves encoding it)."""
    vector = tracker.latest_message.get(SENTENCE_VECTOR_KEY)
    return vector if isinstance(vector, list) and vector else None


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


class ActionAnswerEntitlement(Action):
    """Find the entitlement a question is about (or the one picked) and give its first answer."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_entitlement"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer, offer a choice of two, or say "I don't know" and keep the question."""
        kb = _knowledge(dispatcher)
        if kb is None:
            return []
        chosen = kb.get(next(tracker.get_latest_entity_values(ENTITLEMENT_SLOT), None))
        if chosen is not None:  # picked from a choice of two (a button's payload)
            return send(dispatcher, answer_entry(chosen))
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == FALLBACK_INTENT:
            outcome = answer_unsure(kb, text, _best_guess(tracker), _vector(tracker))
        else:
            outcome = answer_question(kb, text, vector=_vector(tracker))
        logger.debug("answer: %s", outcome_summary(outcome))
        if outcome.unanswered and text.strip():
            best = outcome.best_match
            await asyncio.to_thread(
                record_unanswered,
                get_services().engine,
                text=text,
                channel=_channel(tracker),
                conversation_id=tracker.sender_id,
                best_guess=best.entitlement_id if best else None,
                best_score=best.score if best else None,
            )
        return send(dispatcher, outcome)


class ActionEntitlementFollowUp(Action):
    """Answer "more", "how do I get it", "who can get it" or "where does it say that"."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_entitlement_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reply about the entry the message names, or the one the conversation is about."""
        kb = _knowledge(dispatcher)
        if kb is None:
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = FOLLOW_UPS.get(str(intent), FollowUp.MORE)
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):  # a button's payload names no entitlement
            text = ""
        outcome = answer_follow_up(
            kb,
            kind,
            text,
            tracker.get_slot(ENTITLEMENT_SLOT),
            vector=_vector(tracker) if text else None,
        )
        return send(dispatcher, outcome)
