"""One slow store call holds up only the member of staff who made it, not everyone else.

The console runs in this process (its real app on a real port, on the test's SQLite
or PostgreSQL database); one page's store call is held on a :class:`threading.Event`
while another member of staff loads another page. Before the console's pages ran off
the event loop, the held call stalled the loop and the second page never came.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.clock import utcnow
from bot.console import caseload, sessions
from bot.console.app import create_app
from bot.console.policy import Policy
from bot.people.demo import seed_demo
from bot.settings import Settings
from tests.support.console import give_accounts
from tests.support.servers import free_port

pytestmark = pytest.mark.timeout(180)

ACCOUNTS = {
    "pat": ("pat.example-adviser@example.org", "personal_adviser"),  # North
    "manager": ("chris.example-manager@example.org", "team_manager"),  # North
}
WAIT = 30
"""The longest any step waits (seconds): far more than a page takes on a busy machine."""


@contextlib.contextmanager
def serving(app: Sanic, port: int) -> Iterator[None]:
    """Serve ``app`` on ``port`` from an event loop in a thread of its own, until the end."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                app.create_server(
                    host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
                )
            )
            assert server is not None
            loop.run_until_complete(server.startup())
            loop.run_until_complete(server.before_start())
            loop.run_until_complete(server.after_start())
            loop.run_until_complete(server.start_serving())
        except BaseException as problem:  # reported by the test, not lost in the thread
            failed.append(problem)
            started.set()
            return
        started.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        left = asyncio.all_tasks(loop)  # connections kept alive: ended, not left to warn
        for task in left:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, name="console-under-test", daemon=True)
    thread.start()
    assert started.wait(WAIT), "the console did not start"
    if failed:
        raise failed[0]
    try:
        yield
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(WAIT)


def signed_in(engine: Engine, settings: Settings, staff_id: int) -> requests.Session:
    """A browser signed in as ``staff_id`` (its session made as the sign-in page makes it)."""
    with engine.begin() as conn:
        token = sessions.start(conn, staff_id, now=utcnow(), policy=Policy.from_settings(settings))
    browser = requests.Session()
    browser.cookies.set("console_session", token)
    return browser


def test_a_slow_store_call_does_not_stall_other_staff(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    seed_demo(engine, settings)
    ids = give_accounts(engine, ACCOUNTS)
    entered, release = threading.Event(), threading.Event()
    real_inbox = caseload.inbox

    def held_inbox(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(WAIT), "the test never let the inbox go on"
        return real_inbox(*args, **kwargs)

    monkeypatch.setattr(caseload, "inbox", held_inbox)
    # Sanic rewrites its request handler when an app starts; in test mode it keeps the
    # original, so a second app in this process (the next database kind) starts too.
    monkeypatch.setattr(Sanic, "test_mode", True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    pat = signed_in(engine, settings, ids["pat"])
    manager = signed_in(engine, settings, ids["manager"])
    with (
        serving(create_app(settings, engine=engine), port),
        concurrent.futures.ThreadPoolExecutor(1) as browser,
    ):
        try:
            slow = browser.submit(pat.get, f"{base}/inbox", timeout=WAIT, allow_redirects=False)
            assert entered.wait(WAIT), "the inbox never reached its store call"
            other = manager.get(f"{base}/manager", timeout=WAIT, allow_redirects=False)
            assert other.status_code == 200, other.text[:300]
            assert "Manager view" in other.text
            assert not slow.done(), "the held inbox answered before it was let go"
        finally:
            release.set()
        first = slow.result(timeout=WAIT)
        pat.close()
        manager.close()
    assert first.status_code == 200, first.text[:300]
    assert "Your inbox" in first.text
