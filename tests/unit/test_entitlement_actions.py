"""The entitlement actions, run with rasa-sdk's CollectingDispatcher on a real database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.entitlement_actions import (
    ActionAnswerEntitlement,
    ActionEntitlementFollowUp,
    ActionOutOfScope,
)
from actions.services import Services, set_services
from bot.content import load_content_files
from bot.people import identity
from bot.people.demo import seed_demo
from bot.store.tables.people import care_leavers
from bot.store.tables.records import unanswered_questions
from bot.store.tables.reports import answer_log
from tests.support.trackers import tracker_for

# Slow (make test runs these, make test-fast does not): each test builds the knowledge base
# from the real content with the real sentence encoder and answers through it, 3 to 30 s a
# test on a busy 2-core machine; this module and test_feedback_actions.py were about half
# the unit tests' time (pytest --durations, December 2026).
pytestmark = pytest.mark.slow


@pytest.fixture
def services(engine, settings, encoder):
    load_content_files(engine, settings)
    services = Services.create(settings, encoder=lambda: encoder)
    set_services(services)
    yield services
    set_services(None)
    services.engine.dispose()


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def demo_id(engine, ref):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.external_ref == ref)
        ).scalar_one()


CLEARED_LIST: list = []  # no list was being paged: nothing to clear


async def test_a_question_gets_the_entitlements_first_answer(services):
    messages, events = await run(
        ActionAnswerEntitlement(), tracker_for("how much is the setting up home grant")
    )
    assert events == [SlotSet("entitlement_id", "setting-up-home-allowance"), *CLEARED_LIST]
    assert messages[0]["response"] == "utter_entitlement_answer"
    assert messages[0]["answer"].startswith("Setting up home allowance: ")
    assert "£3,000" in messages[0]["answer"]
    # One message: the follow-ups are its buttons ("Who can get it?" gives the conditions);
    # nothing personal. Then, the first time in a conversation, "Did that help?".
    assert [m["response"] for m in messages[1:]] == ["utter_ask_helpful"]


async def test_a_picked_entitlement_is_answered_directly(services):
    tracker = tracker_for(
        '/ask_entitlement{"entitlement_id": "junior-isa"}',
        entities=[{"entity": "entitlement_id", "value": "junior-isa"}],
    )
    messages, events = await run(ActionAnswerEntitlement(), tracker)
    assert events[0] == SlotSet("entitlement_id", "junior-isa")
    assert messages[0]["answer"].startswith("Junior ISA: ")


async def test_an_unknown_question_is_admitted_and_kept_for_staff(services):
    question = "will they pay for my hair extensions"
    messages, events = await run(
        ActionAnswerEntitlement(), tracker_for(question, sender="+447700900123")
    )
    assert events == CLEARED_LIST
    assert [m["response"] for m in messages] == ["utter_dont_know"]
    with services.engine.connect() as conn:
        row = conn.execute(sa.select(unanswered_questions)).one()
    assert row.text == question
    assert row.channel == "rest"
    assert "+4477" not in row.conversation_key


async def test_follow_up_uses_the_conversations_entitlement(services):
    tracker = tracker_for(
        "how do i get it", "ask_how_to_get", slots={"entitlement_id": "staying-put"}
    )
    messages, events = await run(ActionEntitlementFollowUp(), tracker)
    assert messages[0]["response"] == "utter_entitlement_how_to_get"
    assert messages[0]["title"] == "Staying put"
    assert events == [SlotSet("entitlement_id", "staying-put"), *CLEARED_LIST]


async def test_follow_up_naming_an_entitlement_switches_to_it(services):
    tracker = tracker_for(
        "who can get the junior isa", "ask_who_can_get", slots={"entitlement_id": "staying-put"}
    )
    messages, events = await run(ActionEntitlementFollowUp(), tracker)
    # Anonymous, and age alone settles the Junior ISA: the conditions ask their age too.
    assert messages[0]["response"] == "utter_entitlement_who_can_get_ask_age"
    assert messages[0]["title"] == "Junior ISA"
    assert events[0] == SlotSet("entitlement_id", "junior-isa")


async def test_sources_give_the_legal_basis_and_addresses(services):
    tracker = tracker_for(
        "where does it say that",
        "ask_sources",
        slots={"entitlement_id": "setting-up-home-allowance"},
    )
    messages, _ = await run(ActionEntitlementFollowUp(), tracker)
    assert messages[0]["response"] == "utter_entitlement_sources"
    assert "Children Act 1989" in messages[0]["body"]
    assert messages[0]["sources"].startswith("https://")


async def test_follow_up_with_no_entitlement_asks_which(services):
    messages, events = await run(ActionEntitlementFollowUp(), tracker_for("more", "ask_more"))
    assert [m["response"] for m in messages] == ["utter_ask_which_entitlement"]
    assert events == CLEARED_LIST


async def test_no_published_content_gets_a_try_again_reply(engine, settings, encoder):
    services = Services.create(settings, encoder=lambda: encoder)
    set_services(services)
    try:
        messages, events = await run(ActionAnswerEntitlement(), tracker_for("council tax"))
    finally:
        set_services(None)
        services.engine.dispose()
    assert [m["response"] for m in messages] == ["utter_try_again_later"]
    assert events == []


async def test_an_unsure_short_message_that_names_an_entitlement_is_answered(services):
    tracker = tracker_for("UC", "nlu_fallback", ranking=["affirm", "greet"])
    messages, events = await run(ActionAnswerEntitlement(), tracker)
    assert messages[0]["answer"].startswith("Universal Credit and benefits: ")
    assert events[0] == SlotSet("entitlement_id", "universal-credit")


async def test_an_unsure_greeting_gets_the_greeting(services):
    tracker = tracker_for("hiya m8 u good", "nlu_fallback", ranking=["greet", "thank"])
    messages, events = await run(ActionAnswerEntitlement(), tracker)
    assert [m["response"] for m in messages] == ["utter_greet"]
    assert events == CLEARED_LIST


async def test_an_unsure_out_of_scope_message_is_refused_not_answered(services):
    tracker = tracker_for("whats the best pizza topping", "nlu_fallback", ranking=["out_of_scope"])
    messages, _ = await run(ActionAnswerEntitlement(), tracker)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]


async def test_an_unsure_question_with_no_match_is_kept_for_staff(services):
    tracker = tracker_for(
        "will they pay for my hair extensions", "nlu_fallback", ranking=["ask_entitlement"]
    )
    messages, _ = await run(ActionAnswerEntitlement(), tracker)
    assert [m["response"] for m in messages] == ["utter_dont_know"]
    with services.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(unanswered_questions)).scalar() == 1
        )


async def test_a_new_question_forgets_the_list_being_paged(services):
    tracker = tracker_for(
        "what is staying put",
        slots={"list_ids": ["junior-isa", "staying-put"], "list_offset": 1.0},
    )
    _, events = await run(ActionAnswerEntitlement(), tracker)
    assert events[-2:] == [SlotSet("list_ids", None), SlotSet("list_offset", None)]


async def test_answers_are_counted_for_the_weekly_report_with_the_district(services, settings):
    seed_demo(services.engine, settings)
    identity.link(services.engine, "sms-counted", demo_id(services.engine, "DEMO-CL-05"), "sms")
    await run(
        ActionAnswerEntitlement(), tracker_for("can i get the uni bursary", sender="sms-counted")
    )
    await run(ActionAnswerEntitlement(), tracker_for("how much is the setting up home grant"))
    await run(ActionAnswerEntitlement(), tracker_for("will they pay for my hair extensions"))
    with services.engine.connect() as conn:
        rows = conn.execute(sa.select(answer_log).order_by(answer_log.c.id)).all()
        unanswered = conn.execute(sa.select(unanswered_questions)).one()
    assert [(r.entitlement_id, r.district) for r in rows] == [
        ("higher-education-bursary", "North"),
        ("setting-up-home-allowance", None),
    ]
    assert "sms-counted" not in rows[0].conversation_key
    assert unanswered.district is None


async def test_out_of_scope_that_clearly_names_an_entitlement_gets_it(services):
    tracker = tracker_for("cheap swimming", "out_of_scope")
    messages, events = await run(ActionOutOfScope(), tracker)
    assert messages[0]["answer"].startswith("Gym and travel discounts: "), messages
    assert SlotSet("entitlement_id", "gym-and-travel-discounts") in events


async def test_out_of_scope_that_names_nothing_is_refused_and_not_kept(services):
    tracker = tracker_for("whats the best pizza topping", "out_of_scope")
    messages, events = await run(ActionOutOfScope(), tracker)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert events == []
    with services.engine.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(unanswered_questions))
        assert kept.scalar() == 0
