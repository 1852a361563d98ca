"""End to end: the pack page on the real Rasa server, and GOT IT through the real SMS webhook.

Both servers run (not in demo mode): the pack's text goes through the real twilio
client to the local fake of Twilio's API (``TWILIO_API_URL``), GOT IT comes back as a
signed webhook request, and the page is read over HTTP and in Debian's headless
Chromium with axe-core's accessibility checks. The people are the demo records.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bot.db.engine import create_db_engine
from bot.packs import service
from bot.store.tables.packs import packs
from bot.store.tables.people import care_leavers
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, running_bot
from tests.support.sms_replies import replies_to
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

PUBLIC = "https://sms.example.org"
WEBHOOK = "/webhooks/twilio/webhook"
TAYLOR = "+447700900105"  # Demo Taylor: former relevant, 19, at university, North
ALEX = "+447700900106"  # Demo Alex: former relevant, 18, in Staying Put, East
JORDAN = "+447700900101"  # Demo Jordan: eligible, 16, North
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def pack_bot(twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    workdir: Path = tmp_path_factory.mktemp("pack-bot")
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        demo_people=True,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def engine(pack_bot: RunningBot) -> Iterator[sa.engine.Engine]:
    engine = create_db_engine(pack_bot.settings.database_url)
    yield engine
    engine.dispose()


def person_id(engine, number: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(care_leavers.c.id).where(care_leavers.c.mobile == number)
            ).scalar()
        )


def send_pack(bot: RunningBot, engine, twilio: FakeTwilio, number: str, **extra: Any) -> str:
    """Make a pack as the command does; return the token from the text Twilio got."""
    before = len(twilio.to(number))
    now = extra.pop("now", dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    who = service.recipient(engine, person_id(engine, number))
    assert who is not None
    result = service.make_pack(engine, bot.settings, who, reason="first", now=now, **extra)
    assert result.sent
    texts = wait_for(lambda: twilio.to(number)[before:])
    body = texts[-1]["Body"]
    assert body.endswith("Reply GOT IT if you got it.")
    assert "YES" not in body  # one of Twilio's opt-in keywords
    assert f"{PUBLIC}/pack/" in body
    return body.split("/pack/")[1].split()[0]


def page_url(bot: RunningBot, token: str) -> str:
    return f"{bot.base_url}/pack/{token}"


def sms_form(sender: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": sender,
        "To": "+447700900000",
        "Body": body,
        "AccountSid": "ACfake00000000000000000000000000",
    }


def text_in(bot: RunningBot, twilio: FakeTwilio, sender: str, body: str) -> dict[str, str]:
    form = sms_form(sender, body)
    signature = RequestValidator(twilio.token).compute_signature(PUBLIC + WEBHOOK, form)
    reply = requests.post(
        f"{bot.base_url}{WEBHOOK}", data=form, headers={"X-Twilio-Signature": signature}, timeout=10
    )
    assert reply.status_code == 200
    return form


# ---- the page over HTTP ----------------------------------------------------------------------


def test_the_link_shows_the_pack_with_strict_headers_and_nothing_personal(pack_bot, engine, twilio):
    token = send_pack(pack_bot, engine, twilio, TAYLOR)
    reply = requests.get(page_url(pack_bot, token), timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in reply.headers["X-Robots-Tag"]
    assert reply.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex' in reply.text
    assert "Higher education bursary" in reply.text
    for personal in ("Demo", "Taylor", "07700", "900105", "North", "2007", "15 October"):
        assert personal not in reply.text
    css = requests.get(f"{pack_bot.base_url}/pack/pack.css", timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")


def test_unknown_malformed_mistyped_and_expired_links_all_get_the_same_404(
    pack_bot, engine, twilio
):
    token = send_pack(pack_bot, engine, twilio, TAYLOR)
    long_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=31)
    expired = send_pack(pack_bot, engine, twilio, JORDAN, now=long_ago)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = [
        requests.get(page_url(pack_bot, t), timeout=10)
        for t in (flipped, token[:-1], service.new_token(), "not-a-token", "x" * 300, expired)
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert "This link does not work" in answers[0].text
    for answer in answers:
        assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["Cache-Control"] == "no-store"
    assert requests.get(page_url(pack_bot, token), timeout=10).status_code == 200


def test_two_people_two_links_each_shows_only_its_own_pack(pack_bot, engine, twilio):
    taylor = requests.get(
        page_url(pack_bot, send_pack(pack_bot, engine, twilio, TAYLOR)), timeout=10
    )
    alex = requests.get(page_url(pack_bot, send_pack(pack_bot, engine, twilio, ALEX)), timeout=10)
    assert "Higher education bursary" in taylor.text and "Higher education bursary" not in alex.text
    assert "Staying put" in alex.text and '<h3 id="e-staying-put">' not in taylor.text


# ---- GOT IT through the signed webhook -------------------------------------------------------


def test_got_it_from_the_registered_number_acknowledges_the_pack_and_thanks_them(
    pack_bot, engine, twilio
):
    send_pack(pack_bot, engine, twilio, ALEX)
    before = len(twilio.to(ALEX))
    text_in(pack_bot, twilio, ALEX, " Got it! ")
    [thanks] = wait_for(lambda: twilio.to(ALEX)[before:])
    assert thanks["Body"] == service.THANKS

    def latest():
        with engine.connect() as conn:
            return conn.execute(
                sa.select(packs.c.acknowledged_at)
                .where(packs.c.care_leaver_id == person_id(engine, ALEX))
                .order_by(packs.c.id.desc())
            ).first()

    assert wait_for(lambda: latest().acknowledged_at is not None)
    # Now nothing is waiting: the next GOT IT goes to the bot, not to the packs.
    text_in(pack_bot, twilio, ALEX, "got it")
    replies = wait_for(lambda: twilio.to(ALEX)[before + 1 :])
    assert replies and all(r["Body"] != service.THANKS for r in replies)


def test_got_it_from_a_number_not_on_record_goes_to_the_bot(pack_bot, twilio):
    stranger = "+447700900988"
    text_in(pack_bot, twilio, stranger, "GOT IT")
    replies = wait_for(lambda: twilio.to(stranger))
    assert replies and all(r["Body"] != service.THANKS for r in replies)


def test_yes_acknowledges_no_pack(pack_bot, engine, twilio):
    """YES is Twilio's opt-in keyword, which Twilio answers on this number itself."""
    token = send_pack(pack_bot, engine, twilio, JORDAN)
    form = text_in(pack_bot, twilio, JORDAN, "YES")
    assert replies_to(pack_bot.settings.database_url, twilio, form) == []
    with engine.connect() as conn:
        acknowledged = conn.execute(
            sa.select(packs.c.acknowledged_at).where(
                packs.c.token_hash == service.token_hash(token)
            )
        ).scalar_one()
    assert acknowledged is None


# ---- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make system-packages` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


@pytest.mark.browser
def test_the_pack_page_in_chromium_is_accessible_on_a_phone_and_prints(
    pack_bot, engine, twilio, browser
):
    from playwright.sync_api import expect

    token = send_pack(pack_bot, engine, twilio, ALEX)
    # The page's own policy, as a young person's browser applies it.
    strict = browser.new_context(viewport={"width": 320, "height": 640})
    page = strict.new_page()
    errors: list[str] = []
    requested: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    page.on("request", lambda r: requested.append(r.url))
    page.goto(page_url(pack_bot, token))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your leaving care pack")
    expect(page.get_by_role("heading", name="Staying put")).to_be_visible()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()  # its script ran
    assert errors == []  # nothing blocked by the policy
    assert all(url.startswith(pack_bot.base_url) for url in requested)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320  # no sideways scrolling on a small phone
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    strict.close()
    # axe is injected as a script, which the page's policy forbids: this context lets it in.
    for size in ({"width": 320, "height": 640}, {"width": 1280, "height": 800}):
        context = browser.new_context(bypass_csp=True, viewport=size)
        page = context.new_page()
        page.goto(page_url(pack_bot, token))
        assert axe_violations(page) == []
        page.goto(page_url(pack_bot, "not-a-token"))
        assert axe_violations(page) == []
        context.close()
