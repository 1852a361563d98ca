"""The scheduler: runs the registry's jobs on every round, and its loops beside them.

:func:`run_round` calls every job of :data:`bot.jobs.registry.JOBS` once, in order;
a job that fails is logged and the others still run. :func:`run_forever` runs a round
every ``interval`` seconds; ``python -m bot.jobs`` starts it (a round every
``CASE_SCHEDULER_SECONDS``, 30 by default), and ``make run`` starts that with the
other services.

With Twilio configured, the scheduler process also runs the registry's loops: the
delivery loop of the one SMS sender (:class:`~bot.notify.sms.TwilioDelivery`), so an
escalation reaches the team manager even while the Rasa server is down. Each queued
text is claimed by one process only, so it runs safely beside the Rasa server's loops.
SIGTERM or SIGINT ends the process cleanly: the round or the send in progress
finishes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine

from bot.cases.oversight import Escalations
from bot.clock import SYSTEM_CLOCK
from bot.db.availability import log_round_failure
from bot.jobs.registry import JOBS, LOOPS, Job, Loop, describe
from bot.settings import Settings

logger = logging.getLogger(__name__)

ROUND_SECONDS = 30.0
"""The default interval; ``CASE_SCHEDULER_SECONDS`` sets it."""


@dataclasses.dataclass(frozen=True)
class RoundResult:
    """What one round escalated and texted (the oversight job), and which jobs failed."""

    cases: int
    alerts: int
    texts: int
    failed: tuple[str, ...] = ()


def run_round(
    engine: Engine, settings: Settings, now: dt.datetime, jobs: Sequence[Job] = JOBS
) -> RoundResult:
    """Run every job once, in order; one failing never stops another.

    Args:
        engine: The project's database.
        settings: The service's settings (each job reads its own).
        now: The time to judge by (aware).
        jobs: The jobs to run (the registry's, unless a test says otherwise).

    Returns:
        How many cases and alerts the oversight job escalated and texts it queued, and
        the names of the jobs that failed.
    """
    escalated = Escalations(cases=0, alerts=0, texts=0)
    failed: list[str] = []
    for job in jobs:
        try:
            outcome = job.run(engine, settings, now)
        except Exception as error:  # logged; the next round tries again
            log_round_failure(logger, error, f"The {job.name} job failed; trying again next round")
            failed.append(job.name)
            continue
        if isinstance(outcome, Escalations):
            escalated = outcome
    return RoundResult(escalated.cases, escalated.alerts, escalated.texts, tuple(failed))


async def run_forever(
    engine: Engine,
    settings: Settings,
    stop: asyncio.Event,
    interval: float = ROUND_SECONDS,
    clock: Callable[[], dt.datetime] = SYSTEM_CLOCK.now,
) -> None:
    """Run a round every ``interval`` seconds until ``stop`` is set; a failed round is logged."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(run_round, engine, settings, clock())
        except Exception as error:  # the loop must outlive any one failure (a database blip)
            log_round_failure(logger, error, "Oversight round failed; trying again next round")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def serve(
    engine: Engine, settings: Settings, stop: asyncio.Event, loops: Sequence[Loop] = LOOPS
) -> None:
    """Run rounds, and the loops enabled by ``settings`` (the SMS sender), until ``stop``.

    Args:
        engine: The project's database.
        settings: The round interval (``case_scheduler_seconds``) and the jobs' settings.
        stop: Set it to end every loop (each finishes what it is doing first).
        loops: The loops to run beside the rounds (the registry's, unless a test says
            otherwise).
    """
    rounds = run_forever(engine, settings, stop, interval=settings.case_scheduler_seconds)
    await asyncio.gather(
        rounds, *(loop.start(engine, settings, stop) for loop in loops if loop.enabled(settings))
    )


def main() -> None:
    """Run the scheduler until SIGTERM or SIGINT (``python -m bot.jobs``)."""
    import signal

    from bot.db.engine import create_db_engine
    from bot.settings import SettingsError, get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("twilio").setLevel(logging.WARNING)  # it logs every request at INFO
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise SystemExit(f"The scheduler cannot start: {exc}") from None
    engine = create_db_engine(settings.database_url)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        logger.info(
            "Oversight rounds every %g s; texts sent %s",
            settings.case_scheduler_seconds,
            "to the outbox (demo mode)" if settings.demo_mode else "by Twilio",
        )
        logger.info("Jobs: %s", "; ".join(describe(settings)))
        await serve(engine, settings, stop)
        logger.info("Scheduler stopped")

    try:
        asyncio.run(run())
    finally:
        engine.dispose()
