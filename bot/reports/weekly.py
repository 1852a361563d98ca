"""The weekly report: a week's figures, the week before, and the last 12 weeks.

A week that has ended is counted once and kept (``weekly_reports``), so its report
always shows the same figures, whatever happens to the records later. The week
in progress is counted afresh each time and never kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.cases.calendar import OfficeCalendar
from bot.clock import as_utc, utcnow
from bot.reports.figures import Figures, ServiceLevel, week_figures
from bot.reports.weeks import Week
from bot.settings import Settings
from bot.store.tables.reports import weekly_reports

TREND_WEEKS = 12


@dataclasses.dataclass(frozen=True)
class WeeklyReport:
    """One week's report.

    Attributes:
        week: The week reported on.
        final: True if the week has ended (its figures will not change).
        figures: By scope (``"council"``, then each district).
        previous: The week before's figures, by scope.
        trend: The last :data:`TREND_WEEKS` weeks, oldest first, ending with ``week``.

    """

    week: Week
    final: bool
    figures: dict[str, Figures]
    previous: dict[str, Figures]
    trend: list[tuple[Week, dict[str, Figures]]]


def service_level(settings: Settings) -> ServiceLevel:
    """What "in time" means, from the settings."""
    return ServiceLevel(calendar=OfficeCalendar.from_settings(settings))


def _decode(text: str) -> dict[str, Figures]:
    return {scope: Figures.from_dict(values) for scope, values in json.loads(text).items()}


def figures_for(
    engine: Engine, settings: Settings, week: Week, now: dt.datetime | None = None
) -> tuple[bool, dict[str, Figures]]:
    """A week's figures: kept ones for an ended week (counted and kept the first time).

    Returns:
        Whether the week has ended, and its figures by scope.

    """
    moment = now or utcnow()
    final = week.has_ended(moment, settings.timezone)
    if final:
        with engine.connect() as conn:
            kept = conn.execute(
                sa.select(weekly_reports.c.figures).where(
                    weekly_reports.c.week_start == week.monday
                )
            ).scalar()
        if kept is not None:
            return True, _decode(kept)
    figures = week_figures(
        engine,
        week,
        districts=settings.districts,
        timezone=settings.timezone,
        service=service_level(settings),
    )
    if final:
        document = json.dumps({scope: f.to_dict() for scope, f in figures.items()}, sort_keys=True)
        try:
            with engine.begin() as conn:
                conn.execute(
                    weekly_reports.insert().values(
                        week_start=week.monday, produced_at=moment, figures=document
                    )
                )
        except IntegrityError:
            # Someone else kept this week first: theirs is the record.
            return figures_for(engine, settings, week, moment)
    return final, figures


def weekly_report(
    engine: Engine, settings: Settings, week: Week, now: dt.datetime | None = None
) -> WeeklyReport:
    """The report for ``week``: its figures, the week before, and the trend."""
    moment = now or utcnow()
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        earlier = week.previous(back)
        trend.append((earlier, figures_for(engine, settings, earlier, moment)[1]))
    final = week.has_ended(moment, settings.timezone)
    return WeeklyReport(
        week=week,
        final=final,
        figures=trend[-1][1],
        previous=trend[-2][1],
        trend=trend,
    )


REPORT_WEEKDAY = 0
"""Reports are produced on Mondays..."""
REPORT_TIME = dt.time(7, 0)
"""...from 07:00, council time, for the week that ended at midnight."""


def produce_scheduled(
    engine: Engine, settings: Settings, now: dt.datetime | None = None
) -> Week | None:
    """Count and keep the last ended week's figures, once it is Monday 07:00 or later.

    Called on every round of the scheduler: once a week is kept, this is one query.

    Returns:
        The week produced (or already kept), or ``None`` before its time.

    """
    moment = now or utcnow()
    week = Week.last_ended(moment, settings.timezone)
    zone = ZoneInfo(settings.timezone)
    local = as_utc(moment).astimezone(zone)
    due = dt.datetime.combine(
        week.monday + dt.timedelta(days=7 + REPORT_WEEKDAY), REPORT_TIME, tzinfo=zone
    )
    if local < due:
        return None
    figures_for(engine, settings, week, moment)
    return week
