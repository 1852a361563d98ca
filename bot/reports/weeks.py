"""Report weeks: Monday to Sunday in the council's time zone.

A week is named by its Monday. Its bounds are aware UTC times, so a week that
crosses a clock change is still exactly Monday 00:00 to the next Monday 00:00
on the office wall clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from bot.clock import as_utc


class WeekError(ValueError):
    """A week given in a form that is not a week (e.g. ``2026-W99``)."""


@dataclasses.dataclass(frozen=True, order=True)
class Week:
    """One report week, named by its Monday."""

    monday: dt.date

    def __post_init__(self) -> None:
        if self.monday.weekday() != 0:
            raise WeekError(f"{self.monday.isoformat()} is not a Monday")

    @classmethod
    def containing(cls, day: dt.date) -> Week:
        """The week that ``day`` falls in."""
        return cls(day - dt.timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, text: str) -> Week:
        """A week from ``2026-W47`` (ISO week) or a date in it (``2026-11-16``).

        Raises:
            WeekError: The text is neither.

        """
        value = text.strip()
        try:
            if "W" in value.upper():
                year, _, number = value.upper().partition("-W")
                return cls(dt.date.fromisocalendar(int(year), int(number), 1))
            return cls.containing(dt.date.fromisoformat(value))
        except ValueError:
            raise WeekError("give a week as 2026-W47 or as a date in it, like 2026-11-16") from None

    @classmethod
    def last_ended(cls, now_utc: dt.datetime, timezone: str) -> Week:
        """The most recent week that has ended by ``now_utc`` (aware, or naive UTC)."""
        local = as_utc(now_utc).astimezone(ZoneInfo(timezone))
        return cls.containing(local.date()).previous()

    @property
    def sunday(self) -> dt.date:
        """The week's last day."""
        return self.monday + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        """The ISO week, e.g. ``2026-W47``."""
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    def previous(self, weeks: int = 1) -> Week:
        """The week ``weeks`` before this one."""
        return Week(self.monday - dt.timedelta(weeks=weeks))

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """Start (inclusive) and end (exclusive) as aware UTC."""
        zone = ZoneInfo(timezone)

        def utc(day: dt.date) -> dt.datetime:
            local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
            return local.astimezone(dt.timezone.utc)

        return utc(self.monday), utc(self.monday + dt.timedelta(days=7))

    def has_ended(self, now_utc: dt.datetime, timezone: str) -> bool:
        """True once the week's last moment has passed (``now_utc`` aware, or naive UTC)."""
        return as_utc(now_utc) >= self.bounds(timezone)[1]
