"""Quality assurance: the weekly sample, transcripts, masking, grading and flags.

Run on a real SQLite file and a real PostgreSQL server. Conversations are written to
Rasa's events table the way its tracker store writes them, with known times; the
week is Monday 10 May to Sunday 16 May 2027 (British Summer Time).
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.clock import as_utc
from bot.db.rasa_events import events
from bot.people import identity
from bot.people.demo import seed_demo
from bot.reports.quality import (
    NOT_ON_RECORD,
    QualityError,
    Sample,
    draw_sample,
    flag_unanswered,
    get_sample,
    mask,
    may_review,
    save_review,
    sees_unmasked,
    transcript,
    week_sample,
)
from bot.reports.weeks import Week
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.quality import qa_samples
from bot.store.tables.records import unanswered_questions

LONDON = ZoneInfo("Europe/London")
WEEK = Week(dt.date(2027, 5, 10))
AFTER = dt.datetime(2027, 5, 17, 8, 0)
TZ = "Europe/London"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def write(engine, sender: str, kind: str, moment: dt.datetime, **data) -> int:
    """One event as Rasa's SQL tracker store keeps it."""
    body = {"event": kind, "timestamp": moment.timestamp(), **data}
    with engine.begin() as conn:
        result = conn.execute(
            events.insert().values(
                sender_id=sender,
                type_name=kind,
                timestamp=moment.timestamp(),
                intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                data=json.dumps(body),
            )
        )
        return int(result.inserted_primary_key[0])


def user(engine, sender, moment, text, channel="rest") -> int:
    return write(engine, sender, "user", moment, text=text, input_channel=channel)


def bot(engine, sender, moment, text) -> int:
    return write(engine, sender, "bot", moment, text=text, data={})


def slot(engine, sender, moment, name, value) -> int:
    return write(engine, sender, "slot", moment, name=name, value=value)


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    with engine.connect() as conn:
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(staff))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))})
    return ids


@pytest.fixture
def week(engine, people):
    """8 North conversations, 2 East, 3 not on record; others outside the week."""
    for number in range(8):
        conversation = f"sms-north-{number}"
        identity.link(engine, conversation, people["DEMO-CL-01"], "sms")
        user(engine, conversation, at(2027, 5, 10 + number % 7, 9, number), "hello", "twilio")
    for number in range(2):
        identity.link(engine, f"sms-east-{number}", people["DEMO-CL-02"], "sms")
        user(engine, f"sms-east-{number}", at(2027, 5, 12, 9, number), "hi", "twilio")
    for number in range(3):
        user(engine, f"rest-anon-{number}", at(2027, 5, 13, 9, number), "hey")
    # Outside the week: the Sunday before at 23:59 and the next Monday at 00:00.
    user(engine, "rest-before", at(2027, 5, 9, 23, 59), "too early")
    user(engine, "rest-after", at(2027, 5, 17, 0, 0), "too late")
    # A conversation with only the bot speaking in the week is not one of its conversations.
    bot(engine, "rest-bot-only", at(2027, 5, 12, 9, 0), "reminder")


# ---- sampling ----------------------------------------------------------------------------


def test_the_sample_has_the_set_number_per_district_and_all_of_a_small_group(engine, week):
    sample = draw_sample(engine, WEEK, per_district=5, timezone=TZ, now=AFTER)
    by_group: dict[str, list[Sample]] = {}
    for item in sample:
        by_group.setdefault(item.group, []).append(item)
    assert {group: len(items) for group, items in by_group.items()} == {
        "North": 5,
        "East": 2,
        NOT_ON_RECORD: 3,
    }
    assert all(s.conversation_id.startswith("sms-north-") for s in by_group["North"])
    assert {s.conversation_id for s in by_group[NOT_ON_RECORD]} == {
        "rest-anon-0",
        "rest-anon-1",
        "rest-anon-2",
    }
    assert [s.group for s in sample][-1] == NOT_ON_RECORD  # districts first
    assert all(not s.reviewed for s in sample)


def test_only_the_weeks_conversations_are_drawn(engine, week):
    sample = draw_sample(engine, WEEK, per_district=100, timezone=TZ, now=AFTER)
    drawn = {s.conversation_id for s in sample}
    assert len(drawn) == 13
    assert not drawn & {"rest-before", "rest-after", "rest-bot-only"}


def test_the_sample_is_drawn_once_and_kept(engine, week, people):
    first = draw_sample(engine, WEEK, per_district=3, timezone=TZ, now=AFTER)
    # Later activity, a different size asked for: the same sample comes back.
    identity.link(engine, "sms-north-late", people["DEMO-CL-01"], "sms")
    user(engine, "sms-north-late", at(2027, 5, 11, 12, 0), "late row")
    again = draw_sample(engine, WEEK, per_district=5, timezone=TZ, now=AFTER + dt.timedelta(9))
    assert again == first
    assert week_sample(engine, WEEK) == first
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(qa_samples)).scalar() == 8


def test_draws_are_random_not_the_same_each_time(engine, week):
    """Five of eight North conversations: 56 possible samples; 12 draws never all agree."""
    seen = set()
    for number in range(12):
        monday = WEEK.previous(number + 1)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id LIKE 'copy-%'"))
        for conversation in range(8):
            user(
                engine,
                f"copy-{conversation}",
                at(2027, 5, 10, 9, conversation) - dt.timedelta(weeks=number + 1),
                "hello",
            )
        sample = draw_sample(engine, monday, per_district=5, timezone=TZ, now=AFTER)
        seen.add(frozenset(s.conversation_id for s in sample))
    assert len(seen) > 1


def test_a_week_that_has_not_ended_is_not_drawn(engine, week):
    with pytest.raises(QualityError, match="has not ended"):
        draw_sample(engine, WEEK, per_district=5, timezone=TZ, now=dt.datetime(2027, 5, 16, 12))
    assert week_sample(engine, WEEK) is None


def test_an_empty_week_is_drawn_empty_and_kept(engine, week):
    empty = WEEK.previous(5)
    assert draw_sample(engine, empty, per_district=5, timezone=TZ, now=AFTER) == []
    assert week_sample(engine, empty) == []


# ---- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my number is 07700 900123 ok", "my number is [phone] ok"),
        ("call +447700900456", "call [phone]"),
        ("or +44 (0)20 7946 0000", "or [phone]"),
        ("email demo.person+x@example.org pls", "email [email] pls"),
        ("i live at M1 1AE now", "i live at [postcode] now"),
        ("postcode sw1a1aa", "postcode [postcode]"),
        ("born 02/11/2010", "born [date]"),
        ("on 2027-05-12 i", "on [date] i"),
        ("my birthday is 12th of May 2008", "my birthday is [date]"),
        ("since March 3rd, 2026", "since [date]"),
        ("ref 1234567890", "ref [number]"),
        ("NI QQ 12 34 56 C", "NI [number]"),
        ("its jordan here", "its [name] here"),
        ("Demo Jordan says hi", "[name] says hi"),
        ("i need £3,000 for 2 weeks", "i need £3,000 for 2 weeks"),
        ("jordanna is my mate", "jordanna is my mate"),
    ],
)
def test_each_kind_of_personal_detail_is_masked(text, expected):
    assert mask(text, ["Demo Jordan"]) == expected


def test_the_bots_helpline_numbers_are_kept_in_its_own_lines():
    said = "text SHOUT to 85258 or call Samaritans on 116 123"
    assert mask(said, [], digit_runs=False) == said


def sample_in(district: str | None) -> Sample:
    return Sample(id=1, week=WEEK, conversation_id="x", district=district, care_leaver_id=None)


@pytest.mark.parametrize(
    ("roles", "own", "district", "unmasked"),
    [
        ({"admin"}, "Central", "North", True),
        ({"admin"}, "Central", None, True),
        ({"team_manager"}, "North", "North", True),
        ({"team_manager"}, "East", "North", False),
        ({"team_manager"}, "North", None, False),
        ({"personal_adviser"}, "North", "North", False),
        ({"duty_worker", "content_editor"}, "North", "North", False),
    ],
)
def test_only_an_admin_or_the_districts_manager_sees_it_unmasked(roles, own, district, unmasked):
    assert sees_unmasked(roles, own, sample_in(district)) is unmasked


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ({"admin"}, True),
        ({"team_manager"}, True),
        ({"personal_adviser"}, False),
        ({"duty_worker"}, False),
        ({"content_editor", "content_approver"}, False),
        (set(), False),
    ],
)
def test_who_may_review(roles, allowed):
    assert may_review(roles) is allowed


# ---- transcripts, grading and flags ------------------------------------------------------


@pytest.fixture
def talk(engine, people):
    """A North conversation of Demo Jordan's, with an answer and a slip of personal data."""
    conversation = "web-jordan"
    identity.link(engine, conversation, people["DEMO-CL-01"], "code")
    asked = user(engine, conversation, at(2027, 5, 11, 9, 0), "can i get money for a bed", "web")
    slot(
        engine,
        conversation,
        at(2027, 5, 11, 9, 0, 1),
        "entitlement_id",
        "setting-up-home-allowance",
    )
    bot(engine, conversation, at(2027, 5, 11, 9, 0, 1), "Setting up home allowance: money for...")
    bot(engine, conversation, at(2027, 5, 11, 9, 0, 2), "Demo Jordan, you're 16, so...")
    personal = user(
        engine, conversation, at(2027, 5, 11, 9, 1), "im jordan, text me on 07700900101", "web"
    )
    bot(engine, conversation, at(2027, 5, 11, 9, 1, 1), "Sorry, I don't know that one.")
    user(engine, conversation, at(2027, 5, 18, 9, 0), "next week's message", "web")
    (sample,) = draw_sample(engine, WEEK, per_district=5, timezone=TZ, now=AFTER)
    return sample, asked, personal


def test_a_transcript_is_the_weeks_messages_in_order_with_times(engine, talk):
    sample, asked, personal = talk
    lines = transcript(engine, sample, timezone=TZ, masked=False)
    assert [(line.speaker, line.text) for line in lines] == [
        ("young person", "can i get money for a bed"),
        ("bot", "Setting up home allowance: money for..."),
        ("bot", "Demo Jordan, you're 16, so..."),
        ("young person", "im jordan, text me on 07700900101"),
        ("bot", "Sorry, I don't know that one."),
    ]
    assert lines[0].at == dt.datetime(2027, 5, 11, 8, 0, tzinfo=dt.timezone.utc)  # 09:00 BST
    assert lines[0].event_id == asked and lines[0].answered == "setting-up-home-allowance"
    assert lines[3].event_id == personal and lines[3].answered is None


def test_a_masked_transcript_hides_the_name_and_number(engine, talk):
    sample, _, _ = talk
    lines = transcript(engine, sample, timezone=TZ)
    assert lines[2].text == "[name], you're 16, so..."
    assert lines[3].text == "im [name], text me on [phone]"


def test_a_review_is_saved_and_replaced(engine, talk, people):
    sample, _, _ = talk
    reviewer = people["DEMO-ST-04"]
    saved = save_review(
        engine,
        sample.id,
        grade="requires_improvement",
        tags=["unclear_wording", "wrong_answer"],
        note=" Missed the question about the bed. ",
        reviewer_id=reviewer,
        now=AFTER,
    )
    assert (saved.grade, saved.tags, saved.note) == (
        "requires_improvement",
        ("unclear_wording", "wrong_answer"),
        "Missed the question about the bed.",
    )
    again = save_review(
        engine, sample.id, grade="good", tags=[], note="", reviewer_id=reviewer, now=AFTER
    )
    assert (again.grade, again.tags, again.reviewed_at) == ("good", (), as_utc(AFTER))
    assert [s.grade for s in week_sample(engine, WEEK) or []] == ["good"]


@pytest.mark.parametrize(
    ("grade", "tags", "note", "message"),
    [
        ("", [], "", "choose a grade"),
        ("brilliant", [], "", "choose a grade"),
        ("good", ["rude"], "", "a tag is not one of: wrong answer, missed risk"),
        ("good", [], "x" * 2001, "the most is 2000"),
    ],
)
def test_a_bad_review_is_refused_and_nothing_is_saved(
    engine, talk, people, grade, tags, note, message
):
    sample, _, _ = talk
    with pytest.raises(QualityError, match=message):
        save_review(
            engine,
            sample.id,
            grade=grade,
            tags=tags,
            note=note,
            reviewer_id=people["DEMO-ST-04"],
            now=AFTER,
        )
    assert get_sample(engine, sample.id) == sample


def test_a_review_of_no_sample_is_refused(engine, talk, people):
    with pytest.raises(QualityError, match="no such"):
        save_review(
            engine,
            9999,
            grade="good",
            tags=[],
            note="",
            reviewer_id=people["DEMO-ST-04"],
            now=AFTER,
        )


def test_a_wrong_answer_becomes_an_unanswered_question_masked_with_the_bots_guess(
    engine, talk, people
):
    sample, asked, personal = talk
    first = flag_unanswered(
        engine, sample, asked, staff_id=people["DEMO-ST-04"], timezone=TZ, now=AFTER
    )
    second = flag_unanswered(
        engine, sample, personal, staff_id=people["DEMO-ST-04"], timezone=TZ, now=AFTER
    )
    with engine.connect() as conn:
        rows = {row.id: row for row in conn.execute(sa.select(unanswered_questions).order_by("id"))}
    assert rows[first].text == "can i get money for a bed"
    assert rows[first].best_guess == "setting-up-home-allowance"
    assert rows[first].asked_at == dt.datetime(2027, 5, 11, 8, 0, tzinfo=dt.timezone.utc)
    assert (rows[first].district, rows[first].channel, rows[first].status) == (
        "North",
        "web",
        "new",
    )
    assert rows[second].text == "im [name], text me on [phone]"
    assert rows[second].best_guess is None
    flagged = [line.flagged for line in transcript(engine, sample, timezone=TZ)]
    assert flagged == [True, False, False, True, False]


def test_a_message_is_flagged_once_and_only_a_young_persons(engine, talk, people):
    sample, asked, _ = talk
    flag_unanswered(engine, sample, asked, staff_id=people["DEMO-ST-04"], timezone=TZ, now=AFTER)
    with pytest.raises(QualityError, match="already with content staff"):
        flag_unanswered(
            engine, sample, asked, staff_id=people["DEMO-ST-04"], timezone=TZ, now=AFTER
        )
    bots_line = transcript(engine, sample, timezone=TZ)[1].event_id
    for event_id in (bots_line, 999_999):
        with pytest.raises(QualityError, match="young person's messages"):
            flag_unanswered(
                engine, sample, event_id, staff_id=people["DEMO-ST-04"], timezone=TZ, now=AFTER
            )
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(unanswered_questions)).scalar() == 1
        )
