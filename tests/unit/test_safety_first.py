"""The safety net's first word in every channel: at once, tailored, staff told once.

Real SQLite and PostgreSQL (the ``engine`` fixture), the demo people, demo mode (staff
texts land in the outbox, where these tests read them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.channels import safety_first as first
from bot.people.demo import seed_demo
from bot.people.identity import link_sms_sender
from bot.safety import replies
from bot.safety.alerting import raise_safety_alert
from bot.safety.screen import Tier
from bot.store.tables.cases import safety_alerts
from bot.store.tables.safety import safety_events
from tests.support.outbox import texts_to

pytestmark = pytest.mark.timeout(120)

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
CASEY = "+447700900103"  # Central, PA Kim (+447700900003), duty worker Max (+447700900007)
CHARLIE = "+447700900108"  # East, PA Lee (+447700900002), born 2004 (over 19)
KIM, MAX, CHRIS, DANA = "+447700900003", "+447700900007", "+447700900004", "+447700900005"


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


class Phone:
    """What the young person was sent, in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send(self, messages: list[dict[str, Any]]) -> None:
        self.texts.extend(str(m["text"]) for m in messages)


async def first_word(engine, settings, text: str, conversation_id: str, message_id: str = "m1"):
    phone = Phone()
    verdict = await first.safety_first(
        text=text,
        conversation_id=conversation_id,
        channel="sms",
        send=phone.send,
        settings=settings,
        engine=engine,
        message_id=message_id,
        clock=lambda: WEDNESDAY_10AM,
    )
    await first.wait_for_alerts()
    return verdict, phone


def rows(engine, table) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table)).all())


async def test_a_crisis_gets_its_own_reply_first_then_who_was_told(people, settings) -> None:
    link_sms_sender(people, "sms-casey", CASEY)
    verdict, phone = await first_word(people, settings, "ive taken 30 paracetamol", "sms-casey")
    assert verdict.tier is Tier.CRISIS
    said = replies.load()
    assert phone.texts[0] == said.for_crisis(("overdose",))
    assert phone.texts[1:] == [said.told["pa_and_duty"]]
    assert len(texts_to(people, KIM)) == 1
    assert len(texts_to(people, MAX)) == 1
    (event,) = rows(people, safety_events)
    assert (event.tier, event.categories, event.detected_by) == ("crisis", "overdose", "pattern")
    (alert,) = rows(people, safety_alerts)
    assert alert.priority == "urgent"


async def test_the_same_message_twice_makes_one_event_and_one_alert(people, settings) -> None:
    link_sms_sender(people, "sms-casey", CASEY)
    await first_word(people, settings, "i want to die", "sms-casey", message_id="SM1")
    again, phone = await first_word(people, settings, "i want to die", "sms-casey", "SM1")
    assert again.tier is Tier.CRISIS
    assert len(phone.texts) == 1  # the reply again, but staff are not told twice
    assert len(rows(people, safety_events)) == 1
    assert len(rows(people, safety_alerts)) == 1
    assert len(texts_to(people, KIM)) == 1


async def test_the_action_servers_record_of_the_same_message_adds_nothing(people, settings) -> None:
    link_sms_sender(people, "sms-casey", CASEY)
    await first_word(people, settings, "i want to die", "sms-casey", message_id="SM2")
    later = raise_safety_alert(
        people,
        settings,
        conversation_id="sms-casey",
        channel="sms",
        text="i want to die",
        now=WEDNESDAY_10AM,
        message_key=first.message_key("sms-casey", "SM2"),
    )
    assert not later.new
    assert later.staff_texted == 0
    assert len(rows(people, safety_alerts)) == 1


async def test_possible_risk_gets_the_check_in_and_a_lower_priority_alert_to_the_pa(
    people, settings, monkeypatch
) -> None:
    from bot import linear_re

    # A check that cannot finish is possible risk: the young person gets the check-in.
    monkeypatch.setattr(linear_re, "MAX_RETRIES", 0)
    link_sms_sender(people, "sms-casey", CASEY)
    verdict, phone = await first_word(people, settings, "gonna end it with him", "sms-casey")
    assert verdict.tier is Tier.POSSIBLE
    assert phone.texts == [replies.load().check_in]
    (alert,) = rows(people, safety_alerts)
    assert alert.priority == "check_in"
    assert len(texts_to(people, KIM)) == 1
    assert texts_to(people, MAX) == []  # not the duty worker: the PA checks in
    assert "check in" in texts_to(people, KIM)[0]


async def test_no_risk_sends_nothing_and_tells_nobody(people, settings) -> None:
    verdict, phone = await first_word(people, settings, "how do i get my bus pass", "sms-x")
    assert verdict.tier is Tier.NONE
    assert phone.texts == []
    assert rows(people, safety_events) == []


async def test_someone_over_19_is_not_offered_childline(people, settings) -> None:
    link_sms_sender(people, "sms-charlie", CHARLIE)
    _, phone = await first_word(people, settings, "i want to kill myself", "sms-charlie")
    assert "Childline" not in phone.texts[0]
    _, anonymous = await first_word(people, settings, "i want to kill myself", "sms-anon")
    assert "Childline" in anonymous.texts[0]


async def test_someone_not_on_record_is_told_the_duty_team_knows(people, settings) -> None:
    _, phone = await first_word(people, settings, "he is hitting me right now", "web-anon")
    said = replies.load()
    assert phone.texts[0] == said.for_crisis(("harmed_or_threatened",))
    assert phone.texts[1:] == [said.told["duty"]]
    # The duty district is North (the first), which has no duty worker: its manager.
    assert len(texts_to(people, CHRIS)) == 1


async def test_the_reply_goes_even_when_staff_cannot_be_told(settings) -> None:
    # No database at all: the young person still gets the signposting.
    phone = Phone()
    verdict = await first.safety_first(
        text="i want to die",
        conversation_id="sms-x",
        channel="sms",
        send=phone.send,
        settings=settings,
        engine=None,
        message_id="m",
    )
    assert verdict.tier is Tier.CRISIS
    assert phone.texts == [replies.load().for_crisis(("suicide",))]


async def test_an_undelivered_crisis_reply_tells_everyone_at_once(people, settings) -> None:
    from bot.safety.alerting import raise_undelivered_alert

    link_sms_sender(people, "sms-charlie", CHARLIE)
    texted = raise_undelivered_alert(
        people, settings, conversation_id="sms-charlie", now=WEDNESDAY_10AM
    )
    assert texted == 2  # PA Lee and the East team manager (East has no duty worker)
    (alert,) = rows(people, safety_alerts)
    assert alert.priority == "undelivered"
    assert "could NOT be delivered" in texts_to(people, DANA)[0]


async def test_a_buttons_payload_is_not_checked_and_the_nlu_is_told_so(settings) -> None:
    # The payload is the bot's own words: no check here, and none again in Rasa's NLU
    # (the SafetyNet component recalls this verdict instead of checking "/ask_more").
    from bot.safety import screen

    phone = Phone()
    verdict = await first.safety_first(
        text="/ask_how_to_get",
        conversation_id="web-button",
        channel="web",
        send=phone.send,
        settings=settings,
        engine=None,
        message_id="b1",
        button=True,
    )
    assert verdict.tier is Tier.NONE
    assert phone.texts == []
    assert screen.recall("/ask_how_to_get") == verdict
