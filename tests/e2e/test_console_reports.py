"""End to end: the weekly report in the started console, as a page, a CSV and a PDF.

A known week in the past (Monday 2 to Sunday 8 November 2026, GMT) is seeded with the
project's own functions; the started console reads the real clock, so that week has
ended and its figures are kept. The page, the CSV and the PDF must say the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pypdf
import pytest
import sqlalchemy as sa

from bot.cases import alerts, service
from bot.people import identity
from bot.records import record_answer, record_unanswered
from bot.reports.feedback import record_feedback
from bot.store.tables.console import audit_log
from bot.store.tables.people import care_leavers, staff
from tests.support.console import (
    RunningConsole,
    Visitor,
    axe_violations,
    chromium_browser,
    running_console,
    text_of,
)
from tests.support.databases import BOTH_DATABASES, module_database

pytestmark = pytest.mark.e2e

WEEK = "2026-W45"
LONDON = ZoneInfo("Europe/London")
FORMULA = '=HYPERLINK("http://example.invalid","click")'
ACCOUNTS = {
    "admin": ("sol.example-manager@example.org", "admin"),
    "manager": ("chris.example-manager@example.org", "team_manager"),
    "adviser": ("pat.example-adviser@example.org", "personal_adviser"),
    "duty": ("duty.example@example.org", "duty_worker"),
    "content": ("kim.example-adviser@example.org", "content_editor,content_approver"),
}
ALLOWED = {"admin", "manager"}


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def seed_week(engine: sa.engine.Engine, settings) -> None:
    from bot.db.rasa_events import events

    with engine.connect() as conn:
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(staff))})
    identity.link(engine, "sms-report-1", ids["DEMO-CL-05"], "sms")
    with engine.begin() as conn:
        for sender, moment in (
            ("sms-report-1", at(2026, 11, 3, 9)),
            ("rest-report-2", at(2026, 11, 4, 9)),
        ):
            conn.execute(
                events.insert().values(
                    sender_id=sender, type_name="user", timestamp=moment.timestamp(), data="{}"
                )
            )
    for entitlement, district in (
        ("setting-up-home-allowance", "North"),
        ("setting-up-home-allowance", "North"),
        ("staying-put", None),
    ):
        record_answer(
            engine,
            entitlement_id=entitlement,
            channel="sms",
            conversation_id="sms-report-1",
            district=district,
            now=naive(at(2026, 11, 3, 9, 1)),
        )
    for text, district in ((FORMULA, None), ("can i get a free bike", "North")):
        record_unanswered(
            engine,
            text=text,
            channel="rest",
            conversation_id="rest-report-2",
            best_guess=None,
            best_score=None,
            district=district,
            now=naive(at(2026, 11, 4, 9, 1)),
        )
    record_feedback(
        engine,
        entitlement_id="setting-up-home-allowance",
        helpful=True,
        channel="web",
        district="North",
        now=naive(at(2026, 11, 3, 9, 2)),
    )
    # Opened Monday 10:00, due to be acknowledged Tuesday 10:00, never acknowledged:
    # at the week's end (Monday 9 November 00:00 GMT) it is 5 days 14 hours late.
    service.open_case(
        engine,
        care_leaver=ids["DEMO-CL-05"],
        category="copy_of_plan",
        words="i never got a copy of my plan",
        conversation_id="sms-report-1",
        channel="sms",
        now=at(2026, 11, 2, 10, 0),
        settings=settings,
    )
    raised = alerts.raise_alert(
        engine,
        conversation_id="sms-report-1",
        now=at(2026, 11, 3, 10, 0),
        care_leaver_id=ids["DEMO-CL-05"],
    )
    alerts.acknowledge_alert(
        engine, raised.alert.id, by=ids["DEMO-ST-01"], now=at(2026, 11, 3, 10, 5)
    )


@pytest.fixture(**BOTH_DATABASES)
def console(request, tmp_path_factory) -> Iterator[RunningConsole]:
    workdir = tmp_path_factory.mktemp(f"reports-{request.param}")
    url = module_database(request, workdir)
    with running_console(workdir, url, ACCOUNTS, prepare=seed_week) as running:
        yield running


@pytest.fixture(scope="module")
def visitors(console) -> dict[str, Visitor]:
    return {who: Visitor(console).sign_in(email) for who, (email, _) in ACCOUNTS.items()}


def page_rows(page_html: str) -> dict[str, tuple[str, str, str, str]]:
    """The figures table: field -> (label, this week, week before, change)."""
    rows = {}
    for field, body in re.findall(
        r'<tr[^>]*data-figure="([^"]+)"[^>]*>(.*?)</tr>', page_html, re.S
    ):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        ]
        rows[field] = tuple(cells)
    return rows


PATHS = [
    f"/reports/{WEEK}",
    f"/reports/{WEEK}/report.csv",
    f"/reports/{WEEK}/report.pdf",
    f"/reports/{WEEK}/chart/conversations.svg",
]


@pytest.mark.parametrize("who", list(ACCOUNTS))
@pytest.mark.parametrize("path", PATHS)
def test_only_team_managers_and_admins_see_the_report(console, visitors, who, path):
    reply = visitors[who].get(path)
    if who in ALLOWED:
        assert reply.status_code == 200
    else:
        assert reply.status_code == 403
        assert "You cannot use this page" in reply.text


@pytest.mark.parametrize("path", ["/reports", *PATHS])
def test_a_stranger_is_sent_to_sign_in(console, path):
    reply = Visitor(console).get(path)
    assert reply.status_code == 302
    assert reply.headers["Location"].startswith("/login")


def test_the_page_shows_the_weeks_figures_against_the_week_before(console, visitors):
    reply = visitors["manager"].get(f"/reports/{WEEK}")
    rows = page_rows(reply.text)
    assert rows["conversations"] == ("Conversations", "2", "0", "+2")
    assert rows["young_people_reached"][1] == "1"
    assert rows["questions_answered"][1:3] == ("3", "0")
    assert rows["unanswered_share"][1:] == ("40%", "–", "")
    assert rows["safety_alerts"][1] == "1"
    assert rows["safety_acknowledged_in_time"][1] == "1"
    assert rows["safety_median_minutes"][1] == "5"
    assert rows["cases_opened"][1] == "1"
    assert rows["cases_overdue"][1] == "1"
    assert rows["cases_overdue_oldest_days"][1] == "5"
    words = text_of(reply)
    assert "Week 2026-W45: Monday 2 November to Sunday 8 November 2026" in words
    assert "Final" in words
    assert "Setting up home allowance 2 0" in words
    assert "Staying put 1 0" in words
    assert "can i get a free bike 1" in words
    assert rows["feedback_helped"] == ("Answers young people said helped", "1", "0", "+1")
    assert rows["qa_reviewed"][1] == "0"
    assert (
        "Did that help? Per entitlement Setting up home allowance 1 yes, 0 no 0 yes, 0 no" in words
    )


def test_a_district_shows_its_own_figures(console, visitors):
    north = page_rows(visitors["manager"].get(f"/reports/{WEEK}?scope=North").text)
    east = page_rows(visitors["manager"].get(f"/reports/{WEEK}?scope=East").text)
    assert north["questions_answered"][1] == "2"
    assert north["conversations"][1] == "1"
    assert east["questions_answered"][1] == "0"
    assert "content_past_review" not in north  # a council-wide figure


def test_the_csv_and_the_pdf_say_what_the_page_says(console, visitors):
    manager = visitors["manager"]
    page = page_rows(manager.get(f"/reports/{WEEK}").text)
    download = manager.get(f"/reports/{WEEK}/report.csv")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert f'filename="weekly-report-{WEEK}.csv"' in download.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    council = {
        r["figure"]: r
        for r in table
        if r["scope"] == "Whole council"
        and r["section"]
        not in (
            "Questions per entitlement",
            "Most asked questions the bot could not answer",
            "Did that help? Per entitlement",
        )
    }
    assert len(council) == len(page)
    for label, this_week, previous, change in page.values():
        row = council[label]
        assert (row["this_week"], row["previous_week"], row["change"]) == (
            this_week,
            previous,
            change,
        )
    # A young person's words that look like a formula are not run by a spreadsheet.
    questions = [r["figure"] for r in table if r["section"].startswith("Most asked")]
    assert "'" + FORMULA.lower() in questions
    assert not any(q.startswith("=") for q in questions)

    pdf = manager.get(f"/reports/{WEEK}/report.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for label, this_week, previous, change in page.values():
        line = " ".join(f"{label} {this_week} {previous} {change}".split())
        assert line in text, line


def test_an_ended_week_keeps_its_figures(console, visitors):
    before = page_rows(visitors["admin"].get(f"/reports/{WEEK}").text)
    record_answer(
        console.engine,
        entitlement_id="staying-put",
        channel="sms",
        conversation_id="late",
        district="East",
        now=naive(at(2026, 11, 5, 12, 0)),
    )
    assert page_rows(visitors["admin"].get(f"/reports/{WEEK}").text) == before


def test_viewing_and_downloading_are_audited(console, visitors):
    visitors["admin"].get(f"/reports/{WEEK}/report.csv")
    with console.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
    assert "report.view" in actions and "report.download" in actions


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/reports/2026-W99", 404),
        ("/reports/last-week", 404),
        (f"/reports/{WEEK}?scope=Nowhere", 400),
        ("/reports?week=soon", 400),
        (f"/reports/{WEEK}/chart/secrets.svg", 404),
        ("/reports/2099-W01", 404),
    ],
)
def test_bad_weeks_and_districts_get_a_plain_answer(console, visitors, path, status):
    reply = visitors["manager"].get(path)
    assert reply.status_code == status
    assert "Traceback" not in reply.text


def test_the_latest_ended_week_is_the_default(console, visitors):
    reply = visitors["manager"].get("/reports")
    assert reply.status_code == 302
    assert re.fullmatch(r"/reports/\d{4}-W\d{2}", reply.headers["Location"])


@pytest.mark.browser
def test_the_report_page_in_a_real_browser(console):
    with chromium_browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(console.url("/login"))
        page.fill("#email", ACCOUNTS["manager"][0])
        page.fill("#password", "console test password 1")
        page.click("button[type=submit]")
        page.goto(console.url(f"/reports/{WEEK}"))
        assert page.locator("h1").inner_text() == "Whole council"
        charts = page.locator("figure img")
        assert charts.count() == 5
        page.wait_for_load_state("networkidle")
        widths = page.evaluate(
            "() => [...document.querySelectorAll('figure img')].map(i => i.naturalWidth)"
        )
        assert all(width > 0 for width in widths)
        assert axe_violations(page) == []
        page.get_by_role("link", name="North").click()
        assert page.locator("h1").inner_text() == "North"
        context.close()
