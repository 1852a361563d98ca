"""The SMS queue: the parts of a long reply go to Twilio in order (issue 15, item 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from bot.notify.sms import STUCK_SENDING, Outgoing, SmsQueue, sender
from bot.store.tables.notify import sms_outbound

NUMBER = "+447700900941"
START = dt.datetime(2027, 1, 4, 10, 0)


def _live(settings):
    return dataclasses.replace(
        settings,
        twilio_account_sid="ACfake00000000000000000000000000",
        twilio_auth_token="t0ken",
        twilio_from_number="+447700900000",
    )


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


def _parts(n: int) -> list[Outgoing]:
    return [
        Outgoing(f"reply:SM1:{part}", "sms-a", NUMBER, f"part {part}", after_previous=part > 0)
        for part in range(n)
    ]


def test_the_next_part_waits_until_twilio_has_taken_the_one_before(engine, settings):
    clock = Clock()
    queue = SmsQueue(engine, _live(settings), clock=clock)
    first, second, third = queue.enqueue(_parts(3))
    [claimed] = queue.claim_due()
    assert claimed["id"] == first
    # Twilio was busy: the first part waits to be tried again, and the rest wait for it.
    queue.mark_retry(first, 1, "Twilio 503")
    clock.now += dt.timedelta(seconds=1)
    assert queue.claim_due() == []
    clock.now += dt.timedelta(minutes=1)
    assert [m["id"] for m in queue.claim_due()] == [first]
    queue.mark_sent(first, "SM-one")
    assert [m["id"] for m in queue.claim_due()] == [second]
    queue.mark_failed(second, "Twilio 400: 21211")  # given up: the rest still go
    assert [m["id"] for m in queue.claim_due()] == [third]


def test_a_part_stuck_in_sending_holds_the_next_one_only_so_long(engine, settings):
    clock = Clock()
    queue = SmsQueue(engine, _live(settings), clock=clock)
    first, second = queue.enqueue(_parts(2))
    assert [m["id"] for m in queue.claim_due()] == [first]  # its server dies here
    clock.now += STUCK_SENDING - dt.timedelta(seconds=1)
    assert queue.claim_due() == []
    clock.now += dt.timedelta(seconds=2)
    assert [m["id"] for m in queue.claim_due()] == [second]


def test_messages_that_follow_nothing_go_at_once_and_a_repeat_is_not_queued(engine, settings):
    queue = SmsQueue(engine, _live(settings), clock=Clock())
    ids = queue.enqueue([Outgoing(f"alert:{n}", "staff-1", NUMBER, "x") for n in range(3)])
    assert sorted(m["id"] for m in queue.claim_due()) == ids
    assert queue.enqueue(_parts(1)) and queue.enqueue(_parts(2)) != []
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(sms_outbound.c.dedupe_key, sms_outbound.c.follows_id).where(
                sms_outbound.c.dedupe_key.like("reply:SM1:%")
            )
        ).all()
    by_key = dict(rows)
    assert by_key["reply:SM1:0"] is None
    assert by_key["reply:SM1:1"] is not None


def test_texts_go_from_the_messaging_service_when_there_is_one(settings):
    live = _live(settings)
    assert sender(live) == {"from_": "+447700900000"}
    service = dataclasses.replace(live, twilio_messaging_service_sid="MG" + "0f" * 16)
    assert sender(service) == {"messaging_service_sid": "MG" + "0f" * 16}
