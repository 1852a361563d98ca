"""Who sees what in the console's cases area, on a real database (SQLite and PostgreSQL).

The demo people are seeded: Pat (PA, North) has Demo Taylor; Lee (PA, East) has Demo
Riley; Chris manages North; Max is Central's duty worker. Times are passed in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.cases import alerts, handoffs, service
from bot.cases.model import Actor
from bot.console import caseload
from bot.people.demo import seed_demo
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.sms import sms_contacts

NOW = dt.datetime(2027, 3, 3, 10, 0, tzinfo=dt.timezone.utc)  # a Wednesday


@dataclasses.dataclass(frozen=True)
class Viewer:
    staff_id: int
    district: str
    roles: frozenset[str]


@pytest.fixture
def people(engine, settings) -> dict[str, int]:
    seed_demo(engine, settings)
    with engine.connect() as conn:
        found = {
            row.external_ref: row.id
            for row in conn.execute(sa.select(staff.c.id, staff.c.external_ref))
        }
        found |= {
            row.external_ref: row.id
            for row in conn.execute(sa.select(care_leavers.c.id, care_leavers.c.external_ref))
        }
    return {
        "pat": found["DEMO-ST-01"],
        "lee": found["DEMO-ST-02"],
        "chris": found["DEMO-ST-04"],
        "max": found["DEMO-ST-07"],
        "taylor": found["DEMO-CL-05"],
        "riley": found["DEMO-CL-02"],
        "casey": found["DEMO-CL-03"],
    }


def viewer(people, who: str, district: str, *roles: str) -> Viewer:
    return Viewer(people[who], district, frozenset(roles))


def open_for(engine, settings, care_leaver_id: int, now=NOW, words="copy of my plan"):
    return service.open_case(
        engine,
        care_leaver=care_leaver_id,
        category="copy_of_plan",
        words=words,
        conversation_id=f"sms-{care_leaver_id}",
        channel="sms",
        now=now,
        settings=settings,
    )


def test_a_pa_sees_only_their_own_cases_handoffs_and_alerts(engine, settings, people):
    taylors = open_for(engine, settings, people["taylor"])
    rileys = open_for(engine, settings, people["riley"])
    handoff = handoffs.start_handoff(
        engine,
        conversation_id="sms-t",
        care_leaver_id=people["taylor"],
        channel="sms",
        summary="s",
        now=NOW,
    ).handoff
    alert = alerts.raise_alert(
        engine, conversation_id="sms-t", now=NOW, care_leaver_id=people["taylor"]
    ).alert
    pat = viewer(people, "pat", "North", "personal_adviser")
    lee = viewer(people, "lee", "East", "personal_adviser")
    box = caseload.inbox(engine, pat, NOW)
    assert [row.case.reference for row in box.cases] == [taylors.reference]
    assert box.cases[0].name == "Demo Taylor" and box.cases[0].category == "Copy of plan"
    assert [row.handoff.id for row in box.handoffs] == [handoff.id]
    assert [row.alert.id for row in box.alerts] == [alert.id]
    assert caseload.may_see_case(pat, taylors) and not caseload.may_see_case(pat, rileys)
    assert caseload.may_see_handoff(pat, handoff) and not caseload.may_see_handoff(lee, handoff)
    assert caseload.may_see_alert(pat, alert) and not caseload.may_see_alert(lee, alert)
    assert [row.case.reference for row in caseload.inbox(engine, lee, NOW).cases] == [
        rileys.reference
    ]


def test_managers_see_their_district_admins_everything_duty_workers_alerts(
    engine, settings, people
):
    taylors = open_for(engine, settings, people["taylor"])
    rileys = open_for(engine, settings, people["riley"])
    central = alerts.raise_alert(
        engine, conversation_id="sms-c", now=NOW, care_leaver_id=people["casey"]
    ).alert
    chris = viewer(people, "chris", "North", "team_manager")
    admin = viewer(people, "lee", "East", "admin")
    duty = viewer(people, "max", "Central", "duty_worker")
    assert [r.case.id for r in caseload.inbox(engine, chris, NOW).cases] == [taylors.id]
    assert {r.case.id for r in caseload.inbox(engine, admin, NOW).cases} == {
        taylors.id,
        rileys.id,
    }
    duty_box = caseload.inbox(engine, duty, NOW)
    assert duty_box.cases == [] and duty_box.handoffs == []
    assert [r.alert.id for r in duty_box.alerts] == [central.id]
    assert not caseload.may_see_case(duty, taylors)
    assert caseload.may_see_alert(duty, central) and not caseload.may_see_alert(chris, central)
    assert caseload.may_see_case(chris, taylors) and not caseload.may_see_case(chris, rileys)
    assert caseload.manager_districts(engine, chris) == ["North"]
    assert caseload.manager_districts(engine, admin) == ["Central", "East", "North"]
    assert caseload.manager_districts(engine, duty) == []


def test_a_pa_who_is_also_a_manager_sees_both(engine, settings, people):
    rileys = open_for(engine, settings, people["riley"])
    both = viewer(people, "pat", "East", "personal_adviser", "team_manager")
    taylors = open_for(engine, settings, people["taylor"])
    assert {r.case.id for r in caseload.inbox(engine, both, NOW).cases} == {
        rileys.id,
        taylors.id,
    }


def test_overdue_is_in_words_and_closed_cases_leave_the_inbox(engine, settings, people):
    case = open_for(engine, settings, people["taylor"])
    pat = viewer(people, "pat", "North", "personal_adviser")
    assert caseload.overdue_stage(case, NOW) is None
    later = NOW + dt.timedelta(days=2)  # Friday: past the 1 working day to acknowledge
    assert caseload.overdue_stage(case, later) == "acknowledge"
    assert caseload.STAGE_WORDS["acknowledge"] == "Overdue: not acknowledged"
    assert caseload.overdue_stage(case, NOW + dt.timedelta(days=14)) == "answer"
    box = caseload.inbox(engine, pat, later)
    assert box.overdue == 1 and box.cases[0].overdue == "acknowledge"
    service.close(engine, case.id, actor=Actor.staff(people["pat"]), now=later)
    assert caseload.inbox(engine, pat, later).cases == []


def test_the_sms_number_of_a_conversation_and_the_last_reply(engine, settings, people):
    assert caseload.sms_number(engine, "sms-nobody") is None
    assert caseload.sms_number(engine, None) is None
    with engine.begin() as conn:
        conn.execute(
            sms_contacts.insert().values(
                conversation_id="sms-t", number="+447700900105", updated_at=NOW
            )
        )
    assert caseload.sms_number(engine, "sms-t") == "+447700900105"
    handoff = handoffs.start_handoff(
        engine,
        conversation_id="sms-t",
        care_leaver_id=people["taylor"],
        channel="sms",
        summary="s",
        now=NOW,
    ).handoff
    assert caseload.last_reply_event_id(engine, handoff.id, people["pat"]) == 0
    handoffs.record_message(engine, handoff.id, text="hello?", now=NOW)
    handoffs.record_reply(engine, handoff.id, staff_id=people["pat"], now=NOW, text="hi")
    first = caseload.last_reply_event_id(engine, handoff.id, people["pat"])
    handoffs.record_reply(engine, handoff.id, staff_id=people["pat"], now=NOW, text="again")
    assert caseload.last_reply_event_id(engine, handoff.id, people["pat"]) > first > 0
    talk = caseload.messages_and_replies(handoffs.handoff_history(engine, handoff.id))
    assert [(e.action, e.detail.get("text")) for e in talk] == [
        ("message", "hello?"),
        ("replied", "hi"),
        ("replied", "again"),
    ]


# ---- paging, filters, and who may reassign or reopen -------------------------------------------


def test_the_inbox_pages_and_filters_cases_in_sql(engine, settings, people):
    late = [
        open_for(engine, settings, people["taylor"], now=NOW - dt.timedelta(days=14))
        for _ in range(3)
    ]
    fresh = [open_for(engine, settings, people["taylor"]) for _ in range(5)]
    closer = Actor.staff(people["pat"])
    service.close(engine, fresh[-1], actor=closer, now=NOW)
    service.answer(engine, fresh[-2], actor=closer, now=NOW, text="done")
    pat = viewer(people, "pat", "North", "personal_adviser")
    first = caseload.inbox(engine, pat, NOW, page=1, per_page=4)
    assert (first.case_total, first.overdue, first.page, first.pages) == (7, 3, 1, 2)
    assert [r.case.id for r in first.cases[:3]] == [c.id for c in late]  # most urgent first
    second = caseload.inbox(engine, pat, NOW, page=2, per_page=4)
    assert len(second.cases) == 3 and second.page == 2
    assert {r.case.id for r in first.cases + second.cases} == {c.id for c in late + fresh[:4]}
    assert caseload.inbox(engine, pat, NOW, page=9, per_page=4).page == 2  # past the end
    only_late = caseload.inbox(engine, pat, NOW, filters=caseload.CaseFilter(overdue=True))
    assert [r.case.id for r in only_late.cases] == [c.id for c in late]
    closed = caseload.inbox(engine, pat, NOW, filters=caseload.CaseFilter(status="closed"))
    assert [r.case.id for r in closed.cases] == [fresh[-1].id]
    answered_late = caseload.inbox(
        engine, pat, NOW, filters=caseload.CaseFilter(status="answered", overdue=True)
    )
    assert answered_late.cases == [] and answered_late.pages == 1


def test_the_district_filter_narrows_an_admins_inbox(engine, settings, people):
    north = open_for(engine, settings, people["taylor"])
    east = open_for(engine, settings, people["riley"])
    admin = viewer(people, "chris", "North", "admin")
    found = caseload.inbox(engine, admin, NOW, filters=caseload.CaseFilter(district="East"))
    assert [r.case.id for r in found.cases] == [east.id]
    assert north.id not in [r.case.id for r in found.cases]


@pytest.mark.parametrize(
    ("args", "districts", "expected", "errors"),
    [
        ({}, [], (caseload.CaseFilter(), 1), set()),
        (
            {"status": "Closed", "overdue": "yes", "district": "East", "page": "3"},
            ["East", "North"],
            (caseload.CaseFilter("closed", True, "East"), 3),
            set(),
        ),
        ({"status": "gone"}, [], (caseload.CaseFilter(), 1), {"status"}),
        ({"overdue": "1"}, [], (caseload.CaseFilter(), 1), {"overdue"}),
        ({"district": "East"}, ["North"], (caseload.CaseFilter(), 1), {"district"}),
        ({"district": "East"}, [], (caseload.CaseFilter(), 1), {"district"}),
        ({"page": "0"}, [], (caseload.CaseFilter(), 1), {"page"}),
        ({"page": "100001"}, [], (caseload.CaseFilter(), 1), {"page"}),
        ({"page": "٣"}, [], (caseload.CaseFilter(), 1), {"page"}),  # a non-ASCII digit
        ({"page": "x", "status": "x"}, [], (caseload.CaseFilter(), 1), {"page", "status"}),
    ],
)
def test_parse_case_filter(args, districts, expected, errors):
    chosen, page, problems = caseload.parse_case_filter(args, districts)
    assert (chosen, page) == expected
    assert set(problems) == errors
    assert all(message and message[0].isupper() for message in problems.values())


def test_a_filter_round_trips_through_its_query():
    chosen = caseload.CaseFilter("open", True, "North")
    assert chosen.query() == "status=open&overdue=yes&district=North"
    assert caseload.CaseFilter().query() == "" and not caseload.CaseFilter().active


def test_who_may_reassign_and_reopen(engine, settings, people):
    case = open_for(engine, settings, people["taylor"])  # North, Pat's
    rules = {
        ("pat", "North", "personal_adviser"): (False, True),
        ("lee", "East", "personal_adviser"): (False, False),
        ("chris", "North", "team_manager"): (True, True),
        ("chris", "East", "team_manager"): (False, False),  # another district's manager
        ("max", "North", "duty_worker"): (False, False),
        ("max", "East", "admin"): (True, True),
    }
    for (who, district, role), (reassign, reopen) in rules.items():
        person = viewer(people, who, district, role)
        assert caseload.may_reassign(person, case) is reassign, (who, district, role)
        assert caseload.may_reopen(person, case) is reopen, (who, district, role)
