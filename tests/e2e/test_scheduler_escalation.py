"""End to end: the scheduler, run as its own process, escalates what is late, once.

The scheduler starts as ``make run`` starts it (``python -m bot.jobs``, the
launcher's :func:`~bot.launcher.scheduler_spec`), with a round every second
(``CASE_SCHEDULER_SECONDS``) and Twilio configured, so its texts go through the real
twilio library to the local fake of Twilio's API. The console runs too, for the
manager view. Nothing inside the servers has a fake clock: the case and the alert are
made with a ``now`` in the past, so the real clock finds them late.

The anonymous safety alert goes to the duty district (``DUTY_DISTRICT=Central``, not
the first district), whose duty worker is texted at once and whose team manager gets
the escalation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cases import alerts, conversation, service
from bot.cases.calendar import OfficeCalendar
from bot.cases.model import Case
from bot.cases.oversight import STAGE_WORDS
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.launcher import ServiceGroup, console_spec, scheduler_spec, service_environment
from bot.people.demo import seed_demo
from bot.people.identity import care_leaver_by_mobile
from bot.records import record_safety_event
from bot.settings import Settings
from bot.store.tables.notify import sms_outbound
from tests.support.case_path import (
    StaffBrowser,
    aware,
    make_staff_account,
    nudges_and_packs_just_ran,
    wait_for,
)
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e

PASSWORD = "scheduler escalation password 1"
TAYLOR = "+447700900105"  # Demo Taylor: North, PA Pat Example-Adviser
NORTH_MANAGER = ("chris.example-manager@example.org", "+447700900004")  # Chris, North
CENTRAL_MANAGER = ("sol.example-manager@example.org", "+447700900006")  # Sol, Central
CENTRAL_DUTY = "+447700900007"  # Max Example-Duty, Central's duty worker


@dataclasses.dataclass
class Oversight:
    settings: Settings
    engine: sa.engine.Engine
    twilio: FakeTwilio
    workdir: Path
    env: dict[str, str]
    console: ServiceGroup

    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.console_port}"

    def scheduler(self, log_name: str) -> ServiceGroup:
        """A scheduler process, started as the launcher starts it; its log in the workdir."""
        sink = (self.workdir / log_name).open("w")
        group = ServiceGroup([scheduler_spec()], self.env, self.settings.project_root, sink)
        group.start()
        return group

    def texts_to(self, number: str) -> list[str]:
        return [m["Body"] for m in self.twilio.to(number)]


@pytest.fixture(**BOTH_DATABASES)
def oversight(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Oversight]:
    workdir = tmp_path_factory.mktemp(f"scheduler-{request.param}")
    url = module_database(request, workdir)
    twilio = FakeTwilio()
    twilio.start()
    settings = dataclasses.replace(
        Settings(),
        var_dir=workdir,
        database_url=url,
        console_port=free_port(),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        duty_district="Central",
        case_scheduler_seconds=1.0,
        pack_round_minutes=24 * 60,
    )
    upgrade(url)
    engine = create_db_engine(url)
    seed_demo(engine, settings)
    for email, _mobile in (NORTH_MANAGER, CENTRAL_MANAGER):
        make_staff_account(engine, email, "team_manager", PASSWORD)
    nudges_and_packs_just_ran(engine, settings)
    env = {
        **service_environment(settings),
        "DISTRICTS": ",".join(settings.districts),
        "DUTY_DISTRICT": "Central",
        "CASE_SCHEDULER_SECONDS": "1",
    }
    with (workdir / "console.log").open("w") as sink:
        console = ServiceGroup([console_spec(settings)], env, settings.project_root, sink)
        console.start()
        try:
            console.wait_ready(timeout=60)
            yield Oversight(settings, engine, twilio, workdir, env, console)
        finally:
            console.stop()
            engine.dispose()
            twilio.stop()


def overdue_case(oversight: Oversight, days_ago: int, words: str) -> Case:
    """Demo Taylor's case, opened ``days_ago`` days ago by a controlled clock."""
    taylor = care_leaver_by_mobile(oversight.engine, TAYLOR)
    assert taylor is not None
    return service.open_case(
        oversight.engine,
        care_leaver=taylor,
        category="copy_of_plan",
        words=words,
        conversation_id="sms-scheduler-taylor",
        channel="sms",
        now=aware() - dt.timedelta(days=days_ago),
        settings=oversight.settings,
    )


def queued_for(oversight: Oversight, number: str) -> list[tuple[str, str]]:
    with oversight.engine.connect() as conn:
        return [
            (row.dedupe_key, row.status)
            for row in conn.execute(
                sa.select(sms_outbound.c.dedupe_key, sms_outbound.c.status)
                .where(sms_outbound.c.to_number == number)
                .order_by(sms_outbound.c.id)
            )
        ]


def outbound_statuses(oversight: Oversight) -> list[str]:
    """The status of every text the service has queued (``sent`` once Twilio has it)."""
    with oversight.engine.connect() as conn:
        return list(conn.execute(sa.select(sms_outbound.c.status)).scalars())


def test_late_work_reaches_the_team_manager_once_across_a_restart(oversight):
    case = overdue_case(oversight, 21, "Scheduler test: I never got a copy of my plan")
    # An anonymous crisis an hour ago: the alert goes to the duty district, Central.
    raised_at = aware() - dt.timedelta(hours=1)
    event_id = record_safety_event(
        oversight.engine,
        conversation_id="rest-scheduler-anyone",
        channel="rest",
        categories=("suicide",),
        detected_by="pattern",
        text="fake crisis text",
    )
    assert conversation.alert_staff(
        oversight.engine,
        oversight.settings,
        safety_event_id=event_id,
        conversation_id="rest-scheduler-anyone",
        person=None,
        now=raised_at,
    )
    [alert] = alerts.unacknowledged(oversight.engine, "Central")
    assert oversight.texts_to(NORTH_MANAGER[1]) == []  # nothing is sent by the test itself

    first = oversight.scheduler("scheduler-1.log")
    try:
        overdue = wait_for(lambda: oversight.texts_to(NORTH_MANAGER[1]))
        urgent = wait_for(
            lambda: [t for t in oversight.texts_to(CENTRAL_MANAGER[1]) if "URGENT" in t]
        )
        duty = wait_for(lambda: oversight.texts_to(CENTRAL_DUTY))
    finally:
        first.stop()
    # SIGTERM ends it cleanly (exit code 0), not by SIGKILL.
    assert first.processes["scheduler"].returncode == 0
    assert "Scheduler stopped" in (oversight.workdir / "scheduler-1.log").read_text()

    escalated = service.get_case(oversight.engine, case.id)
    stage = escalated.escalated_for  # "answer" unless the clock met many bank holidays
    due = escalated.answer_due if stage == "answer" else escalated.acknowledge_due
    assert overdue == [
        f"Overdue: pathway-plan query {case.reference} (North) was due to be "
        f"{STAGE_WORDS[str(stage)]} by "
        f"{conversation.staff_time(due, OfficeCalendar.from_settings(oversight.settings))}. "
        "See the manager view in the console."
    ]
    assert urgent == [
        f"URGENT: safety alert {alert.id} (Central) has not been acknowledged for 15 minutes. "
        "Please act now: see the console."
    ]
    assert duty[0].startswith(f"URGENT safety alert {alert.id} (Central) at ")
    assert oversight.texts_to("+447700900001") == []  # Pat was not told by the scheduler

    # The escalations are in the histories, with who and when.
    [event] = [
        e for e in service.case_history(oversight.engine, case.id) if e.action == "escalated"
    ]
    assert event.detail["team_manager"] == "Chris Example-Manager"
    assert event.detail["stage"] == stage and event.actor.kind == "system"
    assert [e.action for e in alerts.alert_history(oversight.engine, alert.id)] == [
        "raised",
        "escalated",
    ]

    # The manager view and the case page show them.
    chris = StaffBrowser(oversight.console_url())
    chris.sign_in(NORTH_MANAGER[0], PASSWORD)
    assert chris.get("/manager").status_code == 200
    assert f"/cases/{case.reference}" in chris.links(r"/cases/PP-\d+")
    assert chris.get(f"/cases/{case.reference}").status_code == 200
    assert re.search(r"Escalated\W+to Chris Example-Manager", chris.text(), re.IGNORECASE)
    sol = StaffBrowser(oversight.console_url())
    sol.sign_in(CENTRAL_MANAGER[0], PASSWORD)
    sol.get("/manager")
    assert f"/alerts/{alert.id}" in sol.links(r"/alerts/\d+")
    assert f"/cases/{case.reference}" not in sol.links(r"/cases/PP-\d+")  # North's, not Sol's
    sol.get(f"/alerts/{alert.id}")
    assert re.search(r"Escalated\W+to Sol Example-Manager", sol.text(), re.IGNORECASE)

    # A restart: a new late case shows the new process is doing rounds; nothing old is resent.
    later = overdue_case(oversight, 10, "Scheduler test: a later query")
    second = oversight.scheduler("scheduler-2.log")
    try:
        wait_for(lambda: len(oversight.texts_to(NORTH_MANAGER[1])) > 1)
        # More rounds, to give a resend its chance, seen in the scheduler's own work: two
        # more late cases, the second opened once the first was texted, so a later round
        # escalates it; when its text is in, every round before that one has finished.
        markers = []
        for n in (1, 2):
            markers.append(overdue_case(oversight, 10, f"Scheduler test: round marker {n}"))
            wait_for(lambda: len(oversight.texts_to(NORTH_MANAGER[1])) == 2 + len(markers))
        wait_for(lambda: all(status == "sent" for status in outbound_statuses(oversight)))
    finally:
        second.stop()
    assert second.processes["scheduler"].returncode == 0
    north = oversight.texts_to(NORTH_MANAGER[1])
    assert north[0] == overdue[0]
    assert len(north) == 4 and north[1].startswith(f"Overdue: pathway-plan query {later.reference}")
    for marker, text in zip(markers, north[2:], strict=True):
        assert text.startswith(f"Overdue: pathway-plan query {marker.reference}")
    assert [t for t in oversight.texts_to(CENTRAL_MANAGER[1]) if "URGENT" in t] == urgent
    assert oversight.texts_to(CENTRAL_DUTY) == duty
    assert all(status == "sent" for _key, status in queued_for(oversight, NORTH_MANAGER[1]))
    escalations = [
        e for e in service.case_history(oversight.engine, case.id) if e.action == "escalated"
    ]
    assert len(escalations) == 1
