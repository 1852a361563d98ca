"""End to end: the console's content area, really started (``python -m bot.console``).

On an SQLite file and on PostgreSQL, with the content files loaded and the demo staff.
Requests go through ``requests`` as a browser's would (cookies kept, forms posted with
their CSRF token): every role against every content route, CSRF refusals, the editor's
checks, and the whole path from an edit to a published version and a rollback, with the
audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bot.clock import utcnow
from bot.store.tables.console import login_failures
from entitlements import workflow as wf
from entitlements.loader import load_topics
from entitlements.store import drafts_table, read_published
from entitlements.validation import FIRST_REPLY_MAX
from tests.support.console import RunningConsole, running_console
from tests.support.content_forms import form_for
from tests.support.databases import BOTH_DATABASES, module_database

pytestmark = pytest.mark.e2e

PASSWORD = "console test password 1"
HOME = "setting-up-home-allowance"
ACCOUNTS = {
    "editor": ("ash.example-editor@example.org", "content_editor"),
    "editor2": ("kim.example-adviser@example.org", "content_editor"),
    "approver": ("jo.example-approver@example.org", "content_approver"),
    "admin": ("chris.example-manager@example.org", "admin"),
    "manager": ("dana.example-manager@example.org", "team_manager"),
    "adviser": ("pat.example-adviser@example.org", "personal_adviser"),
    "duty": ("duty.example@example.org", "duty_worker"),
}
EVERYONE = list(ACCOUNTS)
VIEWERS = {"editor", "editor2", "approver", "admin"}
EDITORS = {"editor", "editor2", "admin"}
APPROVERS = {"approver", "admin"}


@pytest.fixture(**BOTH_DATABASES)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"content-{request.param}")
    with running_console(
        workdir, module_database(request, workdir), ACCOUNTS, password=PASSWORD
    ) as running:
        yield running


@pytest.fixture(scope="module", autouse=True)
def other_draft(console: RunningConsole) -> int:
    """A draft of another entry by the second editor, for the routes that need one (made
    before the module's first test, as every test expects it there)."""
    now = utcnow()
    _, entries = read_published(console.engine)
    staying_put = next(e for e in entries if e.id == "staying-put")
    with console.engine.begin() as conn:
        draft = wf.start_draft(
            conn,
            wf.editable(staying_put.to_document()),
            actor=console.staff_ids["editor2"],
            now=now,
            topics=load_topics(console.settings.topics_file),
            today=now.date(),
            entitlement_id="staying-put",
        )
    return int(draft.id)


@pytest.fixture(autouse=True)
def fresh_address_count(console: RunningConsole) -> None:
    with console.engine.begin() as conn:
        conn.execute(login_failures.delete())


def token_in(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def signed_in(console: RunningConsole, who: str) -> requests.Session:
    browser = requests.Session()
    token = token_in(browser.get(console.url("/login"), timeout=10))
    reply = browser.post(
        console.url("/login"),
        data={"email": ACCOUNTS[who][0], "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )
    assert reply.status_code == 303, reply.text[:500]
    return browser


@pytest.fixture(scope="module")
def browsers(console: RunningConsole) -> dict[str, requests.Session]:
    return {who: signed_in(console, who) for who in EVERYONE}


def post(
    console: RunningConsole, browser: requests.Session, path: str, data: dict[str, Any]
) -> requests.Response:
    token = token_in(browser.get(console.url("/"), timeout=10))
    return browser.post(
        console.url(path), data={"csrf_token": token, **data}, allow_redirects=False, timeout=30
    )


def text_of(page: requests.Response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def last_audit_id(console: RunningConsole) -> int:
    rows = console.audit()
    return rows[-1].id if rows else 0


def actions_since(console: RunningConsole, first_id: int) -> list[tuple[str, int | None]]:
    return [(row.action, row.staff_id) for row in console.audit() if row.id > first_id]


def published_home(console: RunningConsole) -> Any:
    _, entries = read_published(console.engine)
    return next(e for e in entries if e.id == HOME)


def home_document(console: RunningConsole) -> dict[str, Any]:
    return wf.editable(published_home(console).to_document())


# ---- who may use what ----------------------------------------------------------------------


def get_routes(draft: int) -> dict[str, set[str]]:
    return {
        "/content": VIEWERS,
        "/content/due": VIEWERS,
        f"/content/entries/{HOME}": VIEWERS,
        f"/content/entries/{HOME}/compare?a=1&b=1": VIEWERS,
        f"/content/drafts/{draft}": VIEWERS,
        "/content/new": EDITORS,
        f"/content/drafts/{draft}/edit": EDITORS,
    }


POST_ROUTES = {
    "/content/new": EDITORS,
    f"/content/entries/{HOME}/edit": EDITORS,
    "/content/drafts/999999/edit": EDITORS,
    "/content/drafts/999999/submit": EDITORS,
    "/content/drafts/999999/discard": EDITORS,
    "/content/drafts/999999/approve": APPROVERS,
    "/content/drafts/999999/changes": APPROVERS,
    "/content/drafts/999999/publish": APPROVERS,
    f"/content/entries/{HOME}/rollback": APPROVERS,
}


@pytest.mark.parametrize("who", EVERYONE)
def test_each_role_against_each_content_page(console, browsers, other_draft, who):
    for path, allowed in get_routes(other_draft).items():
        before = last_audit_id(console)
        reply = browsers[who].get(console.url(path), allow_redirects=False, timeout=10)
        if who in allowed:
            assert reply.status_code == 200, (path, reply.status_code)
        else:
            assert reply.status_code == 403, path
            assert "You cannot use this page" in reply.text
            assert ("forbidden", console.staff_ids[who]) in actions_since(console, before)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("path", list(POST_ROUTES))
def test_each_role_against_each_content_form(console, browsers, who, path):
    before = last_audit_id(console)
    # Nothing to act on: the forms that may be used answer 400 or 404 and change nothing.
    reply = post(console, browsers[who], path, {"version": "", "reason": "", "action": "save"})
    if who in POST_ROUTES[path]:
        assert reply.status_code in (200, 400, 404), (path, reply.status_code)
    else:
        assert reply.status_code == 403
        assert actions_since(console, before) == [("forbidden", console.staff_ids[who])]


@pytest.mark.parametrize("path", ["/content", "/content/new", f"/content/entries/{HOME}"])
def test_a_stranger_is_sent_to_sign_in(console, path):
    reply = requests.get(console.url(path), allow_redirects=False, timeout=10)
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login?next=")


def test_the_menu_has_content_for_content_staff_only(console, browsers):
    def menu(who: str) -> list[str]:
        return re.findall(r'href="(/[a-z-]*)"', browsers[who].get(console.url("/")).text)

    assert "/content" in menu("editor") and "/content" in menu("approver")
    assert "/content" in menu("admin")
    assert "/content" not in menu("adviser") and "/content" not in menu("manager")


def test_a_form_without_the_csrf_token_or_from_another_site_is_refused(
    console, browsers, other_draft
):
    draft = other_draft
    before = last_audit_id(console)
    reply = browsers["approver"].post(
        console.url(f"/content/drafts/{draft}/approve"), data={}, allow_redirects=False
    )
    assert reply.status_code == 403
    token = token_in(browsers["approver"].get(console.url("/")))
    reply = browsers["approver"].post(
        console.url(f"/content/entries/{HOME}/rollback"),
        data={"csrf_token": token, "version": "1", "reason": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert reply.status_code == 403
    other = signed_in(console, "editor")
    reply = browsers["editor"].post(
        console.url("/content/new"),
        data={"csrf_token": token_in(other.get(console.url("/"))) + "x", "action": "save"},
        allow_redirects=False,
    )
    assert reply.status_code == 403
    assert [a for a, _ in actions_since(console, before)].count("csrf_rejected") == 3
    with console.engine.connect() as conn:
        assert wf.get_draft(conn, draft).state == wf.DRAFT


# ---- the editor ----------------------------------------------------------------------------


def test_the_editor_shows_every_problem_next_to_its_field_and_saves_nothing(console, browsers):
    document = home_document(console)
    document["summary"] = "It is now £4,000. " + "Lots of words here. " * 16
    document["sources"] = ["not an address"]
    document["review_due"] = "soon"
    with console.engine.connect() as conn:
        drafts_before = conn.execute(sa.select(sa.func.count()).select_from(drafts_table)).scalar()
    reply = post(
        console,
        browsers["editor"],
        f"/content/entries/{HOME}/edit",
        {**form_for(document), "action": "save"},
    )
    assert reply.status_code == 400
    assert 'class="govuk-error-summary"' in reply.text
    for anchor in ("#f-summary", "#f-sources", "#f-review_due"):
        assert f'href="{anchor}"' in reply.text
    assert 'id="f-summary-error1"' in reply.text and 'aria-invalid="true"' in reply.text
    body = text_of(reply)
    assert "summary: is " in body and "the most allowed is 300" in body
    assert "mentions £4,000 but amounts has no entry of 4000" in body
    assert "sources[1]: must be an http(s):// address" in body
    assert "review_due: must be a date written YYYY-MM-DD" in body
    assert "<title>Error:" in reply.text
    with console.engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(drafts_table)).scalar()
    assert after == drafts_before


def test_preview_counts_segments_warns_on_reading_age_and_shows_both_channels(console, browsers):
    document = home_document(console)
    document["details"] = (
        "Notwithstanding the aforementioned considerations, eligibility determinations "
        "necessitate comprehensive individualised assessments by the responsible authority."
    )
    reply = post(
        console,
        browsers["editor"],
        f"/content/entries/{HOME}/edit",
        {**form_for(document), "action": "preview"},
    )
    assert reply.status_code == 200
    body = text_of(reply)
    entry = published_home(console)
    first = f"{entry.title}: {entry.summary}"
    assert f"Summary: {len(entry.summary)} of 300 characters" in body
    assert (
        f"First answer: {len(first)} of {FIRST_REPLY_MAX} characters, 2 SMS segments (GSM-7)"
        in body
    )
    assert "Reading age about" in body and "details" in body
    assert 'data-testid="sms-part"' in reply.text and "Reply WHO, HOW or MORE" in body
    assert 'data-testid="web-preview"' in reply.text and "Who can get it?" in body
    with console.engine.connect() as conn:
        assert wf.open_draft(conn, HOME) is None


# ---- the whole path ------------------------------------------------------------------------


def test_edit_submit_approve_publish_compare_and_roll_back(console, browsers):
    start = last_audit_id(console)
    document = home_document(console)
    new_summary = document["summary"].replace("£3,000", "£3,500")
    document["summary"] = new_summary
    document["amounts"][0]["amount"] = "3500"
    reply = post(
        console,
        browsers["editor"],
        f"/content/entries/{HOME}/edit",
        {**form_for(document, "Guidance rose to £3,500"), "action": "save"},
    )
    assert reply.status_code == 303, text_of(reply)[:800]
    draft_path = reply.headers["Location"].split("?")[0]
    draft_id = int(draft_path.rsplit("/", 1)[1])
    assert post(console, browsers["editor"], f"{draft_path}/submit", {}).status_code == 303

    # The editor has no approver role; an admin who wrote it may not approve it either.
    assert post(console, browsers["editor"], f"{draft_path}/approve", {}).status_code == 403
    with console.engine.begin() as conn:
        wf.request_changes(
            conn, draft_id, actor=console.staff_ids["approver"], comment="Add why", now=utcnow()
        )
    reply = post(
        console,
        browsers["admin"],
        f"{draft_path}/edit",
        {**form_for(document, "Guidance rose to £3,500 (from the 2027 letter)"), "action": "save"},
    )
    assert reply.status_code == 303
    assert post(console, browsers["admin"], f"{draft_path}/submit", {}).status_code == 303
    refused = post(console, browsers["admin"], f"{draft_path}/approve", {})
    assert refused.status_code == 403
    assert "another content approver must" in text_of(refused)
    page = browsers["admin"].get(console.url(draft_path))
    assert "You wrote or changed this draft" in page.text and "/approve" not in page.text

    assert post(console, browsers["approver"], f"{draft_path}/approve", {}).status_code == 303
    again = post(console, browsers["approver"], f"{draft_path}/approve", {})
    assert again.status_code == 409 and "Not done" in text_of(again)
    reply = post(console, browsers["approver"], f"{draft_path}/publish", {})
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"/content/entries/{HOME}?done=published"
    assert published_home(console).summary == new_summary

    page = browsers["editor"].get(console.url(f"/content/entries/{HOME}"))
    body = text_of(page)
    assert "Published version: 2" in body and "Jo Example-Approver" in body
    assert "Guidance rose to £3,500 (from the 2027 letter)" in body
    compare = browsers["editor"].get(console.url(f"/content/entries/{HOME}/compare?a=1&b=2"))
    assert compare.status_code == 200
    assert "amounts[1].amount" in compare.text and "3500" in compare.text
    assert "2 fields differ" in text_of(compare)

    reply = post(
        console,
        browsers["approver"],
        f"/content/entries/{HOME}/rollback",
        {"version": "1", "reason": ""},
    )
    assert reply.status_code == 400 and "Say why" in text_of(reply)
    reply = post(
        console,
        browsers["approver"],
        f"/content/entries/{HOME}/rollback",
        {"version": "1", "reason": "The rise is not confirmed yet"},
    )
    assert reply.status_code == 303
    assert "£3,000" in published_home(console).summary
    body = text_of(browsers["approver"].get(console.url(f"/content/entries/{HOME}")))
    assert "Published version: 3" in body
    assert "Rolled back to version 1: The rise is not confirmed yet" in body

    actions = [a for a, _ in actions_since(console, start) if a.startswith("content.")]
    for expected in (
        "content.draft_create",
        "content.submit",
        "content.draft_edit",
        "content.approve_refused",
        "content.approve",
        "content.publish",
        "content.rollback",
    ):
        assert expected in actions, expected
    publish_row = next(r for r in console.audit() if r.action == "content.publish")
    assert publish_row.staff_id == console.staff_ids["approver"]
    assert publish_row.target == f"draft:{draft_id}" and "version 2" in publish_row.detail


def test_a_new_entry_is_saved_and_listed_and_due_for_review_lists_near_dates(console, browsers):
    document = {
        "id": "council-gym-pass",
        "title": "Free gym pass",
        "summary": "Care leavers here can use the council's gyms and pools for free until 25.",
        "details": "Show your card at any council leisure centre.",
        "eligibility": {
            "explanation": "Care leavers up to their 25th birthday.",
            "rules": [{"statuses": ["former_relevant"], "below_age": 25}],
        },
        "amounts": [],
        "how_to_get": "Ask your PA for a leisure card.",
        "legal_basis": "A local scheme of the council.",
        "varies_locally": {"varies": True, "note": "Only this council."},
        "sources": ["https://example.org/local-offer/gym"],
        "last_reviewed": "2026-01-10",
        "review_due": "2026-02-10",
        "examples": [
            "free gym 4 care leavers",
            "can i swim for free",
            "gym membership too dear",
            "leisure centre card",
            "do i get free swimming",
            "want to get fit cant afford gym",
            "council gym pass",
            "is the pool free for me",
        ],
        "synonyms": ["gym pass", "leisure card", "swim pass"],
    }
    reply = post(
        console, browsers["editor"], "/content/new", {**form_for(document), "action": "save"}
    )
    assert reply.status_code == 303, text_of(reply)[:800]
    listing = text_of(browsers["approver"].get(console.url("/content")))
    assert "Free gym pass" in listing and "Not published" in listing
    taken = post(
        console, browsers["editor2"], "/content/new", {**form_for(document), "action": "save"}
    )
    assert taken.status_code == 409 and "already" in text_of(taken)
    draft_id = int(reply.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    now = utcnow()
    topics = load_topics(console.settings.topics_file)
    with console.engine.begin() as conn:
        wf.submit(
            conn,
            draft_id,
            actor=console.staff_ids["editor"],
            now=now,
            topics=topics,
            today=now.date(),
        )
        wf.approve(conn, draft_id, actor=console.staff_ids["approver"], now=now)
        wf.publish(
            conn,
            draft_id,
            actor=console.staff_ids["approver"],
            now=now,
            topics=topics,
            today=now.date(),
        )
    due = text_of(browsers["editor"].get(console.url("/content/due")))
    assert "Free gym pass 10 Feb 2026" in due and "days overdue Jo Example-Approver" in due


def test_unknown_or_odd_addresses_get_a_plain_4xx_never_a_500(console, browsers):
    get = browsers["approver"].get
    assert get(console.url("/content/drafts/99999999999999")).status_code == 404
    assert get(console.url("/content/entries/no-such-entry")).status_code == 404
    assert get(console.url(f"/content/entries/{HOME}/compare?a=x&b=1")).status_code == 400
    assert get(console.url(f"/content/entries/{HOME}/compare?a=1&b=99")).status_code == 404
    reply = post(
        console,
        browsers["approver"],
        "/content/drafts/99999999999999/approve",
        {"comment": "x"},
    )
    assert reply.status_code == 404
    reply = post(
        console,
        browsers["approver"],
        f"/content/entries/{HOME}/rollback",
        {"version": "99", "reason": "bad\x00byte"},
    )
    assert reply.status_code == 404
