"""The content workflow's quality bar, in Debian's headless Chromium (Playwright).

Everything is really started on one database: the Rasa server and the action server
(as ``make run`` starts them, with the trained model in ``models/``) and the console.
An editor changes the setting up home allowance's amount and summary and submits it; the
editor cannot approve it; an approver approves and publishes it; the REST channel answers
with the new amount, with no retraining and no restart; a rollback brings the old
amount back; and a new entry, with its example questions, is
answered once it is published. axe-core checks the editor and the other content pages.
Each "the bot answers with it" is a bounded wait (:data:`LIVE_WITHIN`), not a timing: the
quality bar's "within 10 seconds" is a figure for ``make bench``, not for a test on a busy
2-core machine.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.db.engine import create_db_engine
from tests.support.console import console_process, give_accounts
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.servers import RunningBot, free_port, running_bot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "console test password 1"
EDITOR = "ash.example-editor@example.org"
APPROVER = "jo.example-approver@example.org"
QUESTION = "how much is the setting up home grant"
NEW_QUESTION = "can i get a christmas hamper"
LIVE_WITHIN = 60.0
"""How long a published change may take to reach the answers before the test fails: a
bounded wait, generous on a busy machine (how fast it is belongs in make bench)."""
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclasses.dataclass
class Services:
    bot: RunningBot

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.bot.settings.console_port}"

    def url(self, path: str) -> str:
        return self.console_url + path


@pytest.fixture(**BOTH_DATABASES)
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    workdir = tmp_path_factory.mktemp(f"content-browser-{request.param}")
    url = module_database(request, workdir)
    with running_bot(url, workdir, demo_people=True, console_port=free_port()) as bot:
        engine = create_db_engine(url)
        editors = {"editor": (EDITOR, "content_editor"), "approver": (APPROVER, "content_approver")}
        give_accounts(engine, editors, PASSWORD)
        engine.dispose()
        with console_process(bot.settings, workdir / "console.log"):
            yield Services(bot)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
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
        yield browser
        browser.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def first_answer(services: Services, question: str) -> str:
    reply = requests.post(
        services.bot.rest_url,
        json={"sender": uuid.uuid4().hex, "message": question},
        timeout=30,
    )
    reply.raise_for_status()
    texts = [m["text"] for m in reply.json() if "text" in m]
    return texts[0] if texts else ""


def answered_within(services: Services, question: str, wanted: str, seconds: float) -> None:
    """Ask until the first answer contains ``wanted``; fail after ``seconds``."""
    started = time.monotonic()
    answer = ""
    while time.monotonic() - started < seconds:
        answer = first_answer(services, question)
        if wanted in answer:
            return
        time.sleep(0.5)
    pytest.fail(f"after {seconds} s the bot still answers {answer!r}, without {wanted!r}")


def signed_in_page(chromium: Any, services: Services, email: str) -> tuple[Any, Any]:
    # axe is injected as a script, which the console's policy forbids: this context lets it.
    context = chromium.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(services.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(services.url("/"))
    return context, page


def csrf_post(page: Any, path: str, base: str) -> int:
    """POST a form from this signed-in page (its own CSRF token); the status."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    reply = page.request.post(base + path, form={"csrf_token": token}, max_redirects=0)
    return int(reply.status)


def test_edit_approve_publish_roll_back_and_a_new_entry_answered_live(services, chromium):
    from playwright.sync_api import expect

    before = first_answer(services, QUESTION)
    assert before.startswith("Setting up home allowance: ") and "£3,000" in before

    requested: list[str] = []
    editor_context, editor = signed_in_page(chromium, services, EDITOR)
    approver_context, approver = signed_in_page(chromium, services, APPROVER)
    editor.on("request", lambda r: requested.append(r.url))
    try:
        # ---- the editor changes the amount and the summary, and submits -------------------
        editor.get_by_role("navigation", name="Main menu").get_by_role(
            "link", name="Content", exact=True
        ).click()
        expect(editor.get_by_role("heading", level=1)).to_have_text("Entitlement content")
        assert axe_violations(editor) == []
        editor.get_by_role("link", name="Setting up home allowance").click()
        editor.get_by_role("link", name="Edit this entry").click()
        expect(editor.get_by_role("heading", level=1)).to_contain_text("Edit")
        assert axe_violations(editor) == []

        summary = editor.locator("#f-summary")
        old_summary = summary.input_value()
        new_summary = old_summary.replace("at least £3,000", "at least £3,500")
        assert new_summary != old_summary
        counted = editor.locator("#summary-count").text_content()
        summary.fill(new_summary + " Extra words to count.")
        expect(editor.locator("#summary-count")).not_to_have_text(counted or "")
        summary.fill(new_summary)
        editor.locator("#f-amount-1-amount").fill("3500")
        editor.get_by_label("What you changed and why").fill("The guidance now says £3,500")

        editor.get_by_role("button", name="Check and preview").click()
        expect(editor.locator("[data-testid=sms-part]").first).to_contain_text("£3,500")
        expect(editor.locator("[data-testid=web-preview]")).to_contain_text("£3,500")
        expect(editor.locator("#summary-count")).to_contain_text("SMS segments (GSM-7)")
        assert axe_violations(editor) == []

        editor.get_by_role("button", name="Save draft").click()
        expect(editor.get_by_role("status")).to_contain_text("The draft is saved")
        draft_url = editor.url.split("?")[0]
        draft_path = draft_url.removeprefix(services.console_url)
        assert axe_violations(editor) == []
        editor.get_by_role("button", name="Submit for approval").click()
        expect(editor.locator("#draft-state")).to_have_text("Waiting for approval")

        # ---- the editor cannot approve their own change -------------------------------------
        expect(editor.get_by_role("button", name="Approve")).to_have_count(0)
        assert csrf_post(editor, f"{draft_path}/approve", services.console_url) == 403
        assert csrf_post(editor, f"{draft_path}/publish", services.console_url) == 403
        assert "£3,000" in first_answer(services, QUESTION)

        # ---- an approver approves and publishes; the bot answers with it at once -------------
        approver.goto(draft_url)
        assert axe_violations(approver) == []
        approver.get_by_role("button", name="Approve").click()
        expect(approver.locator("#draft-state")).to_have_text("Approved, not yet published")
        approver.get_by_role("button", name="Publish").click()
        expect(approver.get_by_role("status")).to_contain_text("Published")
        answered_within(services, QUESTION, "at least £3,500", LIVE_WITHIN)
        assert axe_violations(approver) == []

        # ---- compare, then roll back: the old amount is back as fast ------------------------
        approver.get_by_role("button", name="Compare").click()
        expect(approver.get_by_role("heading", level=1)).to_have_text("Compare versions 1 and 2")
        expect(approver.locator("table")).to_contain_text("amounts[1].amount")
        assert axe_violations(approver) == []
        approver.go_back()
        approver.get_by_label("Go back to version").select_option("1")
        approver.get_by_label("Why", exact=True).fill("The rise is not confirmed")
        approver.get_by_role("button", name="Roll back").click()
        expect(approver.get_by_role("status")).to_contain_text("Rolled back")
        answered_within(services, QUESTION, "at least £3,000", LIVE_WITHIN)
        expect(approver.locator("body")).to_contain_text(
            "Rolled back to version 1: The rise is not confirmed"
        )

        # ---- a new entry with its example questions, answered once published ----------------
        assert "Christmas hamper" not in first_answer(services, NEW_QUESTION)
        editor.goto(services.url("/content"))
        editor.get_by_role("link", name="Add a new entry").click()
        fields = {
            "#f-id": "christmas-hamper",
            "#f-title": "Christmas hamper",
            "#f-summary": "Care leavers who live here can get a free food hamper each "
            "December. Ask your PA to put your name down.",
            "#f-details": "The hamper has food for Christmas and is brought to your door.",
            "#f-how_to_get": "Ask your PA to put your name down by 1 December.",
            "#f-legal_basis": "A local scheme of the council, not a law.",
            "#f-eligibility_explanation": "Care leavers aged 16 to 25 who live here.",
            "#f-rule-1-min_age": "16",
            "#f-rule-1-below_age": "26",
            "#f-varies_note": "Only this council runs it.",
            "#f-sources": "https://example.org/local-offer/christmas-hamper",
            "#f-examples": "\n".join(
                [
                    NEW_QUESTION,
                    "xmas hamper 4 care leavers",
                    "do care leavers get a christmas food parcel",
                    "christmas food box",
                    "is there a hamper at christmas",
                    "free food at xmas for care leavers",
                    "council christmas hamper",
                    "how do i get a christmas hamper",
                ]
            ),
            "#f-synonyms": "christmas hamper\nxmas hamper\nfood hamper",
            "#f-note": "New local scheme",
        }
        for selector, value in fields.items():
            editor.locator(selector).fill(value)
        editor.locator("#f-rule-1-statuses-relevant").check()
        editor.locator("#f-rule-1-statuses-former_relevant").check()
        editor.locator("#f-varies").check()
        editor.get_by_role("button", name="Save draft").click()
        expect(editor.get_by_role("status")).to_contain_text("The draft is saved")
        editor.get_by_role("button", name="Submit for approval").click()
        expect(editor.locator("#draft-state")).to_have_text("Waiting for approval")
        approver.goto(editor.url.split("?")[0])
        approver.get_by_role("button", name="Approve").click()
        approver.get_by_role("button", name="Publish").click()
        expect(approver.get_by_role("status")).to_contain_text("Published")
        answered_within(
            services, NEW_QUESTION, "Christmas hamper: Care leavers who live here", LIVE_WITHIN
        )
        answered_within(
            services, "how do i get a christmas hamper", "Christmas hamper", LIVE_WITHIN
        )
    finally:
        editor_context.close()
        approver_context.close()
    assert all(url.startswith(services.console_url) for url in requested), requested
    assert not any(re.search(r"/static/.*\.map$", url) for url in requested)
