"""Actions for the young person's own pathway plan, their queries, and their PA.

Thin: who is talking comes from :func:`actions.services.talking`, what to say and do
from :mod:`bot.cases.conversation`. Each of these answers from the young person's
records (review dates, case news, who their PA is) or acts on them, so a number on
record not checked lately is first asked for the date of birth, and the question is
answered once it is given (:mod:`bot.people.sms_check`); a number that failed the
check gets what someone not on record gets.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.entitlement_actions import answer_if_clear
from actions.services import ask_who_they_are, get_services, talking
from bot.answering import Reply
from bot.cases import conversation
from bot.clock import utcnow
from bot.people import sms_check
from bot.people.identity import CareLeaver
from bot.person_request.recogniser import PARSE_KEY

# Entries a request for a person names without asking about them ("my PA isn't
# answering", "I want to complain about my worker"): the personal adviser entry and the
# complaints entry. On the dev sets, 121 of 333 requests from someone not on record got
# one of these two answers before the team's number (docs/matching.md). Only for
# requests the recogniser (bot/person_request) saw, named in the parse data (PARSE_KEY).
ROUTE_FIRST = frozenset({"personal-adviser", "advocacy-and-complaints"})


def _channel(tracker: Tracker) -> str:
    """Where replies go: the channel's prefix of the server-made conversation id."""
    return tracker.sender_id.split("-", 1)[0] if "-" in tracker.sender_id else "unknown"


def _say(dispatcher: CollectingDispatcher, replies: list[Reply]) -> list[dict[str, Any]]:
    for reply in replies:
        if reply.text is not None:
            dispatcher.utter_message(text=reply.text)
        else:
            dispatcher.utter_message(response=reply.response, **reply.variables)
    return []


async def _checked(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[CareLeaver | None, bool]:
    """The young person, if their records may be used; else whether it has been said why.

    A number on record not checked lately is asked for the date of birth (the question
    is kept, to answer once it is given); one that failed the check is told it gets
    general answers only. Either way nothing from the records is used.
    """
    who = await talking(tracker.sender_id)
    if who.checked is not None:
        return who.checked, False
    if who.unchecked is not None:
        text = tracker.latest_message.get("text") or ""
        await ask_who_they_are(tracker.sender_id, who.unchecked.id, text)
        dispatcher.utter_message(text=sms_check.ASK)
        return None, True
    if who.trust is sms_check.Trust.LOCKED:
        dispatcher.utter_message(text=sms_check.GENERAL_ONLY)
        return None, True
    return None, False


def _user_texts(tracker: Tracker) -> list[str]:
    return [
        str(event.get("text") or "")
        for event in tracker.events
        if event.get("event") == "user" and not str(event.get("text") or "").startswith("/")
    ]


class ActionPathwayPlan(Action):
    """A question about the young person's own plan: answer it or open a case."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_pathway_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The next review date from the records, or a case with a reference."""
        services = get_services()
        person, said = await _checked(dispatcher, tracker)
        if said:
            return []
        if person is None:  # the general answer if there is one, and how to reach the team
            events = await answer_if_clear(dispatcher, tracker, domain) or []
            return events + _say(dispatcher, [conversation.anonymous_plan_reply(services.settings)])
        replies = await asyncio.to_thread(
            conversation.plan_query,
            services.engine,
            services.settings,
            person,
            tracker.latest_message.get("text") or "",
            conversation_id=tracker.sender_id,
            channel=_channel(tracker),
            now=utcnow(),
        )
        return _say(dispatcher, replies)


class ActionCaseNews(Action):
    """Any news on my query: the status of their latest queries."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_case_news"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Each recent query's status, or that there are none."""
        services = get_services()
        person, said = await _checked(dispatcher, tracker)
        if said:
            return []
        if person is None:
            return _say(dispatcher, [conversation.anonymous_plan_reply(services.settings)])
        replies = await asyncio.to_thread(
            conversation.case_news, services.engine, services.settings, person
        )
        return _say(dispatcher, replies)


class ActionAskForPA(Action):
    """Can I talk to my PA: hand the conversation over, or say how to reach the team."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_for_pa"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Start the handoff and say when to expect a reply."""
        services = get_services()
        person, said = await _checked(dispatcher, tracker)
        if said:
            return []
        if person is None:
            # The general answer if the message names an entitlement clearly ("my PA is off
            # sick, can I get the bursary"), then the team's number and office hours; with
            # nothing clear to answer, the route to a person is the reply. What a PA is, or
            # how complaints work, is not what someone asking for their PA or complaining
            # about them needs first: when the recogniser saw the request, for those entries
            # the route is the reply. When only the model said ask_for_pa (a general
            # question about PAs often reads like one to it), the entry still comes first.
            asked = bool(tracker.latest_message.get(PARSE_KEY))
            unless = ROUTE_FIRST if asked else frozenset()
            events = await answer_if_clear(dispatcher, tracker, domain, unless) or []
            return events + _say(dispatcher, [conversation.anonymous_pa_reply(services.settings)])
        replies = await asyncio.to_thread(
            conversation.hand_over,
            services.engine,
            services.settings,
            person,
            _user_texts(tracker),
            conversation_id=tracker.sender_id,
            channel=_channel(tracker),
            now=utcnow(),
        )
        return _say(dispatcher, replies)
