"""Record a safety event and alert staff: the one place both servers do it from.

The action server does it after the crisis signposting (``action_record_safety_event``).
If the action server cannot be reached, the Rasa server does it itself
(:mod:`bot.rasa_plugins.handling`), so a young person at risk is never left with
signposting alone and nobody told.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy.engine import Engine

from bot.cases.conversation import alert_staff
from bot.people.identity import identify
from bot.records import record_safety_event
from bot.safety.detector import assess
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class SafetyAlert:
    """A recorded safety event and how many members of staff were texted about it."""

    event_id: int
    staff_texted: int


def raise_safety_alert(
    engine: Engine,
    settings: Settings,
    *,
    conversation_id: str,
    channel: str,
    text: str,
    now: dt.datetime,
) -> SafetyAlert:
    """Store the safety event for a crisis message and text the PA and duty worker.

    Args:
        engine: The project's database.
        settings: Districts, duty district, phone numbers.
        conversation_id: The conversation the message came in.
        channel: The channel it came by (``sms``, ``web``, ``rest``).
        text: The message (kept with the event for the staff who respond).
        now: The time of the alert (timezone-aware).

    Returns:
        The event's id and the number of staff texted.
    """
    assessment = assess(text)
    detected_by = "pattern" if assessment.at_risk else "model"
    categories = assessment.categories or ("unspecified",)
    event_id = record_safety_event(
        engine,
        conversation_id=conversation_id,
        channel=channel,
        categories=categories,
        detected_by=detected_by,
        text=text,
    )
    logger.warning(
        "Safety event %s recorded (%s, by %s)", event_id, ",".join(categories), detected_by
    )
    texted = alert_staff(
        engine,
        settings,
        safety_event_id=event_id,
        conversation_id=conversation_id,
        person=identify(engine, conversation_id),
        now=now,
    )
    logger.warning("Safety alert for event %s: %s member(s) of staff texted", event_id, texted)
    return SafetyAlert(event_id, texted)
