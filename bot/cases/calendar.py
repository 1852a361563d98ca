"""Working days in England and the leaving-care team's office hours.

A *working day* is Monday to Friday, except England's bank holidays (from the
``holidays`` package, which computes them offline, substitute days included: when
Boxing Day falls on a Saturday, Monday 28 December is the holiday), and any the council
adds with ``EXTRA_BANK_HOLIDAYS`` (a one-off the package does not know yet: the Rasa
runtime is held to an old ``holidays`` by Rasa's pins).

Service levels count working days with one rule:

1. The clock starts when the message arrives, if that is within office hours on a
   working day. Otherwise (evening, weekend, bank holiday, before opening) it starts
   at the next opening: 09:00 on the next working day by default, or the same day's
   opening when the message came earlier that working day.
2. *n* working days later is the same time of day on the *n*-th working day after
   the day the clock started.

So a message on Monday at 10:30 is due for acknowledgement (1 working day) on
Tuesday at 10:30; one on Friday at 18:00 starts its clock on Monday at 09:00 and is
due on Tuesday at 09:00. A due time always falls within office hours on a working
day. All of it is in Europe/London local time (so it follows the clocks going
forward and back); times in other zones are converted first.

Everything here is pure: no clock is read; callers pass the time in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays

from bot.settings import Settings

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_OPENS = dt.time(9, 0)
DEFAULT_CLOSES = dt.time(17, 0)
SATURDAY = 5


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England's bank holidays in ``year``, substitute days included.

    Args:
        year: A calendar year.

    Returns:
        The dates on which England's bank holidays fall.

    """
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(calendar.keys())


def is_bank_holiday(day: dt.date) -> bool:
    """True if ``day`` is a bank holiday in England."""
    return day in bank_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    """True if ``day`` is Monday to Friday and not a bank holiday in England."""
    return day.weekday() < SATURDAY and not is_bank_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day`` (never ``day`` itself)."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclasses.dataclass(frozen=True)
class OfficeCalendar:
    """Office hours on working days, in one time zone.

    Attributes:
        timezone: IANA name of the zone the office is in.
        opens: Opening time, local (inclusive).
        closes: Closing time, local (exclusive: a message at 17:00 is out of hours).
        extra_holidays: Bank holidays beyond the ``holidays`` package's.

    """

    timezone: str = DEFAULT_TIMEZONE
    opens: dt.time = DEFAULT_OPENS
    closes: dt.time = DEFAULT_CLOSES
    extra_holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"office hours must open before they close: {self.opens}")

    @classmethod
    def from_settings(cls, settings: Settings) -> OfficeCalendar:
        """The calendar configured by ``TIMEZONE``, ``OFFICE_HOURS`` and ``EXTRA_BANK_HOLIDAYS``."""
        opens, closes = settings.office_hours
        return cls(
            timezone=settings.timezone,
            opens=opens,
            closes=closes,
            extra_holidays=frozenset(settings.extra_bank_holidays),
        )

    def is_working_day(self, day: dt.date) -> bool:
        """True if ``day`` is Monday to Friday and no bank holiday (extra ones included)."""
        return is_working_day(day) and day not in self.extra_holidays

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day`` (never ``day`` itself)."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` in the office's time zone.

        Raises:
            ValueError: ``moment`` has no time zone (a naive time is ambiguous here).

        """
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a time with its time zone is needed, got {moment!r}")
        return moment.astimezone(self.zone)

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """The local time ``time`` on ``day``, in the office's zone."""
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    def is_office_hours(self, moment: dt.datetime) -> bool:
        """True if ``moment`` is within office hours on a working day."""
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def clock_start(self, moment: dt.datetime) -> dt.datetime:
        """When a service-level clock starts for a message that arrived at ``moment``.

        Returns:
            ``moment`` itself (local) within office hours; else the next opening.

        """
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            if self.opens <= local.time() < self.closes:
                return local
            if local.time() < self.opens:
                return self.at(day, self.opens)
        return self.at(self.next_working_day(day), self.opens)

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """When someone can next be expected to reply: now if in hours, else the opening."""
        return self.clock_start(moment)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The time ``days`` working days after ``start``, by the rule in the module's notes.

        Args:
            start: When the message arrived (any zone; not naive).
            days: Working days to add, 0 or more (0 gives the clock's start).

        Returns:
            A local (office zone) time within office hours on a working day.

        Raises:
            ValueError: ``days`` is negative, or ``start`` has no time zone.

        """
        if days < 0:
            raise ValueError(f"working days cannot be negative, got {days}")
        begun = self.clock_start(start)
        day = begun.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.at(day, begun.time().replace(tzinfo=None))


DEFAULT_CALENDAR = OfficeCalendar()
"""Europe/London, 09:00 to 17:00, Monday to Friday except bank holidays."""


def is_office_hours(now: dt.datetime, calendar: OfficeCalendar = DEFAULT_CALENDAR) -> bool:
    """True if ``now`` is within office hours on a working day (see :class:`OfficeCalendar`)."""
    return calendar.is_office_hours(now)


def add_working_days(
    start: dt.datetime, n: int, calendar: OfficeCalendar = DEFAULT_CALENDAR
) -> dt.datetime:
    """``n`` working days after ``start`` (see :meth:`OfficeCalendar.add_working_days`)."""
    return calendar.add_working_days(start, n)
