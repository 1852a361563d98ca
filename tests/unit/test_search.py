"""Matching questions to entitlements, with the real content (no model involved)."""

from __future__ import annotations

import dataclasses

import pytest

from entitlements.knowledge_base import KnowledgeBase
from entitlements.normalise import expand
from entitlements.search import SearchIndex


@pytest.fixture(scope="module")
def index(content, encoder) -> SearchIndex:
    return SearchIndex(content.entries, encoder)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how much is the setting up home grant", "setting-up-home-allowance"),
        ("SETTING UP HOME ALLOWANCE", "setting-up-home-allowance"),
        ("settin up hme alowance", "setting-up-home-allowance"),
        ("council tax", "council-tax-exemption"),
        ("cnt pay my counsil tax bill", "council-tax-exemption"),
        ("can i stay with my foster carers after 18", "staying-put"),
        ("junior isa", "junior-isa"),
        ("wat is a pathway plan", "pathway-plan"),
        ("apprenticeship bursary", "care-leaver-apprenticeship-bursary"),
        ("i want to see my care file", "access-to-care-records"),
        ("how do i get a passport", "identity-documents"),
        ("i want to complain about the council", "advocacy-and-complaints"),
    ],
)
def test_clear_questions_find_their_entitlement(index, text, expected):
    assert index.search(text)[0].entitlement_id == expected


def test_scores_are_between_zero_and_one(index):
    for match in index.search("uni money"):
        assert 0.0 <= match.score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "???", "the and of"])
def test_nothing_to_search_gives_no_answer(index, text):
    decision = index.decide(text)
    assert decision.kind == "none"


def test_unrelated_question_gives_no_answer(index):
    assert index.decide("what colour is a giraffe's tongue").kind == "none"


@pytest.mark.slow  # refits the search index with the real sentence encoder (tens of seconds)
def test_an_added_example_question_changes_the_answer_without_retraining(content, encoder):
    question = "can i get my allotment plot paid for"
    before = KnowledgeBase.build(1, content.entries, encoder)
    assert before.decide(question).entitlement_ids != ("local-offer",)
    entries = [
        dataclasses.replace(e, examples=(*e.examples, "allotment plot paid for"))
        if e.id == "local-offer"
        else e
        for e in content.entries
    ]
    after = KnowledgeBase.build(2, entries, encoder)
    assert after.decide(question).entitlement_ids == ("local-offer",)


def test_text_speak_is_spelled_out():
    assert expand("wat r u") == "what are you"
    assert expand("Can’t get my NI number") == "can not get my national insurance number"
    assert expand("my foster mum said ask my sw") == "my foster carer said ask my social worker"
    assert expand("is it 2 grand or 3k") == "is it 2000 or 3000"
    assert expand("£3,000") == "£3000"
    assert expand("PLEEEEASE") == "pleease"


def test_meaning_finds_a_situation_that_shares_no_words(index):
    assert index.search("my new place is empty, cant even afford a kettle")[0].entitlement_id == (
        "setting-up-home-allowance"
    )


def test_words_alone_still_work_without_the_language_model(content):
    lexical = SearchIndex(content.entries)
    assert lexical.search("council tax")[0].entitlement_id == "council-tax-exemption"


@pytest.mark.slow  # refits the search index with the real sentence encoder (tens of seconds)
def test_a_change_of_wording_reuses_the_fitted_index_and_scores_the_same(content, encoder):
    entries = list(content.entries)
    before = SearchIndex(entries, encoder)
    reworded = [
        dataclasses.replace(e, summary=e.summary + " Ask your PA.")
        if e.id == "setting-up-home-allowance"
        else e
        for e in entries
    ]
    reused = SearchIndex(reworded, encoder, previous=before)
    fresh = SearchIndex(reworded, encoder)
    assert reused._classifier is before._classifier  # nothing refitted
    for question in ("money for my first flat", "can i stay with my foster carer", "ask my pa"):
        assert reused.scores(question).tolist() == pytest.approx(fresh.scores(question).tolist())


@pytest.mark.slow  # refits the search index with the real sentence encoder (tens of seconds)
def test_a_new_example_question_is_never_answered_from_the_old_fit(content, encoder):
    entries = list(content.entries)
    before = SearchIndex(entries, encoder)
    extended = [
        dataclasses.replace(e, examples=(*e.examples, "a new example about bicycles"))
        if e.id == "local-offer"
        else e
        for e in entries
    ]
    after = SearchIndex(extended, encoder, previous=before)
    assert after._classifier is not before._classifier
