"""Writes what staff need to see later: unanswered questions, safety events, answer counts.

Conversation ids are stored as a keyed hash for unanswered questions (staff see
the question, not who asked), and the question's words are masked before they are
stored; safety events keep the conversation id and the words, because a person must
be able to follow up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.privacy.masking import mask
from bot.store.tables.records import unanswered_questions
from bot.store.tables.reports import answer_log
from bot.store.tables.safety import safety_events

MAX_TEXT = 2000


def conversation_key(conversation_id: str) -> str:
    """A stable pseudonym for a conversation, so repeats can be grouped without the id."""
    return hashlib.sha256(f"conversation:{conversation_id}".encode()).hexdigest()[:32]


def record_unanswered(
    engine: Engine,
    *,
    text: str,
    channel: str,
    conversation_id: str,
    best_guess: str | None,
    best_score: float | None,
    district: str | None = None,
    names: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> int:
    """Store a question the bot could not answer, for content staff to review.

    Its words are masked first (:func:`bot.privacy.masking.mask`): content staff and
    the weekly report see the question, never the names, numbers, addresses or dates
    typed with it.

    Args:
        engine: The project's database.
        text: The question as typed.
        channel: ``sms``, ``web``, ``rest``.
        conversation_id: Kept only as a pseudonym (:func:`conversation_key`).
        best_guess: The entitlement or intent the bot thought closest, if any.
        best_score: How close.
        district: The young person's district, when they are on record.
        names: The young person's name as on record (masked wherever it appears).
        now: When (aware; naive is taken as UTC); now by default.

    Returns:
        The new row's id.

    """
    masked = mask(text[: MAX_TEXT * 2], names)[:MAX_TEXT]
    with engine.begin() as conn:
        result = conn.execute(
            unanswered_questions.insert().values(
                asked_at=now or utcnow(),
                text=masked,
                channel=channel[:32],
                conversation_key=conversation_key(conversation_id),
                best_guess=best_guess,
                best_score=best_score,
                status="new",
                district=district,
            )
        )
        return int(result.inserted_primary_key[0])


def record_answer(
    engine: Engine,
    *,
    entitlement_id: str,
    channel: str,
    conversation_id: str,
    district: str | None,
    now: dt.datetime | None = None,
) -> None:
    """Count a question answered from the knowledge base, for the weekly report.

    Only the entitlement, the channel, a pseudonym of the conversation and the young
    person's district (when they are on record) are kept: never their words.
    """
    with engine.begin() as conn:
        conn.execute(
            answer_log.insert().values(
                answered_at=now or utcnow(),
                entitlement_id=entitlement_id[:80],
                channel=channel[:32],
                conversation_key=conversation_key(conversation_id),
                district=district,
            )
        )


def record_safety_event(
    engine: Engine,
    *,
    conversation_id: str,
    channel: str,
    categories: Sequence[str],
    detected_by: str,
    text: str,
    message_key: str | None = None,
    tier: str = "crisis",
) -> int:
    """Store a safety event: a message that showed risk and got the safety net's reply.

    Args:
        engine: The project's database.
        conversation_id: The conversation the message came in.
        channel: ``sms``, ``web``, ``rest``.
        categories: The kinds of risk.
        detected_by: ``pattern``, ``semantic``, ``model`` or ``unchecked``.
        text: The message (kept for the staff who respond).
        message_key: The conversation and the message's id: a message already recorded
            under this key is not recorded again.
        tier: ``crisis`` or ``possible``.

    Returns:
        The event's id (the first one's, for a message recorded before).

    """
    return record_safety_event_once(
        engine,
        conversation_id=conversation_id,
        channel=channel,
        categories=categories,
        detected_by=detected_by,
        text=text,
        message_key=message_key,
        tier=tier,
    )[0]


def record_safety_event_once(
    engine: Engine,
    *,
    conversation_id: str,
    channel: str,
    categories: Sequence[str],
    detected_by: str,
    text: str,
    message_key: str | None = None,
    tier: str = "crisis",
) -> tuple[int, bool]:
    """:func:`record_safety_event`, also saying whether this call made the event."""
    key = message_key[:255] if message_key else None
    values = {
        "created_at": utcnow(),
        "conversation_id": conversation_id[:255],
        "channel": channel[:32],
        "categories": ",".join(categories)[:255] or "unspecified",
        "detected_by": detected_by[:32],
        "message_text": text[:MAX_TEXT],
        "status": "open",
        "message_key": key,
        "tier": tier[:16],
    }
    try:
        with engine.begin() as conn:
            result = conn.execute(safety_events.insert().values(**values))
            return int(result.inserted_primary_key[0]), True
    except IntegrityError:
        if key is None:
            raise
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(safety_events.c.id).where(safety_events.c.message_key == key)
        ).scalar_one()
    return int(found), False
