"""End to end: a PA's reply written in the console reaches the young person's web chat.

Everything really runs, as ``make run`` starts it: the Rasa server (with two workers) and the
action server on one database (an SQLite file, then PostgreSQL), with the demo people,
and the console (``python -m bot.console``) on the same database. The young person talks
over the real socket (the ``websockets`` client) and, in the browser test, in Debian's
headless Chromium; the PA signs in and posts the console's forms with their CSRF token.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import html
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import websockets

from bot.cases import handoffs, service
from bot.channels.handoff import HELD_NOTICE
from bot.clock import utcnow
from bot.console.areas.case_replies import DELIVERY
from bot.db.engine import create_db_engine
from bot.people import identity
from bot.store.tables.web import web_chat_messages
from tests.support.console import console_process, give_accounts, young_ids
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.servers import RunningBot, free_port, running_bot

pytestmark = pytest.mark.e2e

PASSWORD = "web chat replies password 1"
ACCOUNTS = {
    "pat": ("pat.example-adviser@example.org", "personal_adviser"),  # North, Taylor's PA
    "lee": ("lee.example-adviser@example.org", "personal_adviser"),  # East, not Taylor's
}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TOKEN_KEY = "careleavers-chat-token"
PAT = "Pat (your personal adviser)"


@dataclasses.dataclass
class Stack:
    bot: RunningBot
    console_port: int
    engine: sa.engine.Engine
    young: dict[str, int]
    browsers: dict[str, requests.Session]

    def console_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.console_port}{path}"


@pytest.fixture(**BOTH_DATABASES)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp(f"web-replies-{request.param}")
    url = module_database(request, workdir)
    # Two workers, though one is the default: a reply must reach a socket held by either.
    with running_bot(url, workdir, demo_people=True, rasa_workers=2) as bot:
        engine = create_db_engine(url)
        try:
            give_accounts(engine, ACCOUNTS, PASSWORD)
            settings = dataclasses.replace(bot.settings, console_port=free_port())
            with console_process(settings, workdir / "console.log"):
                running = Stack(bot, settings.console_port, engine, young_ids(engine), {})
                running.browsers = {who: signed_in(running, who) for who in ACCOUNTS}
                yield running
        finally:
            engine.dispose()


# ---- helpers: the console ------------------------------------------------------------------


def token_in(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def signed_in(stack: Stack, who: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(stack.console_url("/login"), timeout=10)
    reply = browser.post(
        stack.console_url("/login"),
        data={"email": ACCOUNTS[who][0], "password": PASSWORD, "csrf_token": token_in(page)},
        allow_redirects=False,
        timeout=20,
    )
    assert reply.status_code == 303, reply.text[:500]
    return browser


def form(stack: Stack, who: str, path: str, data: dict[str, str]) -> dict[str, str]:
    """The form's fields with the CSRF token, as the page would post them."""
    token = token_in(stack.browsers[who].get(stack.console_url("/"), timeout=10))
    return {"csrf_token": token, **data}


def post(stack: Stack, who: str, path: str, data: dict[str, str]) -> requests.Response:
    return stack.browsers[who].post(
        stack.console_url(path), data=data, allow_redirects=False, timeout=20
    )


def reply_to_handoff(stack: Stack, handoff_id: int, text: str, who: str = "pat") -> str:
    path = f"/handoffs/{handoff_id}/reply"
    done = post(stack, who, path, form(stack, who, path, {"reply": text}))
    assert done.status_code == 303, done.text[:500]
    return done.headers["Location"]


def aware_now() -> dt.datetime:
    return utcnow().replace(tzinfo=dt.timezone.utc)


def hand_over(stack: Stack, conversation_id: str) -> int:
    """Taylor's web chat handed to Pat, as the bot does when they ask for their PA."""
    return handoffs.start_handoff(
        stack.engine,
        conversation_id=conversation_id,
        care_leaver_id=stack.young["taylor"],
        channel="web",
        summary='"can I talk to Pat"',
        now=aware_now(),
    ).handoff.id


def stored(stack: Stack, conversation_id: str) -> list[Any]:
    with stack.engine.connect() as conn:
        return conn.execute(
            sa.select(web_chat_messages)
            .where(web_chat_messages.c.conversation_id == conversation_id)
            .order_by(web_chat_messages.c.id)
        ).all()


# ---- helpers: the web chat -----------------------------------------------------------------


def new_token(stack: Stack) -> str:
    reply = requests.post(f"{stack.bot.base_url}/chat/session", timeout=10)
    assert reply.status_code == 201
    return str(reply.json()["token"])


def conversation_of(token: str) -> str:
    return token.split(".")[0]


def chat_history(stack: Stack, token: str) -> list[dict[str, Any]]:
    reply = requests.get(
        f"{stack.bot.base_url}/chat/history",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.status_code == 200
    return list(reply.json()["messages"])


class Chat:
    """One open web chat socket, and every frame it has received."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.stack = stack
        self.token = token
        self.frames: list[dict[str, Any]] = []
        self.ws: Any = None

    async def __aenter__(self) -> Chat:
        url = self.stack.bot.base_url.replace("http://", "ws://") + "/chat/socket"
        self.ws = await websockets.connect(url, origin=self.stack.bot.base_url, open_timeout=10)
        await self.ws.send(json.dumps({"type": "hello", "token": self.token}))
        ready = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert ready["type"] == "ready", ready
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        await self.ws.close()

    async def next(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next frame of this kind (others are kept in ``frames``)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind!r} frame within {timeout} s: {self.frames}")
            try:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            except asyncio.TimeoutError:
                continue
            self.frames.append(frame)
            if frame["type"] == kind:
                return frame

    async def say(self, text: str) -> dict[str, Any]:
        await self.ws.send(json.dumps({"type": "message", "text": text}))
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            self.frames.append(frame)
            if frame["type"] != "staff":
                return frame


def staff_texts(frames: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for f in frames if f["type"] == "staff" for m in f["messages"]]


# ---- over the socket -----------------------------------------------------------------------


def test_a_pa_reply_reaches_the_open_web_chat_at_once(stack):
    token = new_token(stack)
    conversation_id = conversation_of(token)
    # Taylor linked the chat to their record (the code step is tested in test_web_chat.py).
    identity.link(stack.engine, conversation_id, stack.young["taylor"], method="web_code")
    words = "Hi Taylor, it's Pat. I can talk now: what's up?"

    async def scenario() -> tuple[int, dict[str, Any], dict[str, Any]]:
        async with Chat(stack, token) as chat:
            asked = await chat.say("can i talk to my PA")
            assert asked["type"] == "reply", asked
            handoff = handoffs.active_handoff(stack.engine, conversation_id)
            assert handoff is not None and handoff.channel == "web"
            location = await asyncio.to_thread(reply_to_handoff, stack, handoff.id, words)
            assert location == f"/handoffs/{handoff.id}?done=reply&sent=web"
            # Pushed to the open socket, no reload: a bounded wait, not a latency figure.
            frame = await chat.next("staff", timeout=30)
            held = await chat.say("ok thanks, it's about my flat")
            return handoff.id, frame, held

    handoff_id, frame, held = asyncio.run(scenario())
    (message,) = frame["messages"]
    assert message["text"] == words and message["sender"] == PAT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["at"])
    assert held == {"type": "notice", "text": HELD_NOTICE}  # the PA has it, not the bot
    (row,) = stored(stack, conversation_id)
    assert row.delivered_at is not None and row.ref == message["ref"]
    # The history after a reload: in order, the PA's reply after the bot's answer.
    seen = chat_history(stack, token)
    assert [m["from"] for m in seen] == ["user", "bot", "staff"]
    assert seen[2]["text"] == words and seen[2]["sender"] == PAT
    # The console says where the reply went.
    page = stack.browsers["pat"].get(
        stack.console_url(f"/handoffs/{handoff_id}?done=reply&sent=web"), timeout=10
    )
    assert DELIVERY["web"] in html.unescape(page.text)


def test_with_the_chat_closed_the_reply_waits_and_arrives_on_reconnect(stack):
    token = new_token(stack)
    conversation_id = conversation_of(token)
    handoff_id = hand_over(stack, conversation_id)
    words = "Sorry I missed you, Taylor. I'll be in the office tomorrow at 10."
    reply_to_handoff(stack, handoff_id, words)
    # Another young person's chat, open, gets its own reply: a push round ran after ours
    # was written (a worker with no open chat asks the database nothing).
    other = new_token(stack)
    reply_to_handoff(stack, hand_over(stack, conversation_of(other)), "Hello, it's Pat.")

    async def other_chat() -> dict[str, Any]:
        async with Chat(stack, other) as chat:
            return await chat.next("staff", timeout=30)

    assert [m["text"] for m in asyncio.run(other_chat())["messages"]] == ["Hello, it's Pat."]
    (row,) = stored(stack, conversation_id)
    assert row.delivered_at is None
    # A reload shows it already (the page shows each message once, by its ref).
    waiting = chat_history(stack, token)
    assert [(m["from"], m["text"], m["sender"]) for m in waiting] == [("staff", words, PAT)]

    follow_up = "And bring your tenancy letter, please."

    async def reconnect() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Chat(stack, token) as chat:
            frame = await chat.next("staff", timeout=10)
        async with Chat(stack, token) as again:
            # The next message the PA sends is the next thing this connection gets:
            # the first one, delivered, is not sent again ahead of it.
            await asyncio.to_thread(reply_to_handoff, stack, handoff_id, follow_up)
            later = await again.next("staff", timeout=30)
        return frame, later

    frame, later = asyncio.run(reconnect())
    assert [m["text"] for m in frame["messages"]] == [words]
    assert frame["messages"][0]["ref"] == waiting[0]["ref"]
    assert [m["text"] for m in later["messages"]] == [follow_up]
    assert stored(stack, conversation_id)[0].delivered_at is not None


def test_a_double_posted_form_delivers_once(stack):
    token = new_token(stack)
    conversation_id = conversation_of(token)
    handoff_id = hand_over(stack, conversation_id)
    words = "Yes, I got your message. Pat"
    path = f"/handoffs/{handoff_id}/reply"
    data = form(stack, "pat", path, {"reply": words})

    async def scenario() -> list[dict[str, Any]]:
        async with Chat(stack, token) as chat:
            # A double click (two at once), then the browser retrying the same post.
            with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
                twice = list(pool.map(lambda _: post(stack, "pat", path, data), range(2)))
            assert [r.status_code for r in twice] == [303, 303]
            retried = await asyncio.to_thread(post, stack, "pat", path, data)
            assert retried.status_code == 303
            # A second, different reply: everything sent before it has arrived with it.
            await asyncio.to_thread(reply_to_handoff, stack, handoff_id, follow_up)
            while follow_up not in staff_texts(chat.frames):
                await chat.next("staff", timeout=30)
            return chat.frames

    follow_up = "See you on Tuesday. Pat"
    frames = asyncio.run(scenario())
    assert staff_texts(frames) == [words, follow_up]
    assert len(stored(stack, conversation_id)) == 2


def test_a_case_answered_in_the_console_reaches_the_web_chat(stack):
    token = new_token(stack)
    conversation_id = conversation_of(token)
    case = service.open_case(
        stack.engine,
        care_leaver=stack.young["taylor"],
        category="copy_of_plan",
        words="I never got a copy of my plan",
        conversation_id=conversation_id,
        channel="web",
        now=aware_now(),
        settings=stack.bot.settings,
    )
    words = f"I've posted a copy of your plan today ({case.reference}). Pat"
    path = f"/cases/{case.reference}/reply"

    async def scenario() -> dict[str, Any]:
        async with Chat(stack, token) as chat:
            done = await asyncio.to_thread(
                post, stack, "pat", path, form(stack, "pat", path, {"reply": words})
            )
            assert done.status_code == 303
            assert done.headers["Location"] == f"/cases/{case.reference}?done=reply&sent=web"
            return await chat.next("staff")

    frame = asyncio.run(scenario())
    assert [(m["text"], m["sender"]) for m in frame["messages"]] == [(words, PAT)]


def test_another_conversation_never_receives_it(stack):
    mine, theirs = new_token(stack), new_token(stack)
    # Both chats are Taylor's (two tabs): still, each reply goes to its own conversation.
    for token in (mine, theirs):
        identity.link(stack.engine, conversation_of(token), stack.young["taylor"], "web_code")
    handoff_id = hand_over(stack, conversation_of(mine))
    words = "This is for the first chat only."
    own = "And this is for the second chat."

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Chat(stack, mine) as first, Chat(stack, theirs) as second:
            await asyncio.to_thread(reply_to_handoff, stack, handoff_id, words)
            got = await first.next("staff")
            # The second chat's own reply, sent after: the first staff frame it gets.
            theirs_handoff = await asyncio.to_thread(hand_over, stack, conversation_of(theirs))
            await asyncio.to_thread(reply_to_handoff, stack, theirs_handoff, own)
            return got, await second.next("staff", timeout=30)

    got, other = asyncio.run(scenario())
    assert staff_texts([got]) == [words]
    assert staff_texts([other]) == [own]
    assert [m["text"] for m in chat_history(stack, theirs) if m["from"] == "staff"] == [own]
    assert [row.text for row in stored(stack, conversation_of(theirs))] == [own]


def test_someone_outside_the_caseload_cannot_write_to_the_chat(stack):
    token = new_token(stack)
    handoff_id = hand_over(stack, conversation_of(token))
    path = f"/handoffs/{handoff_id}/reply"
    refused = post(stack, "lee", path, form(stack, "lee", path, {"reply": "Hello from Lee"}))
    assert refused.status_code == 403
    no_csrf = post(stack, "pat", path, {"reply": "No token"})
    assert no_csrf.status_code == 403
    too_long = post(stack, "pat", path, form(stack, "pat", path, {"reply": "x" * 1601}))
    assert too_long.status_code == 400
    assert stored(stack, conversation_of(token)) == []


# ---- in a real browser ---------------------------------------------------------------------


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Chromium for one test: Playwright's sync API keeps an event loop running in this
    thread while it is open, and the other tests here need asyncio.run()."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make system-packages` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
def test_the_page_shows_the_pas_reply_labelled_as_from_a_person(stack, chromium):
    from playwright.sync_api import expect

    context = chromium.new_context()  # under the page's own Content-Security-Policy
    page = context.new_page()
    page.set_default_timeout(20_000)
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("websocket", lambda s: requested.append(s.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{stack.bot.base_url}/chat/")
        page.get_by_label("Your message").wait_for()
        expect(page.locator("#status")).to_have_text("")  # the socket is ready
        token = page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')")
        handoff_id = hand_over(stack, conversation_of(token))
        words = "Hi Taylor, Pat here <b>not bold</b>"
        reply_to_handoff(stack, handoff_id, words)
        log = page.get_by_role("log", name="Conversation")
        shown = log.locator(".msg.staff")
        expect(shown).to_have_count(1)
        expect(shown).to_have_text(f"{PAT} said:{words}")  # as text, never as HTML
        assert shown.locator("b").count() == 0
        assert log.get_attribute("aria-live") == "polite"
        # After a reload it is there once (from the history; not again from the socket).
        page.reload()
        page.get_by_label("Your message").wait_for()
        expect(page.locator("#status")).to_have_text("")
        page.wait_for_timeout(2500)
        expect(log.locator(".msg.staff")).to_have_count(1)
    finally:
        context.close()
    ours = stack.bot.base_url.split("//", 1)[1]
    assert all(ours in url for url in requested), requested
    assert errors == []
    if AXE.exists():
        checked = chromium.new_context(bypass_csp=True)  # axe is injected as a script
        try:
            checked.add_init_script(f"sessionStorage.setItem('{TOKEN_KEY}', '{token}')")
            axe_page = checked.new_page()
            axe_page.goto(f"{stack.bot.base_url}/chat/")
            expect(axe_page.locator(".msg.staff")).to_have_count(1)
            axe_page.add_script_tag(path=str(AXE))
            result = axe_page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
            )
            assert [v["id"] for v in result["violations"]] == []
        finally:
            checked.close()
