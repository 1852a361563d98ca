"""End to end: the console's cases area, really started (``python -m bot.console``), over HTTP.

As in ``test_console.py``: the console runs as ``make run`` starts it, on a free port,
on an SQLite file and on PostgreSQL, with the demo people and an account per role.
Cases, handoffs and alerts are made with :mod:`bot.cases` straight in the database
(as the bot does), then staff use them through the console's pages and forms.

The started console reads the real clock, so a case that must be overdue is opened
with a ``now`` in the past.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bot.cases import alerts, handoffs, service
from bot.cases.model import SYSTEM, Actor, Case, CaseStatus
from bot.clock import utcnow
from bot.console import accounts
from bot.people.demo import DEMO_DIR
from bot.people.importer import import_care_leavers
from bot.store.tables.cases import case_events
from bot.store.tables.console import login_failures
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import staff
from bot.store.tables.sms import sms_contacts
from tests.support.console import (
    RunningConsole,
    axe_violations,
    chromium_browser,
    running_console,
)
from tests.support.databases import BOTH_DATABASES, module_database

pytestmark = pytest.mark.e2e

PASSWORD = "console cases password 1"
TAYLOR_NUMBER = "+447700900105"  # Demo Taylor (North, PA Pat)
TAYLOR_CONVERSATION = "sms-console-cases-taylor"
ACCOUNTS = {
    "admin": ("sol.example-manager@example.org", "admin"),
    "manager": ("chris.example-manager@example.org", "team_manager"),  # North
    "east_manager": ("dana.example-manager@example.org", "team_manager"),  # East
    "pat": ("pat.example-adviser@example.org", "personal_adviser"),  # North, Taylor's PA
    "lee": ("lee.example-adviser@example.org", "personal_adviser"),  # East, Riley's PA
    "duty": ("duty.example@example.org", "duty_worker"),  # Central
    "content": ("kim.example-adviser@example.org", "content_editor"),
}
WHO = list(ACCOUNTS)


@pytest.fixture(**BOTH_DATABASES)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"console-cases-{request.param}")
    url = module_database(request, workdir)
    with running_console(workdir, url, ACCOUNTS, password=PASSWORD, content=False) as running:
        # As the SMS channel's remember_contact does when Taylor texts in.
        with running.engine.begin() as conn:
            conn.execute(
                sms_contacts.insert().values(
                    conversation_id=TAYLOR_CONVERSATION, number=TAYLOR_NUMBER, updated_at=utcnow()
                )
            )
        yield running


@pytest.fixture(autouse=True)
def fresh_address_count(console: RunningConsole) -> None:
    with console.engine.begin() as conn:
        conn.execute(login_failures.delete())


@pytest.fixture(scope="module")
def browsers(console: RunningConsole) -> dict[str, requests.Session]:
    return {who: signed_in(console, who) for who in WHO}


# ---- helpers -------------------------------------------------------------------------------


def aware_now() -> dt.datetime:
    return utcnow().replace(tzinfo=dt.timezone.utc)


def token_in(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def signed_in(console: RunningConsole, who: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(console.url("/login"), timeout=10)
    reply = browser.post(
        console.url("/login"),
        data={"email": ACCOUNTS[who][0], "password": PASSWORD, "csrf_token": token_in(page)},
        allow_redirects=False,
        timeout=20,
    )
    assert reply.status_code == 303, reply.text[:500]
    return browser


def post(
    console: RunningConsole, browser: requests.Session, path: str, data: dict[str, Any]
) -> requests.Response:
    token = token_in(browser.get(console.url("/"), timeout=10))
    return browser.post(
        console.url(path), data={"csrf_token": token, **data}, allow_redirects=False, timeout=20
    )


def text_of(page: requests.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def last_audit_id(console: RunningConsole) -> int:
    rows = console.audit()
    return rows[-1].id if rows else 0


def actions_since(console: RunningConsole, first_id: int) -> list[tuple[str, int | None]]:
    return [(row.action, row.staff_id) for row in console.audit() if row.id > first_id]


def open_case(
    console: RunningConsole,
    who: str = "taylor",
    *,
    words: str = "I never got a copy of my plan",
    now: dt.datetime | None = None,
    channel: str = "sms",
) -> Case:
    return service.open_case(
        console.engine,
        care_leaver=console.young[who],
        category="copy_of_plan",
        words=words,
        conversation_id=TAYLOR_CONVERSATION if who == "taylor" else f"sms-{who}",
        channel=channel,
        now=now or aware_now(),
        settings=console.settings,
    )


def events_of(console: RunningConsole, case_id: int) -> list[str]:
    with console.engine.connect() as conn:
        return [
            row.action
            for row in conn.execute(
                sa.select(case_events.c.action)
                .where(case_events.c.case_id == case_id)
                .order_by(case_events.c.id)
            )
        ]


# ---- who may use what ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def north(console: RunningConsole) -> dict[str, str]:
    """A case, a safety alert and a handoff of Demo Taylor's (North, PA Pat)."""
    case = open_case(console, words="Permission matrix: can I see my plan")
    alert = alerts.raise_alert(
        console.engine,
        conversation_id=TAYLOR_CONVERSATION,
        now=aware_now(),
        care_leaver_id=console.young["taylor"],
    ).alert
    handoff = handoffs.start_handoff(
        console.engine,
        conversation_id=f"web-{uuid.uuid4().hex}",
        care_leaver_id=console.young["taylor"],
        channel="web",
        summary="Taylor asked to talk to Pat about college.",
        now=aware_now(),
    ).handoff
    return {
        "/inbox": "/inbox",
        "/manager": "/manager",
        "/cases/<ref>": f"/cases/{case.reference}",
        "/alerts/<id>": f"/alerts/{alert.id}",
        "/handoffs/<id>": f"/handoffs/{handoff.id}",
    }


ALLOWED = {
    "/inbox": {"admin", "manager", "east_manager", "pat", "lee", "duty"},
    "/manager": {"admin", "manager", "east_manager"},
    "/cases/<ref>": {"admin", "manager", "pat"},
    "/alerts/<id>": {"admin", "manager", "pat"},
    "/handoffs/<id>": {"admin", "manager", "pat"},
}


@pytest.mark.parametrize("route", list(ALLOWED))
def test_a_stranger_is_sent_to_sign_in(console, north, route):
    path = north[route]
    reply = requests.get(console.url(path), allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", list(ALLOWED))
def test_each_role_against_each_cases_page(console, browsers, north, who, route):
    before = last_audit_id(console)
    reply = browsers[who].get(console.url(north[route]), allow_redirects=False, timeout=10)
    if who in ALLOWED[route]:
        assert reply.status_code == 200, reply.text[:500]
    else:
        assert reply.status_code == 403
        assert "You cannot use this page" in reply.text
        assert ("forbidden", console.staff_ids[who]) in actions_since(console, before)


POSTS = {
    "/cases/<ref>": ["acknowledge", "reply", "note", "close"],
    "/alerts/<id>": ["acknowledge"],
    "/handoffs/<id>": ["reply", "return"],
}


@pytest.mark.parametrize("who", ["east_manager", "lee", "duty", "content"])
@pytest.mark.parametrize(
    ("route", "action"), [(route, action) for route, acts in POSTS.items() for action in acts]
)
def test_nobody_outside_the_caseload_can_change_it(console, browsers, north, who, route, action):
    before = last_audit_id(console)
    path = f"{north[route]}/{action}"
    reply = post(console, browsers[who], path, {"reply": "x", "note": "x"})
    assert reply.status_code == 403
    assert actions_since(console, before)[-1] == ("forbidden", console.staff_ids[who])


def test_a_duty_worker_sees_and_acknowledges_their_districts_alerts_only(console, browsers):
    central = alerts.raise_alert(
        console.engine,
        conversation_id="sms-casey",
        now=aware_now(),
        care_leaver_id=console.young["casey"],
    ).alert
    inbox = browsers["duty"].get(console.url("/inbox"), timeout=10)
    assert f"/alerts/{central.id}" in inbox.text
    assert "/cases/" not in inbox.text and "/handoffs/" not in inbox.text
    done = post(console, browsers["duty"], f"/alerts/{central.id}/acknowledge", {})
    assert done.status_code == 303
    page = browsers["duty"].get(console.url(f"/alerts/{central.id}"), timeout=10)
    assert "Yes, by Max Example-Duty" in text_of(page)


# ---- the adviser's inbox and a case --------------------------------------------------------


def test_an_adviser_sees_only_their_own_caseload(console, browsers):
    taylors = open_case(console, words="When do I get my plan copy")
    rileys = open_case(console, "riley", words="Riley wants a copy")
    pat = text_of(browsers["pat"].get(console.url("/inbox"), timeout=10))
    assert taylors.reference in pat and "Demo Taylor" in pat
    assert rileys.reference not in pat and "Demo Riley" not in pat
    lee = text_of(browsers["lee"].get(console.url("/inbox"), timeout=10))
    assert rileys.reference in lee and taylors.reference not in lee
    # Lee opening Pat's case: 403, audited.
    before = last_audit_id(console)
    refused = browsers["lee"].get(console.url(f"/cases/{taylors.reference}"), timeout=10)
    assert refused.status_code == 403 and "not in your caseload" in refused.text
    assert actions_since(console, before) == [("forbidden", console.staff_ids["lee"])]
    # The team manager of North sees it; East's does not.
    assert taylors.reference in browsers["manager"].get(console.url("/inbox")).text
    assert taylors.reference not in browsers["east_manager"].get(console.url("/inbox")).text


def test_the_case_page_shows_the_words_due_dates_in_london_time_and_history(console, browsers):
    # Wed 1 July 2026, 10:30 UTC is 11:30 in London (BST): acknowledge by Thu 2 July 11:30.
    opened = dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.timezone.utc)
    case = open_case(console, words="I want to change what it says about college", now=opened)
    page = browsers["pat"].get(console.url(f"/cases/{case.reference}"), timeout=10)
    body = text_of(page)
    assert "I want to change what it says about college" in body
    assert "02 Jul 2026, 11:30" in body and "08 Jul 2026, 11:30" in body
    assert "Overdue: not answered" in body  # in words, not only in colour
    assert "The young person Opened" in body
    inbox = text_of(browsers["pat"].get(console.url("/inbox"), timeout=10))
    assert f"{case.reference} Demo Taylor Copy of plan Open" in inbox
    assert "Overdue: not answered" in inbox
    for field in ("reply", "note", "close_note"):  # every field has its GOV.UK label
        assert re.search(rf'<label class="govuk-label[^"]*" for="{field}">', page.text), field
        assert re.search(rf'<(?:textarea|input) class="govuk-[a-z]+" id="{field}"', page.text)
    assert '<th scope="col" class="govuk-table__header">' in page.text


def test_replying_answers_the_case_and_texts_the_young_person(console, browsers):
    case = open_case(console, words="Can I have a copy of my plan please")
    before = last_audit_id(console)
    reply_text = f"Hi Taylor, I will post a copy of your plan today. Pat ({uuid.uuid4().hex[:6]})"
    done = post(console, browsers["pat"], f"/cases/{case.reference}/reply", {"reply": reply_text})
    assert done.status_code == 303
    assert done.headers["Location"].startswith(f"/cases/{case.reference}?done=reply&sent=")
    after = text_of(browsers["pat"].get(console.url(done.headers["Location"]), timeout=10))
    assert "The case is answered." in after and "SMS" in after
    assert f"Pat Example-Adviser Answered {reply_text}" in after
    assert service.get_case(console.engine, case.id).status is CaseStatus.ANSWERED
    with console.engine.connect() as conn:
        texts = conn.execute(
            sa.select(sms_outbound).where(
                sms_outbound.c.dedupe_key == f"case-reply:{case.reference}:answered"
            )
        ).all()
    assert len(texts) == 1
    assert texts[0].to_number == TAYLOR_NUMBER and texts[0].body == reply_text
    assert texts[0].conversation_id == TAYLOR_CONVERSATION
    assert texts[0].status in ("outbox", "queued")
    assert ("case.reply", console.staff_ids["pat"]) in actions_since(console, before)
    # No young person's words in the audit log.
    assert all(reply_text not in f"{r.target} {r.detail}" for r in console.audit())


def test_acknowledge_note_and_close(console, browsers):
    case = open_case(console)
    pat = browsers["pat"]
    assert post(console, pat, f"/cases/{case.reference}/acknowledge", {}).status_code == 303
    empty = post(console, pat, f"/cases/{case.reference}/note", {"note": "  "})
    assert empty.status_code == 400 and "Write the note first" in empty.text
    assert (
        post(console, pat, f"/cases/{case.reference}/note", {"note": "Rang Taylor"}).status_code
        == 303
    )
    closed = post(
        console, pat, f"/cases/{case.reference}/close", {"close_note": "Sorted at a visit"}
    )
    assert closed.status_code == 303
    assert events_of(console, case.id) == ["opened", "acknowledged", "note", "closed"]
    page = text_of(pat.get(console.url(f"/cases/{case.reference}"), timeout=10))
    assert "This case is closed" in page and "Sorted at a visit" in page
    assert case.reference not in pat.get(console.url("/inbox")).text  # closed: off the inbox
    again = post(console, pat, f"/cases/{case.reference}/close", {})
    assert again.status_code == 409 and "already closed" in again.text


def test_a_form_without_the_csrf_token_is_refused(console, browsers):
    case = open_case(console)
    before = last_audit_id(console)
    for data in ({}, {"csrf_token": "forged"}):
        reply = browsers["pat"].post(
            console.url(f"/cases/{case.reference}/acknowledge"),
            data=data,
            allow_redirects=False,
            timeout=10,
        )
        assert reply.status_code == 403 and "did not come from the console" in reply.text
    assert service.get_case(console.engine, case.id).status is CaseStatus.OPEN
    assert actions_since(console, before) == [("csrf_rejected", console.staff_ids["pat"])] * 2


def test_unknown_things_are_not_found(console, browsers):
    for path in ("/cases/PP-999999", "/alerts/999999", "/handoffs/999999"):
        assert browsers["admin"].get(console.url(path), timeout=10).status_code == 404


# ---- two people at once --------------------------------------------------------------------


def _at_once(console, calls):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: post(console, *call), calls))


def test_two_people_acknowledging_at_once_one_is_told_clearly(console, browsers):
    case = open_case(console)
    path = f"/cases/{case.reference}/acknowledge"
    replies = _at_once(console, [(browsers["pat"], path, {}), (browsers["manager"], path, {})])
    assert sorted(r.status_code for r in replies) == [303, 409]
    refused = next(r for r in replies if r.status_code == 409)
    assert f"{case.reference} is already acknowledged" in refused.text
    assert events_of(console, case.id) == ["opened", "acknowledged"]


def test_two_replies_at_once_one_answers_and_the_other_keeps_its_words(console, browsers):
    case = open_case(console)
    path = f"/cases/{case.reference}/reply"
    words = {"pat": "Pat's answer: the plan is in the post.", "manager": "Chris's answer: ring us."}
    replies = _at_once(
        console,
        [(browsers[who], path, {"reply": text}) for who, text in words.items()],
    )
    assert sorted(r.status_code for r in replies) == [303, 409]
    refused = next(r for r in replies if r.status_code == 409)
    assert "already answered" in refused.text and "Your reply was not sent" in refused.text
    # The refused person's words are on the page (and in the note box), not lost.
    assert any(text in text_of(refused) for text in words.values())
    assert events_of(console, case.id) == ["opened", "answered"]
    with console.engine.connect() as conn:
        sent = conn.execute(
            sa.select(sa.func.count())
            .select_from(sms_outbound)
            .where(sms_outbound.c.dedupe_key.like(f"case-reply:{case.reference}:%"))
        ).scalar()
    assert sent == 1


def test_two_notes_at_once_are_both_kept(console, browsers):
    case = open_case(console)
    path = f"/cases/{case.reference}/note"
    replies = _at_once(
        console,
        [
            (browsers["pat"], path, {"note": "note one"}),
            (browsers["manager"], path, {"note": "note two"}),
        ],
    )
    assert [r.status_code for r in replies] == [303, 303]
    assert events_of(console, case.id) == ["opened", "note", "note"]


# ---- alerts, handoffs, the manager view ----------------------------------------------------


def test_acknowledging_an_alert_records_who(console, browsers):
    alert = alerts.raise_alert(
        console.engine,
        conversation_id=TAYLOR_CONVERSATION,
        now=aware_now(),
        care_leaver_id=console.young["taylor"],
    ).alert
    assert f"/alerts/{alert.id}" in browsers["pat"].get(console.url("/inbox")).text
    done = post(console, browsers["pat"], f"/alerts/{alert.id}/acknowledge", {})
    assert done.status_code == 303
    now_alert = alerts.unacknowledged(console.engine, "North")
    assert alert.id not in [a.id for a in now_alert]
    history = alerts.alert_history(console.engine, alert.id)
    assert [e.action for e in history] == ["raised", "acknowledged"]
    assert history[-1].actor.staff_id == console.staff_ids["pat"]
    page = text_of(browsers["manager"].get(console.url(f"/alerts/{alert.id}"), timeout=10))
    assert "Yes, by Pat Example-Adviser" in page
    again = post(console, browsers["manager"], f"/alerts/{alert.id}/acknowledge", {})
    assert again.status_code == 409 and "already acknowledged" in again.text


def test_a_handoff_shows_the_messages_and_the_reply_goes_by_sms(console, browsers):
    started = handoffs.start_handoff(
        console.engine,
        conversation_id=TAYLOR_CONVERSATION,
        care_leaver_id=console.young["taylor"],
        channel="sms",
        summary="Taylor wants to talk about moving out.",
        now=aware_now(),
    ).handoff
    handoffs.record_message(
        console.engine, started.id, text="Are you there? It's about the flat", now=aware_now()
    )
    pat = browsers["pat"]
    page = text_of(pat.get(console.url(f"/handoffs/{started.id}"), timeout=10))
    assert "Taylor wants to talk about moving out." in page
    assert "The young person Message Are you there? It's about the flat" in page
    reply = f"Yes, I'm here. Pat ({uuid.uuid4().hex[:6]})"
    done = post(console, pat, f"/handoffs/{started.id}/reply", {"reply": reply})
    assert done.status_code == 303 and "sent=" in done.headers["Location"]
    with console.engine.connect() as conn:
        text = conn.execute(sa.select(sms_outbound).where(sms_outbound.c.body == reply)).one()
    assert text.to_number == TAYLOR_NUMBER
    assert text.dedupe_key.startswith(f"handoff-reply:{started.id}:")
    back = post(console, pat, f"/handoffs/{started.id}/return", {})
    assert back.status_code == 303
    assert handoffs.active_handoff(console.engine, TAYLOR_CONVERSATION) is None
    late = post(console, pat, f"/handoffs/{started.id}/reply", {"reply": "one more"})
    assert late.status_code == 409 and "handed back to the bot" in late.text


def test_a_reply_form_posted_twice_is_one_reply_and_one_text(console, browsers):
    started = handoffs.start_handoff(
        console.engine,
        conversation_id=TAYLOR_CONVERSATION,
        care_leaver_id=console.young["taylor"],
        channel="sms",
        summary="Taylor asked for Pat.",
        now=aware_now(),
    ).handoff
    pat = browsers["pat"]
    page = pat.get(console.url(f"/handoffs/{started.id}"), timeout=10).text
    key = re.search(r'name="reply_key" value="([0-9a-f]{32})"', page).group(1)
    reply = f"On my way. Pat ({uuid.uuid4().hex[:6]})"
    for _ in range(2):  # a double click, or a browser retrying the post
        sent = post(
            console, pat, f"/handoffs/{started.id}/reply", {"reply": reply, "reply_key": key}
        )
        assert sent.status_code == 303
    with console.engine.connect() as conn:
        texts = conn.execute(sa.select(sms_outbound).where(sms_outbound.c.body == reply)).all()
    assert len(texts) == 1
    replies = [
        e for e in handoffs.handoff_history(console.engine, started.id) if e.action == "replied"
    ]
    assert len(replies) == 1
    # The next reply, from a fresh form, is a new reply.
    page = pat.get(console.url(f"/handoffs/{started.id}"), timeout=10).text
    fresh = re.search(r'name="reply_key" value="([0-9a-f]{32})"', page).group(1)
    assert fresh != key
    post(
        console,
        pat,
        f"/handoffs/{started.id}/reply",
        {"reply": reply + " again", "reply_key": fresh},
    )
    replies = [
        e for e in handoffs.handoff_history(console.engine, started.id) if e.action == "replied"
    ]
    assert len(replies) == 2
    handoffs.return_to_bot(
        console.engine, started.id, actor=Actor.staff(console.staff_ids["pat"]), now=aware_now()
    )


def test_a_reply_says_it_goes_on_the_channel_the_young_person_used(console, browsers, north):
    page = text_of(browsers["pat"].get(console.url(north["/handoffs/<id>"]), timeout=10))
    assert "It is sent to them on the channel they used, into their web chat." in page
    assert "not built" not in page
    sms_case = open_case(console, words="Which channel?")
    page = text_of(browsers["pat"].get(console.url(f"/cases/{sms_case.reference}"), timeout=10))
    assert "It is sent to them on the channel they used, by SMS, and answers the case." in page


def test_the_manager_view_shows_an_overdue_case_of_their_district(console, browsers):
    late = open_case(
        console, words="Overdue for the manager", now=aware_now() - dt.timedelta(days=14)
    )
    fresh = open_case(console, words="Not late yet")
    chris = text_of(browsers["manager"].get(console.url("/manager"), timeout=10))
    assert "North" in chris and late.reference in chris and fresh.reference not in chris
    assert "Overdue: not answered" in chris
    assert re.search(r"\d+ overdue cases?", chris)
    dana = text_of(browsers["east_manager"].get(console.url("/manager"), timeout=10))
    assert "East" in dana and late.reference not in dana
    admin = text_of(browsers["admin"].get(console.url("/manager"), timeout=10))
    for district in ("North", "East", "Central"):
        assert district in admin
    assert late.reference in admin


def test_the_home_page_links_to_the_inbox_and_the_manager_view(console, browsers):
    assert 'href="/inbox"' in browsers["pat"].get(console.url("/")).text
    assert 'href="/manager"' not in browsers["pat"].get(console.url("/")).text
    assert 'href="/manager"' in browsers["manager"].get(console.url("/")).text
    assert 'href="/inbox"' not in browsers["content"].get(console.url("/")).text


def test_pages_load_nothing_from_elsewhere_and_have_no_inline_style(console, browsers, north):
    for path in north.values():
        page = browsers["admin"].get(console.url(path), timeout=10)
        assert page.status_code == 200
        assert not re.search(r"(?:src|href|action)=\"(?:https?:)?//", page.text), path
        # The only script is the console's own module file (no inline script: the CSP forbids it).
        assert re.findall(r"<script[^>]*>", page.text) == [
            '<script type="module" src="/static/console.js">'
        ]
        assert "style=" not in page.text
        assert page.text.count("<h1") == 1


# ---- reassigning and reopening -------------------------------------------------------------

EXTRA_PAS = {
    # Two more personal advisers in North (the demo people have one per district).
    "ash": ("Ash Example-Adviser", "ash.example-adviser@example.org", "+447700900021"),
    "bo": ("Bo Example-Adviser", "bo.example-adviser@example.org", "+447700900022"),
}


@pytest.fixture(scope="module")
def extra(console: RunningConsole) -> dict[str, Any]:
    """Ash and Bo, North PAs with accounts: their staff ids and signed-in browsers."""
    now = utcnow()
    ids = {}
    with console.engine.begin() as conn:
        for key, (name, email, mobile) in EXTRA_PAS.items():
            ids[key] = int(
                conn.execute(
                    staff.insert().values(
                        external_ref=f"TEST-{key}",
                        name=name,
                        role="personal_adviser",
                        district="North",
                        mobile=mobile,
                        email=email,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
            )
            account = accounts.create(conn, roles="personal_adviser", email=email, now=now)
            accounts.set_password(conn, account.id, PASSWORD, now=now, how="test")
    browsers = {}
    for key, (_name, email, _mobile) in EXTRA_PAS.items():
        browser = requests.Session()
        page = browser.get(console.url("/login"), timeout=10)
        reply = browser.post(
            console.url("/login"),
            data={"email": email, "password": PASSWORD, "csrf_token": token_in(page)},
            allow_redirects=False,
            timeout=20,
        )
        assert reply.status_code == 303
        browsers[key] = browser
    return {"ids": ids, "browsers": browsers}


def give_to(console: RunningConsole, case: Case, adviser_id: int) -> Case:
    return service.reassign(
        console.engine,
        case,
        to_adviser_id=adviser_id,
        actor=Actor.staff(console.staff_ids["manager"]),
        now=aware_now(),
        reason="test set-up",
    ).case


def error_links(page: requests.Response) -> list[str]:
    """Where the GOV.UK error summary's links go (the fields with a problem)."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page.text, re.S)
    assert summary, page.text[:500]
    return re.findall(r'<a href="(#[a-z_]+)"', summary.group(0))


REASSIGN_ALLOWED = {"admin", "manager"}
REOPEN_ALLOWED = {"admin", "manager", "pat"}


@pytest.mark.parametrize("who", WHO)
def test_only_the_districts_manager_or_an_admin_can_reassign(console, browsers, extra, who):
    case = open_case(console, words=f"Reassign matrix {who}")
    before = last_audit_id(console)
    reply = post(
        console,
        browsers[who],
        f"/cases/{case.reference}/reassign",
        {
            "adviser_id": extra["ids"]["ash"],
            "from_adviser": case.adviser_id,
            "reassign_reason": "Pat is on leave",
        },
    )
    after = service.get_case(console.engine, case.id)
    if who in REASSIGN_ALLOWED:
        assert reply.status_code == 303, reply.text[:500]
        assert reply.headers["Location"] == f"/cases/{case.reference}?done=reassign"
        assert after.adviser_id == extra["ids"]["ash"]
        event = service.case_history(console.engine, case)[-1]
        assert event.action == "reassigned" and event.actor.staff_id == console.staff_ids[who]
        assert event.detail["from_adviser"] == "Pat Example-Adviser"
        assert event.detail["to_adviser"] == "Ash Example-Adviser"
        assert event.detail["reason"] == "Pat is on leave"
        assert ("case.reassign", console.staff_ids[who]) in actions_since(console, before)
    else:
        assert reply.status_code == 403
        assert "You cannot use this page" in reply.text
        assert after.adviser_id == case.adviser_id
        assert events_of(console, case.id) == ["opened"]
        assert actions_since(console, before)[-1] == ("forbidden", console.staff_ids[who])


@pytest.mark.parametrize("who", WHO)
def test_its_pa_its_districts_manager_or_an_admin_can_reopen(console, browsers, who):
    case = open_case(console, words=f"Reopen matrix {who}")
    service.close(
        console.engine, case, actor=Actor.staff(console.staff_ids["pat"]), now=aware_now()
    )
    before = last_audit_id(console)
    reply = post(
        console,
        browsers[who],
        f"/cases/{case.reference}/reopen",
        {"reopen_reason": "The plan never arrived"},
    )
    after = service.get_case(console.engine, case.id)
    if who in REOPEN_ALLOWED:
        assert reply.status_code == 303, reply.text[:500]
        assert after.status is CaseStatus.OPEN and after.closed_at is None
        # New due dates, counted in working days from now (as the reopened event says).
        assert after.answer_due >= case.answer_due
        event = service.case_history(console.engine, case)[-1]
        assert event.detail["answer_due"] == after.answer_due.isoformat()
        assert event.detail["reason"] == "The plan never arrived"
        assert events_of(console, case.id) == ["opened", "closed", "reopened"]
        assert ("case.reopen", console.staff_ids[who]) in actions_since(console, before)
    else:
        assert reply.status_code == 403
        assert after.status is CaseStatus.CLOSED
        assert events_of(console, case.id) == ["opened", "closed"]
        assert actions_since(console, before)[-1] == ("forbidden", console.staff_ids[who])


def test_a_reassigned_case_moves_inbox_and_the_new_pa_is_texted(console, browsers, extra):
    case = open_case(console, words="Reassign me please")
    page = browsers["manager"].get(console.url(f"/cases/{case.reference}"), timeout=10)
    # The form offers North's other PAs, not the one who has it, nor other districts'.
    options = re.findall(r'<option value="(\d+)"[^>]*>\s*([^<]+?)\s*</option>', page.text)
    assert (str(extra["ids"]["ash"]), "Ash Example-Adviser") in options
    assert (str(extra["ids"]["bo"]), "Bo Example-Adviser") in options
    assert all(name not in ("Pat Example-Adviser", "Lee Example-Adviser") for _, name in options)
    assert f'name="from_adviser" value="{console.staff_ids["pat"]}"' in page.text
    done = post(
        console,
        browsers["manager"],
        f"/cases/{case.reference}/reassign",
        {
            "adviser_id": extra["ids"]["ash"],
            "from_adviser": console.staff_ids["pat"],
            "reassign_reason": "Pat is on leave",
        },
    )
    assert done.status_code == 303
    shown = text_of(browsers["manager"].get(console.url(done.headers["Location"]), timeout=10))
    assert "The case is reassigned." in shown
    assert "With Ash Example-Adviser (Personal adviser)" in shown
    assert (
        "Chris Example-Manager Reassigned from Pat Example-Adviser to Ash Example-Adviser "
        "Pat is on leave" in shown
    )
    # Ash has it now; Pat no longer sees it.
    assert case.reference in extra["browsers"]["ash"].get(console.url("/inbox")).text
    assert case.reference not in browsers["pat"].get(console.url("/inbox")).text
    assert browsers["pat"].get(console.url(f"/cases/{case.reference}")).status_code == 403
    # Ash is told by text, through the same sender as a new case (no young person's name).
    with console.engine.connect() as conn:
        texts = conn.execute(
            sa.select(sms_outbound).where(
                sms_outbound.c.dedupe_key.like(f"case-reassigned:{case.reference}:%")
            )
        ).all()
    assert [t.to_number for t in texts] == [EXTRA_PAS["ash"][2]]
    assert case.reference in texts[0].body and "is now yours" in texts[0].body
    assert "Taylor" not in texts[0].body


def test_reassigning_checks_what_was_sent(console, browsers, extra):
    case = open_case(console, words="Reassign validation")
    path = f"/cases/{case.reference}/reassign"
    pat_id = console.staff_ids["pat"]
    empty = post(console, browsers["manager"], path, {"from_adviser": pat_id})
    assert empty.status_code == 400
    assert error_links(empty) == ["#adviser_id", "#reassign_reason"]
    assert "Choose the personal adviser to give the case to" in text_of(empty)
    assert "Say why the case is being reassigned" in text_of(empty)
    for bad in ("abc", "99999999999999999999", "-1"):
        reply = post(
            console,
            browsers["manager"],
            path,
            {"adviser_id": bad, "from_adviser": pat_id, "reassign_reason": "x"},
        )
        assert reply.status_code == 400 and error_links(reply) == ["#adviser_id"], bad
    east = post(
        console,
        browsers["manager"],
        path,
        {"adviser_id": console.staff_ids["lee"], "from_adviser": pat_id, "reassign_reason": "x"},
    )
    assert east.status_code == 400
    assert "only go to an active personal adviser in North" in text_of(east)
    long = post(
        console,
        browsers["manager"],
        path,
        {"adviser_id": extra["ids"]["bo"], "from_adviser": pat_id, "reassign_reason": "x" * 501},
    )
    assert long.status_code == 400 and error_links(long) == ["#reassign_reason"]
    # What was typed is kept on the page.
    assert f'value="{extra["ids"]["bo"]}" selected' in long.text
    assert service.get_case(console.engine, case.id).adviser_id == pat_id
    assert events_of(console, case.id) == ["opened"]


def test_two_managers_reassigning_at_once_one_is_told_who_has_it(console, browsers, extra):
    case = open_case(console, words="Two managers")
    path = f"/cases/{case.reference}/reassign"
    seen = console.staff_ids["pat"]
    replies = _at_once(
        console,
        [
            (
                browsers["manager"],
                path,
                {"adviser_id": extra["ids"]["ash"], "from_adviser": seen, "reassign_reason": "a"},
            ),
            (
                browsers["admin"],
                path,
                {"adviser_id": extra["ids"]["ash"], "from_adviser": seen, "reassign_reason": "b"},
            ),
        ],
    )
    assert sorted(r.status_code for r in replies) == [303, 409]
    refused = next(r for r in replies if r.status_code == 409)
    assert "was reassigned just now: it is with" in text_of(refused)
    assert events_of(console, case.id) == ["opened", "reassigned"]


def test_reopening_needs_a_reason_and_an_answered_or_closed_case(console, browsers):
    case = open_case(console, words="Reopen validation")
    path = f"/cases/{case.reference}/reopen"
    too_early = post(console, browsers["pat"], path, {"reopen_reason": "why not"})
    assert too_early.status_code == 409 and "cannot be reopened" in text_of(too_early)
    service.answer(
        console.engine,
        case,
        actor=Actor.staff(console.staff_ids["pat"]),
        now=aware_now(),
        text="ok",
    )
    page = text_of(browsers["pat"].get(console.url(f"/cases/{case.reference}"), timeout=10))
    assert "Reopen the case" in page
    empty = post(console, browsers["pat"], path, {"reopen_reason": "  "})
    assert empty.status_code == 400 and error_links(empty) == ["#reopen_reason"]
    assert "Say why the case is being reopened" in text_of(empty)
    done = post(console, browsers["pat"], path, {"reopen_reason": "They wrote back"})
    assert done.status_code == 303
    shown = text_of(browsers["pat"].get(console.url(done.headers["Location"]), timeout=10))
    assert (
        "The case is reopened" in shown and "Pat Example-Adviser Reopened They wrote back" in shown
    )
    assert events_of(console, case.id) == ["opened", "answered", "reopened"]


@pytest.mark.parametrize("route", ["reassign", "reopen"])
def test_reassign_and_reopen_refuse_a_form_without_the_csrf_token(console, browsers, extra, route):
    case = open_case(console, words=f"CSRF {route}")
    if route == "reopen":
        service.close(console.engine, case, actor=SYSTEM, now=aware_now())
    before = last_audit_id(console)
    data = {
        "adviser_id": extra["ids"]["ash"],
        "from_adviser": console.staff_ids["pat"],
        "reassign_reason": "x",
        "reopen_reason": "x",
    }
    for token in ({}, {"csrf_token": "forged"}):
        reply = browsers["manager"].post(
            console.url(f"/cases/{case.reference}/{route}"),
            data={**data, **token},
            allow_redirects=False,
            timeout=10,
        )
        assert reply.status_code == 403 and "did not come from the console" in reply.text
    assert service.get_case(console.engine, case.id) == service.get_case(console.engine, case.id)
    assert events_of(console, case.id) == (
        ["opened", "closed"] if route == "reopen" else ["opened"]
    )
    assert actions_since(console, before) == [("csrf_rejected", console.staff_ids["manager"])] * 2


# ---- inbox paging and filters --------------------------------------------------------------


@pytest.fixture(scope="module")
def bos_cases(console: RunningConsole, extra: dict[str, Any]) -> dict[str, list[str]]:
    """28 of Taylor's cases given to Bo: 2 overdue, 1 closed."""
    late = [
        give_to(
            console,
            open_case(console, words=f"late {n}", now=aware_now() - dt.timedelta(days=14)),
            extra["ids"]["bo"],
        )
        for n in range(2)
    ]
    fresh = [
        give_to(console, open_case(console, words=f"fresh {n}"), extra["ids"]["bo"])
        for n in range(26)
    ]
    closed = fresh.pop()
    service.close(console.engine, closed, actor=SYSTEM, now=aware_now())
    return {
        "late": [c.reference for c in late],
        "fresh": [c.reference for c in fresh],
        "closed": [closed.reference],
    }


def case_links(page: requests.Response) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/cases/(PP-\d+)"', page.text)


def test_the_inbox_pages_25_cases_most_urgent_first(console, extra, bos_cases):
    bo = extra["browsers"]["bo"]
    first = bo.get(console.url("/inbox"), timeout=10)
    assert first.status_code == 200
    assert "Cases (27, 2 overdue)" in text_of(first)
    assert "Page 1 of 2" in text_of(first)
    on_first = case_links(first)
    assert len(on_first) == 25 and on_first[:2] == bos_cases["late"]
    assert 'href="/inbox?page=2"' in first.text
    second = bo.get(console.url("/inbox?page=2"), timeout=10)
    on_second = case_links(second)
    assert len(on_second) == 2 and not set(on_first) & set(on_second)
    assert set(on_first + on_second) == set(bos_cases["late"] + bos_cases["fresh"])
    assert 'href="/inbox?page=1"' in second.text
    # Past the last page: the last page.
    assert case_links(bo.get(console.url("/inbox?page=99"), timeout=10)) == on_second


def test_the_inbox_filters_by_status_and_overdue(console, extra, bos_cases):
    bo = extra["browsers"]["bo"]
    late = bo.get(console.url("/inbox?overdue=yes"), timeout=10)
    assert late.status_code == 200 and case_links(late) == bos_cases["late"]
    assert "Cases (2, 2 overdue)" in text_of(late)
    assert re.search(r'id="overdue" name="overdue" type="checkbox" value="yes" checked', late.text)
    closed = bo.get(console.url("/inbox?status=closed"), timeout=10)
    assert case_links(closed) == bos_cases["closed"]
    assert '<option value="closed" selected>' in closed.text
    open_only = bo.get(console.url("/inbox?status=open&page=2"), timeout=10)
    assert len(case_links(open_only)) == 2
    assert 'href="/inbox?status=open&amp;page=1"' in open_only.text  # the filter is kept
    none = bo.get(console.url("/inbox?status=answered"), timeout=10)
    assert case_links(none) == [] and "No cases match these filters." in text_of(none)


@pytest.mark.parametrize(
    ("who", "query", "field", "message"),
    [
        ("bo", "status=shut", "#status", "Choose a status from the list"),
        ("bo", "overdue=maybe", "#overdue", "Overdue only is either ticked or not"),
        ("bo", "page=0", "#page", "The page must be a whole number from 1 to 100000"),
        ("bo", "page=abc", "#page", "The page must be a whole number"),
        ("bo", "page=-3", "#page", "The page must be a whole number"),
        ("bo", "district=North", "#district", "You cannot filter by district"),
        ("manager", "district=East", "#district", "Choose one of your districts: North"),
    ],
)
def test_bad_filters_get_a_clear_400_not_a_500(
    console, browsers, extra, who, query, field, message
):
    browser = extra["browsers"]["bo"] if who == "bo" else browsers[who]
    reply = browser.get(console.url(f"/inbox?{query}"), timeout=10)
    assert reply.status_code == 400
    assert error_links(reply) == [field]
    assert message in text_of(reply)
    assert "<title>Error: Your inbox" in reply.text


def test_an_admin_filters_the_inbox_by_district(console, browsers):
    east = open_case(console, "riley", words="East case for the district filter")
    north = open_case(console, words="North case for the district filter")
    page = browsers["admin"].get(console.url("/inbox?district=East"), timeout=10)
    assert page.status_code == 200
    links = case_links(page)
    assert east.reference in links and north.reference not in links
    assert '<option value="East" selected>' in page.text


def test_the_manager_view_caps_a_long_overdue_list_and_links_to_all_of_it(console, browsers):
    already = len(service.overdue(console.engine, aware_now(), "North"))
    for n in range(max(0, 26 - already)):
        open_case(console, words=f"Long list {n}", now=aware_now() - dt.timedelta(days=20))
    total = len(service.overdue(console.engine, aware_now(), "North"))
    page = browsers["manager"].get(console.url("/manager"), timeout=10)
    body = text_of(page)
    assert f"{total} overdue cases" in body
    assert f"The 25 most overdue are shown. See all {total} overdue cases in North" in body
    assert 'href="/inbox?overdue=yes&amp;district=North"' in page.text
    overdue_rows = re.search(r'id="overdue-north".*?</table>', page.text, re.S).group(0)
    assert overdue_rows.count('href="/cases/') == 25
    listed = browsers["manager"].get(console.url("/inbox?overdue=yes&district=North"), timeout=10)
    assert listed.status_code == 200 and f"Cases ({total}, {total} overdue)" in text_of(listed)


# ---- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


@pytest.mark.browser
def test_a_pa_answers_a_case_with_the_keyboard_and_every_page_passes_axe(console, chromium, north):
    from playwright.sync_api import expect

    case = open_case(console, words="Browser test: please send my plan")
    late = open_case(console, words="Browser test: late", now=aware_now() - dt.timedelta(days=14))
    context = chromium.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.set_default_timeout(20_000)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(console.url(f"/login?next=/cases/{case.reference}"))
        page.get_by_label("Email").fill(ACCOUNTS["pat"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
        assert axe_violations(page) == []
        page.get_by_label("Reply to the young person").fill("Your plan is in the post.")
        page.get_by_role("button", name="Send the reply").click()
        expect(page.get_by_role("status")).to_contain_text("The case is answered.")
        assert axe_violations(page) == []
        for path in ["/inbox", f"/cases/{late.reference}", *list(north.values())[2:]]:
            page.goto(console.url(path))
            assert axe_violations(page) == [], path
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(console.url("/inbox"))
        assert axe_violations(page) == []
        context.clear_cookies()
        page.goto(console.url("/login?next=/manager"))
        page.get_by_label("Email").fill(ACCOUNTS["admin"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Manager view")
        assert axe_violations(page) == []
    finally:
        context.close()
    base = console.url("")
    assert all(url.startswith(base) for url in requested), requested


@pytest.mark.browser
def test_govuk_frontend_runs_under_the_consoles_own_security_policy(console, chromium):
    from playwright.sync_api import expect

    context = chromium.new_context()  # the real Content-Security-Policy: no bypass
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(console.url("/login?next=/inbox"))
        page.get_by_label("Email").fill(ACCOUNTS["manager"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your inbox")
        # GOV.UK Frontend's module ran: it marks the body, and the menu becomes a toggle.
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
        page.set_viewport_size({"width": 320, "height": 640})
        menu = page.get_by_role("navigation", name="Main menu")
        toggle = menu.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        expect(menu.get_by_role("link", name="Manager view")).to_be_hidden()
        toggle.click()
        expect(menu.get_by_role("link", name="Manager view")).to_be_visible()
    finally:
        context.close()
    assert problems == []  # no script error, nothing the policy blocked
    # Nothing from elsewhere, and no GOV.UK font or image (this service is not on GOV.UK).
    assert all(url.startswith(console.url("/")) for url in requested), requested
    assert not [url for url in requested if "/assets/" in url], requested


@pytest.mark.browser
def test_a_manager_reassigns_and_reopens_a_case_without_javascript(console, chromium, extra):
    from playwright.sync_api import expect

    case = open_case(console, words="Browser test: reassign me")
    context = chromium.new_context(java_script_enabled=False)  # every form works without it
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(console.url(f"/login?next=/cases/{case.reference}"))
        page.get_by_label("Email").fill(ACCOUNTS["manager"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
        page.get_by_role("button", name="Reassign the case").click()
        # Nothing chosen: the error summary links to each field.
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Choose the personal adviser to give the case to")
        summary.get_by_role("link", name="Choose the personal adviser to give the case to").click()
        assert page.evaluate("() => location.hash") == "#adviser_id"
        page.get_by_label("Personal adviser in North").select_option(label="Ash Example-Adviser")
        page.get_by_label("Why it is being reassigned").fill("Pat is on leave this week")
        page.get_by_role("button", name="Reassign the case").click()
        expect(page.get_by_role("status")).to_contain_text("The case is reassigned.")
        # Close it, then reopen it with a reason.
        page.get_by_role("button", name="Close the case").click()
        expect(page.get_by_role("status")).to_contain_text("The case is closed.")
        page.get_by_label("Why it is being reopened").fill("Taylor rang back")
        page.get_by_role("button", name="Reopen the case").click()
        expect(page.get_by_role("status")).to_contain_text("The case is reopened")
        # The inbox's filters are a plain GET form.
        page.goto(console.url("/inbox"))
        page.get_by_label("Status").select_option(label="Open")
        page.get_by_label("Overdue only").check()
        page.get_by_role("button", name="Show cases").click()
        assert page.url.endswith("/inbox?status=open&overdue=yes")
    finally:
        context.close()
    assert events_of(console, case.id) == ["opened", "reassigned", "closed", "reopened"]
    assert service.get_case(console.engine, case.id).adviser_id == extra["ids"]["ash"]


@pytest.mark.browser
def test_the_new_forms_and_their_errors_pass_axe(console, chromium, extra, bos_cases):
    from playwright.sync_api import expect

    case = open_case(console, words="Browser test: axe on reassign")
    answered = open_case(console, words="Browser test: axe on reopen")
    service.answer(
        console.engine,
        answered,
        actor=Actor.staff(console.staff_ids["pat"]),
        now=aware_now(),
        text="Answered",
    )
    context = chromium.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(console.url(f"/login?next=/cases/{case.reference}"))
        page.get_by_label("Email").fill(ACCOUNTS["manager"][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.reference}")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Reassign the case").click()
        expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK JS moves focus
        assert axe_violations(page) == []
        page.goto(console.url(f"/cases/{answered.reference}"))
        page.get_by_role("button", name="Reopen the case").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
        assert axe_violations(page) == []
        for path in ["/inbox?overdue=yes", "/inbox?status=shut", "/inbox?page=2", "/manager"]:
            page.goto(console.url(path))
            assert axe_violations(page) == [], path
    finally:
        context.close()


# ---- caseload moves (issue 15) ---------------------------------------------------------------


def test_when_a_young_person_moves_pa_their_open_items_move_with_them(console, browsers):
    """Demo Jordan goes from Pat (North) to Lee (East) in the care leavers import."""
    jordan = console.young["jordan"]
    case = open_case(console, "jordan", words="Jordan asks for their plan")
    alert = alerts.raise_alert(
        console.engine, conversation_id="sms-jordan", now=aware_now(), care_leaver_id=jordan
    ).alert
    handoff = handoffs.start_handoff(
        console.engine,
        conversation_id=f"web-{uuid.uuid4().hex}",
        care_leaver_id=jordan,
        channel="web",
        summary="Jordan asked to talk to their PA.",
        now=aware_now(),
    ).handoff
    pages = [f"/cases/{case.reference}", f"/alerts/{alert.id}", f"/handoffs/{handoff.id}"]

    def status(who: str, path: str) -> int:
        return browsers[who].get(console.url(path), allow_redirects=False, timeout=10).status_code

    assert [status("pat", p) for p in pages] == [200, 200, 200]
    assert [status("lee", p) for p in pages] == [403, 403, 403]

    rows = (DEMO_DIR / "care_leavers.csv").read_text().splitlines()
    moved = [
        row.replace(",North,DEMO-ST-01,", ",East,DEMO-ST-02,") if row.startswith("DEMO-CL-01,")
        else row
        for row in rows
    ]  # fmt: skip
    report = import_care_leavers(console.engine, "\n".join(moved) + "\n", settings=console.settings)
    assert report.written, report.summary()

    assert [status("pat", p) for p in pages] == [403, 403, 403]
    assert [status("lee", p) for p in pages] == [200, 200, 200]
    assert report.moved_items == 3
    assert [status("manager", p) for p in pages] == [403, 403, 403]  # North's manager
    assert [status("east_manager", p) for p in pages] == [200, 200, 200]
    assert case.reference in browsers["lee"].get(console.url("/inbox"), timeout=10).text
    assert case.reference not in browsers["pat"].get(console.url("/inbox"), timeout=10).text
    shown = text_of(browsers["lee"].get(console.url(pages[0]), timeout=10))
    assert (
        "The service Reassigned from Pat Example-Adviser to Lee Example-Adviser (North to East) "
        "their PA or district changed in the care leavers import" in shown
    )
