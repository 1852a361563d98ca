"""The scheduler's registry and runner (bot/jobs): every job once, each on its schedule.

The jobs are the real ones, on the real databases (SQLite and PostgreSQL); time is the
``now`` each round is given, never the wall clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import inspect
import logging
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.cases import service
from bot.jobs import registry, scheduler
from bot.jobs.registry import JOBS, LOOPS, Continuous, Every, EveryRound, Job, Loop, Weekly
from bot.notify.sms import SmsQueue
from bot.packs import offers
from bot.people.demo import seed_demo
from bot.people.identity import care_leaver_by_mobile
from bot.privacy import retention

# The jobs' own records, by table name (the tables' modules are not what is tested here).
job_runs = sa.table("job_runs", sa.column("name"), sa.column("last_run_at", sa.DateTime))
weekly_reports = sa.table(
    "weekly_reports", sa.column("week_start", sa.Date), sa.column("produced_at", sa.DateTime)
)

LONDON = ZoneInfo("Europe/London")
# Monday 17 May 2027, 10:00 BST: in sending hours, after the weekly report's time.
MONDAY_10AM = dt.datetime(2027, 5, 17, 10, 0, tzinfo=LONDON)


def test_the_registry_lists_every_job_once_with_its_schedule(settings):
    names = [job.name for job in (*JOBS, *LOOPS)]
    assert len(names) == len(set(names))
    assert [(job.name, job.schedule) for job in JOBS] == [
        ("oversight", EveryRound()),
        (
            "packs and nudges",
            Every(
                period="pack_round_minutes",
                between=(9, 19),
                claimed_in="job_runs ('packs-and-nudges')",
            ),
        ),
        (
            "weekly report",
            Weekly(weekday=0, at=dt.time(7, 0), claimed_in="weekly_reports"),
        ),
        (
            "retention",
            Every(period=dt.timedelta(hours=23), claimed_in="audit_log ('privacy.retention')"),
        ),
    ]
    assert [(loop.name, loop.schedule) for loop in LOOPS] == [
        ("SMS sender", Continuous(poll_seconds=1.0))
    ]
    assert registry.describe(settings) == [
        "oversight: every round (30 s)",
        "packs and nudges: every 1 h, 09:00 to 19:00 Europe/London",
        "weekly report: weekly, Monday from 07:00 Europe/London",
        "retention: every 23 h",
        "SMS sender: continuously (woken by new work, at least every 1 s)"
        + (" (off with these settings)" if settings.demo_mode else ""),
    ]


def test_each_job_names_its_bounds_as_the_code_has_them():
    bounds = {job.name: {limit.name: limit.value for limit in job.limits} for job in JOBS}
    assert bounds["retention"] == {"retention.ROUND_BATCHES": 20, "retention.BATCH": 500}
    assert bounds["retention"]["retention.ROUND_BATCHES"] == retention.ROUND_BATCHES
    [sender] = LOOPS
    limits = {limit.name: limit.value for limit in sender.limits}
    claim_default = inspect.signature(SmsQueue.claim_due).parameters["limit"].default
    assert limits == {
        "sms.CLAIM_PER_ROUND": claim_default,
        "sms.SEND_AT_ONCE": 20,
        "sms.MAX_ATTEMPTS": 8,
    }
    for job in (*JOBS, *LOOPS):
        assert job.bounded and job.logs, job.name


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


def _failing(name: str) -> Job:
    def run(engine, settings, now):
        raise RuntimeError(f"fake failure of {name}")

    return dataclasses.replace(next(job for job in JOBS if job.name == name), run=run)


def _what_ran(engine, case_id: int) -> set[str]:
    """The jobs whose records show they ran at MONDAY_10AM."""
    ran = set()
    if service.get_case(engine, case_id).escalated_for is not None:
        ran.add("oversight")
    with engine.connect() as conn:
        if conn.execute(sa.select(job_runs.c.name).where(job_runs.c.name == offers.JOB)).first():
            ran.add("packs and nudges")
        if conn.execute(sa.select(weekly_reports.c.week_start)).first():
            ran.add("weekly report")
        if retention.last_run(conn) is not None:
            ran.add("retention")
    return ran


@pytest.mark.parametrize("broken", [job.name for job in JOBS])
def test_a_failing_job_is_logged_and_the_others_still_run(people, settings, caplog, broken):
    taylor = care_leaver_by_mobile(people, "+447700900105")
    case = service.open_case(
        people,
        care_leaver=taylor,
        category="copy_of_plan",
        words="fake words",
        conversation_id="sms-taylor",
        channel="sms",
        now=MONDAY_10AM - dt.timedelta(days=21),
        settings=settings,
    )
    jobs = [_failing(job.name) if job.name == broken else job for job in JOBS]
    with caplog.at_level(logging.ERROR, logger="bot.jobs.scheduler"):
        result = scheduler.run_round(people, settings, MONDAY_10AM, jobs=jobs)
    assert result.failed == (broken,)
    assert _what_ran(people, case.id) == {job.name for job in JOBS} - {broken}
    [failure] = [r for r in caplog.records if r.name == "bot.jobs.scheduler"]
    assert failure.getMessage() == f"The {broken} job failed; trying again next round"
    assert failure.exc_info is not None
    # The next round, with nothing broken, catches up.
    scheduler.run_round(people, settings, MONDAY_10AM + dt.timedelta(hours=1))
    assert _what_ran(people, case.id) == {job.name for job in JOBS}


def _kept_weeks(engine) -> list[tuple[dt.date, dt.datetime]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(weekly_reports.c.week_start, weekly_reports.c.produced_at).order_by(
                weekly_reports.c.week_start
            )
        ).all()
    return [(row.week_start, row.produced_at) for row in rows]


def test_the_weekly_job_runs_once_a_week_at_its_time_in_council_time(engine, settings):
    job = registry.WEEKLY_REPORT
    assert isinstance(job.schedule, Weekly)
    zone = ZoneInfo(settings.timezone)
    # Two Mondays either side of the clocks going back (Sunday 31 October 2027): the
    # time is the council's, 06:00 UTC in summer time, 07:00 UTC in winter.
    first = dt.datetime.combine(dt.date(2027, 10, 25), job.schedule.at, tzinfo=zone)
    second = dt.datetime.combine(dt.date(2027, 11, 1), job.schedule.at, tzinfo=zone)
    assert first.weekday() == second.weekday() == job.schedule.weekday
    minute = dt.timedelta(minutes=1)

    def round_at(moment: dt.datetime) -> None:
        result = scheduler.run_round(engine, settings, moment, jobs=[job])
        assert result.failed == ()

    def produced(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

    round_at(first - minute)
    assert _kept_weeks(engine) == []
    round_at(first)
    once = [(dt.date(2027, 10, 18), produced(first))]
    assert _kept_weeks(engine) == once
    for later in (first + minute, first + dt.timedelta(days=3), second - minute):
        round_at(later)
        assert _kept_weeks(engine) == once
    round_at(second)
    twice = [*once, (dt.date(2027, 10, 25), produced(second))]
    assert _kept_weeks(engine) == twice
    assert produced(second) - produced(first) == dt.timedelta(days=7, hours=1)
    round_at(second + dt.timedelta(hours=3))
    assert _kept_weeks(engine) == twice


def _pack_round(engine) -> dt.datetime | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(job_runs.c.last_run_at).where(job_runs.c.name == offers.JOB)
        ).scalar()


def test_the_pack_job_runs_once_per_period_within_its_hours(engine, settings):
    job = registry.PACKS_AND_NUDGES
    assert isinstance(job.schedule, Every) and job.schedule.between is not None
    start, until = job.schedule.between
    period = job.schedule.length(settings)
    zone = ZoneInfo(settings.timezone)
    opens = dt.datetime(2027, 5, 18, start, 0, tzinfo=zone)
    closes = dt.datetime(2027, 5, 18, until, 0, tzinfo=zone)
    minute = dt.timedelta(minutes=1)

    def naive(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)

    scheduler.run_round(engine, settings, opens - minute, jobs=[job])
    assert _pack_round(engine) is None
    scheduler.run_round(engine, settings, opens, jobs=[job])
    assert _pack_round(engine) == naive(opens)
    scheduler.run_round(engine, settings, opens + period - minute, jobs=[job])
    assert _pack_round(engine) == naive(opens)
    scheduler.run_round(engine, settings, opens + period, jobs=[job])
    assert _pack_round(engine) == naive(opens + period)
    scheduler.run_round(engine, settings, closes - minute, jobs=[job])
    assert _pack_round(engine) == naive(closes - minute)
    scheduler.run_round(engine, settings, closes + period, jobs=[job])
    assert _pack_round(engine) == naive(closes - minute)


def test_serve_starts_the_enabled_loops_beside_the_rounds(engine, settings):
    started: list[str] = []

    def loop(name: str, enabled: bool) -> Loop:
        async def start(engine, settings, stop: asyncio.Event) -> None:
            started.append(name)
            stop.set()

        return dataclasses.replace(
            registry.SMS_SENDER, name=name, start=start, enabled=lambda _settings: enabled
        )

    async def go() -> None:
        stop = asyncio.Event()
        loops = [loop("on", True), loop("off", False)]
        await asyncio.wait_for(scheduler.serve(engine, settings, stop, loops=loops), 30)

    asyncio.run(go())
    assert started == ["on"]
