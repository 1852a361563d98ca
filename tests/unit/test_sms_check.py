"""A text from a number on record is checked before anything personal goes to it (issue 15).

Phones are lost, shared and given new owners: a number on record gets only "this applies
to you" until the young person gives their date of birth, once in a while; three wrong
answers and it gets general answers only, and their PA is told. Real SQLite and
PostgreSQL, the demo people, rasa-sdk's CollectingDispatcher for the actions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.case_actions import ActionAskForPA, ActionCaseNews, ActionPathwayPlan
from actions.entitlement_actions import (
    ActionAnswerEntitlement,
    ActionEntitlementFollowUp,
    ActionListEntitlements,
)
from actions.services import Services, set_services
from bot.__main__ import main as cli
from bot.content import load_content_files
from bot.people import identity, linking, sms_check
from bot.people.demo import seed_demo
from bot.people.sms_check import Outcome, Trust, parse_date_of_birth
from bot.privacy import access, erasure, retention
from bot.settings import get_settings
from bot.store.tables.cases import cases, handoffs
from bot.store.tables.console import audit_log
from bot.store.tables.people import care_leavers, identity_checks
from tests.support.outbox import texts_to
from tests.support.trackers import tracker_for

TAYLOR = "+447700900105"  # Demo Taylor: born 2007-10-15, North, PA Pat (+447700900001)
BORN = dt.date(2007, 10, 15)
PAT = "+447700900001"
CHAT = "sms-taylor"
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    identity.link_sms_sender(engine, CHAT, TAYLOR)
    return engine


@pytest.fixture
def services(people, settings, encoder):
    load_content_files(people, settings)
    made = Services.create(settings, encoder=lambda: encoder)
    set_services(made)
    yield made
    set_services(None)
    made.engine.dispose()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def run(action, text: str, intent: str = "ask_entitlement", sender: str = CHAT):
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker_for(text, intent, sender=sender, channel="sms"), {})
    return dispatcher.messages


def said(messages: list[dict[str, Any]]) -> str:
    return " ".join(str(m.get("text") or m.get("response") or "") for m in messages)


def check_taylor(engine, at: dt.datetime) -> None:
    sms_check.ask(engine, CHAT, taylor_id(engine), "", at)
    assert sms_check.answer(engine, CHAT, "15/10/2007", at).outcome is Outcome.CHECKED


def taylor_id(engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(care_leavers.c.id).where(care_leavers.c.mobile == TAYLOR)
            ).scalar_one()
        )


# ---- reading a date of birth ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "15/10/2007",
        "15.10.07",
        "15 10 2007",
        " 15-10-2007 ",
        "15th October 2007",
        "15 oct 07",
        "October 15th, 2007",
        "2007-10-15",
        "15102007",
        "151007",
    ],
)
def test_a_date_of_birth_is_read_the_british_way(text):
    assert parse_date_of_birth(text, TODAY) == BORN


@pytest.mark.parametrize(
    "text",
    [
        "10/15/2007",  # no 15th month
        "31/02/2007",
        "15/10/2030",  # the future
        "i was born 15/10/2007",  # other words: a message for the bot
        "19",
        "can i get the uni bursary",
        "15/10",
        "",
        "1" * 50,
    ],
)
def test_anything_else_is_not_a_date_of_birth(text):
    assert parse_date_of_birth(text, TODAY) is None


# ---- the check --------------------------------------------------------------------------------


def test_a_number_on_record_is_unchecked_until_the_right_date_of_birth(people):
    assert sms_check.who_is_talking(people, CHAT, T0, 30).trust is Trust.UNCHECKED
    sms_check.ask(people, CHAT, taylor_id(people), "can i get the uni bursary", T0)
    assert sms_check.answer(people, CHAT, "can i get the uni bursary", T0) is None  # no date
    done = sms_check.answer(people, CHAT, "15 October 2007", T0 + dt.timedelta(minutes=1))
    assert done == sms_check.Answered(
        Outcome.CHECKED, sms_check.THANKS, "can i get the uni bursary", taylor_id(people)
    )
    talking = sms_check.who_is_talking(people, CHAT, T0 + dt.timedelta(days=29), 30)
    assert talking.trust is Trust.CHECKED and talking.checked.preferred_name == "Demo Taylor"
    # Once in a while: after 30 days (configurable), it is asked again.
    assert sms_check.who_is_talking(people, CHAT, T0 + dt.timedelta(days=31), 30).trust is (
        Trust.UNCHECKED
    )
    assert sms_check.who_is_talking(people, CHAT, T0 + dt.timedelta(days=31), 60).trust is (
        Trust.CHECKED
    )
    # The date given is stored nowhere.
    with people.connect() as conn:
        row = conn.execute(sa.select(identity_checks)).one()
    assert "2007" not in str(tuple(row)) and row.pending_text is None


def test_a_date_with_nothing_asked_is_not_taken_as_an_answer(people):
    assert sms_check.answer(people, CHAT, "15/10/2007", T0) is None
    sms_check.ask(people, CHAT, taylor_id(people), "x", T0)
    late = T0 + sms_check.WAITING_FOR_ANSWER + dt.timedelta(minutes=1)
    assert sms_check.answer(people, CHAT, "15/10/2007", late) is None


def test_three_wrong_answers_lock_it_tell_the_pa_and_lock_web_linking(people, settings):
    linked = "web-" + "b" * 24  # a web chat linked with a code before the lock
    identity.link(people, linked, taylor_id(people), method=linking.LINK_METHOD)
    sms_check.ask(people, CHAT, taylor_id(people), "any news on my query", T0)
    first = sms_check.answer(people, CHAT, "14/10/2007", T0)
    second = sms_check.answer(people, CHAT, "15/10/2006", T0)
    assert (first.outcome, first.reply) == (Outcome.WRONG, sms_check.wrong_reply(2))
    assert second.reply == "That doesn't match our records. You have 1 more try."
    third = sms_check.answer(people, CHAT, "01/01/2007", T0)
    assert (third.outcome, third.care_leaver_id) == (Outcome.LOCKED, taylor_id(people))
    assert sms_check.who_is_talking(people, CHAT, T0, 30).trust is Trust.LOCKED
    # Even the right date now does nothing, and there is no question waiting.
    assert sms_check.answer(people, CHAT, "15/10/2007", T0) is None
    assert sms_check.tell_staff_of_lock(people, settings, CHAT, taylor_id(people)) == 1
    sms_check.tell_staff_of_lock(people, settings, CHAT, taylor_id(people))
    (notice,) = texts_to(people, PAT)
    assert notice == sms_check.lock_notice("DEMO-CL-05") and "Taylor" not in notice
    # The same phone cannot get round it with a web chat code, nor one linked before.
    assert sms_check.who_is_talking(people, linked, T0, 30).trust is Trust.LOCKED
    chat = "web-" + "a" * 24
    assert linking.start_link(people, b"k" * 32, chat, TAYLOR, T0).sms is None
    # Staff check with the young person and clear it: three more tries, codes again.
    assert sms_check.clear_lock(people, taylor_id(people), T0) == 1
    assert sms_check.who_is_talking(people, CHAT, T0, 30).trust is Trust.UNCHECKED
    assert sms_check.who_is_talking(people, linked, T0, 30).trust is Trust.CHECKED
    assert linking.start_link(people, b"k" * 32, chat, TAYLOR, T0).sms is not None


def test_a_number_given_to_someone_else_is_checked_again(people):
    check_taylor(people, T0)
    with people.begin() as conn:  # the case system gives the number to Demo Alex
        conn.execute(
            care_leavers.update().where(care_leavers.c.mobile == TAYLOR).values(mobile=None)
        )
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.external_ref == "DEMO-CL-06")
            .values(mobile=TAYLOR)
        )
    identity.link_sms_sender(people, CHAT, TAYLOR)
    talking = sms_check.who_is_talking(people, CHAT, T0, 30)
    assert talking.person.preferred_name == "Demo Alex" and talking.trust is Trust.UNCHECKED


def test_a_web_chat_linked_with_a_texted_code_is_checked(people):
    identity.link(people, "web-linked", taylor_id(people), method=linking.LINK_METHOD)
    assert sms_check.who_is_talking(people, "web-linked", T0, 30).trust is Trust.CHECKED


# ---- what the actions say ---------------------------------------------------------------------


@pytest.mark.slow  # answers through the actions' real knowledge base (tens of seconds)
async def test_unchecked_hears_only_that_it_applies_and_is_asked_for_the_date_of_birth(services):
    messages = await run(ActionAnswerEntitlement(), "can i get the uni bursary")
    [answer] = messages  # one message: the answer, whether it applies, the question
    text = answer["answer"]
    assert answer["response"] == "utter_entitlement_answer"
    assert text.startswith("Higher education bursary: ")
    assert "\nThis applies to you (The course must be" in text
    assert text.endswith(" " + sms_check.ASK_FOR_DETAILS)
    assert "Taylor" not in text and "you're" not in text and "19" not in text
    with services.engine.connect() as conn:
        waiting = conn.execute(sa.select(identity_checks)).one()
    assert waiting.pending_text == "can i get the uni bursary" and waiting.asked_at


@pytest.mark.slow  # answers through the actions' real knowledge base (tens of seconds)
async def test_checked_hears_their_own_details_but_never_their_birthdays_date(services):
    check_taylor(services.engine, now())
    messages = await run(ActionAnswerEntitlement(), "can i get the uni bursary")
    [answer] = messages  # by SMS: no "Did that help?"
    assert answer["response"] == "utter_entitlement_answer"
    assert "Demo Taylor" in answer["answer"]
    assert "15 October" not in said(messages) and " 15 " not in answer["answer"]


async def test_unchecked_records_questions_ask_first_and_open_nothing(services):
    for action, text, intent in (
        (ActionPathwayPlan(), "when is my review", "pathway_plan"),
        (ActionPathwayPlan(), "i never got a copy of my plan", "pathway_plan"),
        (ActionCaseNews(), "any news on my query", "case_news"),
        (ActionAskForPA(), "can i talk to my pa", "ask_for_pa"),
    ):
        messages = await run(action, text, intent)
        assert [m.get("text") for m in messages] == [sms_check.ASK]
    with services.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(handoffs)).scalar() == 0
        waiting = conn.execute(sa.select(identity_checks.c.pending_text)).scalar_one()
    assert waiting == "can i talk to my pa"  # the latest question is the one answered after


async def test_someone_not_on_record_asking_for_a_person_hears_the_teams_number_and_hours(
    services,
):
    messages = await run(
        ActionAskForPA(), "can i talk to someone", "ask_for_pa", sender="sms-not-on-record"
    )
    assert [m["response"] for m in messages] == ["utter_pa_not_identified"]
    assert messages[0]["hours"] == "9am to 5pm, Monday to Friday"


async def test_checked_records_questions_are_answered(services):
    check_taylor(services.engine, now())
    messages = await run(ActionPathwayPlan(), "when is my review", "pathway_plan")
    assert messages[0]["response"] == "utter_next_review"


@pytest.mark.slow  # answers through the actions' real knowledge base (tens of seconds)
async def test_a_locked_number_gets_general_answers_only(services):
    sms_check.ask(services.engine, CHAT, taylor_id(services.engine), "x", now())
    for wrong in ("01/01/2001", "02/02/2002", "03/03/2003"):
        sms_check.answer(services.engine, CHAT, wrong, now())
    plan = await run(ActionPathwayPlan(), "when is my review", "pathway_plan")
    assert [m.get("text") for m in plan] == [sms_check.GENERAL_ONLY]
    answer = await run(ActionAnswerEntitlement(), "can i get the uni bursary")
    assert [m.get("response") for m in answer] == ["utter_entitlement_answer"]  # nothing personal
    who = await run(ActionEntitlementFollowUp(), "who can get the uni bursary", "ask_who_can_get")
    assert [m.get("response") for m in who] == ["utter_entitlement_who_can_get"]
    listed = await run(ActionListEntitlements(), "what can i get", "list_entitlements")
    assert listed[0]["response"] == "utter_ask_age_for_list"


def test_the_check_lasts_as_long_as_the_setting_says(settings):
    assert settings.sms_identity_check_days == 30
    assert dataclasses.replace(settings, sms_identity_check_days=7).sms_identity_check_days == 7


# ---- staff clear a lock; the records it leaves ------------------------------------------------

ADMIN = "pat.example-adviser@example.org"


@pytest.fixture
def command_env(monkeypatch, settings):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def lock_taylor(engine) -> None:
    sms_check.ask(engine, CHAT, taylor_id(engine), "when is my review", T0)
    for wrong in ("01/01/2001", "02/02/2002", "03/03/2003"):
        sms_check.answer(engine, CHAT, wrong, T0)
    assert sms_check.who_is_talking(engine, CHAT, T0, 30).trust is Trust.LOCKED


def test_staff_clear_a_lock_with_the_command_and_it_is_audited(people, command_env, capsys):
    lock_taylor(people)
    assert cli(["clear-identity-lock", "DEMO-CL-05", "--by", "nobody@example.org"]) == 1
    assert "No staff record has the email 'nobody@example.org'" in capsys.readouterr().err
    assert cli(["clear-identity-lock", "NOBODY", "--by", ADMIN]) == 1
    assert "No care leaver has the reference 'NOBODY'" in capsys.readouterr().err
    assert sms_check.who_is_talking(people, CHAT, T0, 30).trust is Trust.LOCKED  # refused: kept
    assert cli(["clear-identity-lock", "DEMO-CL-05", "--by", ADMIN]) == 0
    assert capsys.readouterr().out.startswith("Cleared: 1 number(s) may be checked again")
    assert sms_check.who_is_talking(people, CHAT, T0, 30).trust is Trust.UNCHECKED
    with people.connect() as conn:
        [detail] = conn.execute(
            sa.select(audit_log.c.detail).where(audit_log.c.action == "identity.lock_cleared")
        ).scalars()
    assert "Taylor" not in detail and TAYLOR not in detail


def test_a_question_kept_for_a_date_of_birth_is_in_a_subject_access_and_goes_when_erased(
    people, settings, tmp_path
):
    sms_check.ask(people, CHAT, taylor_id(people), "when is my review", T0)
    out = tmp_path / "sar.html"
    access.export(people, settings, "DEMO-CL-05", out, by_email=ADMIN, now=T0)
    page = out.read_text(encoding="utf-8")
    assert "Checks that texts came from them" in page and "when is my review" in page
    erasure.erase(
        people, settings, "DEMO-CL-05", reason="asked", by_email=ADMIN, now=T0, confirm=True
    )
    with people.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(identity_checks)).scalar() == 0


def test_a_question_never_answered_is_blanked_after_the_retention_period(people, settings):
    sms_check.ask(people, CHAT, taylor_id(people), "when is my review", T0)
    later = T0 + dt.timedelta(days=31 * settings.retention_months + 1)
    report = retention.run(people, settings, later.replace(tzinfo=dt.timezone.utc))
    assert report.identity_questions == 1
    with people.connect() as conn:
        assert conn.execute(sa.select(identity_checks.c.pending_text)).scalar_one() is None
