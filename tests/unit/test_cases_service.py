"""Cases, safety alerts and handoffs on a real database (SQLite file and PostgreSQL).

Times are passed in; nothing sleeps. The people are the demo records (bot/people/demo).
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.cases import alerts, handoffs, service
from bot.cases.categories import CATEGORIES, Category, categorise
from bot.cases.model import (
    SYSTEM,
    YOUNG_PERSON,
    Actor,
    CaseStatus,
    HandoffStatus,
    MissingDistrictError,
    NotFoundError,
    TransitionError,
)
from bot.people.demo import seed_demo
from bot.store.tables.cases import case_events, cases
from bot.store.tables.people import care_leavers, staff

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = dt.datetime(2027, 5, 5, 10, 30, tzinfo=LONDON)


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def people(engine, settings):
    """The demo people's ids by their references (DEMO-CL-01, DEMO-ST-04, ...)."""
    seed_demo(engine, settings)
    with engine.connect() as conn:
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(staff))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))})
    return ids


def open_for(engine, settings, person_id, now=WEDNESDAY, category="copy_of_plan", **extra):
    return service.open_case(
        engine,
        care_leaver=person_id,
        category=category,
        words=extra.pop("words", "i never got a copy of my plan"),
        conversation_id=extra.pop("conversation_id", "sms-abc"),
        channel=extra.pop("channel", "sms"),
        now=now,
        settings=settings,
        **extra,
    )


# Opening a case


def test_a_case_gets_a_reference_its_pa_and_due_dates(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    assert case.reference == f"PP-{1000 + case.id}"
    assert case.status is CaseStatus.OPEN
    assert case.category == "copy_of_plan"
    assert case.adviser_id == people["DEMO-ST-01"]
    assert case.district == "North"
    assert case.words == "i never got a copy of my plan"
    assert case.created_at == WEDNESDAY
    # Wednesday 10:30: acknowledged by Thursday 10:30, answered by next Wednesday 10:30.
    assert case.acknowledge_due == london(2027, 5, 6, 10, 30)
    assert case.answer_due == london(2027, 5, 12, 10, 30)
    assert case.acknowledge_due.tzinfo is dt.timezone.utc


def test_references_follow_one_another(engine, settings, people):
    first = open_for(engine, settings, people["DEMO-CL-01"])
    second = open_for(engine, settings, people["DEMO-CL-02"])
    assert second.id == first.id + 1
    assert int(second.reference[3:]) == int(first.reference[3:]) + 1


def test_a_case_opened_out_of_hours_starts_at_the_next_opening(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"], now=london(2026, 12, 24, 18, 0))
    assert case.acknowledge_due == london(2026, 12, 30, 9, 0)
    assert case.answer_due == london(2027, 1, 6, 9, 0)


def test_service_levels_come_from_the_settings(engine, settings, people):
    import dataclasses

    slower = dataclasses.replace(
        settings, case_acknowledge_working_days=2, case_answer_working_days=10
    )
    case = open_for(engine, slower, people["DEMO-CL-01"])
    assert case.acknowledge_due == london(2027, 5, 7, 10, 30)
    assert case.answer_due == london(2027, 5, 19, 10, 30)


def test_opening_is_the_first_entry_of_the_history(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    (event,) = service.case_history(engine, case.reference)
    assert event.action == "opened"
    assert event.actor == YOUNG_PERSON
    assert event.at == WEDNESDAY
    assert event.detail["reference"] == case.reference
    assert event.detail["adviser_id"] == people["DEMO-ST-01"]


def test_a_young_person_with_no_pa_goes_to_the_team_manager(engine, settings, people):
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == people["DEMO-CL-02"])
            .values(adviser_id=None)
        )
    case = open_for(engine, settings, people["DEMO-CL-02"])
    assert case.adviser_id is None
    assert service.responsible(engine, case).id == people["DEMO-ST-05"]  # East's manager


def test_the_pa_is_responsible_for_their_case(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-03"])
    assert service.responsible(engine, case).name == "Kim Example-Adviser"


def test_an_unknown_category_or_person_is_refused(engine, settings, people):
    with pytest.raises(ValueError, match="unknown case category"):
        open_for(engine, settings, people["DEMO-CL-01"], category="banana")
    with pytest.raises(ValueError, match="words"):
        open_for(engine, settings, people["DEMO-CL-01"], words="   ")
    with pytest.raises(NotFoundError):
        open_for(engine, settings, 999_999)
    with pytest.raises(ValueError, match="time zone"):
        open_for(engine, settings, people["DEMO-CL-01"], now=dt.datetime(2027, 5, 5, 10))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar() == 0


def test_a_case_is_found_by_its_reference_in_any_case(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    assert service.get_case(engine, case.reference.lower()) == case
    assert service.get_case(engine, case.id) == case
    with pytest.raises(NotFoundError, match="PP-9999"):
        service.get_case(engine, "PP-9999")


# Changing a case


def test_acknowledge_answer_close_each_keep_who_and_when(engine, settings, people):
    pat = Actor.staff(people["DEMO-ST-01"])
    case = open_for(engine, settings, people["DEMO-CL-01"])
    t1, t2, t3 = (WEDNESDAY + dt.timedelta(hours=h) for h in (1, 2, 30))

    case = service.acknowledge(engine, case.reference, actor=pat, now=t1, note="on it")
    assert case.status is CaseStatus.ACKNOWLEDGED
    assert case.acknowledged_at == t1
    case = service.answer(engine, case, actor=pat, now=t2, text="I have posted you a copy.")
    assert case.status is CaseStatus.ANSWERED
    assert case.answered_at == t2
    assert case.acknowledged_at == t1
    case = service.close(engine, case.id, actor=SYSTEM, now=t3)
    assert case.status is CaseStatus.CLOSED
    assert case.closed_at == t3

    events = service.case_history(engine, case)
    assert [(e.action, e.actor, e.at) for e in events] == [
        ("opened", YOUNG_PERSON, WEDNESDAY),
        ("acknowledged", pat, t1),
        ("answered", pat, t2),
        ("closed", SYSTEM, t3),
    ]
    assert events[1].detail == {"note": "on it"}
    assert events[2].detail == {"text": "I have posted you a copy."}


def test_answering_an_open_case_acknowledges_it_too(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    later = WEDNESDAY + dt.timedelta(hours=3)
    case = service.answer(
        engine, case, actor=Actor.staff(people["DEMO-ST-01"]), now=later, text="x"
    )
    assert case.acknowledged_at == later
    assert case.answered_at == later


@pytest.mark.parametrize(
    ("steps", "change", "message"),
    [
        (["close"], "close", "is already closed"),
        (["acknowledge"], "acknowledge", "is already acknowledged"),
        (["answer"], "acknowledge", "is answered, so it cannot be acknowledged"),
        (["answer"], "answer", "is already answered"),
        (["close"], "answer", "is closed, so it cannot be answered"),
        (["close"], "acknowledge", "is closed, so it cannot be acknowledged"),
    ],
)
def test_a_change_not_allowed_is_refused_clearly(engine, settings, people, steps, change, message):
    actor = Actor.staff(people["DEMO-ST-01"])
    case = open_for(engine, settings, people["DEMO-CL-01"])
    functions = {
        "acknowledge": lambda: service.acknowledge(engine, case, actor=actor, now=WEDNESDAY),
        "answer": lambda: service.answer(engine, case, actor=actor, now=WEDNESDAY, text="ok"),
        "close": lambda: service.close(engine, case, actor=actor, now=WEDNESDAY),
    }
    for step in steps:
        functions[step]()
    before = len(service.case_history(engine, case))
    with pytest.raises(TransitionError, match=f"{case.reference} {message}"):
        functions[change]()
    assert len(service.case_history(engine, case)) == before


def test_a_note_is_kept_without_changing_the_state(engine, settings, people):
    actor = Actor.staff(people["DEMO-ST-01"])
    case = open_for(engine, settings, people["DEMO-CL-01"])
    service.add_note(engine, case, actor=actor, now=WEDNESDAY, text="Rang, no answer.")
    assert service.get_case(engine, case.id).status is CaseStatus.OPEN
    assert service.case_history(engine, case)[-1].detail == {"text": "Rang, no answer."}
    service.close(engine, case, actor=actor, now=WEDNESDAY)
    with pytest.raises(TransitionError, match="closed"):
        service.add_note(engine, case, actor=actor, now=WEDNESDAY, text="late")


def test_two_people_closing_at_once_one_wins_and_nothing_is_lost(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close_as(staff_ref: str) -> None:
        barrier.wait()
        try:
            service.close(engine, case, actor=Actor.staff(people[staff_ref]), now=WEDNESDAY)
            outcomes.append("closed")
        except TransitionError:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=close_as, args=(ref,)) for ref in ("DEMO-ST-01", "DEMO-ST-04")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["closed", "refused"]
    assert [e.action for e in service.case_history(engine, case)] == ["opened", "closed"]


# Any news on my query?


def test_case_status_for_lists_a_young_persons_cases_not_closed_newest_first(
    engine, settings, people
):
    jordan = people["DEMO-CL-01"]
    first = open_for(engine, settings, jordan)
    second = open_for(engine, settings, jordan, now=WEDNESDAY + dt.timedelta(days=1))
    third = open_for(engine, settings, jordan, now=WEDNESDAY + dt.timedelta(days=2))
    open_for(engine, settings, people["DEMO-CL-02"])
    service.close(engine, second, actor=Actor.staff(people["DEMO-ST-01"]), now=WEDNESDAY)
    assert [c.reference for c in service.case_status_for(engine, jordan)] == [
        third.reference,
        first.reference,
    ]
    assert service.case_status_for(engine, people["DEMO-CL-05"]) == []


# Overdue and escalation


def test_overdue_lists_cases_past_the_due_date_they_have_not_met(engine, settings, people):
    pat = Actor.staff(people["DEMO-ST-01"])
    waiting = open_for(engine, settings, people["DEMO-CL-01"])  # North
    seen = open_for(engine, settings, people["DEMO-CL-02"])  # East
    done = open_for(engine, settings, people["DEMO-CL-03"])  # Central
    service.acknowledge(engine, seen, actor=pat, now=WEDNESDAY)
    service.answer(engine, done, actor=pat, now=WEDNESDAY, text="done")

    assert service.overdue(engine, london(2027, 5, 6, 10, 30)) == []  # exactly due: not past
    thursday = london(2027, 5, 6, 10, 31)
    (late,) = service.overdue(engine, thursday)
    assert (late.case.id, late.stage, late.due) == (
        waiting.id,
        "acknowledge",
        waiting.acknowledge_due,
    )

    next_week = london(2027, 5, 12, 11, 0)
    found = service.overdue(engine, next_week)
    assert [(o.case.id, o.stage) for o in found] == [(waiting.id, "answer"), (seen.id, "answer")]
    assert [o.case.id for o in service.overdue(engine, next_week, district="East")] == [seen.id]
    assert service.overdue(engine, next_week, district="Central") == []


def test_an_overdue_case_is_escalated_to_the_team_manager_once_per_due_date(
    engine, settings, people
):
    case = open_for(engine, settings, people["DEMO-CL-01"])  # North: Chris manages
    assert service.escalate_overdue(engine, london(2027, 5, 6, 10, 0)) == []

    thursday = london(2027, 5, 6, 11, 0)
    (escalation,) = service.escalate_overdue(engine, thursday)
    assert escalation.stage == "acknowledge"
    assert escalation.manager.name == "Chris Example-Manager"
    assert escalation.case.escalated_at == thursday
    assert escalation.case.escalated_for == "acknowledge"
    assert escalation.case.escalated_to == people["DEMO-ST-04"]
    assert service.escalate_overdue(engine, thursday) == []
    assert service.escalate_overdue(engine, london(2027, 5, 7, 9, 0)) == []

    service.acknowledge(engine, case, actor=Actor.staff(people["DEMO-ST-01"]), now=thursday)
    next_week = london(2027, 5, 12, 11, 0)
    (again,) = service.escalate_overdue(engine, next_week)
    assert (again.stage, again.due) == ("answer", case.answer_due)
    assert service.escalate_overdue(engine, next_week + dt.timedelta(days=3)) == []

    escalations = [e for e in service.case_history(engine, case) if e.action == "escalated"]
    assert [(e.actor, e.at, e.detail["stage"], e.detail["team_manager"]) for e in escalations] == [
        (SYSTEM, thursday, "acknowledge", "Chris Example-Manager"),
        (SYSTEM, next_week, "answer", "Chris Example-Manager"),
    ]


def test_a_case_first_found_past_its_answer_date_is_escalated_once(engine, settings, people):
    open_for(engine, settings, people["DEMO-CL-01"])
    late = london(2027, 5, 20, 9, 0)
    (escalation,) = service.escalate_overdue(engine, late)
    assert escalation.stage == "answer"
    assert service.escalate_overdue(engine, late) == []


def test_answered_and_closed_cases_are_never_escalated(engine, settings, people):
    pat = Actor.staff(people["DEMO-ST-01"])
    answered = open_for(engine, settings, people["DEMO-CL-01"])
    closed = open_for(engine, settings, people["DEMO-CL-04"])
    service.answer(engine, answered, actor=pat, now=WEDNESDAY, text="yes")
    service.close(engine, closed, actor=pat, now=WEDNESDAY)
    assert service.escalate_overdue(engine, london(2027, 6, 1, 9, 0)) == []


def test_escalating_from_two_processes_at_once_escalates_once(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    thursday = london(2027, 5, 6, 11, 0)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        barrier.wait()
        results.append(len(service.escalate_overdue(engine, thursday)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    with engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(case_events)
            .where(case_events.c.case_id == case.id, case_events.c.action == "escalated")
        ).scalar()
    assert count == 1


def test_a_district_with_no_team_manager_is_still_marked_and_said(engine, settings, people):
    with engine.begin() as conn:
        conn.execute(staff.update().where(staff.c.role == "team_manager").values(active=False))
    open_for(engine, settings, people["DEMO-CL-01"])
    (escalation,) = service.escalate_overdue(engine, london(2027, 5, 6, 11, 0))
    assert escalation.manager is None
    assert escalation.case.escalated_to is None
    assert service.escalate_overdue(engine, london(2027, 5, 6, 11, 0)) == []


# Categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("when is my review", Category.REVIEW_DATE),
        ("wen is ma next reveiw meeting", Category.REVIEW_DATE),
        ("I never got a copy of my plan", Category.COPY_OF_PLAN),
        ("can u send me my plan pls", Category.COPY_OF_PLAN),
        ("i havent seen my plan", Category.COPY_OF_PLAN),
        ("I want to change what it says about college", Category.CHANGE_PLAN),
        ("my plan has the wrong address", Category.CHANGE_PLAN),
        ("can you update my plan, I moved", Category.CHANGE_PLAN),
        ("I disagree with my plan", Category.DISAGREE),
        ("i dont agree with what it says", Category.DISAGREE),
        ("I don’t agree with it", Category.DISAGREE),
        ("its not fair, i want to change it", Category.DISAGREE),
        ("how do i complain about my plan", Category.DISAGREE),
        ("question about my pathway plan", Category.OTHER),
        ("", Category.OTHER),
    ],
)
def test_categorise(text, category):
    assert categorise(text) is category
    assert category.value in CATEGORIES


# Safety alerts


def test_an_alert_goes_to_the_pa_and_the_districts_duty_worker(engine, people):
    raised = alerts.raise_alert(
        engine,
        conversation_id="sms-casey",
        now=WEDNESDAY,
        safety_event_id=7,
        care_leaver_id=people["DEMO-CL-03"],  # Central: PA Kim, duty worker Max
    )
    assert raised.new
    assert [p.name for p in raised.notify] == ["Kim Example-Adviser", "Max Example-Duty"]
    assert raised.alert.district == "Central"
    assert raised.alert.adviser_id == people["DEMO-ST-03"]
    assert raised.alert.raised_at == WEDNESDAY
    (event,) = alerts.alert_history(engine, raised.alert.id)
    assert (event.action, event.actor) == ("raised", SYSTEM)
    assert [n["name"] for n in event.detail["notified"]] == [
        "Kim Example-Adviser",
        "Max Example-Duty",
    ]


def test_raising_the_same_safety_event_twice_makes_one_alert(engine, people):
    first = alerts.raise_alert(
        engine,
        conversation_id="sms-j",
        now=WEDNESDAY,
        safety_event_id=8,
        care_leaver_id=people["DEMO-CL-01"],
    )
    again = alerts.raise_alert(
        engine,
        conversation_id="sms-j",
        now=WEDNESDAY,
        safety_event_id=8,
        care_leaver_id=people["DEMO-CL-01"],
    )
    assert not again.new
    assert again.alert == first.alert
    assert len(alerts.alert_history(engine, first.alert.id)) == 1


def test_an_anonymous_alert_needs_a_district(engine, people):
    with pytest.raises(MissingDistrictError):
        alerts.raise_alert(engine, conversation_id="rest-x", now=WEDNESDAY)
    raised = alerts.raise_alert(engine, conversation_id="rest-x", now=WEDNESDAY, district="North")
    # North has no duty worker and nobody's PA is known: the team manager, at once.
    assert [p.name for p in raised.notify] == ["Chris Example-Manager"]
    assert raised.alert.care_leaver_id is None


def test_an_alert_is_acknowledged_once_with_who_and_when(engine, people):
    raised = alerts.raise_alert(
        engine, conversation_id="sms-c", now=WEDNESDAY, care_leaver_id=people["DEMO-CL-03"]
    )
    at = WEDNESDAY + dt.timedelta(minutes=4)
    alert = alerts.acknowledge_alert(engine, raised.alert.id, by=people["DEMO-ST-07"], now=at)
    assert (alert.acknowledged_at, alert.acknowledged_by) == (at, people["DEMO-ST-07"])
    with pytest.raises(TransitionError, match="already acknowledged by Max Example-Duty"):
        alerts.acknowledge_alert(engine, raised.alert.id, by=people["DEMO-ST-03"], now=at)
    with pytest.raises(NotFoundError):
        alerts.acknowledge_alert(engine, 999_999, by=people["DEMO-ST-03"], now=at)
    events = alerts.alert_history(engine, raised.alert.id)
    assert [(e.action, e.actor, e.at) for e in events] == [
        ("raised", SYSTEM, WEDNESDAY),
        ("acknowledged", Actor.staff(people["DEMO-ST-07"]), at),
    ]
    assert alerts.escalate_unacknowledged(engine, WEDNESDAY + dt.timedelta(hours=1)) == []


def test_an_alert_not_acknowledged_in_15_minutes_goes_to_the_team_manager_once(engine, people):
    raised = alerts.raise_alert(
        engine, conversation_id="sms-j", now=WEDNESDAY, care_leaver_id=people["DEMO-CL-01"]
    )
    assert alerts.escalate_unacknowledged(engine, WEDNESDAY + dt.timedelta(minutes=14)) == []
    at = WEDNESDAY + dt.timedelta(minutes=15)
    (escalation,) = alerts.escalate_unacknowledged(engine, at)
    assert escalation.manager.name == "Chris Example-Manager"
    assert (escalation.alert.escalated_at, escalation.alert.escalated_to) == (
        at,
        people["DEMO-ST-04"],
    )
    assert alerts.escalate_unacknowledged(engine, at + dt.timedelta(minutes=30)) == []
    assert [a.id for a in alerts.unacknowledged(engine, district="North")] == [raised.alert.id]
    assert alerts.unacknowledged(engine, district="East") == []

    alerts.acknowledge_alert(engine, raised.alert.id, by=people["DEMO-ST-04"], now=at)
    assert alerts.unacknowledged(engine) == []
    assert [e.action for e in alerts.alert_history(engine, raised.alert.id)] == [
        "raised",
        "escalated",
        "acknowledged",
    ]


def test_the_wait_before_escalating_an_alert_can_be_changed(engine, people):
    alerts.raise_alert(
        engine, conversation_id="sms-j", now=WEDNESDAY, care_leaver_id=people["DEMO-CL-01"]
    )
    soon = WEDNESDAY + dt.timedelta(minutes=5)
    assert len(alerts.escalate_unacknowledged(engine, soon, after=dt.timedelta(minutes=5))) == 1


# Handoffs


def test_a_handoff_goes_to_the_pa_and_stays_until_handed_back(engine, people):
    started = handoffs.start_handoff(
        engine,
        conversation_id="sms-jordan",
        care_leaver_id=people["DEMO-CL-01"],
        channel="sms",
        summary="Asked about the setting up home allowance, wants to talk to Pat.",
        now=WEDNESDAY,
    )
    assert started.new
    assert started.notify.name == "Pat Example-Adviser"
    handoff = started.handoff
    assert handoff.status is HandoffStatus.ACTIVE
    assert handoffs.active_handoff(engine, "sms-jordan") == handoff
    assert handoffs.active_handoff(engine, "sms-other") is None

    again = handoffs.start_handoff(
        engine,
        conversation_id="sms-jordan",
        care_leaver_id=people["DEMO-CL-01"],
        channel="sms",
        summary="again",
        now=WEDNESDAY + dt.timedelta(minutes=1),
    )
    assert not again.new
    assert again.handoff == handoff

    pat = people["DEMO-ST-01"]
    first = WEDNESDAY + dt.timedelta(minutes=20)
    handoff = handoffs.record_first_reply(engine, handoff.id, staff_id=pat, now=first)
    assert handoff.first_reply_at == first
    handoff = handoffs.record_reply(
        engine, handoff.id, staff_id=pat, now=first + dt.timedelta(minutes=5), text="Hi, it's Pat"
    )
    assert handoff.first_reply_at == first

    assert [h.id for h in handoffs.open_handoffs(engine, district="North")] == [handoff.id]
    assert handoffs.open_handoffs(engine, district="East") == []

    ended = first + dt.timedelta(hours=1)
    handoff = handoffs.return_to_bot(engine, handoff.id, actor=Actor.staff(pat), now=ended)
    assert (handoff.status, handoff.ended_at) == (HandoffStatus.RETURNED, ended)
    assert handoffs.active_handoff(engine, "sms-jordan") is None
    with pytest.raises(TransitionError, match="already handed back"):
        handoffs.return_to_bot(engine, handoff.id, actor=Actor.staff(pat), now=ended)
    with pytest.raises(TransitionError, match="handed back"):
        handoffs.record_reply(engine, handoff.id, staff_id=pat, now=ended)
    with pytest.raises(NotFoundError):
        handoffs.return_to_bot(engine, 999_999, actor=SYSTEM, now=ended)

    events = handoffs.handoff_history(engine, handoff.id)
    assert [(e.action, e.actor) for e in events] == [
        ("started", YOUNG_PERSON),
        ("replied", Actor.staff(pat)),
        ("replied", Actor.staff(pat)),
        ("returned", Actor.staff(pat)),
    ]
    assert events[2].detail == {"text": "Hi, it's Pat"}

    new = handoffs.start_handoff(
        engine,
        conversation_id="sms-jordan",
        care_leaver_id=people["DEMO-CL-01"],
        channel="sms",
        summary="Back again.",
        now=ended + dt.timedelta(days=1),
    )
    assert new.new and new.handoff.id != handoff.id


def test_actors_are_checked():
    with pytest.raises(ValueError):
        Actor("staff")
    with pytest.raises(ValueError):
        Actor("young_person", 3)
    with pytest.raises(ValueError):
        Actor("someone")
    assert str(Actor.staff(4)) == "staff:4"
    assert str(YOUNG_PERSON) == "young_person"


# Reassigning and reopening


def add_adviser(engine, name="Ash Example-Adviser", district="North", active=True, ref=None):
    """A second personal adviser (the demo people have one per district)."""
    now = dt.datetime(2027, 1, 1)
    with engine.begin() as conn:
        return int(
            conn.execute(
                staff.insert().values(
                    external_ref=ref or f"TEST-{name}",
                    name=name,
                    role="personal_adviser",
                    district=district,
                    mobile="+447700900021",
                    active=active,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
        )


def test_reassigning_gives_the_case_to_another_pa_with_who_from_whom_to_whom_and_why(
    engine, settings, people
):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    ash = add_adviser(engine)
    manager = Actor.staff(people["DEMO-ST-04"])
    later = WEDNESDAY + dt.timedelta(hours=2)
    moved = service.reassign(
        engine,
        case.reference,
        to_adviser_id=ash,
        actor=manager,
        now=later,
        reason="  Pat is  away ",
    )
    assert moved.case.adviser_id == ash
    assert moved.previous is not None and moved.previous.id == people["DEMO-ST-01"]
    assert moved.adviser.id == ash and moved.adviser.mobile == "+447700900021"
    # State and due dates are kept; the history gains one event.
    assert moved.case.status is CaseStatus.OPEN
    assert moved.case.answer_due == case.answer_due
    events = service.case_history(engine, case)
    assert [e.action for e in events] == ["opened", "reassigned"]
    assert events[-1].actor == manager and events[-1].at == later
    assert events[-1].detail == {
        "from_adviser_id": people["DEMO-ST-01"],
        "from_adviser": "Pat Example-Adviser",
        "to_adviser_id": ash,
        "to_adviser": "Ash Example-Adviser",
        "reason": "Pat is away",
    }
    assert service.responsible(engine, moved.case).id == ash


def test_a_case_with_the_team_manager_can_be_given_to_a_pa(engine, settings, people):
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.id == people["DEMO-CL-01"])
            .values(adviser_id=None)
        )
    case = open_for(engine, settings, people["DEMO-CL-01"])
    assert case.adviser_id is None
    moved = service.reassign(
        engine,
        case,
        to_adviser_id=people["DEMO-ST-01"],
        actor=Actor.staff(people["DEMO-ST-04"]),
        now=WEDNESDAY,
        reason="New PA allocated",
        expected_adviser_id=None,
    )
    assert moved.previous is None and moved.case.adviser_id == people["DEMO-ST-01"]
    assert service.case_history(engine, case)[-1].detail["from_adviser"] is None


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("DEMO-ST-02", "only go to an active personal adviser in North"),  # East's PA
        ("DEMO-ST-04", "only go to an active personal adviser in North"),  # a team manager
        ("inactive", "only go to an active personal adviser in North"),
        ("DEMO-ST-01", "already with Pat Example-Adviser"),  # who has it
    ],
)
def test_reassigning_to_someone_who_cannot_take_it_is_refused(
    engine, settings, people, target, message
):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    to = add_adviser(engine, active=False) if target == "inactive" else people[target]
    with pytest.raises(ValueError, match=message):
        service.reassign(
            engine,
            case,
            to_adviser_id=to,
            actor=Actor.staff(people["DEMO-ST-04"]),
            now=WEDNESDAY,
            reason="x",
        )
    assert service.get_case(engine, case.id).adviser_id == people["DEMO-ST-01"]
    assert [e.action for e in service.case_history(engine, case)] == ["opened"]


def test_reassigning_needs_a_reason_and_an_open_case(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    ash = add_adviser(engine)
    manager = Actor.staff(people["DEMO-ST-04"])
    with pytest.raises(ValueError, match="give a reason"):
        service.reassign(engine, case, to_adviser_id=ash, actor=manager, now=WEDNESDAY, reason=" ")
    with pytest.raises(ValueError, match="500 characters"):
        service.reassign(
            engine, case, to_adviser_id=ash, actor=manager, now=WEDNESDAY, reason="x" * 501
        )
    service.close(engine, case, actor=manager, now=WEDNESDAY)
    with pytest.raises(TransitionError, match="is closed, so it cannot be reassigned"):
        service.reassign(engine, case, to_adviser_id=ash, actor=manager, now=WEDNESDAY, reason="x")
    assert [e.action for e in service.case_history(engine, case)] == ["opened", "closed"]


def test_a_reassignment_from_a_stale_page_is_refused_and_says_who_has_it(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    ash = add_adviser(engine)
    manager = Actor.staff(people["DEMO-ST-04"])
    service.reassign(engine, case, to_adviser_id=ash, actor=manager, now=WEDNESDAY, reason="one")
    with pytest.raises(
        TransitionError, match="reassigned just now: it is with Ash Example-Adviser"
    ):
        service.reassign(
            engine,
            case,
            to_adviser_id=people["DEMO-ST-01"],
            actor=manager,
            now=WEDNESDAY,
            reason="two",
            expected_adviser_id=people["DEMO-ST-01"],  # what the second manager saw
        )
    assert service.get_case(engine, case.id).adviser_id == ash


def test_two_managers_reassigning_at_once_one_wins(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    ash = add_adviser(engine, "Ash Example-Adviser", ref="TEST-ASH")
    bo = add_adviser(engine, "Bo Example-Adviser", ref="TEST-BO")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def reassign_to(adviser_id: int, by: str) -> None:
        barrier.wait()
        try:
            service.reassign(
                engine,
                case,
                to_adviser_id=adviser_id,
                actor=Actor.staff(people[by]),
                now=WEDNESDAY,
                reason="cover",
                expected_adviser_id=people["DEMO-ST-01"],
            )
            outcomes.append("reassigned")
        except TransitionError:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=reassign_to, args=(ash, "DEMO-ST-04")),
        threading.Thread(target=reassign_to, args=(bo, "DEMO-ST-06")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["reassigned", "refused"]
    events = service.case_history(engine, case)
    assert [e.action for e in events] == ["opened", "reassigned"]
    assert service.get_case(engine, case.id).adviser_id == events[-1].detail["to_adviser_id"]


def test_reopening_a_closed_case_sets_new_due_dates_and_keeps_everything(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    pat = Actor.staff(people["DEMO-ST-01"])
    service.answer(engine, case, actor=pat, now=WEDNESDAY, text="Posted today.")
    closed = service.close(engine, case, actor=pat, now=WEDNESDAY + dt.timedelta(hours=1))
    # Friday 14:00: acknowledge by Monday 14:00, answer by the next Friday 14:00.
    friday = london(2027, 5, 14, 14, 0)
    reopened = service.reopen(
        engine, case, actor=pat, now=friday, reason="It never arrived", settings=settings
    )
    assert reopened.status is CaseStatus.OPEN
    assert reopened.acknowledge_due == london(2027, 5, 17, 14, 0)
    assert reopened.answer_due == london(2027, 5, 21, 14, 0)
    assert reopened.acknowledged_at is None and reopened.answered_at is None
    assert reopened.closed_at is None and reopened.escalated_for is None
    assert reopened.adviser_id == case.adviser_id and reopened.words == case.words
    events = service.case_history(engine, case)
    assert [e.action for e in events] == ["opened", "answered", "closed", "reopened"]
    assert events[1].detail == {"text": "Posted today."}  # the earlier answer is kept
    detail = events[-1].detail
    assert events[-1].actor == pat and events[-1].at == friday
    assert detail["reason"] == "It never arrived"
    assert detail["previous_status"] == "closed"
    assert detail["previous_closed_at"] == closed.closed_at.isoformat()
    assert detail["previous_answer_due"] == case.answer_due.isoformat()
    assert detail["answer_due"] == reopened.answer_due.isoformat()
    # It can be dealt with again as a new case would be.
    service.acknowledge(engine, case, actor=pat, now=friday)
    assert service.answer(engine, case, actor=pat, now=friday, text="Sent again").status is (
        CaseStatus.ANSWERED
    )


def test_a_reopened_case_is_escalated_again_when_late(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    assert service.escalate_overdue(engine, WEDNESDAY + dt.timedelta(days=14))
    pat = Actor.staff(people["DEMO-ST-01"])
    service.answer(engine, case, actor=pat, now=WEDNESDAY + dt.timedelta(days=14), text="Done")
    reopen_at = WEDNESDAY + dt.timedelta(days=15)
    service.reopen(engine, case, actor=pat, now=reopen_at, reason="Not done", settings=settings)
    assert service.overdue(engine, reopen_at) == []
    again = service.escalate_overdue(engine, reopen_at + dt.timedelta(days=14))
    assert [item.case.id for item in again] == [case.id]


@pytest.mark.parametrize("steps", [[], ["acknowledge"]])
def test_only_an_answered_or_closed_case_can_be_reopened(engine, settings, people, steps):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    pat = Actor.staff(people["DEMO-ST-01"])
    for step in steps:
        getattr(service, step)(engine, case, actor=pat, now=WEDNESDAY)
    status = "acknowledged" if steps else "open"
    with pytest.raises(TransitionError, match=f"is {status}, so it cannot be reopened"):
        service.reopen(engine, case, actor=pat, now=WEDNESDAY, reason="x", settings=settings)
    service.answer(engine, case, actor=pat, now=WEDNESDAY, text="answer")
    with pytest.raises(ValueError, match="give a reason"):
        service.reopen(engine, case, actor=pat, now=WEDNESDAY, reason="", settings=settings)
    assert service.get_case(engine, case.id).status is CaseStatus.ANSWERED


def test_two_people_reopening_at_once_one_wins(engine, settings, people):
    case = open_for(engine, settings, people["DEMO-CL-01"])
    service.close(engine, case, actor=SYSTEM, now=WEDNESDAY)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def reopen_as(staff_ref: str) -> None:
        barrier.wait()
        try:
            service.reopen(
                engine,
                case,
                actor=Actor.staff(people[staff_ref]),
                now=WEDNESDAY,
                reason="again",
                settings=settings,
            )
            outcomes.append("reopened")
        except TransitionError:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=reopen_as, args=(ref,)) for ref in ("DEMO-ST-01", "DEMO-ST-04")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "reopened"]
    assert [e.action for e in service.case_history(engine, case)] == [
        "opened",
        "closed",
        "reopened",
    ]


def test_advisers_for_lists_a_districts_active_pas(engine, settings, people):
    ash = add_adviser(engine)
    add_adviser(engine, "Gone Example-Adviser", active=False)
    assert [a.id for a in service.advisers_for(engine, "North")] == [people["DEMO-ST-01"], ash]
