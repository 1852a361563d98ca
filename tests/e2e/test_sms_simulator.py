"""End to end: demo mode's SMS simulator texts the real webhook and shows the outbox."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from bot.channels.sms.simulator import FAKE_ONLY
from bot.db.engine import create_db_engine
from bot.people import sms_check
from bot.store.tables.notify import sms_outbound
from tests.support.servers import RunningBot
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

SIMULATOR = "/webhooks/twilio/simulator"


def outbox(bot: RunningBot, number: str) -> list[tuple[str, str]]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(sms_outbound.c.body, sms_outbound.c.status)
                .where(sms_outbound.c.to_number == number)
                .order_by(sms_outbound.c.id)
            ).all()
    finally:
        engine.dispose()
    return [(row.body, row.status) for row in rows]


def test_the_simulator_lists_the_demo_numbers(bot: RunningBot):
    page = requests.get(bot.base_url + SIMULATOR, timeout=10)
    assert page.status_code == 200
    assert "+447700900105 (Demo Taylor)" in page.text


def simulate(bot: RunningBot, number: str, body: str) -> list[str]:
    """Text ``body`` from ``number`` through the simulator; the replies it queued."""
    before = len(outbox(bot, number))
    sent = requests.post(
        bot.base_url + SIMULATOR + "/send",
        data={"number": number, "other": "", "body": body},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302
    replies = wait_for(lambda: outbox(bot, number)[before:])
    assert {status for _, status in replies} == {"outbox"}
    return [text for text, _ in replies]


def test_a_demo_text_is_answered_once_into_the_outbox(bot: RunningBot):
    number = "+447700900105"  # Demo Taylor, born 15 October 2007
    [first] = simulate(bot, number, "can i get the uni bursary")
    assert first.startswith("Higher education bursary: ")
    # A number on record hears only "this applies to you" until it gives the date of birth.
    assert "This applies to you" in first and sms_check.ASK_FOR_DETAILS in first
    [checked] = simulate(bot, number, "15/10/2007")
    assert checked.startswith(sms_check.THANKS) and "Demo Taylor, you're" in checked
    count = len(outbox(bot, number))
    # Once, not again: a later text from the same phone (handled after this one, in turn)
    # gets its own answer, and nothing else has joined the outbox before it.
    later = simulate(bot, number, "what is staying put")
    assert later[0].startswith("Staying put: ")
    assert len(outbox(bot, number)) == count + len(later)
    page = requests.get(bot.base_url + SIMULATOR, params={"number": number}, timeout=10)
    assert "Higher education bursary: " in page.text


@pytest.mark.parametrize("other", ["+447911123456", "07911 123456", "not a number"])
def test_the_simulator_only_texts_as_fake_numbers(bot: RunningBot, other):
    sent = requests.post(
        bot.base_url + SIMULATOR + "/send",
        data={"number": "+447700900105", "other": other, "body": "hello"},
        allow_redirects=False,
        timeout=10,
    )
    assert sent.status_code == 400
    assert sent.text == FAKE_ONLY


def test_the_simulator_shows_no_real_numbers_outbox(bot: RunningBot):
    shown = requests.get(bot.base_url + SIMULATOR, params={"number": "+447911123456"}, timeout=10)
    assert shown.status_code == 400
    assert shown.text == FAKE_ONLY
