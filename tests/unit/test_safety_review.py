"""The safety review's records: marks, decisions, approved phrases and the week's figures.

Real SQLite and PostgreSQL (the ``engine`` fixture), with the demo staff.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.people.demo import seed_demo
from bot.safety import review
from bot.store.tables.people import staff
from bot.store.tables.safety import safety_marks

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    with engine.connect() as conn:
        ids = list(conn.execute(sa.select(staff.c.id).order_by(staff.c.id)).scalars())
    return engine, ids[0], ids[1]


def mark(engine, by: int, **kwargs) -> review.Mark:
    values = {
        "conversation_id": "sms-x",
        "text": "i feel like im done with everything tonight",
        "mark": review.MISSED_RISK,
        "marked_by": by,
        "now": NOW,
        "source": "quality",
        "category": "suicide",
    }
    values.update(kwargs)
    return review.mark_message(engine, **values)


def test_a_mark_waits_then_is_approved_into_the_phrase_bank(people):
    engine, kim, jo = people
    made = mark(engine, kim)
    assert [m.id for m in review.waiting(engine)] == [made.id]
    before = review.phrases_version(engine)
    decided = review.decide(
        engine,
        made.id,
        approve=True,
        decided_by=jo,
        now=NOW + dt.timedelta(hours=3),
        label="suicide",
        text="  im done with everything tonight ",
    )
    assert (decided.status, decided.label, decided.text) == ("approved", "suicide", None)
    assert review.waiting(engine) == []
    phrases = review.approved_phrases(engine)
    assert [(p.text, p.label) for p in phrases] == [("im done with everything tonight", "suicide")]
    assert review.phrases_version(engine) != before


def test_a_rejected_mark_keeps_no_words(people):
    engine, kim, jo = people
    made = mark(engine, kim, mark=review.FALSE_ALARM, category=None)
    decided = review.decide(engine, made.id, approve=False, decided_by=jo, now=NOW)
    assert decided.status == "rejected"
    with engine.connect() as conn:
        text = conn.execute(
            sa.select(safety_marks.c.message_text).where(safety_marks.c.id == made.id)
        ).scalar()
    assert text is None
    assert review.approved_phrases(engine) == []


def test_nobody_decides_their_own_mark_and_a_mark_is_decided_once(people):
    engine, kim, jo = people
    made = mark(engine, kim)
    with pytest.raises(review.ReviewError, match="another person"):
        review.decide(engine, made.id, approve=False, decided_by=kim, now=NOW)
    review.decide(engine, made.id, approve=False, decided_by=jo, now=NOW)
    with pytest.raises(review.ReviewError, match="already decided"):
        review.decide(engine, made.id, approve=False, decided_by=jo, now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"mark": "maybe"}, "the mark must be one of"),
        ({"category": "sadness"}, "kind of risk"),
        ({"text": "   "}, "no words"),
        ({"note": "x" * 1001}, "note is too long"),
    ],
)
def test_a_bad_mark_says_what_is_wrong(people, kwargs, problem):
    engine, kim, _ = people
    with pytest.raises(review.ReviewError, match=problem):
        mark(engine, kim, **kwargs)


def test_an_approval_needs_a_label_and_words(people):
    engine, kim, jo = people
    made = mark(engine, kim)
    with pytest.raises(review.ReviewError, match="choose a label"):
        review.decide(engine, made.id, approve=True, decided_by=jo, now=NOW, text="words")
    with pytest.raises(review.ReviewError, match="must have words"):
        review.decide(engine, made.id, approve=True, decided_by=jo, now=NOW, label="none")
    assert [m.id for m in review.waiting(engine)] == [made.id]


def test_the_weeks_figures_count_marks_and_how_long_they_waited(people):
    engine, kim, jo = people
    first = mark(engine, kim)
    mark(engine, kim, mark=review.FALSE_ALARM, category=None, now=NOW + dt.timedelta(hours=1))
    review.decide(
        engine,
        first.id,
        approve=True,
        decided_by=jo,
        now=NOW + dt.timedelta(hours=6),
        label="suicide",
        text="done with everything",
    )
    figures = review.week_figures(engine, NOW - dt.timedelta(days=2), NOW + dt.timedelta(days=1))
    assert (figures.missed_risk, figures.false_alarm) == (1, 1)
    assert (figures.decided, figures.approved, figures.still_waiting) == (1, 1, 1)
    assert figures.longest_wait_hours == 23.0  # the waiting one, to the end of the window
    assert figures.median_wait_hours == 14.5


def test_times_are_aware_utc_out_whether_given_aware_in_any_zone_or_naive_utc(people):
    """The store's UtcDateTime: the console's naive UTC clock and aware times agree."""
    engine, kim, jo = people
    london = dt.timezone(dt.timedelta(hours=1))  # 11:00 at UTC+1 is NOW, 10:00 UTC
    made = mark(engine, kim, now=NOW.astimezone(london))
    decided = review.decide(
        engine,
        made.id,
        approve=False,
        decided_by=jo,
        now=(NOW + dt.timedelta(hours=2)).replace(tzinfo=None),
    )
    assert made.created_at == NOW and made.created_at.tzinfo is dt.timezone.utc
    assert decided.decided_at == NOW + dt.timedelta(hours=2)
    assert decided.decided_at.tzinfo is dt.timezone.utc
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.cast(safety_marks.c.created_at, sa.String)).where(
                safety_marks.c.id == made.id
            )
        ).scalar_one()
    assert stored.startswith("2026-12-02 10:00:00")  # naive UTC, as the table always held
    naive_week = review.week_figures(
        engine,
        (NOW - dt.timedelta(days=1)).replace(tzinfo=None),
        (NOW + dt.timedelta(hours=1)).replace(tzinfo=None),
    )
    assert (naive_week.missed_risk, naive_week.decided) == (1, 0)
