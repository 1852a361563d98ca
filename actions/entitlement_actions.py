"""Actions that answer questions about entitlements from the knowledge base."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.feedback_actions import ASK_RESPONSE, asked_before
from actions.replies import ENTITLEMENT_SLOT, send
from actions.services import ask_who_they_are, get_services, talking
from bot.answering import (
    SENTENCE_VECTOR_KEY,
    FollowUp,
    Outcome,
    answer_entry,
    answer_follow_up,
    answer_question,
    answer_unsure,
    outcome_summary,
)
from bot.channels.sms.formatting import ANSWER_SEGMENTS, segments, to_gsm7
from bot.clock import utcnow
from bot.people.identity import CareLeaver
from bot.people.sms_check import ASK_FOR_DETAILS, Talking
from bot.personal import (
    age_reply,
    anonymous_who_can_get,
    entitlements_for,
    limited_reply,
    list_page,
    parse_age,
    personal_reply,
    with_line,
)
from bot.records import record_answer, record_unanswered
from bot.reports.feedback import SMS_CHANNELS, asks_for_feedback
from bot.safety.categories import ENTRY_EXTRACTOR
from entitlements.eligibility import today_in_london
from entitlements.knowledge_base import ContentNotLoadedError, KnowledgeBase
from entitlements.search import Thresholds

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
AGE_QUESTION_SLOT = "age_question"
LIST_IDS_SLOT = "list_ids"
LIST_OFFSET_SLOT = "list_offset"


def _clear_list(tracker: Tracker) -> list[dict[str, Any]]:
    """Forget a "what can I get" list being paged (no events when there is none)."""
    if tracker.get_slot(LIST_IDS_SLOT) is None and tracker.get_slot(LIST_OFFSET_SLOT) is None:
        return []
    return [SlotSet(LIST_IDS_SLOT, None), SlotSet(LIST_OFFSET_SLOT, None)]


SPECIFIC_ENOUGH = Thresholds(answer=0.55, confident=0.55, second_minimum=0.55)
OUT_OF_SCOPE_RESPONSE = "utter_out_of_scope"

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


async def _fit(
    tracker: Tracker,
    kb: KnowledgeBase,
    outcome: Outcome,
    who: Talking,
) -> Outcome:
    """The answer, with whether the entry applies to who is talking if the service knows.

    The line goes in the answer's own message (by SMS in the wording that keeps it within
    two segments: :func:`bot.personal.with_line`), so an answer is one message with its
    follow-ups as buttons. A number on record not checked lately hears only whether it
    applies, and in the same message how to get an answer with their own details (their
    date of birth: :mod:`bot.people.sms_check`). Someone not identified hears nothing
    more: the answer's "Who can get it?" gives the conditions (and asks their age where
    that settles it).
    """
    if outcome.entitlement_id is None:
        return outcome
    entry = kb.entries[outcome.entitlement_id]
    today = today_in_london(utcnow())
    if who.checked is not None:
        lines = personal_reply(kb, entry, who.checked, today).wordings
    elif who.unchecked is not None:
        limited = limited_reply(kb, entry, who.unchecked, today).text
        text = tracker.latest_message.get("text") or ""
        await ask_who_they_are(tracker.sender_id, who.unchecked.id, text)
        lines = (f"{limited} {ASK_FOR_DETAILS}",)
    else:
        return outcome
    first, *rest = outcome.replies
    by_sms = _channel(tracker) in SMS_CHANNELS
    answer = with_line(
        first.variables["answer"], lines, sms_segments if by_sms else None, ANSWER_SEGMENTS
    )
    first = dataclasses.replace(first, variables={**first.variables, "answer": answer})
    return dataclasses.replace(outcome, replies=(first, *rest))


def sms_segments(text: str) -> int:
    """What ``text`` costs as one SMS: its segments, as Twilio counts them."""
    return segments(to_gsm7(text))


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def _ask_feedback(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """End an answer with "Did that help?": once a conversation, never by SMS.

    Whether it was asked is read from the conversation's own events (Rasa sends the
    action server those of the current session), so every server agrees and a restart
    forgets nothing: see :func:`actions.feedback_actions.asked_before`.
    """
    if asks_for_feedback(_channel(tracker)) and not asked_before(tracker):
        dispatcher.utter_message(response=ASK_RESPONSE)


def _after_crisis_reply(tracker: Tracker) -> bool:
    """True when the safety net named the entry, after its crisis reply (no "Did that help?")."""
    return any(
        entity.get("extractor") == ENTRY_EXTRACTOR
        for entity in tracker.latest_message.get("entities") or []
        if isinstance(entity, dict)
    )


async def _count_answer(tracker: Tracker, entitlement_id: str, person: CareLeaver | None) -> None:
    """Count the answer for the weekly report (see :func:`bot.records.record_answer`)."""
    await asyncio.to_thread(
        record_answer,
        get_services().engine,
        entitlement_id=entitlement_id,
        channel=_channel(tracker),
        conversation_id=tracker.sender_id,
        district=person.district if person else None,
    )


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
        who = await talking(tracker.sender_id)
        person = who.person  # its district, for the figures only
        chosen = kb.get(next(tracker.get_latest_entity_values(ENTITLEMENT_SLOT), None))
        if chosen is not None:  # picked from a choice of two, or after a crisis reply
            events = send(dispatcher, await _fit(tracker, kb, answer_entry(chosen), who))
            await _count_answer(tracker, chosen.id, person)
            if not _after_crisis_reply(tracker):
                _ask_feedback(dispatcher, tracker)
            return [*events, *_clear_list(tracker)]
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
                district=person.district if person else None,
                names=[person.preferred_name] if person else [],
            )
        events = send(dispatcher, await _fit(tracker, kb, outcome, who))
        if outcome.entitlement_id:
            await _count_answer(tracker, outcome.entitlement_id, person)
            _ask_feedback(dispatcher, tracker)
        return [*events, *_clear_list(tracker)]


async def answer_if_clear(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    unless: frozenset[str] = frozenset(),
) -> list[dict[str, Any]] | None:
    """Answer the message from the knowledge base if it clearly names an entitlement.

    For messages of other kinds ("can I get a copy of my plan" from someone not on
    record) that still deserve the general answer; None when nothing is clear, or when
    the entry it names is one of ``unless``.
    """
    try:
        kb = get_services().knowledge.current()
    except ContentNotLoadedError:
        return None
    text = tracker.latest_message.get("text") or ""
    decision = kb.decide(text, SPECIFIC_ENOUGH, _vector(tracker))
    if decision.kind != "answer" or decision.entitlement_ids[0] in unless:
        return None
    return await ActionAnswerEntitlement().run(dispatcher, tracker, domain)


class ActionOutOfScope(Action):
    """Refuse politely what care leavers' entitlements do not cover, unless it names one.

    The model reads short topics ("cheap swimming", "hc1 form where") as out of scope
    because they are not questions; when the knowledge base matches such a message as
    strongly as it must for a message the model is unsure of (``SPECIFIC_ENOUGH``, the
    same as :data:`bot.answering.UNSURE_THRESHOLDS`), the entry is answered instead.
    """

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Answer a strong match, or say what the service is for."""
        events = await answer_if_clear(dispatcher, tracker, domain)
        if events is not None:
            return events
        dispatcher.utter_message(response=OUT_OF_SCOPE_RESPONSE)
        return []


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
        offset = tracker.get_slot(LIST_OFFSET_SLOT)
        listed = tracker.get_slot(LIST_IDS_SLOT)
        if kind is FollowUp.MORE and offset is not None and listed:
            who = await talking(tracker.sender_id)
            mine = who.checked or who.unchecked
            page = list_page(kb, listed, int(offset), personal=mine is not None)
            dispatcher.utter_message(response=page.reply.response, **page.reply.variables)
            return [SlotSet(LIST_OFFSET_SLOT, page.next_offset)]
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
        asked: list[dict[str, Any]] = []
        if kind is FollowUp.WHO_CAN_GET and outcome.entitlement_id:
            entry = kb.entries[outcome.entitlement_id]
            who = await talking(tracker.sender_id)
            if who.checked is None and who.unchecked is None:  # general answers only
                reply, asks_age = anonymous_who_can_get(entry, outcome.replies[0])
                outcome = dataclasses.replace(outcome, replies=(reply,))
                asked = [SlotSet(AGE_QUESTION_SLOT, entry.id)] if asks_age else []
        # "more" now means more of this entry, not the next page of a list.
        return [*send(dispatcher, outcome), *asked, *_clear_list(tracker)]


class ActionListEntitlements(Action):
    """What can I get: a personal list, or (not identified) the list for their age."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_list_entitlements"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """List what applies, three at a time; ask the age of someone not identified."""
        kb = _knowledge(dispatcher)
        if kb is None:
            return []
        text = tracker.latest_message.get("text") or ""
        specific = kb.decide(text, SPECIFIC_ENOUGH, _vector(tracker))
        if specific.kind == "answer":  # "what can I get for my flat" names an entitlement
            return await ActionAnswerEntitlement().run(dispatcher, tracker, domain)
        who = await talking(tracker.sender_id)
        # What applies is no more than "this applies to you": unchecked numbers get it too.
        person = who.checked or who.unchecked
        if person is None:
            dispatcher.utter_message(response="utter_ask_age_for_list")
            return [SlotSet(AGE_QUESTION_SLOT, "list"), *_clear_list(tracker)]
        ids = entitlements_for(kb, person, None, today_in_london(utcnow()))
        page = list_page(kb, ids, 0, personal=True)
        dispatcher.utter_message(response=page.reply.response, **page.reply.variables)
        return [SlotSet(LIST_IDS_SLOT, list(page.ids)), SlotSet(LIST_OFFSET_SLOT, page.next_offset)]


class ActionAnswerAge(Action):
    """The young person said their age: answer the question it was asked for."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_age"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Whether the entry applies at that age, or the list for that age."""
        kb = _knowledge(dispatcher)
        if kb is None:
            return []
        question = tracker.get_slot(AGE_QUESTION_SLOT)
        age = parse_age(tracker.latest_message.get("text") or "")
        if question is None or age is None:
            dispatcher.utter_message(response="utter_what_else")
            return [SlotSet(AGE_QUESTION_SLOT, None)]
        today = today_in_london(utcnow())
        if question == "list":
            page = list_page(kb, entitlements_for(kb, None, age, today), 0, personal=False)
            dispatcher.utter_message(response=page.reply.response, **page.reply.variables)
            return [
                SlotSet(AGE_QUESTION_SLOT, None),
                SlotSet(LIST_IDS_SLOT, list(page.ids)),
                SlotSet(LIST_OFFSET_SLOT, page.next_offset),
            ]
        entry = kb.get(question)
        if entry is None:
            dispatcher.utter_message(response="utter_what_else")
        else:
            reply = age_reply(entry, age, today)
            dispatcher.utter_message(response=reply.response, **reply.variables)
        return [SlotSet(AGE_QUESTION_SLOT, None)]
