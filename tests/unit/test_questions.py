"""The unanswered-questions queue (bot/questions.py) on a real SQLite file and PostgreSQL.

Questions are stored as the bot stores them (:func:`bot.records.record_unanswered`), the
content is the project's own, published as ``make run`` publishes it.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
import sqlalchemy as sa

from bot import questions
from bot.clock import utcnow
from bot.records import record_unanswered
from bot.store.tables.records import unanswered_questions
from entitlements.examples import ExampleError
from entitlements.store import (
    current_revision,
    publish_entries,
    read_published,
    versions_table,
)

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
EDITOR = "kim.example-adviser@example.org"
PLAYSTATION = "can i get money for a ps5"


def q(id_: int, text: str, minutes: int = 0) -> questions.Question:
    return questions.Question(
        id=id_,
        asked_at=NOW + dt.timedelta(minutes=minutes),
        text=text,
        channel="rest",
        best_guess=None,
        best_score=None,
    )


# ---- grouping (no database) ----------------------------------------------------------------


def test_text_speak_and_word_order_give_the_same_key():
    assert questions.grouping_key("wat r u") == questions.grouping_key("what are you")
    assert questions.grouping_key("can I get a free haircut") == questions.grouping_key(
        "free haircut, can i get?"
    )
    assert questions.grouping_key("free haircut") != questions.grouping_key("free bus pass")


def test_near_identical_questions_are_one_group_and_others_are_not():
    asked = [
        q(1, "can i get money for a ps5", 0),
        q(2, "Can I get money for a PS5??", 1),
        q(3, "can i get mony for a ps5", 2),  # a typo
        q(4, "will the council pay for my holiday to spain", 3),
        q(5, "will the council pay for my holliday to spain", 4),
        q(6, "whats the wifi password at the drop in", 5),
    ]
    groups = questions.group_questions(asked)
    assert [[x.id for x in g.questions] for g in groups] == [[1, 2, 3], [4, 5], [6]]
    assert groups[0].id == 1
    assert groups[0].text == "can i get money for a ps5"
    assert groups[1].last_asked == NOW + dt.timedelta(minutes=4)


def test_grouping_does_not_depend_on_the_order_questions_come_in():
    asked = [
        q(i, text, i)
        for i, text in enumerate(
            [
                "free gym membership",
                "does the council give free gym membership",
                "free gym membership??",
                "can i take my dog to the office",
                "can i take my dogs to the office",
                "free netflix",
            ]
        )
    ]
    expected = questions.group_questions(asked)
    for seed in range(5):
        shuffled = asked[:]
        random.Random(seed).shuffle(shuffled)
        assert questions.group_questions(shuffled) == expected


def test_the_most_asked_wording_leads_the_group():
    group = questions.group_questions(
        [q(1, "free haircut?", 0), q(2, "free haircut", 1), q(3, "free haircut", 2)]
    )[0]
    assert group.text == "free haircut"
    assert group.wordings == ("free haircut", "free haircut?")


# ---- the database --------------------------------------------------------------------------


@pytest.fixture
def published(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    return engine


def ask(engine, text: str, at: dt.datetime | None = None, guess: str | None = None) -> int:
    question_id = record_unanswered(
        engine,
        text=text,
        channel="sms",
        conversation_id="sms-test-conversation",
        best_guess=guess,
        best_score=0.2 if guess else None,
    )
    if at is not None:
        with engine.begin() as conn:
            conn.execute(
                unanswered_questions.update()
                .where(unanswered_questions.c.id == question_id)
                .values(asked_at=at)
            )
    return question_id


def status_of(engine, question_ids):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                unanswered_questions.c.id,
                unanswered_questions.c.status,
                unanswered_questions.c.resolved_by,
                unanswered_questions.c.resolution,
            ).where(unanswered_questions.c.id.in_(question_ids))
        ).all()
    return {row.id: (row.status, row.resolved_by, row.resolution) for row in rows}


def entry(engine, entry_id):
    return {e.id: e for e in read_published(engine)[1]}[entry_id]


def versions(engine, entry_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                versions_table.c.version, versions_table.c.origin, versions_table.c.created_by
            )
            .where(versions_table.c.entitlement_id == entry_id)
            .order_by(versions_table.c.version)
        ).all()


def test_the_queue_groups_new_questions_and_hides_the_conversation(published):
    first = ask(published, PLAYSTATION, guess="emergency-financial-help")
    second = ask(published, "Can I get money for a PS5?")
    other = ask(published, "whats the wifi password at the drop in")
    with published.connect() as conn:
        groups = questions.queue(conn)
        assert questions.count_new(conn) == 3
        assert questions.group_of(conn, second).id == first
    assert [[x.id for x in g.questions] for g in groups] == [[first, second], [other]]
    assert groups[0].best_guess == "emergency-financial-help"
    assert not hasattr(groups[0].questions[0], "conversation_key")


def test_attaching_publishes_a_new_version_with_the_example(published):
    ids = [ask(published, PLAYSTATION), ask(published, "can i get money for a PS5??")]
    before = entry(published, "emergency-financial-help")
    revision = current_revision(published)
    with published.begin() as conn:
        added = questions.attach(
            conn,
            ids,
            "emergency-financial-help",
            ["  can i get money for a ps5 ", "Can I get money for a PS5"],
            actor=EDITOR,
            now=NOW,
        )
    assert added.added == ("can i get money for a ps5",)  # the same example once
    after = entry(published, "emergency-financial-help")
    assert after.examples == (*before.examples, "can i get money for a ps5")
    assert after.summary == before.summary and after.amounts == before.amounts
    assert current_revision(published) == revision + 1 == added.revision
    last = versions(published, "emergency-financial-help")[-1]
    assert (last.version, last.origin, last.created_by) == (added.version, "example", EDITOR)
    assert status_of(published, ids) == {
        i: ("attached", EDITOR, f"example of emergency-financial-help, version {added.version}")
        for i in ids
    }
    with published.connect() as conn:
        assert questions.count_new(conn) == 0


def test_an_example_of_another_entry_is_refused_and_nothing_changes(published, content):
    taken = content.by_id()["setting-up-home-allowance"].examples[0]
    question = ask(published, taken)
    revision = current_revision(published)
    with (
        pytest.raises(ExampleError, match="setting-up-home-allowance"),
        published.begin() as conn,
    ):
        questions.attach(conn, [question], "junior-isa", [taken.upper()], actor=EDITOR, now=NOW)
    assert current_revision(published) == revision
    assert len(versions(published, "junior-isa")) == 1
    assert status_of(published, [question])[question][0] == "new"


@pytest.mark.parametrize(
    ("entry_id", "examples", "error", "message"),
    [
        ("no-such-entry", [PLAYSTATION], ExampleError, "no published entry"),
        ("junior-isa", ["   "], ExampleError, "at least one"),
        ("junior-isa", ["x" * 201], ExampleError, "201 characters"),
        ("junior-isa", ["a"] * 1 + [f"q{i}" for i in range(20)], questions.QuestionError, "20"),
    ],
)
def test_bad_attachments_say_what_is_wrong(published, entry_id, examples, error, message):
    question = ask(published, PLAYSTATION)
    with pytest.raises(error, match=message), published.begin() as conn:
        questions.attach(conn, [question], entry_id, examples, actor=EDITOR, now=NOW)
    assert status_of(published, [question])[question][0] == "new"


def test_a_question_someone_else_dealt_with_undoes_the_whole_attachment(published):
    question = ask(published, PLAYSTATION)
    with published.begin() as conn:
        questions.dismiss(conn, [question], "not about care leavers", actor=EDITOR, now=NOW)
    before = entry(published, "junior-isa")
    revision = current_revision(published)
    with pytest.raises(questions.AlreadyDealtWith), published.begin() as conn:
        questions.attach(conn, [question], "junior-isa", [PLAYSTATION], actor="b", now=NOW)
    assert entry(published, "junior-isa") == before
    assert current_revision(published) == revision
    assert status_of(published, [question])[question] == (
        "dismissed",
        EDITOR,
        "not about care leavers",
    )


def test_dismissing_needs_a_reason(published):
    question = ask(published, "whats the wifi password at the drop in")
    with pytest.raises(questions.QuestionError, match="Say why"), published.begin() as conn:
        questions.dismiss(conn, [question], "  ", actor=EDITOR, now=NOW)
    with (
        pytest.raises(questions.QuestionError, match="at least one question"),
        published.begin() as conn,
    ):
        questions.dismiss(conn, [], "a test", actor=EDITOR, now=NOW)
    with published.begin() as conn:
        assert questions.dismiss(conn, [question], " a  test ", actor=EDITOR, now=NOW) == 1
    assert status_of(published, [question])[question] == ("dismissed", EDITOR, "a test")


def test_two_people_adding_examples_at_once_both_keep_theirs(published):
    wordings = [f"can the council pay for my pet number {n}" for n in range(6)]
    ids = [ask(published, text) for text in wordings]
    errors: list[BaseException] = []
    start = threading.Barrier(len(ids))

    def add(question_id: int, text: str) -> None:
        try:
            start.wait()
            with published.begin() as conn:
                questions.attach(
                    conn, [question_id], "emergency-financial-help", [text], actor=text, now=NOW
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=pair) for pair in zip(ids, wordings, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    examples = entry(published, "emergency-financial-help").examples
    assert all(text in examples for text in wordings)
    assert len(versions(published, "emergency-financial-help")) == 1 + len(wordings)


def test_weekly_counts_follow_iso_weeks_in_uk_time(published):
    # 2026-11-25 is a Wednesday of ISO week 48 (Monday 23 November).
    for at in [
        dt.datetime(2026, 11, 23, 0, 30),  # Monday, week 48
        dt.datetime(2026, 11, 25, 9, 0),  # week 48
        dt.datetime(2026, 11, 22, 23, 59),  # Sunday, week 47
        dt.datetime(2026, 11, 2, 10, 0),  # week 45
        dt.datetime(2026, 9, 1, 10, 0),  # too old for 8 weeks
    ]:
        ask(published, "a question", at=at)
    with published.connect() as conn:
        weeks = questions.weekly_counts(conn, now=NOW, weeks=8)
    assert [w.label for w in weeks][-3:] == ["2026-W46", "2026-W47", "2026-W48"]
    assert weeks[-1].starts == dt.date(2026, 11, 23)
    assert {w.label: w.count for w in weeks if w.count} == {
        "2026-W45": 1,
        "2026-W47": 1,
        "2026-W48": 2,
    }
    assert len(weeks) == 8 and sum(w.count for w in weeks) == 4


def test_a_summer_sunday_night_in_utc_is_monday_in_london(published):
    # 23:30 UTC on Sunday 5 July 2026 is 00:30 on Monday 6 July in London (BST).
    ask(published, "a question", at=dt.datetime(2026, 7, 5, 23, 30))
    with published.connect() as conn:
        weeks = questions.weekly_counts(conn, now=dt.datetime(2026, 7, 8, 12, 0), weeks=2)
        in_utc = questions.weekly_counts(
            conn, now=dt.datetime(2026, 7, 8, 12, 0), weeks=2, timezone="UTC"
        )
    assert [(w.label, w.count) for w in weeks] == [("2026-W27", 0), ("2026-W28", 1)]
    assert [(w.label, w.count) for w in in_utc] == [("2026-W27", 1), ("2026-W28", 0)]
