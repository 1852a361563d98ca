"""The one clock: what time it is, always timezone-aware UTC.

Code that needs the time takes a :class:`Clock` (or a ``now`` argument, where a
function already takes one) instead of calling ``datetime.now`` itself, so that a test
can give it a :class:`ManualClock` and move time on without sleeping.

- :data:`SYSTEM_CLOCK`: the real time; :func:`utcnow` is its ``now()``.
- :class:`ManualClock`: a time a test sets and moves on; :class:`FixedClock`: one that
  never moves.
- :func:`from_timestamp`: Unix seconds (Rasa's tracker's float timestamps) as aware
  UTC: the one place they become times.
- :func:`as_utc`: a caller's time (aware, or naive UTC) as aware UTC. Every table's times
  are :class:`bot.store.types.UtcDateTime`: aware UTC in and out.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

UTC = dt.timezone.utc


class Clock(Protocol):
    """Something that says what time it is."""

    def now(self) -> dt.datetime:
        """The time now, timezone-aware UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> dt.datetime:
        """The time now, timezone-aware UTC."""
        return dt.datetime.now(UTC)


class ManualClock:
    """A clock a test sets and moves on (:meth:`advance`, :meth:`set`)."""

    def __init__(self, start: dt.datetime) -> None:
        """Start the clock at ``start`` (aware; naive is refused, its zone would be a guess)."""
        self._now = _aware(start)

    def now(self) -> dt.datetime:
        """The clock's time, timezone-aware UTC."""
        return self._now

    def advance(self, by: dt.timedelta) -> dt.datetime:
        """Move the clock on by ``by``; return the new time."""
        self._now += by
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Set the clock to ``moment`` (aware)."""
        self._now = _aware(moment)


class FixedClock(ManualClock):
    """A clock stopped at one moment."""

    def advance(self, by: dt.timedelta) -> dt.datetime:
        """A fixed clock does not move: use :class:`ManualClock` for one that does."""
        raise TypeError("a FixedClock does not move: use a ManualClock")


SYSTEM_CLOCK: Clock = SystemClock()
"""The real time: the default wherever a clock is taken."""


def utcnow(clock: Clock = SYSTEM_CLOCK) -> dt.datetime:
    """The time now, timezone-aware UTC."""
    return clock.now()


def from_timestamp(seconds: float) -> dt.datetime:
    """Unix seconds (Rasa's tracker events, the rate limits' windows) as aware UTC."""
    return dt.datetime.fromtimestamp(seconds, UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as aware UTC; a naive time is taken to be UTC already (the tables' way)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a clock needs a time with its time zone, got naive {moment!r}")
    return moment.astimezone(UTC)
