"""The oversight round: escalate what is late and text the team manager.

Due times live in the database (cases' due dates, alerts' raised times), so nothing
is held in memory: a round can run in any process, any number of times, after any
restart, and each late case or alert reaches its manager once (the escalations are
conditional updates, the texts have dedupe keys). :func:`run_forever` runs a round
every ``interval`` seconds; ``python -m bot.cases.scheduler`` starts it (a round every
``CASE_SCHEDULER_SECONDS``, 30 by default), and ``make run`` starts that with the other
services.

With Twilio configured, the scheduler process also runs a delivery loop of the one SMS
sender (:class:`~bot.notify.sms.TwilioDelivery`), so an escalation reaches the team
manager even while the Rasa server is down. Each queued text is claimed by one process
only, so it runs safely beside the Rasa server's loops. SIGTERM or SIGINT ends the
process cleanly: the round or the send in progress finishes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.cases import alerts, service
from bot.cases.calendar import OfficeCalendar
from bot.cases.conversation import notify_staff, staff_time
from bot.db.availability import log_round_failure
from bot.notify.sms import SmsQueue, TwilioDelivery
from bot.packs import offers
from bot.privacy import retention
from bot.reports.weekly import produce_scheduled
from bot.settings import Settings

logger = logging.getLogger(__name__)

ROUND_SECONDS = 30.0
"""The default interval; ``CASE_SCHEDULER_SECONDS`` sets it."""
STAGE_WORDS = {"acknowledge": "acknowledged", "answer": "answered"}


@dataclasses.dataclass(frozen=True)
class RoundResult:
    """What one round escalated, and how many texts it queued."""

    cases: int
    alerts: int
    texts: int


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def run_round(engine: Engine, settings: Settings, now: dt.datetime) -> RoundResult:
    """Escalate late cases and unacknowledged safety alerts, and text their managers.

    Args:
        engine: The project's database.
        settings: Office hours and the SMS sender's settings.
        now: The time to judge by (aware).

    Returns:
        How many cases and alerts this round escalated, and texts it queued.
    """
    calendar = OfficeCalendar.from_settings(settings)
    texts = 0
    escalated_cases = service.escalate_overdue(engine, now)
    for escalation in escalated_cases:
        if escalation.manager is None:
            logger.error(
                "Case %s is overdue and %s has no team manager on record",
                escalation.case.reference,
                escalation.case.district,
            )
            continue
        texts += notify_staff(
            settings,
            engine,
            [escalation.manager],
            f"case-escalated:{escalation.case.reference}:{escalation.stage}",
            f"Overdue: pathway-plan query {escalation.case.reference} "
            f"({escalation.case.district}) was due to be {STAGE_WORDS[escalation.stage]} by "
            f"{staff_time(escalation.due, calendar)}. See the manager view in the console.",
        )
    escalated_alerts = alerts.escalate_unacknowledged(engine, now)
    for alert_escalation in escalated_alerts:
        alert = alert_escalation.alert
        if alert_escalation.manager is None:
            logger.error(
                "Safety alert %s is unacknowledged and %s has no team manager on record",
                alert.id,
                alert.district,
            )
            continue
        texts += notify_staff(
            settings,
            engine,
            [alert_escalation.manager],
            f"alert-escalated:{alert.id}",
            f"URGENT: safety alert {alert.id} ({alert.district}) has not been acknowledged "
            "for 15 minutes. Please act now: see the console.",
        )
    _other_jobs(engine, settings, now)
    if escalated_cases or escalated_alerts:
        logger.warning(
            "Escalated %d case(s) and %d safety alert(s)",
            len(escalated_cases),
            len(escalated_alerts),
        )
    return RoundResult(len(escalated_cases), len(escalated_alerts), texts)


def _other_jobs(engine: Engine, settings: Settings, now: dt.datetime) -> None:
    """The jobs that run on the same rounds; one failing never stops another, or escalations."""
    jobs: tuple[tuple[str, Callable[[], object]], ...] = (
        # Packs offered again, and nudges (each logs what it sent).
        ("packs and nudges", lambda: offers.run_due(engine, settings, now)),
        # Last week's report figures, kept from Monday 07:00 (one query once kept).
        (
            "weekly report",
            lambda: produce_scheduled(
                engine, settings, now.astimezone(dt.timezone.utc).replace(tzinfo=None)
            ),
        ),
        # Old transcripts deleted, daily (bounded work per round).
        ("retention", lambda: retention.run_if_due(engine, settings, now)),
    )
    for name, job in jobs:
        try:
            job()
        except Exception as error:  # logged; the next round tries again
            log_round_failure(logger, error, f"The {name} job failed; trying again next round")


async def run_forever(
    engine: Engine,
    settings: Settings,
    stop: asyncio.Event,
    interval: float = ROUND_SECONDS,
    clock: Callable[[], dt.datetime] = _utcnow,
) -> None:
    """Run a round every ``interval`` seconds until ``stop`` is set; a failed round is logged."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(run_round, engine, settings, clock())
        except Exception as error:  # the loop must outlive any one failure (a database blip)
            log_round_failure(logger, error, "Oversight round failed; trying again next round")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def serve(engine: Engine, settings: Settings, stop: asyncio.Event) -> None:
    """Run oversight rounds, and deliver queued texts when Twilio is configured, until ``stop``.

    Args:
        engine: The project's database.
        settings: The round interval (``case_scheduler_seconds``) and the SMS settings.
        stop: Set it to end both loops (each finishes what it is doing first).
    """
    rounds = run_forever(engine, settings, stop, interval=settings.case_scheduler_seconds)
    if settings.demo_mode:
        await rounds
        return
    delivery = TwilioDelivery(SmsQueue(engine, settings))
    try:
        await asyncio.gather(rounds, delivery.run(stop))
    finally:
        await delivery.client().http_client.close()  # its aiohttp session


def main() -> None:
    """Run oversight rounds until SIGTERM or SIGINT (``python -m bot.cases.scheduler``)."""
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
        await serve(engine, settings, stop)
        logger.info("Scheduler stopped")

    try:
        asyncio.run(run())
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
