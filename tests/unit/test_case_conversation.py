"""What the bot says and whom it texts when a young person asks about their plan or PA.

Real SQLite and PostgreSQL (the ``engine`` fixture), the demo people, demo mode (so
staff texts land in the outbox, where these tests read them).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.cases import conversation, handoffs, service
from bot.people.demo import seed_demo
from bot.people.identity import CareLeaver, care_leaver_by_mobile
from tests.support.outbox import texts_to

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
SATURDAY_NOON = dt.datetime(2026, 11, 28, 12, 0, tzinfo=LONDON)
TAYLOR = "+447700900105"  # North, PA Pat Example-Adviser (+447700900001)
ROBIN = "+447700900109"  # Central, no next review on record


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


def person(engine, number: str) -> CareLeaver:
    found = care_leaver_by_mobile(engine, number)
    assert found is not None
    return found


def test_the_next_review_date_comes_from_the_records(people, settings):
    replies = conversation.plan_query(
        people,
        settings,
        person(people, TAYLOR),
        "when is my next review",
        conversation_id="sms-taylor",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    assert [r.response for r in replies] == ["utter_next_review"]
    assert replies[0].variables == {"name": "Demo Taylor", "next_review": "10 December 2026"}
    assert service.case_status_for(people, person(people, TAYLOR).id) == []  # no case needed


def test_a_query_the_records_cannot_answer_becomes_a_case_for_the_pa(people, settings):
    replies = conversation.plan_query(
        people,
        settings,
        person(people, TAYLOR),
        "i never got a copy of my plan",
        conversation_id="sms-taylor",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    assert [r.response for r in replies] == ["utter_case_opened"]
    reference = replies[0].variables["reference"]
    assert reference.startswith("PP-")
    assert replies[0].variables["who"] == "your PA, Pat Example-Adviser"
    assert replies[0].variables["answer_due"] == "Wednesday 2 December 2026"  # 5 working days
    [case] = service.case_status_for(people, person(people, TAYLOR).id)
    assert (case.reference, case.category, case.words) == (
        reference,
        "copy_of_plan",
        "i never got a copy of my plan",
    )
    [notice] = texts_to(people, "+447700900001")
    assert notice.startswith(f"New pathway-plan query {reference} (North).")
    assert "Taylor" not in notice  # staff texts name nobody


def test_a_review_question_with_no_date_on_record_becomes_a_case(people, settings):
    replies = conversation.plan_query(
        people,
        settings,
        person(people, ROBIN),
        "when is my review",
        conversation_id="sms-robin",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    assert [r.response for r in replies] == ["utter_case_opened"]


def test_disagreeing_also_offers_advocacy_and_complaints(people, settings):
    replies = conversation.plan_query(
        people,
        settings,
        person(people, TAYLOR),
        "i disagree with my pathway plan",
        conversation_id="sms-taylor",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    assert [r.response for r in replies] == ["utter_case_opened", "utter_disagree_options"]


def test_any_news_gives_each_querys_status(people, settings):
    taylor = person(people, TAYLOR)
    assert [r.response for r in conversation.case_news(people, settings, taylor)] == [
        "utter_no_cases"
    ]
    conversation.plan_query(
        people,
        settings,
        taylor,
        "i want to change what it says about college",
        conversation_id="sms-taylor",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    [news] = conversation.case_news(people, settings, taylor)
    assert news.response == "utter_case_waiting"
    assert news.variables["answer_due"] == "Wednesday 2 December 2026"


def test_asking_for_the_pa_in_office_hours_hands_over_and_texts_them_once(people, settings):
    taylor = person(people, TAYLOR)
    texts = ["hi", "my landlord wants me out", "can i talk to my PA"]
    first = conversation.hand_over(
        people, settings, taylor, texts, conversation_id="sms-t", channel="sms", now=WEDNESDAY_10AM
    )
    assert [r.response for r in first] == ["utter_handoff_office_hours"]
    assert first[0].variables["hours"] == "9am to 5pm, Monday to Friday"
    handoff = handoffs.active_handoff(people, "sms-t")
    assert handoff is not None
    assert handoff.summary == '"hi" / "my landlord wants me out" / "can i talk to my PA"'
    again = conversation.hand_over(
        people, settings, taylor, texts, conversation_id="sms-t", channel="sms", now=WEDNESDAY_10AM
    )
    assert [r.response for r in again] == ["utter_handoff_office_hours"]
    assert len(texts_to(people, "+447700900001")) == 1


def test_out_of_hours_the_young_person_gets_the_out_of_hours_number(people, settings):
    import dataclasses

    with_number = dataclasses.replace(settings, out_of_hours_phone="01632 960000")
    replies = conversation.hand_over(
        people,
        with_number,
        person(people, TAYLOR),
        ["can i talk to my PA"],
        conversation_id="sms-t",
        channel="sms",
        now=SATURDAY_NOON,
    )
    assert [r.response for r in replies] == ["utter_handoff_out_of_hours"]
    assert replies[0].variables["back"] == "Monday 30 November 2026"
    assert replies[0].variables["out_of_hours"] == "call the out-of-hours team on 01632 960000"


def test_the_summary_keeps_the_last_messages_and_a_limit():
    assert conversation.summarise([]) == "(no messages)"
    many = [f"message {n}" for n in range(10)]
    assert conversation.summarise(many).startswith('"message 5"')
    assert len(conversation.summarise(["x" * 2000])) == conversation.SUMMARY_LIMIT


def test_a_safety_event_texts_the_pa_at_once_and_only_once(people, settings):
    from bot.records import record_safety_event

    event_id = record_safety_event(
        people,
        conversation_id="sms-taylor",
        channel="sms",
        categories=("suicide",),
        detected_by="pattern",
        text="fake crisis text",
    )
    taylor = person(people, TAYLOR)
    texted = conversation.alert_staff(
        people,
        settings,
        safety_event_id=event_id,
        conversation_id="sms-taylor",
        person=taylor,
        now=WEDNESDAY_10AM,
    )
    assert texted >= 1
    [alert] = texts_to(people, "+447700900001")
    assert alert.startswith("URGENT safety alert ") and "(North)" in alert
    assert "fake crisis text" not in alert and "Taylor" not in alert
    again = conversation.alert_staff(
        people,
        settings,
        safety_event_id=event_id,
        conversation_id="sms-taylor",
        person=taylor,
        now=WEDNESDAY_10AM,
    )
    assert again == 0 and len(texts_to(people, "+447700900001")) == 1


def test_by_default_an_alert_for_someone_not_on_record_goes_to_the_first_district(people, settings):
    from bot.records import record_safety_event

    event_id = record_safety_event(
        people,
        conversation_id="rest-anyone",
        channel="rest",
        categories=("suicide",),
        detected_by="pattern",
        text="fake crisis text",
    )
    texted = conversation.alert_staff(
        people,
        settings,
        safety_event_id=event_id,
        conversation_id="rest-anyone",
        person=None,
        now=WEDNESDAY_10AM,
    )
    assert texted >= 1
    north_manager = texts_to(people, "+447700900004")  # Chris Example-Manager, North
    assert north_manager and north_manager[0].startswith("URGENT safety alert ")


def test_a_safety_event_from_someone_not_on_record_reaches_the_duty_district(people, settings):
    import dataclasses

    from bot.cases import alerts
    from bot.records import record_safety_event

    central = dataclasses.replace(settings, duty_district="Central")
    event_id = record_safety_event(
        people,
        conversation_id="rest-someone",
        channel="rest",
        categories=("self_harm",),
        detected_by="pattern",
        text="fake crisis text",
    )
    texted = conversation.alert_staff(
        people,
        central,
        safety_event_id=event_id,
        conversation_id="rest-someone",
        person=None,
        now=WEDNESDAY_10AM,
    )
    assert texted == 1
    [alert] = alerts.unacknowledged(people)
    assert (alert.district, alert.care_leaver_id) == ("Central", None)
    [duty] = texts_to(people, "+447700900007")  # Max Example-Duty, Central's duty worker
    assert duty.startswith(f"URGENT safety alert {alert.id} (Central) at ")
    assert texts_to(people, "+447700900004") == []  # not North, the first district
