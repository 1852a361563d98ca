"""Young people's "Did that help?" after an answer from the knowledge base.

Only the entitlement, yes or no, the channel and the young person's district (when
they are on record) are kept: never their words, never who they are. The weekly
report counts them per entitlement.

SMS is not offered the question (see docs/quality.md): SMS answers already take
two or three segments, and a question and two numbered options would add a segment
to every answer, paid for by the council, while most young people would not reply.
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
