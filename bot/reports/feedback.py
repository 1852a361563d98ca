"""Young people's "Did that help?" after an answer from the knowledge base.

Only the entitlement, yes or no, the channel and the young person's district (when
they are on record) are kept: never their words, never who they are. The weekly
report counts them per entitlement.

It is asked once a conversation, after its first answer, in web chat and REST only
(see docs/quality.md): a sample is enough for the report. SMS is never asked: an SMS
answer is one text of at most two segments, which most answers fill, so the question
would be a text of its own, paid for by the council, while most young people would not
reply; and YES is one of Twilio's opt-in keywords.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.store.tables.quality import answer_feedback

SMS_CHANNELS = frozenset({"twilio", "sms"})
"""Channels that are not asked "Did that help?"."""


def asks_for_feedback(channel: str | None) -> bool:
    """True if answers on ``channel`` end with the optional "Did that help?"."""
    return (channel or "") not in SMS_CHANNELS


def record_feedback(
    engine: Engine,
    *,
    entitlement_id: str,
    helpful: bool,
    channel: str,
    district: str | None,
    now: dt.datetime | None = None,
) -> None:
    """Count one "Did that help?" answer about ``entitlement_id``."""
    with engine.begin() as conn:
        conn.execute(
            answer_feedback.insert().values(
                given_at=now or utcnow(),
                entitlement_id=entitlement_id[:80],
                helpful=helpful,
                channel=channel[:32],
                district=district,
            )
        )
