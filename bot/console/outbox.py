"""The SMS outbox as the console shows it: queued and sent texts, newest first.

In demo mode texts are not sent but kept with the status ``outbox`` in
``sms_outbound`` (:mod:`bot.notify.tables`); with Twilio the same table shows what
was sent and how it went. Young people's numbers and messages are in it, so only
:data:`bot.console.roles.OUTBOX_ROLES` may read it, and each reading is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.notify.tables import sms_outbound


@dataclasses.dataclass(frozen=True)
class OutboxMessage:
    """One text in the outbound queue."""

    id: int
    created_at: dt.datetime
    to_number: str
    body: str
    status: str
    attempts: int
    error: str | None


def count(conn: Connection) -> int:
    """How many texts the queue holds."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(sms_outbound)).scalar_one())


def page(conn: Connection, number: int, per_page: int = 50) -> list[OutboxMessage]:
    """The ``number``-th page (from 1) of the queue, newest first."""
    rows = conn.execute(
        sa.select(sms_outbound)
        .order_by(sms_outbound.c.created_at.desc(), sms_outbound.c.id.desc())
        .limit(per_page)
        .offset(max(0, number - 1) * per_page)
    ).all()
    return [
        OutboxMessage(
            id=row.id,
            created_at=row.created_at,
            to_number=row.to_number,
            body=row.body,
            status=row.status,
            attempts=row.attempts,
            error=row.error,
        )
        for row in rows
    ]
