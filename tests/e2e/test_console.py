"""End to end: the staff console, really started (``python -m bot.console``), over HTTP.

The console runs as ``make run`` starts it (:func:`bot.launcher.console_spec`), on a
free port, on an SQLite file and on PostgreSQL, with the demo staff and a few
accounts. Requests go through ``requests`` as a browser's would (cookies kept, forms
posted with their CSRF token); the last tests drive Debian's headless Chromium.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bot.clock import utcnow
from bot.console import accounts
from bot.console.policy import Policy
from bot.console.signin import WRONG
from bot.packs.service import pack_link
from bot.packs.service import sms_body as pack_sms
from bot.people.linking import sms_body as link_code_sms
from bot.store.tables.console import console_sessions, login_failures, staff_accounts
from bot.store.tables.notify import sms_outbound
from tests.support.console import (
    RunningConsole,
    axe_violations,
    chromium_browser,
    console_process,
    running_console,
)
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e

PASSWORD = "console test password 1"
TAYLOR = "+447700900105"  # Demo Taylor, a demo young person (North)
TAYLOR_TEXT = "Hi Taylor, Pat will call you about your pathway plan on Tuesday."
RILEY = "+447700900102"  # Demo Riley (East, Dana's district)
RILEY_TEXT = "Hi Riley, Lee has your form and will ring on Friday."
LEE = "+447700900002"  # Lee Example-Adviser, a PA in East
LEE_TEXT = "Safety alert for someone in East: open the console."
STRANGER = "+447700900999"  # a number not on record
STRANGER_TEXT = "The setting up home allowance helps you set up your first home."
LINK_CODE = "482913"
PACK_TOKEN = "Qx7vR2mK9pL4sT8wY1zA3bC6dE0fG5hJ2kN4qU7xW9y"
ACCOUNTS = {
    "admin": ("chris.example-manager@example.org", "admin"),
    "manager": ("dana.example-manager@example.org", "team_manager"),
    "adviser": ("pat.example-adviser@example.org", "personal_adviser"),
    "content": ("lee.example-adviser@example.org", "content_editor,content_approver"),
    "duty": ("duty.example@example.org", "duty_worker"),
    "to_lock": ("kim.example-adviser@example.org", "personal_adviser"),
}
NO_ACCOUNT_YET = "sol.example-manager@example.org"  # a demo staff record left without one


@pytest.fixture(**BOTH_DATABASES)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"console-{request.param}")
    url = module_database(request, workdir)
    with running_console(workdir, url, ACCOUNTS, password=PASSWORD, content=False) as running:
        now = utcnow()
        pack = pack_sms(pack_link(running.settings, PACK_TOKEN))
        texts = [
            ("test-5", TAYLOR, "An older text."),
            ("test-1", TAYLOR, TAYLOR_TEXT),
            ("code-taylor", TAYLOR, link_code_sms(LINK_CODE)),
            ("pack-taylor", TAYLOR, pack),
            ("test-riley-old", RILEY, "An older text for Riley."),
            ("link-code:1", RILEY, link_code_sms(LINK_CODE)),
            ("pack:1", RILEY, pack),
            ("test-riley", RILEY, RILEY_TEXT),
            ("test-lee", LEE, LEE_TEXT),
            ("test-stranger", STRANGER, STRANGER_TEXT),
        ]
        with running.engine.begin() as conn:
            for minutes, (key, number, body) in enumerate(reversed(texts), start=1):
                conn.execute(
                    sms_outbound.insert().values(
                        dedupe_key=key,
                        conversation_id=f"sms-{key}",
                        to_number=number,
                        body=body,
                        status="outbox",
                        created_at=now - dt.timedelta(minutes=minutes),
                        updated_at=now,
                    )
                )
        yield running


@pytest.fixture(autouse=True)
def fresh_address_count(console: RunningConsole) -> None:
    """Each test starts with no failed sign-ins counted against 127.0.0.1."""
    with console.engine.begin() as conn:
        conn.execute(login_failures.delete())


# ---- helpers -------------------------------------------------------------------------------


def token_in(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def visit(console: RunningConsole) -> tuple[requests.Session, str]:
    """A new browser at the sign-in page: its session and the form's CSRF token."""
    browser = requests.Session()
    page = browser.get(console.url("/login"), timeout=10)
    assert page.status_code == 200
    return browser, token_in(page)


def sign_in(
    console: RunningConsole, email: str, password: str = PASSWORD, next_path: str = "/"
) -> tuple[requests.Session, requests.Response]:
    browser, token = visit(console)
    reply = browser.post(
        console.url("/login"),
        data={"email": email, "password": password, "csrf_token": token, "next": next_path},
        allow_redirects=False,
        timeout=20,
    )
    return browser, reply


def signed_in(console: RunningConsole, who: str) -> requests.Session:
    browser, reply = sign_in(console, ACCOUNTS[who][0])
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
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def actions_since(console: RunningConsole, first_id: int) -> list[tuple[str, int | None]]:
    return [(row.action, row.staff_id) for row in console.audit() if row.id > first_id]


def last_audit_id(console: RunningConsole) -> int:
    rows = console.audit()
    return rows[-1].id if rows else 0


# ---- signing in ----------------------------------------------------------------------------


PROTECTED = ["/", "/outbox", "/audit", "/staff", "/staff/new"]


@pytest.mark.parametrize("path", PROTECTED)
def test_every_page_sends_a_stranger_to_sign_in(console, path):
    reply = requests.get(console.url(path), allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/login?next={path}"


def test_signing_in_sets_a_strict_session_cookie_and_goes_where_asked(console):
    before = last_audit_id(console)
    browser, reply = sign_in(console, ACCOUNTS["manager"][0].upper(), next_path="/outbox")
    assert reply.status_code == 303 and reply.headers["Location"] == "/outbox"
    cookie = reply.headers["Set-Cookie"]
    assert cookie.startswith("console_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; CONSOLE_BASE_URL=https://... adds it
    assert "expires" not in cookie.lower() and "max-age" not in cookie.lower()
    home = browser.get(console.url("/"), timeout=10)
    assert home.status_code == 200
    assert "Hello, Dana Example-Manager" in home.text
    assert actions_since(console, before) == [("login", console.staff_ids["manager"])]


def test_a_link_elsewhere_after_sign_in_is_ignored(console):
    _, reply = sign_in(console, ACCOUNTS["manager"][0], next_path="//evil.example/x")
    assert reply.headers["Location"] == "/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_page(console):
    before = last_audit_id(console)
    pages = []
    for email, password in (
        (ACCOUNTS["adviser"][0], "this is not the password"),
        ("nobody-here@example.org", "this is not the password"),
    ):
        _, reply = sign_in(console, email, password)
        assert reply.status_code == 401
        assert (
            "Set-Cookie" not in reply.headers
            or "console_session" not in reply.headers["Set-Cookie"]
        )
        assert WRONG in reply.text
        pages.append(re.sub(r'value="[^"]*"', "", reply.text))
    assert pages[0] == pages[1]
    assert actions_since(console, before) == [
        ("login_failed", console.staff_ids["adviser"]),
        ("login_failed", None),
    ]


def test_five_wrong_passwords_lock_the_account(console):
    email = ACCOUNTS["to_lock"][0]
    for _ in range(5):
        assert sign_in(console, email, "guessing at it")[1].status_code == 401
    _, refused = sign_in(console, email)
    assert refused.status_code == 401 and WRONG in refused.text
    assert "locked for 15 minutes" in text_of(refused)  # the page says what happens, to all
    assert console.audit()[-1].detail == "account locked"
    with console.engine.begin() as conn:  # 15 minutes pass
        conn.execute(
            staff_accounts.update()
            .where(staff_accounts.c.staff_id == console.staff_ids["to_lock"])
            .values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
    assert sign_in(console, email)[1].status_code == 303


def test_too_many_failures_from_one_address_stop_all_sign_ins_from_it(console):
    for i in range(20):
        assert sign_in(console, f"guess{i}@example.org", "guessing")[1].status_code == 401
    _, refused = sign_in(console, ACCOUNTS["manager"][0])
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert console.audit()[-1].action == "login_throttled"


# ---- CSRF ----------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(console):
    browser, _ = visit(console)
    reply = browser.post(
        console.url("/login"),
        data={"email": ACCOUNTS["admin"][0], "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 403
    assert "did not come from the console" in reply.text
    assert "console_session" not in reply.headers.get("Set-Cookie", "")
    admin = signed_in(console, "admin")
    before = last_audit_id(console)
    for data in ({}, {"csrf_token": "forged"}):
        made = admin.post(
            console.url("/staff/new"),
            data={"staff_id": "1", "roles": "admin", **data},
            allow_redirects=False,
            timeout=10,
        )
        assert made.status_code == 403
    assert actions_since(console, before) == [("csrf_rejected", console.staff_ids["admin"])] * 2
    with console.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(staff_accounts)).scalar() == 6


def test_a_token_from_another_browser_or_a_cross_site_post_is_refused(console):
    admin = signed_in(console, "admin")
    other = signed_in(console, "manager")
    theirs = token_in(other.get(console.url("/"), timeout=10))
    reply = admin.post(
        console.url("/logout"), data={"csrf_token": theirs}, allow_redirects=False, timeout=10
    )
    assert reply.status_code == 403
    mine = token_in(admin.get(console.url("/"), timeout=10))
    reply = admin.post(
        console.url("/logout"),
        data={"csrf_token": mine},
        headers={"Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 403
    assert admin.get(console.url("/"), timeout=10).status_code == 200  # still signed in


# ---- sessions ------------------------------------------------------------------------------


def test_signing_out_ends_the_session_for_good(console):
    before = last_audit_id(console)
    browser = signed_in(console, "duty")
    cookie = browser.cookies.get("console_session")
    reply = post(console, browser, "/logout", {})
    assert reply.status_code == 303 and reply.headers["Location"] == "/login?signed_out=1"
    assert re.match(r"console_session=(\"\")?;.*Max-Age=0", reply.headers["Set-Cookie"])
    assert "You have signed out." in browser.get(console.url("/login?signed_out=1")).text
    replay = requests.get(
        console.url("/"), cookies={"console_session": cookie}, allow_redirects=False, timeout=10
    )
    assert replay.status_code == 302 and "expired=1" in replay.headers["Location"]
    duty = console.staff_ids["duty"]
    assert actions_since(console, before) == [("login", duty), ("logout", duty)]


def test_each_sign_in_gets_a_new_session_token(console):
    first = signed_in(console, "duty").cookies.get("console_session")
    second = signed_in(console, "duty").cookies.get("console_session")
    assert first and second and first != second


@pytest.mark.parametrize(
    "age",
    [
        {"last_seen_at": dt.timedelta(minutes=31)},
        {"created_at": dt.timedelta(hours=8, minutes=1), "expires_at": dt.timedelta(minutes=1)},
    ],
    ids=["idle-30-minutes", "8-hours-old"],
)
def test_an_idle_or_old_session_sends_the_person_to_sign_in_again(console, age):
    browser = signed_in(console, "content")
    assert browser.get(console.url("/"), allow_redirects=False, timeout=10).status_code == 200
    now = utcnow()
    with console.engine.begin() as conn:
        conn.execute(
            console_sessions.update()
            .where(console_sessions.c.staff_id == console.staff_ids["content"])
            .values(**{column: now - delta for column, delta in age.items()})
        )
    reply = browser.get(console.url("/audit"), allow_redirects=False, timeout=10)
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/login?next=/audit&expired=1"
    assert re.match(r"console_session=(\"\")?;.*Max-Age=0", reply.headers["Set-Cookie"])
    page = browser.get(console.url(reply.headers["Location"]), timeout=10)
    assert "Your session has ended" in page.text


def test_a_stale_session_cookie_does_not_stop_signing_in_or_setting_a_password(console):
    browser, token = visit(console)
    browser.cookies.set("console_session", "a-session-that-ended-long-ago")
    link = browser.post(
        console.url("/set-password/not-a-real-link"),
        data={"csrf_token": token, "password": "x", "confirm": "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert link.status_code == 404 and "This link does not work" in link.text
    reply = browser.post(
        console.url("/login"),
        data={"email": ACCOUNTS["duty"][0], "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )
    assert reply.status_code == 303


# ---- roles ---------------------------------------------------------------------------------


ALLOWED = {
    "/": {"admin", "manager", "adviser", "content", "duty"},
    "/outbox": {"admin", "manager"},
    "/audit": {"admin"},
    "/staff": {"admin"},
    "/staff/new": {"admin"},
    "/staff/1": {"admin"},
}


@pytest.fixture(scope="module")
def browsers(console) -> dict[str, requests.Session]:
    return {
        who: signed_in(console, who) for who in ("admin", "manager", "adviser", "content", "duty")
    }


@pytest.mark.parametrize("who", ["admin", "manager", "adviser", "content", "duty"])
@pytest.mark.parametrize("path", list(ALLOWED))
def test_each_role_against_each_page(console, browsers, who, path):
    reply = browsers[who].get(console.url(path), allow_redirects=False, timeout=10)
    if who in ALLOWED[path]:
        assert reply.status_code == 200
    else:
        assert reply.status_code == 403
        assert "You cannot use this page" in reply.text
        assert "Ask an admin" in reply.text


@pytest.mark.parametrize("who", ["manager", "adviser", "content", "duty"])
@pytest.mark.parametrize(
    "path", ["/staff/new", "/staff/1/roles", "/staff/1/link", "/staff/1/deactivate"]
)
def test_only_admins_can_change_accounts(console, browsers, who, path):
    before = last_audit_id(console)
    reply = post(console, browsers[who], path, {"staff_id": "1", "roles": "admin"})
    assert reply.status_code == 403
    assert actions_since(console, before) == [("forbidden", console.staff_ids[who])]


def menu_links(page: requests.Response) -> list[str]:
    """The links of the GOV.UK service navigation's list (the main menu), in order."""
    found = re.search(
        r'<ul class="govuk-service-navigation__list"[^>]*>(.*?)</ul>', page.text, re.S
    )
    assert found, page.text[:500]
    return re.findall(r'class="govuk-service-navigation__link" href="(/[a-z-]*)"', found.group(1))


def test_the_menu_shows_only_what_the_role_can_use(console, browsers):
    menu = {
        who: menu_links(browsers[who].get(console.url("/")))
        for who in ("admin", "manager", "adviser")
    }
    assert menu == {
        "admin": [
            "/",
            "/inbox",
            "/manager",
            "/reports",
            "/packs",
            "/quality",
            "/outbox",
            "/content",
            "/questions",
            "/content-files",
            "/staff",
            "/audit",
        ],
        "manager": ["/", "/inbox", "/manager", "/reports", "/packs", "/quality", "/outbox"],
        "adviser": ["/", "/inbox", "/packs"],
    }
    # The page you are on is marked as the current one (in words too, not only by style).
    inbox = browsers["adviser"].get(console.url("/inbox")).text
    assert re.search(
        r'<a class="govuk-service-navigation__link" href="/inbox"\s+aria-current="page">', inbox
    )


# ---- pages ---------------------------------------------------------------------------------


def test_the_outbox_shows_texts_newest_first_and_its_reading_is_audited(console, browsers):
    before = last_audit_id(console)
    page = browsers["admin"].get(console.url("/outbox"), timeout=10)
    assert page.status_code == 200
    body = text_of(page)
    assert "Demo mode" in body and TAYLOR in body
    assert body.index(TAYLOR_TEXT) < body.index("An older text.")
    assert actions_since(console, before) == [("outbox.view", console.staff_ids["admin"])]


def test_a_team_manager_sees_only_the_texts_of_their_own_district(console, browsers):
    """Dana manages East: texts to East's young people and staff, nobody else's."""
    body = text_of(browsers["manager"].get(console.url("/outbox"), timeout=10))
    for shown in (RILEY_TEXT, RILEY, LEE_TEXT, LEE):
        assert shown in body, shown
    assert body.index(RILEY_TEXT) < body.index("An older text for Riley.")
    for hidden in (TAYLOR_TEXT, TAYLOR, STRANGER_TEXT, STRANGER, "An older text."):
        assert hidden not in body, hidden
    assert "East" in body
    # An admin sees every district's, and texts to numbers not on record.
    everything = text_of(browsers["admin"].get(console.url("/outbox"), timeout=10))
    for shown in (TAYLOR_TEXT, RILEY_TEXT, LEE_TEXT, STRANGER_TEXT):
        assert shown in everything, shown


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_nobody_reads_a_link_code_or_a_pack_link_in_the_outbox(console, browsers, who):
    """A code or a pack link read there would let an insider be treated as the young person."""
    page = browsers[who].get(console.url("/outbox"), timeout=10)
    assert page.status_code == 200
    assert LINK_CODE not in page.text and PACK_TOKEN not in page.text
    body = html.unescape(text_of(page))
    assert "Your care leavers' chat code is [link code]." in body
    assert "Your leaving care pack: what you can get, in one place. [pack link]" in body


def test_the_audit_log_is_paged_newest_first(console, browsers):
    page = browsers["admin"].get(console.url("/audit"), timeout=10)
    rows = re.findall(r"<code>([a-z_.]+)</code>", page.text)
    assert rows[0] == "audit.view" and len(rows) <= 50
    assert browsers["admin"].get(console.url("/audit?page=2"), timeout=10).status_code == 200
    assert browsers["admin"].get(console.url("/audit?page=x"), timeout=10).status_code == 200


def test_an_admin_gives_an_account_and_the_person_sets_their_password_by_link(console, browsers):
    admin = browsers["admin"]
    form = admin.get(console.url("/staff/new"), timeout=10)
    assert NO_ACCOUNT_YET in form.text
    staff_id = re.search(rf'<option value="(\d+)"[^>]*>[^<]*{NO_ACCOUNT_YET}', form.text).group(1)
    made = admin.post(
        console.url("/staff/new"),
        data={"csrf_token": token_in(form), "staff_id": staff_id, "roles": ["team_manager"]},
        timeout=20,
    )
    assert made.status_code == 200
    link = re.search(r"<code>(http://localhost:\d+/set-password/[^<]+)</code>", made.text).group(1)
    path = link.split(str(console.settings.console_port), 1)[1]
    # The person opens the link (in their own browser) and sets a password.
    person = requests.Session()
    page = person.get(console.url(path), timeout=10)
    assert page.status_code == 200 and NO_ACCOUNT_YET in page.text
    new_password = "sol's own long password"
    short = person.post(
        console.url(path),
        data={"csrf_token": token_in(page), "password": "short", "confirm": "short"},
        timeout=20,
    )
    assert short.status_code == 400 and "at least 12 characters" in short.text
    done = person.post(
        console.url(path),
        data={"csrf_token": token_in(page), "password": new_password, "confirm": new_password},
        allow_redirects=False,
        timeout=20,
    )
    assert done.status_code == 303 and done.headers["Location"] == "/login?password_set=1"
    assert person.get(console.url(path), timeout=10).status_code == 404  # used: gone
    sol, reply = sign_in(console, NO_ACCOUNT_YET, new_password)
    assert reply.status_code == 303
    assert sol.get(console.url("/outbox"), timeout=10).status_code == 200
    # The admin deactivates the account: its session ends at once.
    with console.engine.connect() as conn:
        account_id = accounts.by_email(conn, NO_ACCOUNT_YET).id
    gone = post(console, admin, f"/staff/{account_id}/deactivate", {})
    assert gone.status_code == 303
    assert sol.get(console.url("/outbox"), allow_redirects=False, timeout=10).status_code == 302
    assert sign_in(console, NO_ACCOUNT_YET, new_password)[1].status_code == 401
    actions = [row.action for row in console.audit()]
    for action in ("account.create", "account.setup_link", "password.set", "account.deactivate"):
        assert action in actions


def test_two_posts_of_one_password_link_at_once_set_one_password(console):
    """Both used to pass the link check before either used it up, and both set a password."""
    email = "ash.example-editor@example.org"
    with console.engine.begin() as conn:
        account = accounts.create(conn, roles="content_editor", email=email, now=utcnow())
        link = accounts.new_setup_link(conn, account.id, now=utcnow(), policy=Policy(), by=None)
    path = f"/set-password/{link}"
    forms = []
    for _ in range(6):  # six browsers (or six clicks) with the form open
        browser = requests.Session()
        page = browser.get(console.url(path), timeout=10)
        assert page.status_code == 200
        forms.append((browser, token_in(page)))
    start = threading.Barrier(len(forms))

    def post(i: int) -> tuple[int, str]:
        browser, token = forms[i]
        password = f"ash's password number {i}"
        start.wait(timeout=30)
        reply = browser.post(
            console.url(path),
            data={"csrf_token": token, "password": password, "confirm": password},
            allow_redirects=False,
            timeout=60,
        )
        return reply.status_code, password

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        replies = list(pool.map(post, range(len(forms))))
    statuses = sorted(status for status, _ in replies)
    assert statuses == [303] + [404] * (len(forms) - 1), statuses
    [winner] = [password for status, password in replies if status == 303]
    assert sign_in(console, email, winner)[1].status_code == 303
    for status, password in replies:
        if status == 404:
            assert sign_in(console, email, password)[1].status_code == 401
            break
    sets = [
        r
        for r in console.audit()
        if r.action == "password.set" and r.target.endswith(f":{account.id}")
    ]
    assert len(sets) == 1


def test_an_admin_changes_someones_roles_but_not_away_from_their_own_admin(console, browsers):
    with console.engine.connect() as conn:
        kim = accounts.by_email(conn, ACCOUNTS["to_lock"][0]).id
        own = accounts.by_email(conn, ACCOUNTS["admin"][0]).id
    admin = browsers["admin"]
    page = admin.get(console.url(f"/staff/{kim}"), timeout=10)
    assert page.status_code == 200 and 'value="personal_adviser" checked' in page.text
    changed = post(
        console, admin, f"/staff/{kim}/roles", {"roles": ["personal_adviser", "duty_worker"]}
    )
    assert changed.status_code == 303
    none = post(console, admin, f"/staff/{kim}/roles", {})
    assert none.status_code == 400 and "Choose at least one role" in none.text
    mine = post(console, admin, f"/staff/{own}/roles", {"roles": ["team_manager"]})
    assert mine.status_code == 400 and "your own admin role" in mine.text
    with console.engine.connect() as conn:
        assert accounts.by_id(conn, kim).roles == {"personal_adviser", "duty_worker"}
        assert accounts.by_id(conn, own).roles == {"admin"}
    assert console.audit()[-1].detail == "roles personal_adviser -> duty_worker,personal_adviser"


def test_an_admin_cannot_deactivate_their_own_account(console, browsers):
    with console.engine.connect() as conn:
        own = accounts.by_email(conn, ACCOUNTS["admin"][0]).id
    reply = post(console, browsers["admin"], f"/staff/{own}/deactivate", {})
    assert reply.status_code == 400 and "your own account" in reply.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 302),
        ("/", 200),
        ("/outbox", 403),
        ("/nowhere", 404),
        ("/static/console.css", 200),
    ],
)
def test_every_response_carries_the_security_headers(console, browsers, path, status):
    reply = browsers["adviser"].get(console.url(path), allow_redirects=False, timeout=10)
    assert reply.status_code == status
    assert reply.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    if not path.startswith("/static/"):
        assert reply.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_elsewhere(console, browsers):
    for path in ALLOWED:
        page = browsers["admin"].get(console.url(path), timeout=10)
        assert not re.search(r"(?:src|href|action)=\"(?:https?:)?//", page.text), path
        # The only script is the console's own module file (no inline script: the CSP forbids it).
        assert re.findall(r"<script[^>]*>", page.text) == [
            '<script type="module" src="/static/console.js">'
        ]
        assert "style=" not in page.text


def test_no_password_or_young_persons_details_in_the_logs(console):
    # Runs after the others in this module: everything they did is in the logs.
    logged = console.log.read_text()
    audit_text = " ".join(f"{r.action} {r.target} {r.detail}" for r in console.audit())
    for secret in (
        PASSWORD,
        "sol's own long password",
        "guessing",
        "nobody-here",
        "/set-password/",
    ):
        assert secret not in logged, secret
        assert secret not in audit_text, secret
    for personal in (TAYLOR, "Taylor", TAYLOR_TEXT, "447700900"):
        assert personal not in logged, personal
        assert personal not in audit_text, personal
    assert "Traceback" not in logged and "ERROR" not in logged


def test_over_https_cookies_are_secure_host_only_and_hsts_is_sent(console, tmp_path):
    settings = dataclasses.replace(
        console.settings,
        console_port=free_port(),
        console_base_url="https://console.council.example",
    )
    with console_process(settings, tmp_path / "https.log"):
        base = f"http://127.0.0.1:{settings.console_port}"
        page = requests.get(f"{base}/login", timeout=10)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        seed_cookie = page.headers["Set-Cookie"]
        assert seed_cookie.startswith("__Host-console_csrf=")
        assert "Secure" in seed_cookie and "HttpOnly" in seed_cookie
        seed = seed_cookie.split(";")[0].split("=", 1)[1]
        reply = requests.post(
            f"{base}/login",
            data={
                "email": ACCOUNTS["duty"][0],
                "password": PASSWORD,
                "csrf_token": token_in(page),
            },
            headers={"Cookie": f"__Host-console_csrf={seed}"},
            allow_redirects=False,
            timeout=20,
        )
        assert reply.status_code == 303
        session_cookie = reply.headers["Set-Cookie"]
        assert session_cookie.startswith("__Host-console_session=")
        for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag in session_cookie


# ---- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


@pytest.mark.browser
def test_signing_in_with_the_keyboard_and_every_page_passes_axe(console, chromium):
    from playwright.sync_api import expect

    # axe is injected as a script, which the console's policy forbids: this context lets it.
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(console.url("/"))
        assert page.url.startswith(console.url("/login"))
        assert axe_violations(page) == []
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == ("Skip to main content")
        page.get_by_label("Email").fill(ACCOUNTS["admin"][0])
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text(WRONG)
        assert axe_violations(page) == []
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Chris Example-Manager")
        for path in ["/", "/outbox", "/audit", "/staff", "/staff/new", "/staff/1"]:
            page.goto(console.url(path))
            assert axe_violations(page) == [], path
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(console.url("/outbox"))
        assert axe_violations(page) == []
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status")).to_have_text("You have signed out.")
    finally:
        context.close()
    assert all(url.startswith(console.base_url) for url in requested), requested
