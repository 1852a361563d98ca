"""Answers that fit the young person: the verdict, its reasons and what an anonymous user gets."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.answering import FollowUp, answer_follow_up
from bot.people.identity import CareLeaver
from bot.personal import (
    _age_settles_on,
    age_reply,
    age_settles,
    anonymous_who_can_get,
    depends_on_who,
    entitlements_for,
    legal_status,
    limited_reply,
    list_page,
    long_date,
    ordinal,
    parse_age,
    personal_reply,
)
from entitlements.knowledge_base import KnowledgeBase

ON = dt.date(2026, 11, 25)

TAYLOR = CareLeaver(
    id=1,
    preferred_name="Demo Taylor",
    date_of_birth=dt.date(2007, 10, 15),
    status="former_relevant",
    district="North",
    circumstances=frozenset({"in_higher_education"}),
    adviser_name="Demo Adviser",
    pathway_last_review=None,
    pathway_next_review=None,
)


@pytest.fixture(scope="module")
def kb(content, encoder) -> KnowledgeBase:
    return KnowledgeBase.build(1, content.entries, encoder)


def test_ordinals_and_dates_read_as_people_say_them():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 25, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "25th",
        "111th",
    ]  # fmt: skip
    assert long_date(dt.date(2027, 5, 3)) == "3 May 2027"


def test_an_eligible_or_relevant_record_counts_as_former_relevant_from_18():
    relevant = dataclasses.replace(TAYLOR, status="relevant", date_of_birth=dt.date(2008, 11, 25))
    assert legal_status(relevant, dt.date(2026, 11, 24)) == "relevant"
    assert legal_status(relevant, ON) == "former_relevant"  # the 18th birthday itself
    qualifying = dataclasses.replace(TAYLOR, status="qualifying")
    assert legal_status(qualifying, ON) == "qualifying"


def test_the_bursary_applies_to_a_student_and_says_why(kb):
    reply = personal_reply(kb, kb.entries["higher-education-bursary"], TAYLOR, ON)
    assert reply.kind == "applies"
    assert reply.variables["name"] == "Demo Taylor"
    assert reply.variables["age"] == "19"
    assert reply.variables["status"] == "a former relevant care leaver"
    assert "pathway plan" in reply.variables["note"]
    assert not reply.variables["note"].rstrip(")").endswith(".")  # no "once.)." in the text


def test_the_bursary_does_not_apply_to_someone_not_studying(kb):
    working = dataclasses.replace(TAYLOR, circumstances=frozenset())
    reply = personal_reply(kb, kb.entries["higher-education-bursary"], working, ON)
    assert reply.kind == "not_applies"
    assert reply.variables["age"] == "19"


def test_an_age_limit_names_the_birthdays_month_never_the_day_that_gives_the_birth_date(kb):
    # Staying Put runs until the 21st birthday: 20-year-old in Staying Put.
    person = dataclasses.replace(
        TAYLOR, date_of_birth=dt.date(2006, 5, 3), circumstances=frozenset({"staying_put"})
    )
    reply = personal_reply(kb, kb.entries["staying-put"], person, ON)
    assert reply.kind == "applies"
    assert reply.variables["until"] == " until your 21st birthday in May 2027"
    assert "3" not in reply.variables["until"].replace("2027", "")


def test_a_leap_day_birthday_ends_on_1_march_in_a_common_year(kb):
    person = dataclasses.replace(
        TAYLOR, date_of_birth=dt.date(2008, 2, 29), circumstances=frozenset({"staying_put"})
    )
    reply = personal_reply(kb, kb.entries["staying-put"], person, ON)
    assert reply.kind == "applies"
    assert reply.variables["until"] == " until your 21st birthday in March 2029"


def test_someone_too_young_is_told_when_it_starts(kb):
    young = dataclasses.replace(
        TAYLOR, status="eligible", date_of_birth=dt.date(2011, 1, 10), circumstances=frozenset()
    )
    reply = personal_reply(kb, kb.entries["care-leaver-covenant"], young, ON)
    assert reply.kind == "not_applies"
    assert reply.variables["start"] == " until your 16th birthday in January 2027"


def test_what_a_record_does_not_say_is_a_question_for_the_pa_not_a_no(kb):
    # Records say nothing about college: the 16 to 19 Bursary depends on it.
    at_17 = dataclasses.replace(
        TAYLOR, status="relevant", date_of_birth=dt.date(2009, 6, 1), circumstances=frozenset()
    )
    reply = personal_reply(kb, kb.entries["16-19-bursary"], at_17, ON)
    assert reply.kind == "depends"
    assert "college" in reply.variables["missing"]


def test_a_rule_for_everyone_needs_no_question_about_age(kb):
    # Advocacy and complaints are open to every care leaver whatever their age.
    open_to_all = [e for e in kb.entries.values() if not depends_on_who(e)]
    assert open_to_all
    for entry in open_to_all:
        plain = answer_follow_up(kb, FollowUp.WHO_CAN_GET, "", entry.id).replies[0]
        assert anonymous_who_can_get(entry, plain) == (plain, False)


def test_whether_age_settles_it_is_worked_out_again_each_day(kb):
    """The action server runs for weeks: a verdict kept from the day it started would
    miss a rule that starts or ends on a date."""
    entry = kb.entries["higher-education-bursary"]
    _age_settles_on.cache_clear()

    first = age_settles(entry, ON)
    assert age_settles(entry, ON) is first
    age_settles(entry, ON + dt.timedelta(days=1))

    assert _age_settles_on.cache_info().misses == 2
    assert _age_settles_on.cache_info().hits == 1


def test_who_can_get_asks_an_anonymous_user_their_age_only_where_age_settles_it(kb):
    bursary = kb.entries["higher-education-bursary"]
    plain = answer_follow_up(kb, FollowUp.WHO_CAN_GET, "", bursary.id).replies[0]
    # University decides the bursary, not age alone: the conditions, no question.
    assert anonymous_who_can_get(bursary, plain) == (plain, False)
    assert plain.variables["body"] == bursary.eligibility.explanation
    asking = []
    for entry in kb.entries.values():
        plain = answer_follow_up(kb, FollowUp.WHO_CAN_GET, "", entry.id).replies[0]
        reply, asks = anonymous_who_can_get(entry, plain)
        assert asks is (depends_on_who(entry) and age_settles(entry))
        if asks:
            asking.append(entry.id)
            assert reply.response == "utter_entitlement_who_can_get_ask_age"
            assert reply.variables == plain.variables  # the same conditions, then the question
    assert "junior-isa" in asking


def test_the_age_given_answers_without_any_personal_detail(kb):
    entry = kb.entries["council-tax-exemption"]
    assert age_reply(entry, 16, ON).response == "utter_age_not_applies"
    yes = age_reply(entry, 19, ON)
    assert yes.response == "utter_age_applies"
    assert yes.variables == {"age": "19"}


def test_the_personal_list_holds_only_what_applies_most_useful_first(kb):
    ids = entitlements_for(kb, TAYLOR, None, ON)
    assert "higher-education-bursary" in ids
    assert "16-19-bursary" not in ids  # 19 is past it
    assert len(ids) == len(set(ids))


def test_the_list_for_an_age_leaves_out_what_that_age_cannot_get(kb):
    at_16 = entitlements_for(kb, None, 16, ON)
    at_22 = entitlements_for(kb, None, 22, ON)
    assert "council-tax-exemption" not in at_16
    assert "council-tax-exemption" in at_22
    assert entitlements_for(kb, None, None, ON) == []


def test_the_list_is_paged_in_threes_with_more_until_the_end(kb):
    ids = entitlements_for(kb, TAYLOR, None, ON)
    assert len(ids) > 3
    offset: int | None = 0
    seen: list[str] = []
    while offset is not None:
        page = list_page(kb, ids, offset, personal=True)
        items = page.reply.variables["items"].split("; ")
        assert len(items) <= 3
        seen += items
        assert ("MORE" in page.reply.variables["more"]) == (page.next_offset is not None)
        offset = page.next_offset
    assert seen == [kb.entries[i].title for i in ids]
    assert list_page(kb, ids, len(ids), personal=True).reply.response == "utter_list_empty"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("19", 19),
        ("im 19", 19),
        ("I'm nineteen", 19),
        ("twenty-one", 21),
        ("twenty one next week", 21),
        ("16 years old", 16),
        ("I'm 45", None),
        ("no", None),
        ("", None),
    ],
)
def test_ages_are_read_from_short_replies(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize(
    ("person", "entry", "starts"),
    [
        (TAYLOR, "higher-education-bursary", "This applies to you"),
        (
            dataclasses.replace(TAYLOR, circumstances=frozenset()),
            "higher-education-bursary",
            "This one doesn't apply to you.",
        ),
        (
            dataclasses.replace(
                TAYLOR, date_of_birth=dt.date(2006, 5, 3), circumstances=frozenset({"staying_put"})
            ),
            "staying-put",
            "This applies to you",
        ),
    ],
)
def test_a_number_not_yet_checked_hears_only_whether_it_applies(kb, person, entry, starts):
    """No name, age, status or date: the phone may not be theirs (issue 15)."""
    reply = limited_reply(kb, kb.entries[entry], person, ON)
    assert reply.text is not None and reply.text.startswith(starts)
    for personal in ("Demo", "Taylor", "you're", "former relevant", "birthday", "2027", "May"):
        assert personal not in reply.text
