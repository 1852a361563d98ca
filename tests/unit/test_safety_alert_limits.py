"""A flood of messages cannot flood the staff's phones, and never costs the reply (issue 15).

One open alert per conversation (later messages are added to it); a cap on alerts per
internet address an hour for people not on record. Through the channels' own entry
(:func:`bot.channels.safety_first.safety_first`), on real SQLite and PostgreSQL, demo
mode (staff texts land in the outbox, where these tests read them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.cases import alerts
from bot.channels import safety_first as first
from bot.people.demo import seed_demo
from bot.people.identity import link, link_sms_sender
from bot.safety import replies
from bot.safety.alerting import raise_safety_alert
from bot.safety.screen import Tier
from bot.store.tables.cases import safety_alert_events, safety_alerts
from bot.store.tables.limits import address_counts
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.safety import safety_events

pytestmark = pytest.mark.timeout(180)

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
CRISIS = "i want to kill myself tonight"
ADDRESS = "203.0.113.9"  # TEST-NET-3: belongs to nobody
CHRIS = "+447700900004"  # North's team manager: North has no duty worker
CASEY = "+447700900103"  # Central, PA Kim (+447700900003), duty worker Max (+447700900007)
KIM = "+447700900003"
REPLY = replies.load().for_crisis(("suicide",))


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


class Phone:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send(self, messages: list[dict[str, Any]]) -> None:
        self.texts.extend(str(m["text"]) for m in messages)


async def say(
    engine,
    settings,
    conversation_id: str,
    message_id: str,
    text: str = CRISIS,
    address: str = ADDRESS,
    at: dt.datetime = WEDNESDAY_10AM,
) -> Phone:
    phone = Phone()
    await first.safety_first(
        text=text,
        conversation_id=conversation_id,
        channel="web",
        send=phone.send,
        settings=settings,
        engine=engine,
        message_id=message_id,
        clock=lambda: at,
        address=address,
    )
    await first.wait_for_alerts()
    return phone


def alert_texts(engine, number: str) -> list[str]:
    with engine.connect() as conn:
        return [
            body
            for body in conn.execute(
                sa.select(sms_outbound.c.body).where(sms_outbound.c.to_number == number)
            ).scalars()
            if "safety alert" in body or "Safety check-in" in body
        ]


def rows(engine, table) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(table).order_by(table.c[table.primary_key.columns.keys()[0]])
            ).all()
        )


def added(engine, alert_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(safety_alert_events).where(
                    safety_alert_events.c.alert_id == alert_id,
                    safety_alert_events.c.action == alerts.ADDED,
                )
            ).all()
        )


def staff_id(engine, number: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(staff.c.id).where(staff.c.mobile == number)).scalar())


async def test_later_messages_are_added_to_the_open_alert_and_text_nobody(people, settings):
    phones = [await say(people, settings, "web-a", f"m{n}") for n in range(4)]
    assert all(phone.texts[0] == REPLY for phone in phones)  # every message: the reply
    assert len(rows(people, safety_events)) == 4  # every message: recorded
    (alert,) = rows(people, safety_alerts)
    assert len(alert_texts(people, CHRIS)) == 1  # staff: told once
    assert len(added(people, alert.id)) == 3
    # The young person is told who knows once, with the first reply.
    assert [len(phone.texts) for phone in phones] == [2, 1, 1, 1]


async def test_once_acknowledged_the_next_message_raises_a_new_alert(people, settings):
    await say(people, settings, "web-a", "m1")
    (alert,) = rows(people, safety_alerts)
    alerts.acknowledge_alert(people, alert.id, by=staff_id(people, CHRIS), now=WEDNESDAY_10AM)
    phone = await say(people, settings, "web-a", "m2")
    assert phone.texts[0] == REPLY
    assert len(rows(people, safety_alerts)) == 2
    assert len(alert_texts(people, CHRIS)) == 2


async def test_a_crisis_after_an_open_check_in_raises_its_own_urgent_alert(people, settings):
    link_sms_sender(people, "sms-casey", CASEY)
    for key, tier in (("k1", Tier.POSSIBLE), ("k2", Tier.CRISIS), ("k3", Tier.POSSIBLE)):
        raise_safety_alert(
            people,
            settings,
            conversation_id="sms-casey",
            channel="sms",
            text="x",
            now=WEDNESDAY_10AM,
            message_key=key,
            tier=tier,
            categories=("suicide",),
            detected_by="pattern",
        )
    priorities = [a.priority for a in rows(people, safety_alerts)]
    assert priorities == ["check_in", "urgent"]  # the last possible risk joined the urgent one
    assert len(alert_texts(people, KIM)) == 2


async def test_chats_from_one_address_text_staff_at_most_three_times_an_hour(people, settings):
    phones = [await say(people, settings, f"web-{n}", "m1") for n in range(8)]
    assert all(phone.texts[0] == REPLY for phone in phones)
    assert len(rows(people, safety_events)) == 8
    assert len(alert_texts(people, CHRIS)) == 3
    raised = rows(people, safety_alerts)
    assert len(raised) == 3
    assert len(added(people, raised[-1].id)) == 5
    # Another address is not held back by this one.
    await say(people, settings, "web-elsewhere", "m1", address="198.51.100.4")
    assert len(alert_texts(people, CHRIS)) == 4
    # The next hour, the address may alert staff again.
    await say(people, settings, "web-later", "m1", at=WEDNESDAY_10AM + dt.timedelta(hours=1))
    assert len(alert_texts(people, CHRIS)) == 5


async def test_past_the_cap_with_no_open_alert_one_is_raised_without_texting(people, settings):
    one = dataclasses.replace(settings, safety_alerts_per_address_per_hour=1)
    await say(people, one, "web-a", "m1")
    (alert,) = rows(people, safety_alerts)
    alerts.acknowledge_alert(people, alert.id, by=staff_id(people, CHRIS), now=WEDNESDAY_10AM)
    phone = await say(people, one, "web-b", "m1")
    assert phone.texts == [REPLY]  # the reply; not "the duty team knows": nobody was texted
    assert len(alert_texts(people, CHRIS)) == 1
    quiet = rows(people, safety_alerts)[-1]
    assert quiet.acknowledged_at is None  # in the console, and escalated if nobody looks
    assert [a.id for a in alerts.unacknowledged(people)] == [quiet.id]
    await say(people, one, "web-c", "m1")
    assert len(rows(people, safety_alerts)) == 2  # added to the quiet one
    assert len(added(people, quiet.id)) == 1


async def test_someone_on_record_is_never_capped_by_address(people, settings):
    for n in range(3):
        await say(people, settings, f"web-{n}", "m1")
    with people.connect() as conn:
        casey = conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.mobile == CASEY)
        ).scalar()
    link(people, "web-casey", casey, method="web_code")
    phone = await say(people, settings, "web-casey", "m1")
    assert phone.texts[0] == REPLY
    assert len(alert_texts(people, KIM)) == 1  # her PA, at once


async def test_the_address_is_kept_only_as_a_keyed_hash_and_only_for_two_hours(people, settings):
    await say(people, settings, "web-a", "m1")
    with people.connect() as conn:
        kept = conn.execute(sa.select(address_counts)).all()
    assert kept and all(ADDRESS not in str(tuple(row)) for row in kept)
    await say(people, settings, "web-b", "m1", at=WEDNESDAY_10AM + dt.timedelta(hours=3))
    with people.connect() as conn:
        buckets = {row.bucket for row in conn.execute(sa.select(address_counts)).all()}
    assert len(buckets) == 1  # the first hour's counter is gone
