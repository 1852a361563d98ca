"""The evaluation script's own arithmetic (the evaluation itself runs against real servers)."""

from __future__ import annotations

from bot.settings import PROJECT_ROOT
from scripts import evaluation


def test_every_entry_has_its_title_local_ones_too() -> None:
    titles = evaluation.entry_titles()
    assert titles["staying-put"] == "Staying put"
    assert "gym-and-travel-discounts" in titles  # a council's own entry, not a topic


def test_the_unseen_set_labels_only_entries_that_exist() -> None:
    unseen = evaluation.load_unseen_set(
        PROJECT_ROOT / "tests" / "evaluation" / "unseen_questions.yml"
    )
    titles = evaluation.entry_titles()
    labels = {label for _, expected in unseen.questions for label in expected}
    assert labels <= set(titles), labels - set(titles)
    assert len(unseen.questions) >= 30 * len(labels)
    assert not unseen.crisis and not unseen.non_crisis and not unseen.out_of_scope


def test_per_entry_figures_come_weakest_first() -> None:
    report = evaluation.QualityReport()
    report.by_topic.update({"a": 4, "b": 2, "c": 5})
    report.by_topic_right.update({"a": 4, "b": 1, "c": 4})
    assert report.entry_rows() == [
        ("b", "1/2", "50%"),
        ("c", "4/5", "80%"),
        ("a", "4/4", "100%"),
    ]


def test_a_handoff_is_graded_on_the_first_reply_that_is_not_the_safety_nets() -> None:
    titles = {"staying-put": "Staying put"}
    messages = [
        {"text": "x", "expected": "handoff"},
        {"text": "y", "expected": "handoff"},
        {"text": "z", "expected": "staying-put"},
        {"text": "w", "expected": "staying-put"},
    ]
    replies = [
        ["I can't see who your PA is in this chat. Call your leaving care team."],
        ["Staying put: you can stay with your foster carers.", "I've asked your PA"],
        ["Staying put: you can stay with your foster carers."],
        ["I've asked your PA, Pat Example-Adviser, to get back to you here."],
    ]
    report = evaluation.grade_handoffs(messages, replies, titles)
    assert (report.requests, report.handed) == (2, 1)
    assert (report.near_misses, report.near_handed, report.near_right) == (2, 1, 1)
    assert report.rows()[0][1] == "1/2 = 50.0%"
