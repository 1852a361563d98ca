"""Record a safety event and alert staff: the one place every server does it from.

The channels do it as soon as the safety net has answered (:mod:`bot.channels.safety_first`);
the action server does it after Rasa's own crisis rule (``action_record_safety_event``);
the Rasa server does it when the action server cannot be reached
(:mod:`bot.rasa_plugins.handling`). Each passes the message's key (its conversation and
id), so one message makes one event and one alert, whoever gets there first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy.engine import Engine

from bot.address_limits import address_digest
from bot.cases import alerts
from bot.cases.conversation import tell_staff
from bot.people.identity import identify
from bot.records import record_safety_event_once
from bot.safety.screen import Tier, check_now
from bot.settings import Settings

logger = logging.getLogger(__name__)

PRIORITY = {Tier.CRISIS: alerts.URGENT, Tier.POSSIBLE: alerts.CHECK_IN}


@dataclasses.dataclass(frozen=True)
class SafetyAlert:
    """A recorded safety event, and who was told about it.

    Attributes:
        event_id: The ``safety_events`` row.
        staff_texted: How many members of staff were texted by this call (0 when the
            message's event had been recorded before).
        told_pa: The young person's PA was texted.
        told_duty: A duty worker was texted.
        new: This call recorded the event (False: another server had).
    """

    event_id: int
    staff_texted: int
    told_pa: bool = False
    told_duty: bool = False
    new: bool = True


def raise_safety_alert(
    engine: Engine,
    settings: Settings,
    *,
    conversation_id: str,
    channel: str,
    text: str,
    now: dt.datetime,
    message_key: str | None = None,
    tier: Tier | None = None,
    categories: tuple[str, ...] | None = None,
    detected_by: str | None = None,
    address: str = "",
) -> SafetyAlert:
    """Store the safety event for a message and text the staff its alert goes to.

    Args:
        engine: The project's database.
        settings: Districts, duty district, phone numbers.
        conversation_id: The conversation the message came in.
        channel: The channel it came by (``sms``, ``web``, ``rest``).
        text: The message (kept with the event for the staff who respond).
        now: The time of the alert (timezone-aware).
        message_key: The conversation and the message's id: a message already recorded
            is not recorded or alerted again.
        tier: Crisis or possible risk; when not given, the message is checked here (a
            crisis if neither layer sees one: Rasa's model called it).
        categories: The kinds of risk, when already known.
        detected_by: Which layer saw it, when already known.
        address: The internet address it came from (web chat), for the cap on alerts
            per address; only a keyed hash of it is kept.

    Returns:
        The event's id and who was told (nobody, when it was added to an open alert).
    """
    if tier is None or categories is None:
        verdict = check_now(text)
        found_tier = verdict.tier if verdict.tier is not Tier.NONE else Tier.CRISIS
        tier = tier or found_tier
        categories = categories if categories is not None else verdict.categories
        detected_by = detected_by or (
            verdict.detected_by if verdict.tier is not Tier.NONE else "model"
        )
    event_id, new = record_safety_event_once(
        engine,
        conversation_id=conversation_id,
        channel=channel,
        categories=categories or ("unspecified",),
        detected_by=detected_by or "model",
        text=text,
        message_key=message_key,
        tier=tier.value,
    )
    if not new:
        return SafetyAlert(event_id, 0, new=False)
    logger.warning(
        "Safety event %s recorded (%s, %s, by %s)",
        event_id,
        tier.value,
        ",".join(categories or ("unspecified",)),
        detected_by,
    )
    told = tell_staff(
        engine,
        settings,
        safety_event_id=event_id,
        conversation_id=conversation_id,
        person=identify(engine, conversation_id),
        now=now,
        priority=PRIORITY.get(tier, alerts.URGENT),
        address_key=address_digest(settings.web_chat_key(), address) if address else None,
    )
    logger.warning("Safety alert for event %s: %s member(s) of staff texted", event_id, told.texted)
    return SafetyAlert(event_id, told.texted, told_pa=told.pa, told_duty=told.duty)


def raise_undelivered_alert(
    engine: Engine, settings: Settings, *, conversation_id: str, now: dt.datetime
) -> int:
    """The crisis reply to a young person could not be delivered: tell everyone at once.

    Returns:
        How many members of staff were texted.
    """
    event_id, _ = record_safety_event_once(
        engine,
        conversation_id=conversation_id,
        channel="sms",
        categories=("undelivered",),
        detected_by="delivery",
        text="(the crisis reply could not be delivered)",
        tier=Tier.CRISIS.value,
    )
    logger.error("ALERT: a crisis reply could not be delivered (safety event %s)", event_id)
    return tell_staff(
        engine,
        settings,
        safety_event_id=event_id,
        conversation_id=conversation_id,
        person=identify(engine, conversation_id),
        now=now,
        priority=alerts.UNDELIVERED,
    ).texted
