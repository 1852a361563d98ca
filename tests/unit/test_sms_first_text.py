"""A young person's first text showing risk: the safety net knows who they are.

The SMS conversation is linked to the number's record before the safety net looks, so
its reply is worded for their age, the alert goes to their own PA and district, and
an alert that the reply could not be delivered does too. Before, the link came after
the safety net, so the first text of someone on record was treated as anonymous (or
not, depending on which thread came first).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from bot.channels import safety_first as first
from bot.channels.sms.service import SmsService
from bot.notify.sms import Undelivered
from bot.people.demo import seed_demo
from bot.people.identity import care_leaver_by_mobile, identify, sms_conversation_id
from bot.store.tables.cases import safety_alerts
from tests.support.outbox import texts_to

pytestmark = pytest.mark.timeout(120)

CASEY = "+447700900103"  # Central, PA Kim, duty worker Max, manager Sol
CHARLIE = "+447700900108"  # East, PA Lee, born 2004 (over 19)
KIM, MAX, SOL = "+447700900003", "+447700900007", "+447700900006"
CHRIS = "+447700900004"  # North's manager: where an alert for someone not on record goes


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


async def _bot(_message: Any, **_kwargs: Any) -> None:
    """Rasa's part, which these tests are not about: it says nothing."""


async def first_text(engine, settings, number: str, body: str, sid: str = "SM1") -> str:
    service = SmsService(settings, engine)
    conversation = sms_conversation_id(number, settings.conversation_key())
    assert await service.record_arrival(sid, conversation, number, body)
    await service.handle(_bot, number, body, sid, conversation)
    await first.wait_for_alerts()
    return conversation


async def test_the_first_text_is_linked_before_the_safety_net_alerts_staff(people, settings):
    conversation = await first_text(people, settings, CASEY, "ive taken 30 paracetamol")
    casey = care_leaver_by_mobile(people, CASEY)
    assert casey is not None
    with people.connect() as conn:
        (alert,) = conn.execute(sa.select(safety_alerts)).all()
    assert (alert.conversation_id, alert.care_leaver_id) == (conversation, casey.id)
    assert alert.district == "Central"
    assert len(texts_to(people, KIM)) == 1  # their own PA
    assert texts_to(people, CHRIS) == []  # not the duty district's manager


async def test_the_first_text_gets_the_reply_for_their_age(people, settings):
    await first_text(people, settings, CHARLIE, "i want to kill myself")
    reply = texts_to(people, CHARLIE)[0]
    assert reply.startswith("I'm really glad")
    assert "Childline" not in reply  # Charlie is over 19


async def test_an_undelivered_reply_to_a_first_text_reaches_their_pa_and_manager(people, settings):
    service = SmsService(settings, people)
    conversation = await first_text(people, settings, CASEY, "im going to overdose tonight")
    assert identify(people, conversation) is not None
    service.undelivered(Undelivered(1, conversation, "Twilio 400: 21610"))
    for number in (KIM, MAX, SOL):
        assert [t for t in texts_to(people, number) if "could NOT be delivered" in t], number
    assert texts_to(people, CHRIS) == []
