"""Column types of the store layer.

:class:`UtcDateTime` is how the project's tables keep a moment: timezone-aware UTC in
the code, naive UTC in the database (the same ``DATETIME`` / ``TIMESTAMP WITHOUT TIME
ZONE`` column the migrations made, so no migration is needed and what is stored does
not change).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

UTC = dt.timezone.utc


class NaiveDateTimeError(ValueError):
    """A time without its time zone was given to a column that needs one."""


class UtcDateTime(sa.types.TypeDecorator):  # type: ignore[misc]
    """A moment in time: aware UTC out; aware (any zone) or naive UTC in.

    Going in, an aware time is turned into UTC and stored without its zone, as the
    tables always have. A naive time is taken to be UTC already, which is what every
    naive time in this project is (the tables' convention before this type): refusing
    it would change what callers that still pass naive UTC do, so it is accepted
    unchanged (``strict=True`` refuses it with :class:`NaiveDateTimeError`). Anything
    that is not a :class:`datetime.datetime` is refused with a ``TypeError`` rather than
    stored as something else.

    Coming out, the stored naive UTC is given its zone: every value read is aware UTC,
    on SQLite and on PostgreSQL alike, so it compares with ``clock.now()``.

    The DDL is the plain ``DateTime``'s (``impl``): switching a column to this type
    needs no migration and Alembic's comparison sees no change.
    """

    impl = sa.DateTime
    cache_ok = True

    def __init__(self, *, strict: bool = False) -> None:
        """Make the type.

        Args:
            strict: Refuse naive times going in (they are otherwise taken as UTC).

        """
        super().__init__()
        self.strict = strict

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """A time going in, as the naive UTC the column stores."""
        return to_stored(value, strict=self.strict)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """A stored naive UTC time, as an aware UTC one."""
        return from_stored(value)

    @property
    def python_type(self) -> type:
        """What the column holds in Python."""
        return dt.datetime


def to_stored(value: Any, *, strict: bool = False) -> dt.datetime | None:
    """A time as the naive UTC the tables store (``None`` stays ``None``).

    Raises:
        TypeError: ``value`` is not a datetime (a date, a string, a number).
        NaiveDateTimeError: ``value`` is naive and ``strict`` is true.

    """
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(
            f"a datetime is needed for a UtcDateTime column, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        if strict:
            raise NaiveDateTimeError(
                f"a time with its time zone is needed (e.g. clock.now()), got naive {value!r}"
            )
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_stored(value: Any) -> dt.datetime | None:
    """A stored time as aware UTC (``None`` stays ``None``).

    The database gives naive UTC back; a driver that gives an aware time back (a
    ``TIMESTAMP WITH TIME ZONE`` read through this type) has it turned into UTC.
    """
    if value is None:
        return None
    moment: dt.datetime = value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
