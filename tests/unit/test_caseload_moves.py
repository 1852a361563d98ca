"""A young person's open cases, handoffs and alerts follow them to a new PA (issue 15, item 9).

Access in the console follows each item's PA and district. Items used to keep the PA
and district they were made with, so after a young person moved to another PA the old
one kept access and the new one had none. On a real database (SQLite and PostgreSQL),
with the demo people and a second North PA; the PA changes through the people import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.cases import alerts, handoffs, history, service
from bot.cases.model import Actor
from bot.console import caseload
from bot.people.demo import DEMO_DIR, seed_demo
from bot.people.importer import import_care_leavers, import_staff
from bot.store.tables.people import care_leavers, staff

pytestmark = pytest.mark.timeout(120)

NOW = dt.datetime(2027, 3, 3, 10, 0, tzinfo=dt.timezone.utc)  # a Wednesday
TODAY = dt.date(2027, 3, 3)
NOVA = "TEST-ST-10,Nova Example-Adviser,personal_adviser,North,07700 900011,nova@example.org"


@dataclasses.dataclass(frozen=True)
class Viewer:
    staff_id: int
    district: str
    roles: frozenset[str]


def ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        found = {
            r.external_ref: r.id for r in conn.execute(sa.select(staff.c.id, staff.c.external_ref))
        }
        found |= {
            r.external_ref: r.id
            for r in conn.execute(sa.select(care_leavers.c.id, care_leavers.c.external_ref))
        }
    return found


@pytest.fixture
def people(engine, settings) -> dict[str, int]:
    seed_demo(engine, settings)
    staff_file = (DEMO_DIR / "staff.csv").read_text().rstrip("\n") + "\n" + NOVA + "\n"
    assert import_staff(engine, staff_file, settings=settings).written
    found = ids(engine)
    return {
        "pat": found["DEMO-ST-01"],
        "lee": found["DEMO-ST-02"],
        "nova": found["TEST-ST-10"],
        "chris": found["DEMO-ST-04"],
        "dana": found["DEMO-ST-05"],
        "taylor": found["DEMO-CL-05"],
    }


def taylor_moves(engine, settings, pa_ref: str, district: str = "North"):
    """Import the demo care leavers with Demo Taylor given another PA (and district)."""
    lines = (DEMO_DIR / "care_leavers.csv").read_text().splitlines()
    changed = []
    for line in lines:
        if line.startswith("DEMO-CL-05,"):
            cells = line.split(",")
            cells[5], cells[6] = district, pa_ref
            line = ",".join(cells)
        changed.append(line)
    report = import_care_leavers(engine, "\n".join(changed) + "\n", settings=settings, today=TODAY)
    assert report.written and report.errors == (), report.errors
    return report


def open_items(engine, settings, person: int):
    case = service.open_case(
        engine,
        care_leaver=person,
        category="copy_of_plan",
        words="can I have a copy of my plan",
        conversation_id="sms-taylor",
        channel="sms",
        now=NOW,
        settings=settings,
    )
    handoff = handoffs.start_handoff(
        engine,
        conversation_id="sms-taylor",
        care_leaver_id=person,
        channel="sms",
        summary="asked for their PA",
        now=NOW,
    ).handoff
    alert = alerts.raise_alert(
        engine, conversation_id="sms-taylor", now=NOW, care_leaver_id=person
    ).alert
    return case, handoff, alert


def sees(who: Viewer, engine, case, handoff, alert) -> tuple[bool, bool, bool]:
    fresh_case = service.get_case(engine, case.id)
    fresh_handoff = caseload.get_handoff(engine, handoff.id)
    fresh_alert = caseload.get_alert(engine, alert.id)
    return (
        caseload.may_see_case(who, fresh_case),
        caseload.may_see_handoff(who, fresh_handoff),
        caseload.may_see_alert(who, fresh_alert),
    )


def test_open_items_move_to_the_new_pa_and_the_old_one_loses_them(engine, settings, people):
    case, handoff, alert = open_items(engine, settings, people["taylor"])
    done = service.open_case(
        engine,
        care_leaver=people["taylor"],
        category="review_date",
        words="when is my review",
        conversation_id="sms-taylor",
        channel="sms",
        now=NOW,
        settings=settings,
    )
    service.close(engine, done.id, actor=Actor.staff(people["pat"]), now=NOW)
    pat = Viewer(people["pat"], "North", frozenset({"personal_adviser"}))
    nova = Viewer(people["nova"], "North", frozenset({"personal_adviser"}))
    assert sees(pat, engine, case, handoff, alert) == (True, True, True)
    assert sees(nova, engine, case, handoff, alert) == (False, False, False)

    report = taylor_moves(engine, settings, "TEST-ST-10")

    assert sees(pat, engine, case, handoff, alert) == (False, False, False)
    assert sees(nova, engine, case, handoff, alert) == (True, True, True)
    assert report.moved_items == 3 and "3 open items moved" in report.summary()
    box = caseload.inbox(engine, nova, NOW)
    assert [r.case.id for r in box.cases] == [case.id]
    assert [r.handoff.id for r in box.handoffs] == [handoff.id]
    assert [r.alert.id for r in box.alerts] == [alert.id]
    assert caseload.inbox(engine, pat, NOW).cases == []
    # A closed case is a record of who did the work: it stays with them.
    assert service.get_case(engine, done.id).adviser_id == people["pat"]
    # Each move is in the item's own history: who from, who to, why, by the service.
    for subject, item in (("case", case.id), ("handoff", handoff.id), ("alert", alert.id)):
        last = history.history(engine, subject, item)[-1]
        assert last.action == "reassigned" and last.actor.kind == "system"
        assert last.detail["from_adviser"] == "Pat Example-Adviser"
        assert last.detail["to_adviser"] == "Nova Example-Adviser"
        assert "care leavers import" in last.detail["reason"]
    # Importing the same file again moves nothing more.
    assert taylor_moves(engine, settings, "TEST-ST-10").moved_items == 0


def test_a_move_to_another_district_moves_its_managers_access_too(engine, settings, people):
    case, handoff, alert = open_items(engine, settings, people["taylor"])
    chris = Viewer(people["chris"], "North", frozenset({"team_manager"}))
    dana = Viewer(people["dana"], "East", frozenset({"team_manager"}))
    lee = Viewer(people["lee"], "East", frozenset({"personal_adviser"}))
    assert sees(chris, engine, case, handoff, alert) == (True, True, True)
    taylor_moves(engine, settings, "DEMO-ST-02", district="East")
    assert sees(lee, engine, case, handoff, alert) == (True, True, True)
    assert sees(dana, engine, case, handoff, alert) == (True, True, True)
    assert sees(chris, engine, case, handoff, alert) == (False, False, False)
    detail = history.history(engine, "case", case.id)[-1].detail
    assert (detail["from_district"], detail["to_district"]) == ("North", "East")


def test_no_pa_on_record_gives_the_open_items_to_the_districts_team_manager(
    engine, settings, people
):
    case, handoff, alert = open_items(engine, settings, people["taylor"])
    taylor_moves(engine, settings, "")
    pat = Viewer(people["pat"], "North", frozenset({"personal_adviser"}))
    assert sees(pat, engine, case, handoff, alert) == (False, False, False)
    assert service.get_case(engine, case.id).adviser_id is None
    last = history.history(engine, "handoff", handoff.id)[-1]
    assert last.detail["to_adviser"] is None
