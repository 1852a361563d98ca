"""What the SMS queue holds for one number: the texts a test expects someone to get."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.store.tables.notify import sms_outbound


def texts_to(engine: Engine, number: str) -> list[str]:
    """The bodies of the texts queued (or kept, or sent) to ``number``, oldest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(sms_outbound.c.body)
                .where(sms_outbound.c.to_number == number)
                .order_by(sms_outbound.c.id)
            ).scalars()
        )
