"""The oversight job: escalate what is late and text the team manager.

Due times live in the database (cases' due dates, alerts' raised times), so nothing
is held in memory: the job can run in any process, any number of times, after any
restart, and each late case or alert reaches its manager once (the escalations are
conditional updates, the texts have dedupe keys).

This is case logic only. The scheduler (:mod:`bot.jobs`) runs it on every round, with
the service's other jobs; its entry in :data:`bot.jobs.registry.JOBS` says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy.engine import Engine

from bot.cases import alerts, service
from bot.cases.calendar import OfficeCalendar
from bot.cases.conversation import notify_staff, staff_time
from bot.settings import Settings

logger = logging.getLogger(__name__)

STAGE_WORDS = {"acknowledge": "acknowledged", "answer": "answered"}


@dataclasses.dataclass(frozen=True)
class Escalations:
    """What one oversight run escalated, and how many texts it queued."""

    cases: int
    alerts: int
    texts: int


def escalate_late(engine: Engine, settings: Settings, now: dt.datetime) -> Escalations:
    """Escalate late cases and unacknowledged safety alerts, and text their managers.

    Args:
        engine: The project's database.
        settings: Office hours and the SMS sender's settings.
        now: The time to judge by (aware).

    Returns:
        How many cases and alerts this run escalated, and texts it queued.
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
    if escalated_cases or escalated_alerts:
        logger.warning(
            "Escalated %d case(s) and %d safety alert(s)",
            len(escalated_cases),
            len(escalated_alerts),
        )
    return Escalations(len(escalated_cases), len(escalated_alerts), texts)
