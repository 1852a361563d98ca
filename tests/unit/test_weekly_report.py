"""The weekly report's figures, checked exactly against a week built with known times.

The week is Monday 10 May to Sunday 16 May 2027 (British Summer Time). Everything
is put in the database with the project's own functions and explicit times; the
expected figures are worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.cases import alerts, handoffs, service
from bot.cases.calendar import OfficeCalendar
from bot.cases.model import Actor
from bot.clock import utcnow
from bot.content import read_content
from bot.db.rasa_events import events
from bot.people import identity
from bot.people.demo import seed_demo
from bot.records import record_answer, record_unanswered
from bot.reports.feedback import record_feedback
from bot.reports.figures import COUNCIL, Figures, office_hours_after
from bot.reports.quality import draw_sample, save_review
from bot.reports.weekly import figures_for, weekly_report
from bot.reports.weeks import Week, WeekError
from bot.store.tables.people import care_leavers, staff
from entitlements.store import publish_entries

LONDON = ZoneInfo("Europe/London")
WEEK = Week(dt.date(2027, 5, 10))
AFTER = dt.datetime(2027, 5, 17, 8, 0)  # Monday morning (UTC) after the week


def at(*args: int) -> dt.datetime:
    """A London wall-clock time."""
    return dt.datetime(*args, tzinfo=LONDON)


def utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC, as the tables give times back."""
    return moment.astimezone(dt.timezone.utc)


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    with engine.connect() as conn:
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(staff))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))})
    return ids


def said(engine, conversation_id: str, moment: dt.datetime) -> None:
    """A young person's message, as Rasa's tracker store keeps it."""
    with engine.begin() as conn:
        conn.execute(
            events.insert().values(
                sender_id=conversation_id,
                type_name="user",
                timestamp=moment.timestamp(),
                intent_name="ask_entitlement",
                data="{}",
            )
        )


def reviewed(engine, ref: str, day: dt.date | None) -> None:
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.external_ref == ref)
            .values(pathway_last_review=day)
        )


@pytest.fixture
def week(engine, settings, people):
    """The known week of activity (and a little either side of it)."""
    # Conversations: two of Demo Jordan's (North), one of Demo Riley's (East), one
    # anonymous; one anonymous the week before; one message on the stroke of the next week.
    for conversation, person in (("sms-a", "DEMO-CL-01"), ("web-b", "DEMO-CL-01")):
        identity.link(engine, conversation, people[person], "sms")
    identity.link(engine, "sms-c", people["DEMO-CL-02"], "sms")
    said(engine, "sms-a", at(2027, 5, 10, 0, 0))  # the week's first moment counts
    said(engine, "sms-a", at(2027, 5, 11, 9, 0))
    said(engine, "web-b", at(2027, 5, 12, 20, 0))
    said(engine, "sms-c", at(2027, 5, 13, 8, 0))
    said(engine, "rest-d", at(2027, 5, 16, 23, 59))
    said(engine, "rest-e", at(2027, 5, 5, 12, 0))  # the week before
    said(engine, "rest-f", at(2027, 5, 17, 0, 0))  # the next week

    # Questions: 3 setting-up-home (2 North, 1 anonymous), 1 staying-put (East);
    # 2 of the same unanswered question (North, anonymous) and 1 other (East).
    for district, moment in (("North", at(2027, 5, 11, 9, 1)), ("North", at(2027, 5, 12, 20, 1))):
        record_answer(
            engine,
            entitlement_id="setting-up-home-allowance",
            channel="sms",
            conversation_id="sms-a",
            district=district,
            now=utc(moment),
        )
    record_answer(
        engine,
        entitlement_id="setting-up-home-allowance",
        channel="rest",
        conversation_id="rest-d",
        district=None,
        now=utc(at(2027, 5, 16, 23, 59)),
    )
    record_answer(
        engine,
        entitlement_id="staying-put",
        channel="sms",
        conversation_id="sms-c",
        district="East",
        now=utc(at(2027, 5, 13, 8, 1)),
    )
    record_answer(
        engine,
        entitlement_id="staying-put",
        channel="rest",
        conversation_id="rest-e",
        district=None,
        now=utc(at(2027, 5, 5, 12, 1)),
    )
    for text, district, moment in (
        ("Can I get a free bike", "North", at(2027, 5, 11, 9, 2)),
        ("can i get a  free bike", None, at(2027, 5, 14, 9, 2)),
        ("tattoo removal?", "East", at(2027, 5, 13, 8, 2)),
    ):
        record_unanswered(
            engine,
            text=text,
            channel="sms",
            conversation_id="x",
            best_guess=None,
            best_score=None,
            district=district,
            now=utc(moment),
        )

    # Safety alerts: North acknowledged in 10 minutes; Central in 40; East raised
    # late on Sunday and acknowledged after the week ended (so not, as of its end).
    duty = people["DEMO-ST-07"]
    north = alerts.raise_alert(
        engine,
        conversation_id="sms-a",
        now=at(2027, 5, 11, 10, 0),
        care_leaver_id=people["DEMO-CL-01"],
    )
    alerts.acknowledge_alert(engine, north.alert.id, by=duty, now=at(2027, 5, 11, 10, 10))
    central = alerts.raise_alert(
        engine, conversation_id="rest-d", now=at(2027, 5, 12, 22, 0), district="Central"
    )
    alerts.acknowledge_alert(engine, central.alert.id, by=duty, now=at(2027, 5, 12, 22, 40))
    east = alerts.raise_alert(
        engine,
        conversation_id="sms-c",
        now=at(2027, 5, 16, 23, 50),
        care_leaver_id=people["DEMO-CL-02"],
    )
    alerts.acknowledge_alert(engine, east.alert.id, by=duty, now=at(2027, 5, 17, 0, 5))

    # Handoffs: North replied in 90 minutes (in time); East not replied by the end;
    # Central started 16:30 Wednesday, due 12:30 Thursday (4 office hours), replied 13:00.
    pa = {
        "North": people["DEMO-ST-01"],
        "East": people["DEMO-ST-02"],
        "Central": people["DEMO-ST-03"],
    }
    for conversation, person, district, started, replied in (
        ("sms-h1", "DEMO-CL-05", "North", at(2027, 5, 11, 10, 0), at(2027, 5, 11, 11, 30)),
        ("sms-h2", "DEMO-CL-06", "East", at(2027, 5, 14, 16, 0), at(2027, 5, 17, 9, 30)),
        ("sms-h3", "DEMO-CL-07", "Central", at(2027, 5, 12, 16, 30), at(2027, 5, 13, 13, 0)),
    ):
        started_handoff = handoffs.start_handoff(
            engine,
            conversation_id=conversation,
            care_leaver_id=people[person],
            channel="sms",
            summary="asked for their PA",
            now=started,
        )
        handoffs.record_reply(
            engine, started_handoff.handoff.id, staff_id=pa[district], now=replied, text="Hi"
        )

    # Cases.
    def opened(person: str, moment: dt.datetime):
        return service.open_case(
            engine,
            care_leaver=people[person],
            category="copy_of_plan",
            words="i never got a copy of my plan",
            conversation_id="sms-k",
            channel="sms",
            now=moment,
            settings=settings,
        )

    def staff_actor(district: str) -> Actor:
        return Actor.staff(pa[district])

    # K1 (North): opened, acknowledged and answered within the week.
    k1 = opened("DEMO-CL-01", at(2027, 5, 10, 10, 0))
    service.acknowledge(engine, k1, actor=staff_actor("North"), now=at(2027, 5, 10, 11, 0))
    service.answer(engine, k1, actor=staff_actor("North"), now=at(2027, 5, 12, 12, 0), text="Done")
    # K2 (East): opened on the May bank holiday, so its clock starts Tuesday 09:00 and it
    # is due to be acknowledged by Wednesday 5 May 09:00 BST (08:00 UTC). Never
    # acknowledged: at the week's end (Sunday 23:00 UTC) it is 11 days 15 hours late.
    opened("DEMO-CL-02", at(2027, 5, 3, 10, 0))
    # K3 (Central): opened and answered the fortnight before, closed in the week.
    k3 = opened("DEMO-CL-03", at(2027, 4, 26, 10, 0))
    service.answer(
        engine, k3, actor=staff_actor("Central"), now=at(2027, 4, 28, 10, 0), text="Done"
    )
    service.close(engine, k3, actor=staff_actor("Central"), now=at(2027, 5, 13, 10, 0))
    # K4 (North): opened on Friday, due to be acknowledged on Monday: not overdue yet.
    opened("DEMO-CL-04", at(2027, 5, 14, 10, 0))

    # Pathway-plan reviews (the week's last day is 16 May 2027; six months before: 16 Nov 2026).
    for ref, day in (
        ("DEMO-CL-01", dt.date(2027, 1, 10)),
        ("DEMO-CL-04", dt.date(2026, 11, 15)),  # one day more than six months: overdue
        ("DEMO-CL-05", dt.date(2026, 11, 16)),  # exactly six months: not yet
        ("DEMO-CL-10", None),  # no review on record
        ("DEMO-CL-02", dt.date(2027, 3, 1)),
        ("DEMO-CL-06", dt.date(2027, 3, 1)),
        ("DEMO-CL-08", dt.date(2027, 3, 1)),
        ("DEMO-CL-03", dt.date(2026, 1, 1)),  # overdue
        ("DEMO-CL-07", dt.date(2027, 2, 1)),
        ("DEMO-CL-09", None),
    ):
        reviewed(engine, ref, day)

    # Quality assurance: a sample of the week of 26 April (one North, one East, one not
    # on record), reviewed in this week (North, East) and on the stroke of the next.
    identity.link(engine, "sms-qa-1", people["DEMO-CL-01"], "sms")
    identity.link(engine, "sms-qa-2", people["DEMO-CL-02"], "sms")
    for conversation in ("sms-qa-1", "sms-qa-2", "rest-qa-3"):
        said(engine, conversation, at(2027, 4, 27, 12, 0))
    sample = {
        s.district: s
        for s in draw_sample(
            engine,
            WEEK.previous(2),
            per_district=5,
            timezone=settings.timezone,
            now=utc(at(2027, 5, 3, 7, 0)),
        )
    }
    for district, grade, tags, moment in (
        ("North", "good", ["unclear_wording"], at(2027, 5, 12, 10, 0)),
        ("East", "inadequate", ["wrong_answer", "missed_risk"], at(2027, 5, 16, 23, 59)),
        (None, "outstanding", [], at(2027, 5, 17, 0, 0)),  # the next week
    ):
        save_review(
            engine,
            sample[district].id,
            grade=grade,
            tags=tags,
            note="",
            reviewer_id=people["DEMO-ST-04"],
            now=utc(moment),
        )

    # "Did that help?": yes to setting up home (North) and staying put (East), no to
    # setting up home (anonymous); a "no" from the week before.
    for entitlement, helpful, district, moment in (
        ("setting-up-home-allowance", True, "North", at(2027, 5, 11, 9, 3)),
        ("staying-put", True, "East", at(2027, 5, 13, 8, 3)),
        ("setting-up-home-allowance", False, None, at(2027, 5, 16, 23, 59)),
        ("setting-up-home-allowance", False, "North", at(2027, 5, 9, 23, 59)),
    ):
        record_feedback(
            engine,
            entitlement_id=entitlement,
            helpful=helpful,
            channel="web",
            district=district,
            now=utc(moment),
        )

    # Content: one entry due for review on the week's last day (counts), one the day after.
    entries = {entry.id: entry for entry in read_content(settings).entries}
    publish_entries(
        engine,
        [
            dataclasses.replace(entries["staying-put"], review_due=dt.date(2027, 5, 16)),
            dataclasses.replace(
                entries["setting-up-home-allowance"], review_due=dt.date(2027, 5, 17)
            ),
        ],
        origin="files",
        now=utcnow(),
    )


def test_every_figure_of_a_known_week(engine, settings, week, people):
    final, figures = figures_for(engine, settings, WEEK, now=AFTER)
    # No packs were sent: every care leaver on record still needs theirs.
    north_ids = sorted(people[f"DEMO-CL-{n:02d}"] for n in (1, 4, 5, 10))
    east_ids = sorted(people[f"DEMO-CL-{n:02d}"] for n in (2, 6, 8))
    central_ids = sorted(people[f"DEMO-CL-{n:02d}"] for n in (3, 7, 9))
    assert final is True
    assert list(figures) == [COUNCIL, "North", "East", "Central"]
    council, north, east, central = (figures[k] for k in figures)

    assert council == Figures(
        scope=COUNCIL,
        conversations=4,
        young_people_reached=2,
        questions_answered=4,
        questions_unanswered=3,
        questions_by_entitlement={"setting-up-home-allowance": 3, "staying-put": 1},
        top_unanswered=[("can i get a free bike", 2), ("tattoo removal?", 1)],
        safety_alerts=3,
        safety_acknowledged_in_time=1,
        safety_unacknowledged=1,
        safety_median_minutes=25.0,
        handoffs=3,
        handoffs_replied_in_time=1,
        handoffs_unreplied=1,
        handoff_median_minutes=660.0,
        cases_opened=2,
        cases_answered=1,
        cases_closed=1,
        cases_overdue=1,
        cases_overdue_oldest_days=11,
        reviews_overdue=2,
        reviews_unrecorded=2,
        content_past_review=1,
        pack_care_leavers=10,
        packs_missing=10,
        packs_missing_ids=sorted(north_ids + east_ids + central_ids),
        qa_reviewed=2,
        qa_good=1,
        qa_inadequate=1,
        qa_wrong_answer=1,
        qa_missed_risk=1,
        qa_unclear_wording=1,
        feedback_helped=2,
        feedback_not_helped=1,
        helped_by_entitlement={"setting-up-home-allowance": 1, "staying-put": 1},
        not_helped_by_entitlement={"setting-up-home-allowance": 1},
    )
    assert council.unanswered_share == pytest.approx(3 / 7)
    assert north == Figures(
        scope="North",
        conversations=2,
        young_people_reached=1,
        questions_answered=2,
        questions_unanswered=1,
        questions_by_entitlement={"setting-up-home-allowance": 2},
        top_unanswered=[("can i get a free bike", 1)],
        safety_alerts=1,
        safety_acknowledged_in_time=1,
        safety_median_minutes=10.0,
        handoffs=1,
        handoffs_replied_in_time=1,
        handoff_median_minutes=90.0,
        cases_opened=2,
        cases_answered=1,
        reviews_overdue=1,
        reviews_unrecorded=1,
        pack_care_leavers=4,
        packs_missing=4,
        packs_missing_ids=north_ids,
        qa_reviewed=1,
        qa_good=1,
        qa_unclear_wording=1,
        feedback_helped=1,
        helped_by_entitlement={"setting-up-home-allowance": 1},
    )
    assert east == Figures(
        scope="East",
        conversations=1,
        young_people_reached=1,
        questions_answered=1,
        questions_unanswered=1,
        questions_by_entitlement={"staying-put": 1},
        top_unanswered=[("tattoo removal?", 1)],
        safety_alerts=1,
        safety_unacknowledged=1,
        handoffs=1,
        handoffs_unreplied=1,
        cases_overdue=1,
        cases_overdue_oldest_days=11,
        pack_care_leavers=3,
        packs_missing=3,
        packs_missing_ids=east_ids,
        qa_reviewed=1,
        qa_inadequate=1,
        qa_wrong_answer=1,
        qa_missed_risk=1,
        feedback_helped=1,
        helped_by_entitlement={"staying-put": 1},
    )
    assert central == Figures(
        scope="Central",
        safety_alerts=1,
        safety_median_minutes=40.0,
        handoffs=1,
        handoff_median_minutes=1230.0,
        cases_closed=1,
        reviews_overdue=1,
        reviews_unrecorded=1,
        pack_care_leavers=3,
        packs_missing=3,
        packs_missing_ids=central_ids,
    )


def test_the_week_before_and_the_trend(engine, settings, week):
    report = weekly_report(engine, settings, WEEK, now=AFTER)
    assert report.final is True
    assert [w.label for w, _ in report.trend][-3:] == ["2027-W17", "2027-W18", "2027-W19"]
    assert len(report.trend) == 12 and report.trend[0][0] == WEEK.previous(11)
    before = report.previous[COUNCIL]
    assert before.conversations == 1  # rest-e
    assert before.questions_by_entitlement == {"staying-put": 1}
    assert before.cases_opened == 1  # K2, on the bank holiday
    assert (before.feedback_not_helped, before.not_helped_by_entitlement) == (
        1,
        {"setting-up-home-allowance": 1},
    )
    assert before.qa_reviewed == 0
    # The sampled week of 26 April: three conversations more than the records above.
    assert report.trend[-3][1][COUNCIL].conversations == 3
    # K3 was answered in the week of 26 April.
    assert report.trend[-3][1][COUNCIL].cases_answered == 1


def test_an_ended_week_always_gives_the_same_figures(engine, settings, week, people):
    _, first = figures_for(engine, settings, WEEK, now=AFTER)
    # Records change afterwards: a conversation is unlinked, a late row appears.
    identity.unlink(engine, "sms-c")
    record_answer(
        engine,
        entitlement_id="staying-put",
        channel="sms",
        conversation_id="sms-z",
        district="East",
        now=utc(at(2027, 5, 12, 12, 0)),
    )
    _, again = figures_for(engine, settings, WEEK, now=AFTER + dt.timedelta(days=30))
    assert again == first


def test_a_week_in_progress_is_counted_afresh_and_not_kept(engine, settings, week):
    during = utc(at(2027, 5, 14, 12, 0))
    final, first = figures_for(engine, settings, WEEK, now=during)
    assert final is False
    record_answer(
        engine,
        entitlement_id="staying-put",
        channel="sms",
        conversation_id="sms-z",
        district="East",
        now=utc(at(2027, 5, 14, 12, 30)),
    )
    _, later = figures_for(engine, settings, WEEK, now=during + dt.timedelta(hours=1))
    assert later[COUNCIL].questions_answered == first[COUNCIL].questions_answered + 1


def test_office_hours_skip_evenings_weekends_and_bank_holidays():
    calendar = OfficeCalendar()
    # Friday 16:00 BST + 4 office hours: 1 on Friday, then Monday 3 May is a bank holiday,
    # so 3 more on Tuesday from 09:00: 12:00 BST (11:00 UTC).
    due = office_hours_after(calendar, utc(at(2027, 4, 30, 16, 0)), 4)
    assert due == utc(at(2027, 5, 4, 12, 0))
    # Inside office hours with time to spare: simply later the same day.
    assert office_hours_after(calendar, utc(at(2027, 5, 11, 10, 0)), 4) == utc(
        at(2027, 5, 11, 14, 0)
    )


def test_office_hours_skip_a_bank_holiday_the_council_added():
    # Friday 16:00 BST + 4 office hours, with Monday 7 June 2027 an extra bank holiday
    # (EXTRA_BANK_HOLIDAYS): 1 hour on Friday, 3 on Tuesday from 09:00.
    calendar = OfficeCalendar(extra_holidays=frozenset({dt.date(2027, 6, 7)}))
    assert office_hours_after(calendar, utc(at(2027, 6, 4, 16, 0)), 4) == utc(at(2027, 6, 8, 12, 0))
    assert office_hours_after(OfficeCalendar(), utc(at(2027, 6, 4, 16, 0)), 4) == utc(
        at(2027, 6, 7, 12, 0)
    )


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2027-W19", dt.date(2027, 5, 10)),
        ("2027-05-16", dt.date(2027, 5, 10)),
        (" 2027-w01 ", dt.date(2027, 1, 4)),
        ("2026-W53", dt.date(2026, 12, 28)),
    ],
)
def test_weeks_are_named_by_iso_week_or_any_day_in_them(text, monday):
    assert Week.parse(text).monday == monday


@pytest.mark.parametrize("text", ["2027-W54", "2027-13-01", "last week", ""])
def test_a_week_that_is_not_a_week_is_refused(text):
    with pytest.raises(WeekError):
        Week.parse(text)


def test_the_last_ended_week_is_counted_in_london_time():
    # 23:30 UTC on Sunday 16 May is 00:30 BST on Monday 17 May: week 19 has ended.
    assert Week.last_ended(dt.datetime(2027, 5, 16, 23, 30), "Europe/London") == WEEK
    assert Week.last_ended(dt.datetime(2027, 5, 16, 22, 30), "Europe/London") == WEEK.previous()


def test_the_scheduler_keeps_last_weeks_figures_from_monday_0700(engine, settings, week):
    from bot.reports.weekly import produce_scheduled
    from bot.store.tables.reports import weekly_reports

    # Monday 17 May 2027 06:59 BST (05:59 UTC): not yet.
    assert produce_scheduled(engine, settings, dt.datetime(2027, 5, 17, 5, 59)) is None
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(weekly_reports)).scalar() == 0
    # 07:00 BST: the week that ended at midnight is counted and kept, once.
    assert produce_scheduled(engine, settings, dt.datetime(2027, 5, 17, 6, 0)) == WEEK
    assert produce_scheduled(engine, settings, dt.datetime(2027, 5, 17, 6, 30)) == WEEK
    with engine.connect() as conn:
        kept = conn.execute(sa.select(weekly_reports.c.week_start)).scalars().all()
    assert kept == [WEEK.monday]


def test_packs_sent_and_acknowledged_count_by_the_weeks_end(engine, settings, week, people):
    from bot.packs import service as packs

    taylor = packs.recipient(engine, people["DEMO-CL-05"])
    sent = utc(at(2027, 5, 12, 10, 0))
    packs.make_pack(engine, settings, taylor, reason="first", now=sent)
    # Acknowledged within the week...
    assert packs.acknowledge(engine, "+447700900105", utc(at(2027, 5, 12, 11, 0)))
    # ...and Demo Alex's pack sent after the week ended, so not counted in it.
    alex = packs.recipient(engine, people["DEMO-CL-06"])
    packs.make_pack(engine, settings, alex, reason="first", now=utc(at(2027, 5, 17, 9, 0)))
    _, figures = figures_for(engine, settings, WEEK, now=AFTER + dt.timedelta(days=1))
    north, east = figures["North"], figures["East"]
    assert (north.pack_care_leavers, north.packs_sent, north.packs_acknowledged) == (4, 1, 1)
    assert people["DEMO-CL-05"] not in north.packs_missing_ids and north.packs_missing == 3
    assert (east.packs_sent, east.packs_missing) == (0, 3)
    assert figures[COUNCIL].packs_sent == 1


def test_an_erased_record_is_not_counted_and_gets_no_pack(engine, settings, week, people):
    from bot.packs import service as packs
    from bot.privacy.erasure import erase

    erase(
        engine,
        settings,
        "DEMO-CL-10",
        reason="asked to be erased",
        by_email="chris.example-manager@example.org",
        now=dt.datetime(2027, 5, 1, 12, 0),
        confirm=True,
    )
    _, figures = figures_for(engine, settings, WEEK, now=AFTER)
    north = figures["North"]
    assert (north.pack_care_leavers, north.reviews_unrecorded) == (3, 0)
    assert people["DEMO-CL-10"] not in north.packs_missing_ids
    assert people["DEMO-CL-10"] not in {r.person.id for r in packs.recipients(engine)}
    assert packs.recipient(engine, people["DEMO-CL-10"]) is None
