"""End to end: Twilio's webhook with real signatures, replies through the real twilio client.

Both servers run; the twilio library sends to a local fake of Twilio's API
(``TWILIO_API_URL``), the only thing faked because Twilio is outside this machine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bot.channels.sms.formatting import segments
from bot.channels.sms.service import HELP_REPLY, START_REPLY, STOP_REPLY
from bot.db.engine import create_db_engine
from bot.db.rasa_events import events
from bot.people import sms_check
from bot.people.identity import sms_conversation_id
from bot.store.tables.notify import sms_delivery_reports, sms_opt_outs, sms_outbound
from bot.store.tables.sms import sms_inbound
from entitlements.eligibility import age_on, today_in_london
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, running_bot
from tests.support.sms_replies import replies_to
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

PUBLIC = "https://sms.example.org"
WEBHOOK = "/webhooks/twilio/webhook"


@pytest.fixture(scope="module")
def sms_bot(twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    workdir: Path = tmp_path_factory.mktemp("sms-bot")
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        demo_people=True,
    ) as running:
        yield running


_NUMBERS = itertools.count(900)


def number() -> str:
    """A fresh fake number (+447700900900 on), not on any record, one per test."""
    return f"+447700900{next(_NUMBERS)}"


def sign(form: dict[str, str], token: str, path: str = WEBHOOK, base: str = PUBLIC) -> str:
    return RequestValidator(token).compute_signature(base + path, form)


def post(bot: RunningBot, form: dict[str, str], signature: str | None, path: str = WEBHOOK):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return requests.post(f"{bot.base_url}{path}", data=form, headers=headers, timeout=10)


def sms(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "From": sender,
        "To": "+447700900000",
        "Body": body,
        "AccountSid": "ACfake00000000000000000000000000",
    }


def send_signed(bot: RunningBot, twilio: FakeTwilio, sender: str, body: str):
    form = sms(sender, body)
    reply = post(bot, form, sign(form, twilio.token))
    assert reply.status_code == 200
    return form


LATER = "what is staying put"


def a_later_text_answered(bot: RunningBot, twilio: FakeTwilio, sender: str) -> list[dict]:
    """Text once more from ``sender`` and wait, on the bot's own records, for all its replies.

    What "nothing more came" is checked against instead of a sleep: one number's texts are
    handled in turn (one conversation, under its lock) and the queue sends in order, so
    once this later text's replies have all reached Twilio, anything an earlier text could
    still have caused (a second answer, a resend) has been queued and sent before them.
    """
    replies = replies_to(bot.settings.database_url, twilio, send_signed(bot, twilio, sender, LATER))
    assert replies and replies[0]["Body"].startswith("Staying put: ")
    return replies


def test_a_signed_sms_is_answered_once_through_twilio(sms_bot, twilio):
    sender = number()
    form = sms(sender, "how much is the setting up home grant")
    reply = post(sms_bot, form, sign(form, twilio.token))
    assert reply.status_code == 200
    assert reply.text.startswith("<?xml") and "<Response></Response>" in reply.text
    sent = replies_to(sms_bot.settings.database_url, twilio, form)
    # One text of at most two segments, its follow-ups as reply words (issue 16).
    assert len(sent) == 1 and segments(sent[0]["Body"]) <= 2
    assert sent[0]["Body"].startswith("Setting up home allowance: ")
    assert "£3,000" in sent[0]["Body"]
    assert sent[0]["Body"].endswith("\nReply WHO, HOW or MORE")
    assert "Did that help?" not in sent[0]["Body"]
    assert sent[0]["From"] == "+447700900000"
    assert sent[0]["StatusCallback"] == PUBLIC + "/webhooks/twilio/status"
    later = a_later_text_answered(sms_bot, twilio, sender)
    assert twilio.to(sender) == sent + later


def test_the_same_message_sid_is_handled_once(sms_bot, twilio):
    sender = number()
    form = sms(sender, "what is staying put")
    signature = sign(form, twilio.token)
    assert post(sms_bot, form, signature).status_code == 200
    first = replies_to(sms_bot.settings.database_url, twilio, form)
    assert first[0]["Body"].startswith("Staying put: ")
    for _ in range(3):
        assert post(sms_bot, form, signature).status_code == 200
    later = a_later_text_answered(sms_bot, twilio, sender)
    assert twilio.to(sender) == first + later


@pytest.mark.parametrize("how", ["missing", "forged", "other url", "other token", "changed body"])
def test_an_unsigned_or_forged_sms_gets_403_and_leaves_no_trace(sms_bot, twilio, how):
    sender = number()
    form = sms(sender, "i want to know about council tax")
    signature = {
        "missing": None,
        "forged": "bm90IGEgc2lnbmF0dXJl",
        "other url": sign(form, twilio.token, base="https://elsewhere.example.org"),
        "other token": sign(form, "another-token"),
        "changed body": sign({**form, "Body": "something else"}, twilio.token),
    }[how]
    reply = post(sms_bot, form, signature)
    assert reply.status_code == 403
    later = a_later_text_answered(sms_bot, twilio, sender)
    assert twilio.to(sender) == later
    engine = create_db_engine(sms_bot.settings.database_url)
    try:
        with engine.connect() as conn:
            seen = conn.execute(
                sa.select(sa.func.count())
                .select_from(sms_inbound)
                .where(sms_inbound.c.message_sid == form["MessageSid"])
            ).scalar()
            texts = conn.execute(
                sa.text("SELECT count(*) FROM events WHERE data LIKE :t"),
                {"t": "%i want to know about council tax%"},
            ).scalar()
    finally:
        engine.dispose()
    assert seen == 0 and texts == 0


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        (lambda f: f.pop("From"), 400, "From is missing"),
        (lambda f: f.pop("Body"), 400, "Body is missing"),
        (lambda f: f.pop("MessageSid"), 400, "MessageSid is missing"),
        (lambda f: f.__setitem__("Body", "a" * 1601), 413, "Body is too long"),
        (lambda f: f.__setitem__("From", "not a number"), 400, "not a valid phone number"),
        (lambda f: f.__setitem__("MessageSid", "S" * 65), 400, "MessageSid is too long"),
    ],
)
def test_a_malformed_sms_gets_a_plain_4xx(sms_bot, twilio, change, status, reason):
    form = sms(number(), "hello")
    change(form)
    reply = post(sms_bot, form, sign(form, twilio.token))
    assert reply.status_code == status
    assert reason in reply.text
    assert "aaaa" not in reply.text


def opted_out(bot: RunningBot, sender: str) -> bool:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(sms_opt_outs.c.number).where(sms_opt_outs.c.number == sender)
                ).first()
                is not None
            )
    finally:
        engine.dispose()


def statuses(bot: RunningBot, form: dict[str, str]) -> list[str]:
    """The statuses of the replies queued for one inbound text, once it is handled."""
    engine = create_db_engine(bot.settings.database_url)
    try:

        def handled() -> tuple[list[str]] | None:
            with engine.connect() as conn:
                done = conn.execute(
                    sa.select(sms_inbound.c.handled_at).where(
                        sms_inbound.c.message_sid == form["MessageSid"]
                    )
                ).scalar()
                rows = conn.execute(
                    sa.select(sms_outbound.c.status)
                    .where(sms_outbound.c.dedupe_key.like(f"reply:{form['MessageSid']}:%"))
                    .order_by(sms_outbound.c.id)
                ).scalars()
                return ([str(r) for r in rows],) if done is not None else None

        return wait_for(handled)[0]
    finally:
        engine.dispose()


def test_twilios_own_stop_start_and_help_are_recorded_and_not_answered_again(sms_bot, twilio):
    """On a plain number Twilio answers its keywords itself: a second reply would be one
    too many (and after STOP, refused)."""
    sender = number()
    stop = send_signed(sms_bot, twilio, sender, "STOP")
    assert replies_to(sms_bot.settings.database_url, twilio, stop) == []
    assert opted_out(sms_bot, sender)
    asked = send_signed(sms_bot, twilio, sender, "what is the junior isa")
    assert statuses(sms_bot, asked) == ["suppressed"]  # nothing after STOP
    start = send_signed(sms_bot, twilio, sender, "Start")
    assert replies_to(sms_bot.settings.database_url, twilio, start) == []
    assert not opted_out(sms_bot, sender)
    helped = send_signed(sms_bot, twilio, sender, "help")
    assert replies_to(sms_bot.settings.database_url, twilio, helped) == []
    assert twilio.to(sender) == []


@pytest.mark.parametrize("word", ["REVOKE", "optout"])
def test_the_newer_opt_out_keywords_stop_texts_too(sms_bot, twilio, word):
    sender = number()
    replies_to(sms_bot.settings.database_url, twilio, send_signed(sms_bot, twilio, sender, word))
    assert opted_out(sms_bot, sender)
    replies_to(sms_bot.settings.database_url, twilio, send_signed(sms_bot, twilio, sender, "YES"))
    assert not opted_out(sms_bot, sender)  # YES is one of Twilio's opt-in keywords


def test_a_keyword_twilio_did_not_take_as_one_is_answered_by_us(sms_bot, twilio):
    sender = number()
    stop = send_signed(sms_bot, twilio, sender, "Stop.")
    assert [m["Body"] for m in replies_to(sms_bot.settings.database_url, twilio, stop)] == [
        STOP_REPLY
    ]
    assert opted_out(sms_bot, sender)
    start = send_signed(sms_bot, twilio, sender, "start!")
    assert [m["Body"] for m in replies_to(sms_bot.settings.database_url, twilio, start)] == [
        START_REPLY
    ]
    helped = send_signed(sms_bot, twilio, sender, "Help?")
    assert [m["Body"] for m in replies_to(sms_bot.settings.database_url, twilio, helped)] == [
        HELP_REPLY
    ]


def test_a_long_reply_is_one_text_that_twilio_segments(sms_bot, twilio):
    sender = number()
    conversation(sms_bot, twilio, sender, "what is a personal adviser")
    [more] = conversation(sms_bot, twilio, sender, "tell me more")
    assert more.startswith("Personal adviser: ")
    assert segments(more) > 3 and len(more) <= 1600


def test_stop_inside_a_sentence_is_a_message_not_an_opt_out(sms_bot, twilio):
    sender = number()
    form = send_signed(sms_bot, twilio, sender, "stop it he's hurting me")
    sent = replies_to(sms_bot.settings.database_url, twilio, form)
    joined = " ".join(m["Body"] for m in sent)
    assert "999" in joined and "116 123" in joined
    assert STOP_REPLY not in joined


def test_reply_words_map_back_to_the_follow_ups_even_when_not_shown(sms_bot, twilio):
    sender = number()
    [first] = conversation(sms_bot, twilio, sender, "can i stay with my foster carers after 18")
    # Staying put's answer leaves room for the first word only, within two segments.
    assert first.startswith("Staying put: ") and first.endswith("\nReply WHO")
    assert segments(first) <= 2
    [how] = conversation(sms_bot, twilio, sender, "HOW")  # not shown, and still works
    assert how.startswith("Staying put, how to get it: ")
    [_again] = conversation(sms_bot, twilio, sender, "can i stay with my foster carers after 18")
    [who] = conversation(sms_bot, twilio, sender, "who?")
    assert who.startswith("Staying put, who can get it: ")


def test_delivery_reports_are_recorded_and_must_be_signed(sms_bot, twilio):
    report = {"MessageSid": f"SM{uuid.uuid4().hex}", "MessageStatus": "delivered"}
    path = "/webhooks/twilio/status"
    assert post(sms_bot, report, "forged", path).status_code == 403
    assert post(sms_bot, report, sign(report, twilio.token, path), path).status_code == 204
    engine = create_db_engine(sms_bot.settings.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(sms_delivery_reports).where(
                    sms_delivery_reports.c.twilio_sid == report["MessageSid"]
                )
            ).one()
    finally:
        engine.dispose()
    assert row.status == "delivered"


def attempts_to(bot: RunningBot, number: str) -> list[tuple[int, str]]:
    """``(attempts, error)`` of every text queued to ``number``, from the queue itself."""
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(sms_outbound.c.attempts, sms_outbound.c.error).where(
                    sms_outbound.c.to_number == number
                )
            ).all()
    finally:
        engine.dispose()
    return [(int(row.attempts), row.error or "") for row in rows]


def test_twilio_errors_are_retried_and_delivered_once(sms_bot, twilio):
    sender = number()
    twilio.mode = "error500"
    try:
        form = send_signed(sms_bot, twilio, sender, "what is the care leaver covenant")
        # The queue's own record: the reply was tried, refused by Twilio, and tried again.
        retried = wait_for(lambda: [e for a, e in attempts_to(sms_bot, sender) if a >= 2])
        assert all(error.startswith("Twilio 500") for error in retried), retried
        assert twilio.to(sender) == []
    finally:
        twilio.mode = "ok"
    delivered = replies_to(sms_bot.settings.database_url, twilio, form, timeout=60)
    assert delivered[0]["Body"].startswith("Care Leaver Covenant: ")
    later = a_later_text_answered(sms_bot, twilio, sender)
    assert twilio.to(sender) == delivered + later


def test_when_twilio_is_unreachable_messages_wait_and_go_once(sms_bot, twilio):
    sender = number()
    twilio.stop()
    try:
        form = send_signed(sms_bot, twilio, sender, "how do i get my care records")
        engine = create_db_engine(sms_bot.settings.database_url)
        try:

            def waiting():
                with engine.connect() as conn:
                    return conn.execute(
                        sa.select(sms_outbound.c.status, sms_outbound.c.error).where(
                            sms_outbound.c.to_number == sender
                        )
                    ).all()

            rows = wait_for(lambda: [r for r in waiting() if r.error])
            assert all(r.status == "queued" for r in rows)
            assert "unreachable" in rows[0].error
        finally:
            engine.dispose()
    finally:
        twilio.start()
    delivered = replies_to(sms_bot.settings.database_url, twilio, form, timeout=90)
    assert delivered[0]["Body"].startswith("Your care records: ")
    later = a_later_text_answered(sms_bot, twilio, sender)
    assert twilio.to(sender) == delivered + later


TAYLOR = "+447700900105"  # Demo Taylor: former relevant, at university (demo records)
TAYLOR_BORN = dt.date(2007, 10, 15)


def test_a_care_leaver_on_record_gets_an_answer_that_fits_them_once_checked(sms_bot, twilio):
    """A text from a number on record: "this applies to you", nothing more, until the
    young person gives their date of birth; then their own answer (issue 15)."""
    [first] = conversation(sms_bot, twilio, TAYLOR, "can i get the uni bursary")
    assert first.startswith("Higher education bursary: ")
    assert "This applies to you" in first and sms_check.ASK_FOR_DETAILS in first
    assert "Taylor" not in first and "you're" not in first
    # A wrong date: one try fewer. (The date given is never an answer's words.)
    assert conversation(sms_bot, twilio, TAYLOR, "16/10/2007") == [sms_check.wrong_reply(2)]
    [checked] = conversation(sms_bot, twilio, TAYLOR, "15 October 2007")
    assert checked.startswith(sms_check.THANKS + "\n\nHigher education bursary: ")
    age = age_on(TAYLOR_BORN, today_in_london())
    assert (
        f"Demo Taylor, you're {age} and a former relevant care leaver, so this applies to you"
        in checked
    )
    # Checked for 30 days: the next answer is personal at once.
    [again] = conversation(sms_bot, twilio, TAYLOR, "can i get the uni bursary")
    assert "Demo Taylor, you're" in again and sms_check.ASK_FOR_DETAILS not in again
    # Never a date that gives the date of birth away (the day of the 15th).
    transcript = " ".join(m["Body"] for m in twilio.to(TAYLOR))
    assert "15 October" not in transcript and "15/10" not in transcript
    # The dates given went to no transcript: the channel took them, not the bot.
    engine = create_db_engine(sms_bot.settings.database_url)
    try:
        with engine.connect() as conn:
            stored = " ".join(str(d) for d in conn.execute(sa.select(events.c.data)).scalars())
    finally:
        engine.dispose()
    assert "can i get the uni bursary" in stored
    assert "16/10/2007" not in stored and "15 October 2007" not in stored


def test_an_unknown_number_gets_the_general_answer_and_nothing_personal(sms_bot, twilio):
    sender = number()
    form = send_signed(sms_bot, twilio, sender, "can i get the uni bursary")
    sent = replies_to(sms_bot.settings.database_url, twilio, form)
    assert len(sent) == 1 and segments(sent[0]["Body"]) <= 2
    joined = sent[0]["Body"]
    assert joined.startswith("Higher education bursary: ")
    assert "Demo" not in joined and "you're" not in joined
    [who] = conversation(sms_bot, twilio, sender, "WHO")
    assert who.startswith("Higher education bursary, who can get it: ")
    assert "Demo" not in who and "you're" not in who


@pytest.mark.parametrize(
    "chosen",
    [
        TAYLOR,
        "07700900105",
        "DEMO-CL-05",
        "1",
        "sms-{taylor}",
        "rest-sms-{taylor}",
    ],
)
def test_a_rest_sender_id_never_reaches_a_care_leavers_record(sms_bot, chosen):
    key = sms_bot.settings.conversation_key()
    sender = chosen.format(taylor=sms_conversation_id(TAYLOR, key).removeprefix("sms-"))
    reply = requests.post(
        sms_bot.rest_url,
        json={"sender": sender, "message": "can i get the uni bursary"},
        timeout=30,
    )
    assert reply.status_code == 200
    joined = " ".join(m.get("text", "") for m in reply.json())
    assert joined.startswith("Higher education bursary: ")
    assert "Taylor" not in joined and "you're" not in joined


def conversation(sms_bot, twilio, sender: str, said: str) -> list[str]:
    """Send one SMS and return every reply it gets, once all have reached Twilio."""
    form = send_signed(sms_bot, twilio, sender, said)
    return [m["Body"] for m in replies_to(sms_bot.settings.database_url, twilio, form)]


def test_a_known_young_person_lists_what_they_can_get_and_pages_with_more(sms_bot, twilio):
    first = conversation(sms_bot, twilio, TAYLOR, "what am i entitled to")
    assert len(first) == 1 and first[0].startswith("Here's what you can get (1 to 3 of ")
    assert first[0].endswith("Reply MORE for the next 3.")
    second = conversation(sms_bot, twilio, TAYLOR, "MORE")
    assert second[0].startswith("Here's what you can get (4 to ")
    sources = conversation(sms_bot, twilio, TAYLOR, "can i get the uni bursary")
    assert sources[0].startswith("Higher education bursary: ")
    where = conversation(sms_bot, twilio, TAYLOR, "where does it say that")
    said = " ".join(where)
    assert said.startswith("Higher education bursary, where it comes from: ")
    assert "Last checked: " in said and "https://" in said


def test_an_anonymous_young_person_is_asked_only_their_age_for_the_list(sms_bot, twilio):
    sender = number()
    first = conversation(sms_bot, twilio, sender, "what can i get")
    assert first == [
        "How old are you? Reply with just the number and I'll list what care leavers "
        "your age can usually get."
    ]
    listed = conversation(sms_bot, twilio, sender, "19")
    assert listed[0].startswith("At your age, care leavers can usually get (1 to 3 of ")
    assert "Demo" not in " ".join(listed)
    more = conversation(sms_bot, twilio, sender, "more")
    assert more[0].startswith("At your age, care leavers can usually get (4 to ")


def test_the_simulator_is_off_when_twilio_is_configured(sms_bot):
    page = requests.get(sms_bot.base_url + "/webhooks/twilio/simulator", timeout=10)
    assert page.status_code == 404
    sent = requests.post(
        sms_bot.base_url + "/webhooks/twilio/simulator/send",
        data={"number": "+447700900105", "body": "hello"},
        timeout=10,
    )
    assert sent.status_code == 404


SAM = "+447700900107"  # Demo Sam: Central, PA Kim Example-Adviser (+447700900003)
SAM_BORN = "5/11/2006"
KIM = "+447700900003"


def checked(sms_bot, twilio, number: str, born: str) -> None:
    """Make sure a number on record has given its date of birth lately."""
    if conversation(sms_bot, twilio, number, "any news on my query") == [sms_check.ASK]:
        [thanks] = conversation(sms_bot, twilio, number, born)
        assert thanks.startswith(sms_check.THANKS)


def test_a_plan_query_by_sms_gets_a_reference_and_the_pa_a_text(sms_bot, twilio):
    checked(sms_bot, twilio, SAM, SAM_BORN)
    before = len(twilio.to(KIM))
    replies = conversation(sms_bot, twilio, SAM, "i never got a copy of my plan")
    assert replies[0].startswith("I've passed this to your PA, Kim Example-Adviser.")
    reference = replies[0].split("Your reference is ")[1].split(".")[0]
    assert reference.startswith("PP-")
    notice = wait_for(lambda: twilio.to(KIM)[before:])
    assert notice[0]["Body"].startswith(f"New pathway-plan query {reference} (Central).")
    news = conversation(sms_bot, twilio, SAM, "any news on my query")
    assert news[0].startswith(f"Your query {reference} is with your PA, Kim Example-Adviser.")


def test_an_unknown_number_asking_for_a_pa_is_told_how_to_reach_the_team(sms_bot, twilio):
    replies = conversation(sms_bot, twilio, number(), "can i talk to my PA")
    # How to reach the team and when, first and alone: no handoff, nothing personal, and
    # not what a PA is (the young person asked for theirs, not about the role).
    assert replies[0].startswith("I can't see who your PA is in this chat.")
    assert "Monday to Friday" in replies[0]
    assert not any(r.startswith("Personal adviser: ") for r in replies)


def test_after_a_handoff_only_the_safety_net_answers(sms_bot, twilio):
    checked(sms_bot, twilio, SAM, SAM_BORN)
    before_pa = len(twilio.to(KIM))
    handed = conversation(sms_bot, twilio, SAM, "can i talk to my PA")
    assert "I've asked your PA, Kim Example-Adviser" in handed[0]
    assert wait_for(lambda: len(twilio.to(KIM)) > before_pa)
    count = len(twilio.to(SAM))
    held = send_signed(sms_bot, twilio, SAM, "what is staying put")
    # Handled (the bot's record, written once every reply is queued), and no reply at all.
    assert replies_to(sms_bot.settings.database_url, twilio, held) == []
    assert len(twilio.to(SAM)) == count  # the PA has it now: the bot stays quiet
    before_alerts = len(twilio.to(KIM))
    crisis = conversation(sms_bot, twilio, SAM, "i want to kill myself tonight")
    assert "999" in " ".join(crisis)
    alert = wait_for(lambda: twilio.to(KIM)[before_alerts:])
    assert alert[0]["Body"].startswith("URGENT safety alert ")


# ---- a Messaging Service with Advanced Opt-Out ---------------------------------------------


@pytest.fixture(scope="module")
def service_bot(
    twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """Texts sent through a Messaging Service; its Advanced Opt-Out says what it did."""
    workdir: Path = tmp_path_factory.mktemp("sms-service-bot")
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_messaging_service_sid=twilio.messaging_service_sid,
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        demo_people=True,
    ) as running:
        yield running


def send_form(bot: RunningBot, twilio: FakeTwilio, form: dict[str, str]) -> dict[str, str]:
    reply = post(bot, form, sign(form, twilio.token))
    assert reply.status_code == 200
    return form


def test_replies_go_through_the_messaging_service(service_bot, twilio):
    sender = number()
    form = send_signed(service_bot, twilio, sender, "what is staying put")
    [sent] = replies_to(service_bot.settings.database_url, twilio, form)
    assert sent["Body"].startswith("Staying put: ")
    assert sent["MessagingServiceSid"] == twilio.messaging_service_sid
    assert "From" not in sent


def test_optouttype_is_recorded_and_twilios_reply_is_the_only_one(service_bot, twilio):
    sender = number()
    url = service_bot.settings.database_url
    stop = send_form(service_bot, twilio, {**sms(sender, "Arret"), "OptOutType": "STOP"})
    assert replies_to(url, twilio, stop) == []
    assert opted_out(service_bot, sender)
    start = send_form(service_bot, twilio, {**sms(sender, "START"), "OptOutType": "START"})
    assert replies_to(url, twilio, start) == []
    assert not opted_out(service_bot, sender)
    helped = send_form(service_bot, twilio, {**sms(sender, "HELP"), "OptOutType": "HELP"})
    assert replies_to(url, twilio, helped) == []
    assert twilio.to(sender) == []


def test_without_optouttype_yes_is_a_message_for_the_bot(service_bot, twilio):
    """The council took YES out of the service's opt-in keywords: Twilio sends no
    OptOutType, so the bot answers it."""
    sender = number()
    form = send_signed(service_bot, twilio, sender, "yes")
    assert replies_to(service_bot.settings.database_url, twilio, form)


CHARLIE = "+447700900108"  # Demo Charlie: East, PA Lee Example-Adviser (+447700900002)
LEE = "+447700900002"
CRISIS = "i want to kill myself tonight"


def test_three_wrong_dates_of_birth_mean_general_answers_and_the_pa_is_told(sms_bot, twilio):
    """The phone may be lost or have a new owner: nothing personal, and a person checks."""
    assert conversation(sms_bot, twilio, CHARLIE, "when is my review") == [sms_check.ASK]
    # The safety net is never held behind the check: a crisis text waiting for nothing.
    assert "999" in " ".join(conversation(sms_bot, twilio, CHARLIE, CRISIS))
    assert conversation(sms_bot, twilio, CHARLIE, "01/01/2004") == [sms_check.wrong_reply(2)]
    assert conversation(sms_bot, twilio, CHARLIE, "02/02/2004") == [sms_check.wrong_reply(1)]
    assert conversation(sms_bot, twilio, CHARLIE, "03/03/2004") == [sms_check.LOCKED_REPLY]
    [notice] = wait_for(lambda: [m["Body"] for m in twilio.to(LEE) if "date of birth" in m["Body"]])
    assert notice == sms_check.lock_notice("DEMO-CL-08")
    assert conversation(sms_bot, twilio, CHARLIE, "when is my review") == [sms_check.GENERAL_ONLY]
    assert "999" in " ".join(conversation(sms_bot, twilio, CHARLIE, CRISIS))  # locked too
    # The right date now is just a message: nothing is waiting for it.
    later = " ".join(conversation(sms_bot, twilio, CHARLIE, "22/10/2004"))
    assert "Charlie" not in later and sms_check.THANKS not in later
