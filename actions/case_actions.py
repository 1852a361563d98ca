"""Actions for the young person's own pathway plan, their queries, and their PA.

Thin: who is talking comes from :func:`actions.services.who_is_talking`, what to say and
do from :mod:`bot.cases.conversation`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.entitlement_actions import answer_if_clear
from actions.services import get_services, who_is_talking
from bot.answering import Reply
from bot.cases import conversation


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _channel(tracker: Tracker) -> str:
    """Where replies go: the channel's prefix of the server-made conversation id."""
    return tracker.sender_id.split("-", 1)[0] if "-" in tracker.sender_id else "unknown"


def _say(dispatcher: CollectingDispatcher, replies: list[Reply]) -> list[dict[str, Any]]:
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **reply.variables)
    return []


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
        person = await who_is_talking(tracker.sender_id)
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
            now=_now(),
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
        person = await who_is_talking(tracker.sender_id)
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
        person = await who_is_talking(tracker.sender_id)
        if person is None:  # the general answer if there is one, and how to reach the team
            events = await answer_if_clear(dispatcher, tracker, domain) or []
            return events + _say(dispatcher, [conversation.anonymous_pa_reply(services.settings)])
        replies = await asyncio.to_thread(
            conversation.hand_over,
            services.engine,
            services.settings,
            person,
            _user_texts(tracker),
            conversation_id=tracker.sender_id,
            channel=_channel(tracker),
            now=_now(),
        )
        return _say(dispatcher, replies)
