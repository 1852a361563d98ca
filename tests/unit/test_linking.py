"""Linking a web chat to a care leaver's record with a code texted to their number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from bot.channels.web.sessions import new_conversation_id
from bot.people import linking
from bot.people.demo import seed_demo
from bot.people.identity import identify
from bot.people.linking import StartOutcome, VerifyOutcome
from bot.store.tables.people import care_leavers, conversation_identities, link_codes
from tests.support.outbox import texts_to

KEY = b"link-key" * 4
T0 = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.timezone.utc)
TAYLOR = "07700 900105"  # Demo Taylor, in the demo records
NOT_ON_RECORD = "07700 900999"


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


def start(engine, conversation, number=TAYLOR, now=T0):
    return linking.start_link(engine, KEY, conversation, number, now)


def verify(engine, conversation, code, now=T0):
    return linking.verify_link(engine, KEY, conversation, code, now)


def code_of(result) -> str:
    assert result.sms is not None
    return re.search(r"\b(\d{6})\b", result.sms.body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_right_code_links_the_chat_once(people):
    chat = new_conversation_id()
    sent = start(people, chat)
    assert sent.outcome is StartOutcome.SENT_IF_ON_RECORD
    assert sent.sms.number == "+447700900105"
    assert identify(people, chat) is None
    done = verify(people, chat, code_of(sent), T0 + dt.timedelta(minutes=9))
    assert done.outcome is VerifyOutcome.LINKED
    person = identify(people, chat)
    assert person is not None and person.preferred_name == "Demo Taylor"
    with people.connect() as conn:
        method = conn.execute(
            sa.select(conversation_identities.c.method).where(
                conversation_identities.c.conversation_id == chat
            )
        ).scalar_one()
    assert method == "web_code"


def test_the_code_is_kept_only_as_a_keyed_hash(people):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    with people.connect() as conn:
        stored = conn.execute(sa.select(link_codes.c.code_hash)).scalar_one()
    assert code not in stored
    assert stored == linking.code_hash(KEY, chat, code)
    assert stored != linking.code_hash(b"other key", chat, code)


def test_a_used_code_is_refused(people):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    assert verify(people, chat, code).outcome is VerifyOutcome.LINKED
    again = verify(people, chat, code, T0 + dt.timedelta(minutes=1))
    assert again.outcome is VerifyOutcome.NO_CODE


def test_a_code_expires_after_10_minutes(people):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    late = verify(people, chat, code, T0 + dt.timedelta(minutes=10))
    assert late.outcome is VerifyOutcome.NO_CODE
    assert identify(people, chat) is None
    just_in_time = new_conversation_id()
    code = code_of(start(people, just_in_time))
    in_time = T0 + dt.timedelta(minutes=9, seconds=59)
    assert verify(people, just_in_time, code, in_time).outcome is VerifyOutcome.LINKED


def test_another_conversations_code_is_refused(people):
    mine, theirs = new_conversation_id(), new_conversation_id()
    their_code = code_of(start(people, theirs))
    start(people, mine, NOT_ON_RECORD)
    result = verify(people, mine, their_code)
    assert result.outcome is VerifyOutcome.WRONG
    assert identify(people, mine) is None
    # and in a chat with no code at all, nothing is there to guess
    assert verify(people, new_conversation_id(), their_code).outcome is VerifyOutcome.NO_CODE


def test_only_the_latest_code_counts(people):
    chat = new_conversation_id()
    first = code_of(start(people, chat))
    second = code_of(start(people, chat, now=T0 + dt.timedelta(minutes=1)))
    if first != second:
        assert verify(people, chat, first).outcome is VerifyOutcome.WRONG
    assert verify(people, chat, second).outcome is VerifyOutcome.LINKED


def test_five_wrong_tries_then_a_cool_off(people):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    for left in (4, 3, 2, 1):
        result = verify(people, chat, wrong(code))
        assert result.outcome is VerifyOutcome.WRONG
        assert result.tries_left == left
        assert f"{left} more tr" in result.message
    fifth = verify(people, chat, wrong(code), T0 + dt.timedelta(minutes=2))
    assert fifth.outcome is VerifyOutcome.COOLING_OFF
    assert "wait 15 minutes" in fifth.message
    # The right code does not help now, and no new code is sent.
    assert verify(people, chat, code).outcome is VerifyOutcome.COOLING_OFF
    assert identify(people, chat) is None
    blocked = start(people, chat, now=T0 + dt.timedelta(minutes=16))
    assert blocked.outcome is StartOutcome.COOLING_OFF and blocked.sms is None
    until = linking.cool_off_until(people, chat, T0 + dt.timedelta(minutes=3))
    assert until == T0 + dt.timedelta(minutes=17)
    # After the cool-off: a new code, and five new tries.
    after = T0 + dt.timedelta(minutes=17)
    assert linking.cool_off_until(people, chat, after) is None
    fresh = start(people, chat, now=after)
    assert fresh.outcome is StartOutcome.SENT_IF_ON_RECORD
    assert verify(people, chat, wrong(code_of(fresh)), after).tries_left == 4
    assert verify(people, chat, code_of(fresh), after).outcome is VerifyOutcome.LINKED


def test_wrong_tries_add_up_over_new_codes(people):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    for _ in range(3):
        verify(people, chat, wrong(code))
    later = T0 + dt.timedelta(minutes=5)
    code = code_of(start(people, chat, now=later))
    assert verify(people, chat, wrong(code), later).tries_left == 1
    assert verify(people, chat, wrong(code), later).outcome is VerifyOutcome.COOLING_OFF


def test_a_number_not_on_record_gets_the_same_answer_and_no_sms(people):
    on_record = start(people, new_conversation_id(), TAYLOR)
    chat = new_conversation_id()
    unknown = start(people, chat, NOT_ON_RECORD)
    assert unknown.outcome is on_record.outcome is StartOutcome.SENT_IF_ON_RECORD
    assert unknown.message == on_record.message == linking.SENT_REPLY
    assert "If that number is on our records" in unknown.message
    assert unknown.sms is None
    # Guessing then behaves exactly as with a real code: tries counted, then a cool-off.
    results = [verify(people, chat, f"{n:06d}") for n in range(5)]
    assert [r.outcome for r in results] == [VerifyOutcome.WRONG] * 4 + [VerifyOutcome.COOLING_OFF]
    assert identify(people, chat) is None


def test_a_number_in_another_format_is_the_same_number(people):
    sent = start(people, new_conversation_id(), "+44 7700 900105")
    assert sent.sms is not None and sent.sms.number == "+447700900105"


@pytest.mark.parametrize("raw", ["hello", "123", "", "0" * 40])
def test_something_that_is_not_a_number_is_told_so(people, raw):
    result = start(people, new_conversation_id(), raw)
    assert result.outcome is StartOutcome.BAD_NUMBER and result.sms is None


@pytest.mark.parametrize("raw", ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"])
def test_a_code_that_cannot_be_one_costs_no_try(people, raw):
    chat = new_conversation_id()
    code = code_of(start(people, chat))
    assert verify(people, chat, raw).outcome is VerifyOutcome.BAD_FORMAT
    assert verify(people, chat, f" {code[:3]} {code[3:]} ").outcome is VerifyOutcome.LINKED


def test_codes_sent_are_limited_per_chat_and_per_person(people):
    chat = new_conversation_id()
    for minute in range(3):
        assert start(people, chat, now=T0 + dt.timedelta(minutes=minute)).sms is not None
    too_many = start(people, chat, now=T0 + dt.timedelta(minutes=3))
    assert too_many.outcome is StartOutcome.TOO_MANY_CODES and too_many.sms is None
    # Another chat asking for the same person's number: the same answer, but no more texts.
    other = start(people, new_conversation_id(), now=T0 + dt.timedelta(minutes=4))
    assert other.outcome is StartOutcome.SENT_IF_ON_RECORD and other.sms is None
    an_hour_on = T0 + dt.timedelta(minutes=61)
    assert start(people, chat, now=an_hour_on).sms is not None


def test_forget_unlinks(people):
    chat = new_conversation_id()
    verify(people, chat, code_of(start(people, chat)))
    assert linking.is_linked(people, chat)
    linking.forget_link(people, chat)
    assert not linking.is_linked(people, chat)
    assert identify(people, chat) is None


def test_codes_are_six_random_digits():
    codes = [linking.new_code() for _ in range(2000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 1900


# ---- per care leaver, not per chat (issue 15) ------------------------------------------------

PAT = "+447700900001"  # Taylor's PA


def taylor_id(engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(care_leavers.c.id).where(care_leavers.c.mobile == "+447700900105")
            ).scalar_one()
        )


def test_wrong_tries_are_counted_per_record_across_new_chats(people, settings):
    """New chats used to bring five more guesses each, at codes sent to the same phone."""
    guesses = 0
    locked_by = []
    before = new_conversation_id()  # a code asked for before the lock
    early = code_of(start(people, before, now=T0 + dt.timedelta(minutes=59)))
    for n in range(2):
        at = T0 + dt.timedelta(hours=n)  # past the codes' hourly limit
        chat = new_conversation_id()
        code = code_of(start(people, chat, now=at))
        for _ in range(5 if n == 0 else 3):
            result = verify(people, chat, wrong(code), at)
            guesses += 1
            locked_by.append(result.locked_record)
    assert guesses == linking.MAX_WRONG_TRIES_PER_RECORD == 8
    assert locked_by[:-1] == [None] * 7 and locked_by[-1] == taylor_id(people)
    # Locked for a day: no code is sent; the answer is the one a number not on record gets.
    later = T0 + dt.timedelta(hours=3)
    chat = new_conversation_id()
    asked = start(people, chat, now=later)
    assert (asked.outcome, asked.message, asked.sms) == (
        StartOutcome.SENT_IF_ON_RECORD,
        linking.SENT_REPLY,
        None,
    )
    # A code sent before the lock no longer links, and says no more than a wrong one.
    refused = verify(people, before, early, T0 + dt.timedelta(hours=1, minutes=2))
    assert refused.outcome is VerifyOutcome.WRONG and refused.locked_record is None
    assert identify(people, before) is None
    # A day after the lock, codes go again.
    day_on = T0 + dt.timedelta(hours=26)
    fresh = new_conversation_id()
    assert verify(people, fresh, code_of(start(people, fresh, now=day_on)), day_on).outcome is (
        VerifyOutcome.LINKED
    )


def test_no_more_than_five_codes_a_day_to_one_record(people):
    sent = [
        start(people, new_conversation_id(), now=T0 + dt.timedelta(hours=h)).sms is not None
        for h in range(7)
    ]
    assert sent == [True] * linking.MAX_CODES_PER_DAY + [False, False]
    assert start(people, new_conversation_id(), now=T0 + dt.timedelta(hours=24, minutes=1)).sms


def test_the_pa_is_told_once_per_lock_without_the_young_persons_name(people, settings):
    person = taylor_id(people)
    with people.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == person)
            .values(linking_locked_until=T0 + linking.RECORD_LOCK)
        )
    assert linking.tell_staff_of_lock(people, settings, person, T0) == 1
    assert linking.tell_staff_of_lock(people, settings, person, T0) == 1  # the same text
    (text,) = texts_to(people, PAT)
    assert text == linking.lock_notice("DEMO-CL-05")
    assert "Taylor" not in text and "locked for 24 hours" in text


def test_guessing_at_a_number_not_on_record_locks_nobody(people):
    for hour in range(3):
        chat = new_conversation_id()
        at = T0 + dt.timedelta(hours=hour)
        start(people, chat, NOT_ON_RECORD, now=at)
        results = [verify(people, chat, f"{n:06d}", at) for n in range(5)]
        assert all(r.locked_record is None for r in results)
    with people.connect() as conn:
        assert (
            conn.execute(sa.select(care_leavers.c.linking_locked_until)).scalars().all()
            == [None] * 10
        )
