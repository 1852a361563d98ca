"""The safety net learns from what it missed: from the console to the next message, in seconds.

The console and both servers really run on one SQLite database: a team manager marks an
alert a false alarm, a safeguarding approver approves a missed risk into the phrase bank,
and the Rasa server's very next answer to those words is the crisis reply.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.safety import replies, review
from bot.store.tables.cases import safety_alerts
from bot.store.tables.safety import safety_marks, safety_phrases
from tests.support.console import RunningConsole, Visitor, running_console, text_of
from tests.support.servers import RunningBot, running_bot
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

MANAGER = "chris.example-manager@example.org"  # North team manager
APPROVER = "jo.example-approver@example.org"
ADVISER = "kim.example-adviser@example.org"
# Written for this test, in no set: words the safety net cannot know mean anything (say,
# a young person's own code with their PA), until an approver teaches it.
MISSED = "the purple kettle is on the windowsill again"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningConsole, RunningBot]]:
    workdir: Path = tmp_path_factory.mktemp("learning")
    url = f"sqlite:///{workdir / 'shared.db'}"
    accounts = {
        "Chris": (MANAGER, "team_manager"),
        "Jo": (APPROVER, "safeguarding_approver"),
        "Kim": (ADVISER, "personal_adviser"),
    }
    (workdir / "console").mkdir()
    (workdir / "bot").mkdir()
    with (
        running_console(workdir / "console", url, accounts) as console,
        running_bot(url, workdir / "bot") as bot,
    ):
        yield console, bot


def rest(bot: RunningBot, sender: str, text: str) -> list[str]:
    reply = requests.post(bot.rest_url, json={"sender": sender, "message": text}, timeout=30)
    assert reply.status_code == 200
    return [m.get("text", "") for m in reply.json()]


def test_a_false_alarm_is_marked_from_the_alert_and_decided_by_an_approver(both):
    console, bot = both
    rest(bot, f"fa-{uuid.uuid4().hex}", "i want to kill myself")
    with console.engine.connect() as conn:
        alert_id = wait_for(
            lambda: conn.execute(sa.select(sa.func.max(safety_alerts.c.id))).scalar(), timeout=30
        )
    manager = Visitor(console).sign_in(MANAGER)
    assert "Mark as a false alarm" in text_of(manager.get(f"/alerts/{alert_id}"))
    marked = manager.post(f"/alerts/{alert_id}/false-alarm", {})
    assert marked.status_code == 303
    assert "false alarm" in text_of(manager.get(f"/alerts/{alert_id}?done=false_alarm"))
    # The manager may not approve it: only safeguarding approvers see the queue.
    assert manager.get("/safety/review").status_code in (302, 303, 403)
    approver = Visitor(console).sign_in(APPROVER)
    page = text_of(approver.get("/safety/review"))
    assert "i want to kill myself" in page and "False alarm" in page
    with console.engine.connect() as conn:
        mark_id = conn.execute(sa.select(sa.func.max(safety_marks.c.id))).scalar()
    rejected = approver.post(f"/safety/review/{mark_id}", {"decision": "reject"})
    assert rejected.status_code == 303
    with console.engine.connect() as conn:
        row = conn.execute(sa.select(safety_marks).where(safety_marks.c.id == mark_id)).one()
    assert (row.status, row.message_text) == ("rejected", None)
    actions = [a.action for a in console.audit()]
    assert "safety.mark" in actions and "safety.decide" in actions


def test_an_approved_missed_risk_reaches_the_next_message_within_seconds(both):
    console, bot = both
    said = replies.load()
    before = rest(bot, f"before-{uuid.uuid4().hex}", MISSED)
    assert not any(t.startswith(said.for_crisis(("suicide",))[:30]) for t in before)
    mark = review.mark_message(
        console.engine,
        conversation_id="web-quality-sample",
        text=MISSED,
        mark=review.MISSED_RISK,
        category="suicide",
        marked_by=console.staff_ids["Kim"],
        now=dt.datetime.now(dt.timezone.utc),
        source="quality",
    )
    approver = Visitor(console).sign_in(APPROVER)
    approved = approver.post(
        f"/safety/review/{mark.id}", {"decision": "approve", "label": "suicide", "text": MISSED}
    )
    assert approved.status_code == 303
    with console.engine.connect() as conn:
        assert conn.execute(sa.select(safety_phrases.c.label)).scalars().all() == ["suicide"]

    def crisis_reply() -> list[str] | None:
        texts = rest(bot, f"after-{uuid.uuid4().hex}", MISSED)
        return texts if texts and texts[0] == said.for_crisis(("suicide",)) else None

    assert wait_for(crisis_reply, timeout=30, every=2.0)


def test_the_approver_cannot_decide_their_own_mark(both):
    console, _ = both
    mark = review.mark_message(
        console.engine,
        conversation_id="web-own",
        text="some words",
        mark=review.FALSE_ALARM,
        marked_by=console.staff_ids["Jo"],
        now=dt.datetime.now(dt.timezone.utc),
        source="alert",
    )
    approver = Visitor(console).sign_in(APPROVER)
    page = approver.post(f"/safety/review/{mark.id}", {"decision": "reject"})
    assert page.status_code == 400
    assert "another person" in text_of(page)
