"""The SMS queue: the parts of a long reply go to Twilio in order (issue 15, item 12)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.notify.sms import STUCK_SENDING, Outgoing, SmsQueue, TwilioDelivery, sender
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


@pytest.fixture
def twilio():
    from tests.support.fake_twilio import FakeTwilio

    fake = FakeTwilio()
    fake.start()
    yield fake
    fake.stop()


def _delivery(engine, settings, twilio) -> TwilioDelivery:
    live = dataclasses.replace(
        settings,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
    )
    return TwilioDelivery(SmsQueue(engine, live))


async def test_texts_to_different_numbers_go_to_twilio_at_once(engine, settings, twilio):
    """Twilio takes a moment to answer each request: one at a time, replies queue up."""
    twilio.latency = 0.2
    delivery = _delivery(engine, settings, twilio)
    numbers = [f"+4477009009{n:02d}" for n in range(6)]
    delivery.queue.enqueue([Outgoing(f"alert:{n}", "staff", n, "hello") for n in numbers])
    assert await delivery.deliver_due() == 6
    assert sorted(m["To"] for m in twilio.messages) == numbers
    assert twilio.most_in_flight == 6  # one at a time, this was 1
    await delivery.close()


async def test_texts_to_one_number_go_one_after_another_in_order(engine, settings, twilio):
    twilio.latency = 0.05
    delivery = _delivery(engine, settings, twilio)
    delivery.queue.enqueue(
        [Outgoing(f"reply:SM{n}", "sms-a", NUMBER, f"reply {n}") for n in range(4)]
        + [Outgoing("alert:other", "staff", "+447700900942", "hello")]
    )
    assert await delivery.deliver_due() == 5
    assert [m["Body"] for m in twilio.to(NUMBER)] == [f"reply {n}" for n in range(4)]
    assert twilio.most_in_flight_to[NUMBER] == 1
    assert twilio.most_in_flight == 2  # the other number's text went alongside
    await delivery.close()


async def test_one_failed_text_does_not_stop_the_others(engine, settings, twilio):
    delivery = _delivery(engine, settings, twilio)
    twilio.unsubscribed.add("+447700900943")
    delivery.queue.enqueue(
        [Outgoing(f"alert:{n}", "staff", f"+4477009009{n}", "hello") for n in (43, 44, 45)]
    )
    assert await delivery.deliver_due() == 2
    assert sorted(m["To"] for m in twilio.messages) == ["+447700900944", "+447700900945"]
    await delivery.close()
