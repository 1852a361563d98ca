"""End to end: quality reviews in the started console, for every role, masked or not.

A past week (Monday 2 to Sunday 8 November 2026, GMT) holds two conversations written
to Rasa's events table as its tracker store writes them: Demo Jordan's (North), which
gives away their name and number, and an anonymous one with an email address.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.db.rasa_events import events
from bot.people import identity
from bot.store.tables.console import audit_log
from bot.store.tables.people import care_leavers
from bot.store.tables.quality import qa_flags, qa_reviews, qa_samples
from bot.store.tables.records import unanswered_questions
from tests.support.console import (
    PASSWORD,
    RunningConsole,
    Visitor,
    axe_violations,
    chromium_browser,
    running_console,
)
from tests.support.console import text_of as _text_of
from tests.support.databases import BOTH_DATABASES, module_database

pytestmark = pytest.mark.e2e

WEEK = "2026-W45"
LONDON = ZoneInfo("Europe/London")
ACCOUNTS = {
    "admin": ("sol.example-manager@example.org", "admin"),
    "north": ("chris.example-manager@example.org", "team_manager"),
    "east": ("dana.example-manager@example.org", "team_manager"),
    "adviser": ("pat.example-adviser@example.org", "personal_adviser"),
    "duty": ("duty.example@example.org", "duty_worker"),
    "content": ("kim.example-adviser@example.org", "content_editor,content_approver"),
}
ALLOWED = {"admin", "north", "east"}
NORTH = "sms-qa-north"
ANON = "rest-qa-anon"


def text_of(page) -> str:
    """A page's words, entities unescaped."""
    return html.unescape(_text_of(page))


def at(*args: int) -> float:
    return dt.datetime(*args, tzinfo=LONDON).timestamp()


def seed(engine: sa.engine.Engine, _settings) -> None:
    with engine.connect() as conn:
        jordan = conn.execute(
            sa.select(care_leavers.c.id).where(care_leavers.c.external_ref == "DEMO-CL-01")
        ).scalar_one()
    identity.link(engine, NORTH, jordan, "sms")
    rows = [
        (NORTH, "user", at(2026, 11, 3, 9, 0), {"text": "can i get money for a bed"}),
        (
            NORTH,
            "slot",
            at(2026, 11, 3, 9, 0, 1),
            {"name": "entitlement_id", "value": "staying-put"},
        ),
        (NORTH, "bot", at(2026, 11, 3, 9, 0, 2), {"text": "Staying put: you can stay..."}),
        (NORTH, "user", at(2026, 11, 3, 9, 1), {"text": "its jordan, call me on 07700900101"}),
        (NORTH, "bot", at(2026, 11, 3, 9, 1, 1), {"text": "Sorry, I don't know that one."}),
        (ANON, "user", at(2026, 11, 4, 9, 0), {"text": "email me at anon.person@example.org"}),
        (ANON, "bot", at(2026, 11, 4, 9, 0, 1), {"text": "Sorry, I don't know that one."}),
    ]
    with engine.begin() as conn:
        for sender, kind, moment, data in rows:
            channel = {"input_channel": "twilio" if sender == NORTH else "rest"}
            conn.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name=kind,
                    timestamp=moment,
                    data=json.dumps({"event": kind, "timestamp": moment, **data, **channel}),
                )
            )


@pytest.fixture(**BOTH_DATABASES)
def console(request, tmp_path_factory) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"quality-{request.param}")
    url = module_database(request, workdir)
    with running_console(workdir, url, ACCOUNTS, prepare=seed) as running:
        yield running


@pytest.fixture(scope="module")
def visitors(console) -> dict[str, Visitor]:
    return {who: Visitor(console).sign_in(email) for who, (email, _) in ACCOUNTS.items()}


@pytest.fixture(scope="module")
def samples(console, visitors) -> dict[str, int]:
    """The week's sample, drawn by the admin: conversation id -> sample id."""
    reply = visitors["admin"].post(f"/quality/{WEEK}/draw", {})
    assert reply.status_code == 303, reply.text[:300]
    with console.engine.connect() as conn:
        return {
            row.conversation_id: row.id
            for row in conn.execute(sa.select(qa_samples.c.conversation_id, qa_samples.c.id))
        }


def event_of(console, sender: str, text: str) -> int:
    with console.engine.connect() as conn:
        for row in conn.execute(sa.select(events).where(events.c.sender_id == sender)):
            if json.loads(row.data).get("text") == text:
                return int(row.id)
    raise AssertionError(text)


def counts(console) -> tuple[int, int, int]:
    with console.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in (qa_reviews, qa_flags, unanswered_questions)
        )


# ---- who may use it ----------------------------------------------------------------------


def test_the_week_shows_each_districts_sample_to_review(console, visitors, samples):
    assert set(samples) == {NORTH, ANON}
    page = visitors["north"].get(f"/quality/{WEEK}")
    assert page.status_code == 200
    words = text_of(page)
    assert "Week 2026-W45" in words
    assert 'data-group="North"' in page.text and 'data-group="Not on record"' in page.text
    assert "To review" in words
    assert "No conversations in this group this week." in words  # East and Central


def test_drawing_again_keeps_the_same_sample(console, visitors, samples):
    assert visitors["east"].post(f"/quality/{WEEK}/draw", {}).status_code == 303
    with console.engine.connect() as conn:
        again = {r.conversation_id: r.id for r in conn.execute(sa.select(qa_samples))}
    assert again == samples


@pytest.mark.parametrize("who", list(ACCOUNTS))
def test_only_team_managers_and_admins_may_review(console, visitors, samples, who):
    visitor = visitors[who]
    sample = samples[ANON]
    before = counts(console)
    replies = [
        visitor.get("/quality"),
        visitor.get(f"/quality/{WEEK}"),
        visitor.get(f"/quality/sample/{sample}"),
        visitor.post(f"/quality/{WEEK}/draw", {}),
        visitor.post(f"/quality/sample/{sample}/review", {"grade": "good"}),
        visitor.post(f"/quality/sample/{sample}/flag", {"event_id": "0"}),
    ]
    statuses = [reply.status_code for reply in replies]
    if who in ALLOWED:
        assert statuses == [302, 200, 200, 303, 303, 400]
    else:
        assert statuses == [403] * 6
        assert all("You cannot use this page" in reply.text for reply in replies)
        assert counts(console) == before
    assert all("Traceback" not in reply.text for reply in replies)
    menu = visitor.get("/").text
    assert ('href="/quality"' in menu) is (who in ALLOWED)


@pytest.mark.parametrize("path", ["/quality", f"/quality/{WEEK}", "/quality/sample/1"])
def test_a_stranger_is_sent_to_sign_in(console, path):
    reply = Visitor(console).get(path)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/login")


def test_a_strangers_form_is_refused(console, samples):
    stranger = Visitor(console)
    stranger.get("/login")  # a CSRF cookie of their own, but no session
    before = counts(console)
    for path in (f"/quality/{WEEK}/draw", f"/quality/sample/{samples[ANON]}/review"):
        reply = stranger.post(path, {"grade": "good"})
        assert reply.status_code in (302, 303, 403), path
        assert not reply.headers.get("Location", "/login").startswith("/quality")
    assert counts(console) == before


# ---- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "conversation", "shown", "hidden"),
    [
        ("north", NORTH, ["its jordan, call me on 07700900101"], ["[phone]"]),
        ("admin", NORTH, ["its jordan, call me on 07700900101"], ["[phone]"]),
        ("east", NORTH, ["its [name], call me on [phone]"], ["07700900101", "jordan,"]),
        ("north", ANON, ["email me at [email]"], ["anon.person@example.org"]),
        ("east", ANON, ["email me at [email]"], ["anon.person@example.org"]),
        ("admin", ANON, ["email me at anon.person@example.org"], ["[email]"]),
    ],
)
def test_personal_details_are_masked_unless_the_role_allows(
    console, visitors, samples, who, conversation, shown, hidden
):
    page = visitors[who].get(f"/quality/sample/{samples[conversation]}")
    assert page.status_code == 200
    words = text_of(page)
    for text in shown:
        assert text in words
    for text in hidden:
        assert text not in page.text
    with console.engine.connect() as conn:
        details = [
            row.detail
            for row in conn.execute(
                sa.select(audit_log).where(
                    audit_log.c.action == "qa.read",
                    audit_log.c.target == f"sample:{samples[conversation]}",
                    audit_log.c.staff_id == console.staff_ids[who],
                )
            )
        ]
    assert details[-1] == ("masked" if "[" in shown[0] else "unmasked")


# ---- grading, flags and CSRF -------------------------------------------------------------


def test_a_review_is_saved_shown_and_audited(console, visitors, samples):
    north = visitors["north"]
    sample = samples[NORTH]
    reply = north.post(
        f"/quality/sample/{sample}/review",
        {"grade": "requires_improvement", "tags": ["wrong_answer", "unclear_wording"], "note": "x"},
    )
    assert reply.status_code == 303
    page = north.get(reply.headers["Location"])
    assert "The review is saved." in text_of(page)
    assert 'id="grade-requires_improvement" name="grade" value="requires_improvement" checked' in (
        page.text
    )
    with console.engine.connect() as conn:
        row = conn.execute(sa.select(qa_reviews).where(qa_reviews.c.sample_id == sample)).one()
        graded = (
            conn.execute(
                sa.select(audit_log.c.detail).where(
                    audit_log.c.action == "qa.grade", audit_log.c.target == f"sample:{sample}"
                )
            )
            .scalars()
            .all()
        )
    assert (row.grade, row.tags, row.note) == (
        "requires_improvement",
        "unclear_wording,wrong_answer",
        "x",
    )
    assert row.reviewer_id == console.staff_ids["north"]
    assert "grade requires_improvement; tags unclear_wording, wrong_answer" in graded
    week = text_of(north.get(f"/quality/{WEEK}"))
    assert "Reviewed Requires improvement" in week


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose a grade"),
        ({"grade": "brilliant"}, "Choose a grade"),
        ({"grade": "good", "tags": ["rude"]}, "A tag is not one of: wrong answer, missed risk"),
        ({"grade": "good", "note": "x" * 2001}, "the most is 2000"),
    ],
)
def test_a_bad_review_gets_a_clear_400_and_nothing_is_saved(
    console, visitors, samples, form, message
):
    before = counts(console)
    with console.engine.connect() as conn:
        kept = conn.execute(sa.select(qa_reviews)).all()
    reply = visitors["east"].post(f"/quality/sample/{samples[ANON]}/review", form)
    assert reply.status_code == 400
    assert message in text_of(reply)
    assert "There is a problem" in text_of(reply)
    assert counts(console) == before
    with console.engine.connect() as conn:
        assert conn.execute(sa.select(qa_reviews)).all() == kept


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_a_form_without_its_csrf_token_is_refused(console, visitors, samples, token):
    before = counts(console)
    data = (
        {"grade": "inadequate"} if token is None else {"grade": "inadequate", "csrf_token": token}
    )
    reply = visitors["admin"].session.post(
        console.url(f"/quality/sample/{samples[NORTH]}/review"), data=data, allow_redirects=False
    )
    assert reply.status_code == 403
    assert counts(console) == before
    with console.engine.connect() as conn:
        grades = conn.execute(sa.select(qa_reviews.c.grade)).scalars().all()
    assert "inadequate" not in grades


def test_a_wrong_answer_becomes_an_unanswered_question(console, visitors, samples):
    east = visitors["east"]  # masked: North is not their district
    asked = event_of(console, NORTH, "its jordan, call me on 07700900101")
    reply = east.post(f"/quality/sample/{samples[NORTH]}/flag", {"event_id": str(asked)})
    assert reply.status_code == 303
    assert "unanswered question for content staff" in text_of(east.get(reply.headers["Location"]))
    with console.engine.connect() as conn:
        question = conn.execute(
            sa.select(unanswered_questions)
            .join(qa_flags, qa_flags.c.unanswered_id == unanswered_questions.c.id)
            .where(qa_flags.c.event_id == asked)
        ).one()
        audited = (
            conn.execute(sa.select(audit_log.c.detail).where(audit_log.c.action == "qa.flag"))
            .scalars()
            .all()
        )
    assert question.text == "its [name], call me on [phone]"
    assert (question.district, question.channel, question.status) == ("North", "twilio", "new")
    assert f"unanswered question {question.id}" in audited
    # Once only; and only a young person's message of this conversation.
    again = east.post(f"/quality/sample/{samples[NORTH]}/flag", {"event_id": str(asked)})
    assert again.status_code == 400 and "already with content staff" in text_of(again)
    bots = event_of(console, NORTH, "Sorry, I don't know that one.")
    other = event_of(console, ANON, "email me at anon.person@example.org")
    for bad in (str(bots), str(other), "abc", "", "9" * 40):
        wrong = east.post(f"/quality/sample/{samples[NORTH]}/flag", {"event_id": bad})
        assert wrong.status_code == 400, bad
        assert "young person's messages" in text_of(wrong)


def test_the_bots_guess_is_the_entitlement_it_answered(console, visitors, samples):
    asked = event_of(console, NORTH, "can i get money for a bed")
    reply = visitors["admin"].post(
        f"/quality/sample/{samples[NORTH]}/flag", {"event_id": str(asked)}
    )
    assert reply.status_code == 303
    with console.engine.connect() as conn:
        question = conn.execute(
            sa.select(unanswered_questions)
            .join(qa_flags, qa_flags.c.unanswered_id == unanswered_questions.c.id)
            .where(qa_flags.c.event_id == asked)
        ).one()
    assert (question.text, question.best_guess) == ("can i get money for a bed", "staying-put")


@pytest.mark.parametrize(
    "path",
    [
        "/quality/2026-W99",
        "/quality/last-week",
        "/quality/2099-W01",
        "/quality/sample/99999",
        "/quality/sample/abc",
    ],
)
def test_bad_addresses_get_a_plain_404(console, visitors, path):
    reply = visitors["north"].get(path)
    assert reply.status_code == 404
    assert "Traceback" not in reply.text


def test_a_week_not_ended_cannot_be_drawn(console, visitors):
    today = dt.date.today().isocalendar()
    label = f"{today[0]}-W{today[1]:02d}"
    page = visitors["north"].get(f"/quality/{label}")
    assert page.status_code == 200 and "This week has not ended" in text_of(page)
    reply = visitors["north"].post(f"/quality/{label}/draw", {})
    assert reply.status_code == 400
    assert "has not ended" in text_of(reply)


@pytest.mark.browser
def test_the_review_page_in_a_real_browser(console, samples):
    with chromium_browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(console.url("/login"))
        page.fill("#email", ACCOUNTS["east"][0])
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(console.url(f"/quality/{WEEK}"))
        assert axe_violations(page) == []
        page.get_by_role("link", name="Conversation 1 in Not on record").click()
        assert page.locator("h1").inner_text() == "Review a conversation"
        assert "email me at [email]" in page.locator("#transcript").inner_text()
        assert axe_violations(page) == []
        page.get_by_label("Outstanding").check()
        page.get_by_label("Slow PA reply").check()
        page.fill("#note", "Clear and kind.")
        page.get_by_role("button", name="Save the review").click()
        assert "The review is saved." in page.locator("main").inner_text()
        assert page.get_by_label("Outstanding").is_checked()
        assert page.get_by_label("Slow PA reply").is_checked()
        assert axe_violations(page) == []
        context.close()
