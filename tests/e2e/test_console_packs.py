"""End to end: the console's packs area, really started, over HTTP.

As in ``test_console_cases.py``: the console runs as ``make run`` starts it (demo
mode, so texts stay in the outbox), on an SQLite file and on PostgreSQL, with the
demo people, the published content and an account per role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bot.packs import service
from bot.store.tables.packs import packs
from tests.support.console import RunningConsole, running_console
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.outbox import texts_to

pytestmark = pytest.mark.e2e

PASSWORD = "console packs password 1"
TAYLOR_NUMBER = "+447700900105"  # Demo Taylor (North, PA Pat)
ACCOUNTS = {
    "admin": ("sol.example-manager@example.org", "admin"),
    "manager": ("chris.example-manager@example.org", "team_manager"),  # North
    "east_manager": ("dana.example-manager@example.org", "team_manager"),  # East
    "pat": ("pat.example-adviser@example.org", "personal_adviser"),  # North, Taylor's PA
    "lee": ("lee.example-adviser@example.org", "personal_adviser"),  # East, Riley's PA
    "duty": ("duty.example@example.org", "duty_worker"),  # Central
}


def packs_of(console: RunningConsole, who: str) -> list[Any]:
    with console.engine.connect() as conn:
        return conn.execute(
            sa.select(packs)
            .where(packs.c.care_leaver_id == console.young[who])
            .order_by(packs.c.id)
        ).all()


@pytest.fixture(**BOTH_DATABASES)
def console(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"console-packs-{request.param}")
    with running_console(
        workdir, module_database(request, workdir), ACCOUNTS, password=PASSWORD
    ) as running:
        yield running


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


@pytest.fixture(scope="module")
def browsers(console: RunningConsole) -> dict[str, requests.Session]:
    return {who: signed_in(console, who) for who in ACCOUNTS}


def send(console: RunningConsole, browser: requests.Session, who: str, **extra: Any):
    token = extra.pop("csrf_token", None) or token_in(browser.get(console.url("/"), timeout=10))
    return browser.post(
        console.url(f"/packs/{console.young[who]}/send"),
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("manager", 200), ("pat", 200), ("east_manager", 403), ("lee", 403),
     ("duty", 403)],
)  # fmt: skip
def test_who_may_open_a_young_persons_pack(console, browsers, who, status):
    reply = browsers[who].get(console.url(f"/packs/{console.young['taylor']}"), timeout=10)
    assert reply.status_code == status
    if status == 200:
        assert "Leaving care pack for Demo Taylor" in reply.text
        assert "Higher education bursary" in reply.text  # Taylor is at university
        assert 'action="/packs/' in reply.text and "csrf_token" in reply.text


def test_the_list_shows_each_person_only_their_own(console, browsers):
    pat = browsers["pat"].get(console.url("/packs"), timeout=10).text
    lee = browsers["lee"].get(console.url("/packs"), timeout=10).text
    assert "Demo Taylor" in pat and "Demo Riley" not in pat
    assert "Demo Riley" in lee and "Demo Taylor" not in lee
    assert browsers["duty"].get(console.url("/packs"), timeout=10).status_code == 403


def test_a_pa_texts_their_young_person_the_pack_and_it_is_audited(console, browsers):
    before = len(texts_to(console.engine, TAYLOR_NUMBER))
    first = len(console.audit())
    reply = send(console, browsers["pat"], "taylor")
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"/packs/{console.young['taylor']}?sent=outbox"
    texts = texts_to(console.engine, TAYLOR_NUMBER)[before:]
    assert (
        len(texts) == 1
        and "/pack/" in texts[0]
        and texts[0].endswith("Reply GOT IT if you got it.")
    )
    latest = packs_of(console, "taylor")[-1]
    assert latest.created_by == console.staff_ids["pat"] and latest.sent_at is not None
    token = texts[0].split("/pack/")[1].split()[0]
    assert latest.token_hash == service.token_hash(token)
    audit = [(r.action, r.target) for r in console.audit()[first:]]
    assert ("pack.send", f"care_leaver:{console.young['taylor']}") in audit
    page = browsers["pat"].get(console.url(reply.headers["Location"]), timeout=10)
    assert "The pack is in the SMS outbox" in page.text
    again = send(console, browsers["manager"], "taylor")
    assert again.status_code == 303
    assert [p.reason for p in packs_of(console, "taylor")] == ["first", "resend"]


def test_a_printed_pack_is_recorded_and_counts_as_given(console, browsers):
    before = len(texts_to(console.engine, "+447700900103"))  # Demo Casey (Central)
    token = token_in(browsers["admin"].get(console.url("/"), timeout=10))
    reply = browsers["admin"].post(
        console.url(f"/packs/{console.young['casey']}/printed"),
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )
    assert reply.status_code == 303 and reply.headers["Location"].endswith("?sent=printed")
    [pack] = packs_of(console, "casey")
    assert (pack.channel, pack.reason) == ("print", "first") and pack.sent_at is not None
    assert len(texts_to(console.engine, "+447700900103")) == before  # nothing texted
    page = browsers["admin"].get(console.url(reply.headers["Location"]), timeout=10).text
    assert "printed and given to them" in page
    assert "pack.printed" in [r.action for r in console.audit()]


def test_another_pa_cannot_send_and_the_refusal_is_audited(console, browsers):
    packs_before = len(packs_of(console, "taylor"))
    first = len(console.audit())
    reply = send(console, browsers["lee"], "taylor")
    assert reply.status_code == 403
    assert len(packs_of(console, "taylor")) == packs_before
    assert [r.action for r in console.audit()[first:]] == ["forbidden"]


def test_sending_without_the_csrf_token_is_refused(console, browsers):
    packs_before = len(packs_of(console, "taylor"))
    reply = send(console, browsers["pat"], "taylor", csrf_token="forged")
    assert reply.status_code == 403
    assert len(packs_of(console, "taylor")) == packs_before


def test_an_unknown_young_person_is_a_plain_404(console, browsers):
    assert browsers["admin"].get(console.url("/packs/999999"), timeout=10).status_code == 404
    assert send_to_id(console, browsers["admin"], 999999).status_code == 404


def send_to_id(console: RunningConsole, browser: requests.Session, care_leaver_id: int):
    token = token_in(browser.get(console.url("/"), timeout=10))
    return browser.post(
        console.url(f"/packs/{care_leaver_id}/send"),
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=20,
    )
