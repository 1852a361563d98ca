"""The staff console in end-to-end tests: started as ``make run`` starts it, used like a browser.

:func:`running_console` migrates a database, loads the content and the demo people,
gives each named account its roles and a password, and starts ``python -m bot.console``
on a free port. :class:`Visitor` keeps cookies like a browser and posts forms with their
CSRF token.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bot.clock import utcnow
from bot.console import accounts
from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.launcher import ServiceGroup, console_spec, service_environment
from bot.people.demo import seed_demo
from bot.settings import Settings
from bot.store.tables.console import audit_log
from bot.store.tables.people import care_leavers
from tests.support.servers import free_port

PASSWORD = "console test password 1"
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def give_accounts(
    engine: sa.engine.Engine,
    accounts_by_name: Mapping[str, tuple[str, str]],
    password: str = PASSWORD,
) -> dict[str, int]:
    """Give each named demo staff member (name: (email, roles)) an account and ``password``.

    Returns:
        Their staff ids by name.
    """
    now = utcnow()
    staff_ids = {}
    with engine.begin() as conn:
        for name, (email, roles) in accounts_by_name.items():
            account = accounts.create(conn, roles=roles, email=email, now=now)
            accounts.set_password(conn, account.id, password, now=now, how="test")
            staff_ids[name] = account.staff_id
    return staff_ids


def young_ids(engine: sa.engine.Engine) -> dict[str, int]:
    """The demo care leavers' ids by their last name in lower case (``taylor``)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(care_leavers.c.id, care_leavers.c.preferred_name))
        return {row.preferred_name.split()[-1].lower(): row.id for row in rows}


@contextlib.contextmanager
def console_process(settings: Settings, log: Path) -> Iterator[None]:
    """Run ``python -m bot.console`` as ``make run`` does, logging to ``log``; wait until
    it answers, stop it afterwards."""
    with log.open("w") as sink:
        group = ServiceGroup(
            [console_spec(settings)], service_environment(settings), settings.project_root, sink
        )
        group.start()
        try:
            group.wait_ready(timeout=60)
            yield
        finally:
            group.stop()


@dataclasses.dataclass
class RunningConsole:
    """A started console and its database."""

    settings: Settings
    engine: sa.engine.Engine
    log: Path
    staff_ids: dict[str, int]
    young: dict[str, int]

    @property
    def base_url(self) -> str:
        """The console's address."""
        return f"http://127.0.0.1:{self.settings.console_port}"

    def url(self, path: str) -> str:
        """The console's address for ``path``."""
        return self.base_url + path

    def audit(self, since: int = 0) -> list[Any]:
        """The audit log's rows after id ``since``, oldest first."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(audit_log).where(audit_log.c.id > since).order_by(audit_log.c.id)
                )
            )


@contextlib.contextmanager
def running_console(
    workdir: Path,
    database_url: str,
    accounts_by_name: Mapping[str, tuple[str, str]],
    prepare: Callable[[sa.engine.Engine, Settings], None] | None = None,
    *,
    password: str = PASSWORD,
    content: bool = True,
) -> Iterator[RunningConsole]:
    """Start the console on ``database_url`` with ``accounts_by_name`` (name: (email, roles)).

    Args:
        workdir: Its ``VAR_DIR``; the log is ``console.log`` in it.
        database_url: Migrated here; the demo people are loaded.
        accounts_by_name: See :func:`give_accounts`.
        prepare: Runs on the database before the console starts.
        password: Every account's password.
        content: Load the content files too.

    """
    settings = dataclasses.replace(
        Settings(), var_dir=workdir, database_url=database_url, console_port=free_port()
    )
    upgrade(database_url)
    engine = create_db_engine(database_url)
    try:
        if content:
            load_content_files(engine, settings)
        seed_demo(engine, settings)
        staff_ids = give_accounts(engine, accounts_by_name, password)
        if prepare is not None:
            prepare(engine, settings)
        log = workdir / "console.log"
        with console_process(settings, log):
            yield RunningConsole(settings, engine, log, staff_ids, young_ids(engine))
    finally:
        engine.dispose()


def token_in(page: requests.Response) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


class Visitor:
    """One browser's session with the console (cookies kept)."""

    def __init__(self, console: RunningConsole) -> None:
        self.console = console
        self.session = requests.Session()

    def sign_in(self, email: str, password: str = PASSWORD) -> Visitor:
        """Sign in (and check it worked)."""
        page = self.session.get(self.console.url("/login"), timeout=10)
        reply = self.session.post(
            self.console.url("/login"),
            data={"email": email, "password": password, "csrf_token": token_in(page)},
            allow_redirects=False,
            timeout=20,
        )
        assert reply.status_code == 303, reply.text[:500]
        return self

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a page without following redirects."""
        return self.session.get(self.console.url(path), allow_redirects=False, timeout=60, **kwargs)

    def post(self, path: str, data: Mapping[str, Any]) -> requests.Response:
        """POST a form with a fresh CSRF token."""
        token = token_in(self.session.get(self.console.url("/"), timeout=10))
        return self.session.post(
            self.console.url(path),
            data={"csrf_token": token, **data},
            allow_redirects=False,
            timeout=60,
        )


def text_of(page: requests.Response) -> str:
    """A page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (skipped outside CI if missing)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make system-packages` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page (the context must bypass the CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
