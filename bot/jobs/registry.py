"""Every job the scheduler runs, declared once: name, schedule, bounded work, what it logs.

There are two kinds:

- :data:`JOBS`: called in this order on every round of the scheduler (a round every
  ``CASE_SCHEDULER_SECONDS``, 30 s by default). Each is a function
  ``(engine, settings, now)`` that decides for itself, from the database, whether its
  time has come (so a restart, or two schedulers at once, runs nothing twice), does a
  bounded share of work, and returns. The round catches and logs a job's failure, and
  the other jobs still run.
- :data:`LOOPS`: long-running loops beside the rounds (the SMS sender), started by
  :func:`bot.jobs.scheduler.serve` when they are enabled.

The schedules below are what the jobs do, not a second clock: the due times stay in
the jobs' own records (``job_runs``, ``weekly_reports``, the audit log), and the
constants they read are the owning modules' own. ``tests/unit/test_jobs.py`` checks
that the declarations and the jobs agree.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine

from bot.cases import oversight
from bot.notify import sms
from bot.packs import offers
from bot.privacy import retention
from bot.reports import weekly
from bot.settings import Settings

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclasses.dataclass(frozen=True)
class EveryRound:
    """On every round of the scheduler."""

    def describe(self, settings: Settings) -> str:
        """The schedule in words, with the configured interval."""
        return f"every round ({settings.case_scheduler_seconds:g} s)"


@dataclasses.dataclass(frozen=True)
class Every:
    """At most once per period, optionally only between two hours (council time).

    Attributes:
        period: How often: a length of time, or the name of the setting that holds it
            in minutes.
        between: The first hour it may run and the hour it stops (council time), if any.
        claimed_in: Where the job records its runs, so that it runs once per period
            whichever process asks first.
    """

    period: dt.timedelta | str
    claimed_in: str
    between: tuple[int, int] | None = None

    def length(self, settings: Settings) -> dt.timedelta:
        """The period, as configured."""
        if isinstance(self.period, str):
            return dt.timedelta(minutes=float(getattr(settings, self.period)))
        return self.period

    def describe(self, settings: Settings) -> str:
        """The schedule in words, with the configured period."""
        minutes = self.length(settings) / dt.timedelta(minutes=1)
        words = f"every {minutes / 60:g} h" if minutes >= 60 else f"every {minutes:g} min"
        if self.between is not None:
            words += f", {self.between[0]:02d}:00 to {self.between[1]:02d}:00 {settings.timezone}"
        return words


@dataclasses.dataclass(frozen=True)
class Weekly:
    """Once a week, from a time on a weekday (council time), for the week that ended.

    Attributes:
        weekday: 0 for Monday to 6 for Sunday.
        at: From this time, council time.
        claimed_in: Where the job records the week as done.
    """

    weekday: int
    at: dt.time
    claimed_in: str

    def describe(self, settings: Settings) -> str:
        """The schedule in words, in the council's time zone."""
        return f"weekly, {WEEKDAYS[self.weekday]} from {self.at:%H:%M} {settings.timezone}"


@dataclasses.dataclass(frozen=True)
class Continuous:
    """A loop of its own: woken when there is work, and at least every ``poll_seconds``."""

    poll_seconds: float

    def describe(self, settings: Settings) -> str:
        """The schedule in words."""
        return f"continuously (woken by new work, at least every {self.poll_seconds:g} s)"


@dataclasses.dataclass(frozen=True)
class Limit:
    """A bound on the work one run may do, by the name it has in the code."""

    name: str
    value: int
    means: str


RoundWork = Callable[[Engine, Settings, dt.datetime], object]
LoopWork = Callable[[Engine, Settings, asyncio.Event], Awaitable[None]]


@dataclasses.dataclass(frozen=True)
class Job:
    """A job run on every round of the scheduler.

    Attributes:
        name: What the logs call it ("The {name} job failed").
        schedule: When it does its work.
        run: The work: ``(engine, settings, now)``; safe to call on every round.
        limits: The bounds on one round's work (empty: none today, see ``bounded``).
        bounded: How one round's work is bounded, in words.
        logs: What it logs: counts and references only, never personal data.
    """

    name: str
    schedule: EveryRound | Every | Weekly
    run: RoundWork
    limits: tuple[Limit, ...]
    bounded: str
    logs: str


@dataclasses.dataclass(frozen=True)
class Loop:
    """A loop of its own beside the rounds.

    Attributes:
        name: What the logs call it.
        schedule: When it does its work.
        start: Runs the loop until the event is set (it finishes what it is doing first).
        enabled: Whether it runs with these settings.
        limits: The bounds on one pass's work.
        bounded: How one pass's work is bounded, in words.
        logs: What it logs: counts and references only, never personal data.
    """

    name: str
    schedule: Continuous
    start: LoopWork
    enabled: Callable[[Settings], bool]
    limits: tuple[Limit, ...]
    bounded: str
    logs: str


def _weekly_report(engine: Engine, settings: Settings, now: dt.datetime) -> object:
    """Keep last week's figures once it is Monday 07:00."""
    return weekly.produce_scheduled(engine, settings, now)


async def _send_texts(engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    """Send queued texts with Twilio until ``stop`` (the one SMS sender's loop)."""
    delivery = sms.TwilioDelivery(sms.SmsQueue(engine, settings))
    try:
        await delivery.run(stop)
    finally:
        await delivery.close()  # its aiohttp session


OVERSIGHT = Job(
    name="oversight",
    schedule=EveryRound(),
    run=oversight.escalate_late,
    limits=(),
    bounded=(
        "none set: every case past a due date and every safety alert unacknowledged for "
        "15 minutes, each one conditional update and at most one text to its team manager"
    ),
    logs=(
        "a warning with how many cases and safety alerts it escalated; an error naming a "
        "case's reference or an alert's id, and its district, when the district has no "
        "team manager on record"
    ),
)
PACKS_AND_NUDGES = Job(
    name="packs and nudges",
    schedule=Every(
        period="pack_round_minutes",
        between=(offers.SEND_FROM, offers.SEND_UNTIL),
        claimed_in=f"job_runs ({offers.JOB!r})",
    ),
    run=offers.run_due,
    limits=(),
    bounded=(
        "none set: once per period, every care leaver with a pack is looked at once, and "
        "each offer and nudge is sent at most once (unique keys)"
    ),
    logs="how many texts it queued",
)
WEEKLY_REPORT = Job(
    name="weekly report",
    schedule=Weekly(
        weekday=weekly.REPORT_WEEKDAY, at=weekly.REPORT_TIME, claimed_in="weekly_reports"
    ),
    run=_weekly_report,
    limits=(),
    bounded="one week's figures, counted once; once kept, one query a round",
    logs="nothing",
)
RETENTION = Job(
    name="retention",
    schedule=Every(period=retention.RUN_EVERY, claimed_in=f"audit_log ({retention.ACTION!r})"),
    run=retention.run_if_due,
    limits=(
        Limit("retention.ROUND_BATCHES", retention.ROUND_BATCHES, "batches per round"),
        Limit("retention.BATCH", retention.BATCH, "rows per batch"),
    ),
    bounded=(
        "at most ROUND_BATCHES batches of BATCH rows a round; an unfinished run carries on "
        "on the next rounds until it completes"
    ),
    logs=(
        "how many events, SMS texts, SMS contacts, questions and link codes it deleted or "
        "blanked; its own failures, which it catches itself"
    ),
)
SMS_SENDER = Loop(
    name="SMS sender",
    schedule=Continuous(poll_seconds=sms.POLL_SECONDS),
    start=_send_texts,
    enabled=lambda settings: not settings.demo_mode,
    limits=(
        Limit("sms.CLAIM_PER_ROUND", sms.CLAIM_PER_ROUND, "texts claimed per pass"),
        Limit("sms.SEND_AT_ONCE", sms.SEND_AT_ONCE, "requests to Twilio at a time"),
        Limit("sms.MAX_ATTEMPTS", sms.MAX_ATTEMPTS, "tries of one text before giving up"),
    ),
    bounded=(
        "at most CLAIM_PER_ROUND due texts a pass, each claimed by one process only, "
        "SEND_AT_ONCE of them in flight at a time, in order for each number"
    ),
    logs="a text's queue id and why it was not sent; never its number or words",
)

JOBS: tuple[Job, ...] = (OVERSIGHT, PACKS_AND_NUDGES, WEEKLY_REPORT, RETENTION)
"""The round's jobs, in the order each round runs them (escalations first)."""
LOOPS: tuple[Loop, ...] = (SMS_SENDER,)
"""The loops beside the rounds."""


def describe(settings: Settings) -> list[str]:
    """Every job and loop with its schedule, one line each (for the scheduler's start-up log)."""
    lines = [f"{job.name}: {job.schedule.describe(settings)}" for job in JOBS]
    for loop in LOOPS:
        off = "" if loop.enabled(settings) else " (off with these settings)"
        lines.append(f"{loop.name}: {loop.schedule.describe(settings)}{off}")
    return lines
