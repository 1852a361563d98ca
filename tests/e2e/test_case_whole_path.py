"""End to end: the whole case path, with every service started as ``make run`` starts it.

The Rasa server, the action server, the staff console and the scheduler run as their
own processes (the launcher's specs), on an SQLite file with the demo people, and not
in demo mode: every text goes through the real twilio library to the local fake of
Twilio's API (``TWILIO_API_URL``), the one thing faked because Twilio is outside this
machine. A young person texts the signed webhook; their PA reads the text on the fake
Twilio, signs in to the console and uses its forms (found by their action URLs and
field names, with the CSRF token they carry); the young person's phone gets the reply.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cases import handoffs, service
from bot.cases.model import CaseStatus
from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.launcher import (
    ServiceGroup,
    console_spec,
    model_path,
    scheduler_spec,
    service_environment,
    service_specs,
)
from bot.people import sms_check
from bot.people.demo import seed_demo
from bot.people.identity import sms_conversation_id
from bot.settings import Settings
from bot.store.tables.notify import sms_outbound
from bot.store.tables.sms import sms_inbound
from tests.support.case_path import (
    Phone,
    StaffBrowser,
    make_staff_account,
    nudges_and_packs_just_ran,
    wait_for,
)
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import NoModelError, free_port

pytestmark = pytest.mark.e2e

PUBLIC = "https://sms.example.org"
PASSWORD = "whole path password 1"
JORDAN = "+447700900101"  # Demo Jordan: North, PA Pat Example-Adviser, born 2 November 2010
CASEY = "+447700900103"  # Demo Casey: Central, PA Kim Example-Adviser, born 7 October 2010
PAT = ("pat.example-adviser@example.org", "+447700900001")
KIM = ("kim.example-adviser@example.org", "+447700900003")


@dataclasses.dataclass
class Service:
    settings: Settings
    engine: sa.engine.Engine
    twilio: FakeTwilio

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.console_port}"

    def phone(self, number: str) -> Phone:
        return Phone(number, f"http://127.0.0.1:{self.settings.rasa_port}", PUBLIC, self.twilio)

    def staff(self, who: tuple[str, str]) -> StaffBrowser:
        browser = StaffBrowser(self.console_url)
        browser.sign_in(who[0], PASSWORD)
        return browser

    def texts_to(self, number: str) -> list[str]:
        return [m["Body"] for m in self.twilio.to(number)]


def texts_so_far(running: Service, conversation_id: str) -> tuple[int, int, int]:
    """A conversation's texts in, those of them the bot has handled, and texts it queued."""
    inbound = sms_inbound.c
    with running.engine.connect() as conn:
        received, handled = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(inbound.handled_at),
            ).where(inbound.conversation_id == conversation_id)
        ).one()
        queued = conn.execute(
            sa.select(sa.func.count())
            .select_from(sms_outbound)
            .where(sms_outbound.c.conversation_id == conversation_id)
        ).scalar_one()
    return int(received), int(handled), int(queued)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    workdir: Path = tmp_path_factory.mktemp("whole-path")
    url = f"sqlite:///{workdir / 'whole-path.db'}"
    twilio = FakeTwilio()
    twilio.start()
    settings = dataclasses.replace(
        Settings(),
        var_dir=workdir,
        database_url=url,
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        case_scheduler_seconds=1.0,
        pack_round_minutes=24 * 60,
    )
    model = model_path(settings)
    if not model.exists():
        raise NoModelError(
            f"no trained model at {model}: `make test` trains it before running pytest"
        )
    upgrade(url)
    engine = create_db_engine(url)
    load_content_files(engine, settings)
    seed_demo(engine, settings)
    for email, _mobile in (PAT, KIM):
        make_staff_account(engine, email, "personal_adviser", PASSWORD)
    nudges_and_packs_just_ran(engine, settings)
    env = {**service_environment(settings), "CASE_SCHEDULER_SECONDS": "1"}
    specs = [*service_specs(settings, model), console_spec(settings), scheduler_spec()]
    with (workdir / "services.log").open("w") as log:
        group = ServiceGroup(specs, env, settings.project_root, log=log)
        group.start()
        try:
            group.wait_ready(timeout=300)
            yield Service(settings, engine, twilio)
        finally:
            group.stop()
            engine.dispose()
            twilio.stop()


def test_a_plan_query_by_sms_is_answered_by_the_pa_in_the_console(running):
    jordan = running.phone(JORDAN)
    words = "I want to change what my plan says about college"
    # Their records are used only once they have given their date of birth.
    assert jordan.ask(words) == [sms_check.ASK]
    opened = " ".join(jordan.ask("2/11/2010"))
    assert opened.startswith(sms_check.THANKS), opened
    opened = opened.removeprefix(sms_check.THANKS).strip()
    assert opened.startswith("I've passed this to your PA, Pat Example-Adviser."), opened
    found = re.search(r"Your reference is (PP-\d+)\.", opened)
    assert found, opened
    reference = found.group(1)
    assert "You should get an answer by " in opened

    # Pat's phone gets the notice: the reference, naming nobody.
    [notice] = wait_for(lambda: running.texts_to(PAT[1]))
    assert notice.startswith(f"New pathway-plan query {reference} (North). Please acknowledge by ")
    assert "Jordan" not in notice and "college" not in notice

    # Pat signs in, finds it in the inbox, acknowledges it and replies.
    pat = running.staff(PAT)
    assert pat.get("/inbox").status_code == 200
    assert f"/cases/{reference}" in pat.links(r"/cases/PP-\d+"), pat.text()[:2000]
    assert pat.get(f"/cases/{reference}").status_code == 200
    assert words in pat.text()
    pat.submit_and_follow(f"/cases/{reference}/acknowledge")
    assert service.get_case(running.engine, reference).status is CaseStatus.ACKNOWLEDGED
    answer = "Hi Jordan, yes: we can change the college part at your review on 14 March. Pat"
    pat.submit_and_follow(f"/cases/{reference}/reply", reply=answer)
    assert service.get_case(running.engine, reference).status is CaseStatus.ANSWERED

    # Jordan's phone gets Pat's words, once.
    assert wait_for(lambda: answer in jordan.received())
    news = " ".join(jordan.ask("any news on my query"))
    assert f"has answered your query {reference}" in news, news
    assert jordan.received().count(answer) == 1
    history = service.case_history(running.engine, reference)
    assert [e.action for e in history] == ["opened", "acknowledged", "answered"]
    assert history[1].actor.staff_id == history[2].actor.staff_id is not None  # Pat, both


def test_a_handoff_reaches_the_pa_and_goes_back_to_the_bot(running):
    casey = running.phone(CASEY)
    assert casey.ask("can I talk to my PA") == [sms_check.ASK]
    asked = " ".join(casey.ask("07 10 2010"))
    assert "I've asked your PA, Kim Example-Adviser" in asked, asked
    [notice] = wait_for(lambda: running.texts_to(KIM[1]))
    found = re.search(r"\(Central, handoff (\d+)\)", notice)
    assert found and notice.startswith("A young person on your caseload asked to talk to you"), (
        notice
    )
    handoff_id = int(found.group(1))

    # While Kim has the conversation the bot does not answer in her place.
    question = "how much is the setting up home grant"
    before = len(casey.received())
    conversation_id = sms_conversation_id(CASEY, running.settings.conversation_key())
    received, _handled, queued = texts_so_far(running, conversation_id)
    casey.text(question)
    # The bot's own record that it is done with every text (each is marked handled once
    # all its replies are queued), and nothing more queued for Casey.
    assert wait_for(lambda: texts_so_far(running, conversation_id)[:2] == (received + 1,) * 2)
    assert texts_so_far(running, conversation_id)[2] == queued
    assert casey.received()[before:] == []

    # Kim sees the summary and the held message, and replies.
    kim = running.staff(KIM)
    assert kim.get("/inbox").status_code == 200
    assert f"/handoffs/{handoff_id}" in kim.links(r"/handoffs/\d+"), kim.text()[:2000]
    kim.get(f"/handoffs/{handoff_id}")
    page = kim.text()
    assert "can I talk to my PA" in page and question in page
    reply = "Hi Casey, it's Kim. I can ring you at 2pm about the grant. Kim"
    kim.submit_and_follow(f"/handoffs/{handoff_id}/reply", reply=reply)
    assert wait_for(lambda: reply in casey.received())

    # Kim hands it back; the bot answers again.
    kim.submit_and_follow(f"/handoffs/{handoff_id}/return")
    assert handoffs.active_handoff(running.engine, conversation_id) is None
    answered = casey.ask(question)
    assert answered[0].startswith("Setting up home allowance: "), answered
    assert casey.received().count(reply) == 1
    steps = [e.action for e in handoffs.handoff_history(running.engine, handoff_id)]
    assert steps == ["started", "message", "replied", "returned"]
