"""Benchmark: producing the weekly report for a large council (part of ``make bench``).

Generates 2,000 care leavers (with 60 staff in three districts) and a year of
activity into a fresh SQLite file: about one conversation a week for each young
person with three messages each, one answered question per conversation and some
unanswered ones, pathway-plan queries, handoffs and safety alerts. Then times:

1. the first report for the last week: its figures, the week before and the
   12-week trend, each week counted and kept (the Monday 07:00 job's work);
2. the same report again (every week kept: what managers wait for afterwards);
3. the PDF and the CSV of it.

All data are made up; the random generator is seeded so every run is the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import shutil
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.content import load_content_files
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.db.rasa_events import events
from bot.reports.export import report_csv, report_pdf
from bot.reports.weekly import weekly_report
from bot.reports.weeks import Week
from bot.settings import Settings
from bot.store.tables.cases import cases, handoffs, safety_alerts
from bot.store.tables.people import care_leavers, conversation_identities, staff
from bot.store.tables.records import unanswered_questions
from bot.store.tables.reports import answer_log

CARE_LEAVERS = 2000
WEEKS = 52
DISTRICTS = ("North", "East", "Central")
ENTITLEMENTS = (
    "setting-up-home-allowance",
    "staying-put",
    "higher-education-bursary",
    "council-tax-exemption",
    "personal-adviser",
    "junior-isa",
)
CHUNK = 5000


def _insert(engine: sa.engine.Engine, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(table.insert(), rows[start : start + CHUNK])


def generate(engine: sa.engine.Engine, end: dt.datetime, seed: int = 20261126) -> dict[str, int]:
    """Fill the database with a year of made-up activity ending at ``end`` (naive UTC)."""
    rng = random.Random(seed)
    created = end - dt.timedelta(weeks=WEEKS + 1)
    staff_rows = [
        dict(
            id=n + 1,
            external_ref=f"BENCH-ST-{n:03d}",
            name=f"Bench Adviser {n}",
            role="personal_adviser",
            district=DISTRICTS[n % 3],
            mobile=None,
            email=f"bench.adviser{n}@example.org",
            active=True,
            created_at=created,
            updated_at=created,
        )
        for n in range(60)
    ]
    _insert(engine, staff, staff_rows)
    people = []
    for n in range(CARE_LEAVERS):
        district = DISTRICTS[n % 3]
        people.append(
            dict(
                id=n + 1,
                external_ref=f"BENCH-CL-{n:05d}",
                preferred_name=f"Bench {n}",
                date_of_birth=dt.date(2002, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650)),
                mobile=None,
                status="former_relevant",
                district=district,
                adviser_id=(n % 60) + 1,
                pathway_last_review=(end - dt.timedelta(days=rng.randrange(0, 300))).date(),
                pathway_next_review=None,
                circumstances="",
                created_at=created,
                updated_at=created,
            )
        )
    _insert(engine, care_leavers, people)
    _insert(
        engine,
        conversation_identities,
        [
            dict(
                conversation_id=f"sms-bench-{n}",
                care_leaver_id=n + 1,
                method="sms",
                verified_at=created,
            )
            for n in range(CARE_LEAVERS)
        ],
    )
    event_rows: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    unanswered: list[dict[str, Any]] = []
    case_rows: list[dict[str, Any]] = []
    handoff_rows: list[dict[str, Any]] = []
    alert_rows: list[dict[str, Any]] = []
    start = end - dt.timedelta(weeks=WEEKS)
    for n in range(CARE_LEAVERS):
        district = DISTRICTS[n % 3]
        for week in range(WEEKS):
            if rng.random() > 0.9:
                continue
            moment = start + dt.timedelta(weeks=week, seconds=rng.randrange(0, 7 * 86400))
            for message in range(3):
                at = moment + dt.timedelta(minutes=message)
                event_rows.append(
                    dict(
                        sender_id=f"sms-bench-{n}",
                        type_name="user",
                        timestamp=at.timestamp(),
                        intent_name="ask_entitlement",
                        data="{}",
                    )
                )
                event_rows.append(
                    dict(
                        sender_id=f"sms-bench-{n}",
                        type_name="bot",
                        timestamp=at.timestamp() + 0.5,
                        intent_name=None,
                        data="{}",
                    )
                )
            answers.append(
                dict(
                    answered_at=moment,
                    entitlement_id=rng.choice(ENTITLEMENTS),
                    channel="sms",
                    conversation_key=f"bench{n}",
                    district=district,
                )
            )
            if rng.random() < 0.1:
                unanswered.append(
                    dict(
                        asked_at=moment,
                        text=f"made up question {rng.randrange(40)}",
                        channel="sms",
                        conversation_key=f"bench{n}",
                        status="new",
                        district=district,
                    )
                )
            if rng.random() < 0.03:
                answered = moment + dt.timedelta(days=rng.randrange(1, 9))
                case_rows.append(
                    dict(
                        reference=f"PP-B{len(case_rows)}",
                        category="copy_of_plan",
                        care_leaver_id=n + 1,
                        adviser_id=(n % 60) + 1,
                        district=district,
                        channel="sms",
                        words="made up",
                        conversation_id=f"sms-bench-{n}",
                        status="answered" if answered < end else "open",
                        created_at=moment,
                        acknowledge_due=moment + dt.timedelta(days=1),
                        answer_due=moment + dt.timedelta(days=7),
                        acknowledged_at=None,
                        answered_at=answered if answered < end else None,
                    )
                )
            if rng.random() < 0.02:
                handoff_rows.append(
                    dict(
                        conversation_id=f"sms-bench-{n}",
                        care_leaver_id=n + 1,
                        adviser_id=(n % 60) + 1,
                        district=district,
                        channel="sms",
                        summary="made up",
                        status="returned",
                        started_at=moment,
                        first_reply_at=moment + dt.timedelta(minutes=rng.randrange(5, 600)),
                        ended_at=moment + dt.timedelta(hours=12),
                    )
                )
            if rng.random() < 0.005:
                alert_rows.append(
                    dict(
                        conversation_id=f"sms-bench-{n}",
                        care_leaver_id=n + 1,
                        adviser_id=(n % 60) + 1,
                        district=district,
                        raised_at=moment,
                        acknowledged_at=moment + dt.timedelta(minutes=rng.randrange(1, 40)),
                    )
                )
    for table, rows in (
        (events, event_rows),
        (answer_log, answers),
        (unanswered_questions, unanswered),
        (cases, case_rows),
        (handoffs, handoff_rows),
        (safety_alerts, alert_rows),
    ):
        _insert(engine, table, rows)
    return {
        "care_leavers": CARE_LEAVERS,
        "events": len(event_rows),
        "answers": len(answers),
        "unanswered": len(unanswered),
        "cases": len(case_rows),
        "handoffs": len(handoff_rows),
        "alerts": len(alert_rows),
    }


def report_benchmark(workdir: Path, progress: Any = print) -> dict[str, Any]:
    """Generate the data, then time the report; returns the figures for the bench table."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    url = f"sqlite:///{workdir / 'report.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    settings = dataclasses.replace(Settings(), var_dir=workdir, database_url=url)
    load_content_files(engine, settings)
    now = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.timezone.utc)  # a Monday morning
    week = Week.last_ended(now, settings.timezone)
    progress(f"weekly report: generating {CARE_LEAVERS:,} care leavers and a year of activity")
    counts = generate(engine, week.bounds(settings.timezone)[1])
    progress(f"weekly report: {counts['events']:,} tracker events; producing the report")
    began = time.perf_counter()
    report = weekly_report(engine, settings, week, now)
    first = time.perf_counter() - began
    began = time.perf_counter()
    weekly_report(engine, settings, week, now)
    again = time.perf_counter() - began
    began = time.perf_counter()
    report_pdf(report, {}, "Bench County Council")
    pdf_first = time.perf_counter() - began
    began = time.perf_counter()
    report_pdf(report, {}, "Bench County Council")
    pdf = time.perf_counter() - began
    began = time.perf_counter()
    report_csv(report, {})
    csv_seconds = time.perf_counter() - began
    engine.dispose()
    return {
        **counts,
        "first_seconds": first,
        "again_seconds": again,
        "pdf_first_seconds": pdf_first,
        "pdf_seconds": pdf,
        "csv_seconds": csv_seconds,
        "conversations_last_week": report.figures["council"].conversations,
    }


if __name__ == "__main__":
    from bot.settings import PROJECT_ROOT

    print(report_benchmark(PROJECT_ROOT / "var" / "bench-report"))
