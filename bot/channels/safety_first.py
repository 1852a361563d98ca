"""The safety net's first word: before anything else a channel does with a message.

Every channel calls :func:`safety_first` as soon as it has a young person's words, before
its own limits, keywords, handoffs, the conversation's lock, the sentence vector or any
call to the action server:

1. the message is checked off the event loop with a hard deadline
   (:func:`bot.safety.screen.screen`); a check that cannot finish is possible risk;
2. a crisis gets the signposting for its kind at once, a possible risk the kind,
   direct check-in (``bot/safety/data/replies.yml``), through the channel's ``send``;
3. staff are told in the background (:func:`bot.safety.alerting.raise_safety_alert`),
   and, once they have been, the young person is told who was (a second message). The
   alerts are limited (one open alert per conversation, a cap per internet address:
   :mod:`bot.cases.alerts`), the reply never: it has gone before staff are told.

So the signposting never waits for the action server, a busy conversation, a slow
database or a rate limit, and a message that jams nothing can delay it. The verdict is
returned for the channel to pass on to Rasa (:func:`bot.rasa_plugins.handling.handle`
drops Rasa's own copy of the crisis reply).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import Engine

from bot.cases.calendar import OfficeCalendar
from bot.clock import utcnow
from bot.people.identity import CareLeaver, identify
from bot.safety import replies as wording
from bot.safety.alerting import raise_safety_alert
from bot.safety.screen import NO_RISK, Tier, Verdict, describe, remember, screen
from bot.settings import Settings

logger = logging.getLogger(__name__)

Send = Callable[[list[dict[str, Any]]], Awaitable[None]]
"""Sends bot messages to the young person now (each a dict with at least ``text``)."""

# The young person's record (for their age) is looked up only this long before replying.
PERSON_LOOKUP_SECONDS = 0.3

_alerting: dict[str, asyncio.Task[None]] = {}


def new_message_id() -> str:
    """An id for a message whose channel gave it none (it keys its one safety event)."""
    return uuid.uuid4().hex


def message_key(conversation_id: str, message_id: str) -> str:
    """The key of a message's safety event, the same on every server."""
    return f"{conversation_id}:{message_id}"


async def _person(engine: Engine | None, conversation_id: str) -> CareLeaver | None:
    if engine is None:
        return None
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(identify, engine, conversation_id), PERSON_LOOKUP_SECONDS
        )
    except Exception:  # a slow or broken database never holds the reply back
        return None


def reply_text(
    verdict: Verdict, settings: Settings, person: CareLeaver | None, now: dt.datetime
) -> str:
    """What the safety net says for ``verdict`` (empty for no risk)."""
    said = wording.load()
    if verdict.tier is Tier.POSSIBLE:
        return said.check_in
    if verdict.tier is not Tier.CRISIS:
        return ""
    calendar = OfficeCalendar.from_settings(settings)
    today = calendar.local(now).date()
    return said.for_crisis(
        verdict.categories,
        over_19=wording.is_19_or_over(person.date_of_birth if person else None, today),
        housing_contact=wording.housing_contact(
            settings.leaving_care_phone,
            settings.out_of_hours_phone,
            calendar.is_office_hours(now),
        ),
    )


async def safety_first(
    *,
    text: str,
    conversation_id: str,
    channel: str,
    send: Send,
    settings: Settings,
    engine: Engine | None,
    message_id: str,
    clock: Callable[[], dt.datetime] | None = None,
    button: bool = False,
    address: str = "",
) -> Verdict:
    """Check a message and answer any risk at once, before anything else is done with it.

    Args:
        text: The young person's words, as they sent them.
        conversation_id: Their conversation.
        channel: ``sms``, ``web`` or ``rest``.
        send: Sends bot messages to them now.
        settings: The council's numbers, office hours and districts.
        engine: The project's database (None: staff cannot be told from here; the
            Rasa server and the action server still do it).
        message_id: The message's id (:func:`new_message_id` when the channel has none).
        clock: The time now (timezone-aware); the real clock by default.
        button: The message is the payload of a button the bot offered (its words are
            the bot's own, not the young person's): not checked.
        address: The internet address the message came from (web chat, open REST), for
            the cap on staff alerts per address; never on the reply's path.

    Returns:
        The verdict, for the channel to pass on to Rasa.
    """
    if button:
        # Rasa's NLU takes this verdict too, rather than checking the bot's own words.
        remember(text, NO_RISK)
        return NO_RISK
    verdict = await screen(text)
    remember(text, verdict)
    if verdict.tier is Tier.NONE:
        return verdict
    now = clock() if clock else utcnow()
    person = await _person(engine, conversation_id)
    try:
        await send([{"text": reply_text(verdict, settings, person, now)}])
    except Exception:
        logger.exception("The safety net's reply could not be sent (%s)", describe(verdict))
    key = message_key(conversation_id, message_id)
    if engine is not None and key not in _alerting:
        task = asyncio.create_task(
            _tell_staff(
                engine,
                settings,
                verdict,
                text=text,
                conversation_id=conversation_id,
                channel=channel,
                key=key,
                now=now,
                send=send,
                address=address,
            )
        )
        _alerting[key] = task
        task.add_done_callback(lambda _: _alerting.pop(key, None))
    return verdict


async def _tell_staff(
    engine: Engine,
    settings: Settings,
    verdict: Verdict,
    *,
    text: str,
    conversation_id: str,
    channel: str,
    key: str,
    now: dt.datetime,
    send: Send,
    address: str = "",
) -> None:
    try:
        alert = await asyncio.to_thread(
            raise_safety_alert,
            engine,
            settings,
            conversation_id=conversation_id,
            channel=channel,
            text=text,
            now=now,
            message_key=key,
            tier=verdict.tier,
            categories=verdict.categories,
            detected_by=verdict.detected_by,
            address=address,
        )
    except Exception as error:
        logger.error(
            "ALERT: a safety event could not be recorded (%s); the young person got the "
            "safety net's reply but no member of staff was told",
            type(error).__name__,
        )
        return
    if not alert.new or verdict.tier is not Tier.CRISIS:
        return
    told = wording.load().told
    if alert.told_pa and alert.told_duty:
        note = told["pa_and_duty"]
    elif alert.told_pa:
        note = told["pa"]
    elif alert.told_duty:
        note = told["duty"]
    else:
        return
    try:
        await send([{"text": note}])
    except Exception:
        logger.exception("Saying who was told could not be sent")


async def alerted(conversation_id: str, message_id: str, timeout: float = 10.0) -> None:
    """Wait until staff have been told about one message (and it has been said who)."""
    task = _alerting.get(message_key(conversation_id, message_id))
    if task is not None:
        await asyncio.wait({task}, timeout=timeout)


async def wait_for_alerts(timeout: float = 10.0) -> None:
    """Wait for staff alerts still being raised (a server stopping, or a test)."""
    if _alerting:
        await asyncio.wait(set(_alerting.values()), timeout=timeout)
