"""Waiting for the whole reply to one inbound SMS, from the bot's own records."""

from __future__ import annotations

import sqlalchemy as sa

from bot.db.engine import create_db_engine
from bot.store.tables.notify import sms_outbound
from bot.store.tables.sms import sms_inbound
from tests.support.fake_twilio import FakeTwilio
from tests.support.waiting import wait_for


def replies_to(
    database_url: str, twilio: FakeTwilio, form: dict[str, str], timeout: float = 30.0
) -> list[dict[str, str]]:
    """Every text sent in answer to one inbound SMS, once all of them have reached Twilio.

    A reply can be several texts, sent one after another; waiting for the first one and
    then looking is a race. The bot's own records say when it is complete: the inbound
    message is marked handled after all its replies are queued, and each queued reply
    gets Twilio's sid once Twilio has it. The safety net's replies (``safety:`` keys)
    come first, in the order queued.
    """
    sid = form["MessageSid"]
    engine = create_db_engine(database_url)
    try:

        def complete() -> tuple[list[str]] | None:
            with engine.connect() as conn:
                handled = conn.execute(
                    sa.select(sms_inbound.c.handled_at).where(sms_inbound.c.message_sid == sid)
                ).scalar()
                rows = conn.execute(
                    sa.select(sms_outbound.c.status, sms_outbound.c.twilio_sid)
                    .where(
                        sa.or_(
                            sms_outbound.c.dedupe_key.like(f"reply:{sid}:%"),
                            sms_outbound.c.dedupe_key.like(f"safety:{sid}:%"),
                        )
                    )
                    .order_by(sms_outbound.c.id)
                ).all()
            if handled is None or any(row.status != "sent" for row in rows):
                return None
            return ([row.twilio_sid for row in rows],)  # truthy even when there are none

        try:
            done = wait_for(complete, timeout)
        except AssertionError:
            raise AssertionError(
                f"the replies to {sid} were not all sent within {timeout} s"
            ) from None
    finally:
        engine.dispose()
    by_sid = {m["sid"]: m for m in twilio.messages}
    return [by_sid[s] for s in done[0]]
