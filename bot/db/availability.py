"""Telling "the database is down" apart from other database errors, and saying so once.

When PostgreSQL cannot be reached, the service must not carry on as if nothing
happened: Rasa's own tracker store wrapper would fall back to an in-memory store
and greet a young person mid-conversation as a stranger. Code that talks to the
database turns a lost or refused connection into :class:`DatabaseUnavailable`,
which the channels answer with a short holding reply (crisis numbers included),
and :class:`OutageLog` logs one alert when an outage starts and one line when it
ends, rather than a stack trace for every message in between.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy.exc

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE classes for "cannot connect / connection lost / server shutting
# down / out of resources": 08 connection exception, 57P admin/crash shutdown, 53 resources.
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53")


class DatabaseUnavailable(RuntimeError):
    """The project's database cannot be reached just now (down, restarting, or full)."""


def is_unavailable(error: BaseException) -> bool:
    """True if ``error`` means the database could not be reached, not a bad query.

    Args:
        error: An exception raised while using the database.

    Returns:
        Whether it is a connection-level failure (worth a holding reply and a retry
        later) rather than an error in what was asked.
    """
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        code = getattr(error.orig, "pgcode", None)
        if isinstance(code, str):
            return code.startswith(_UNAVAILABLE_SQLSTATES)
        # psycopg2 gives no SQLSTATE when it cannot connect at all.
        return isinstance(error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError))
    return False


class OutageLog:
    """Logs one alert when the database becomes unreachable, and one line when it is back.

    Shared by everything in one process that answers young people; thread-safe.
    """

    def __init__(self, name: str = "database") -> None:
        self.name = name
        self._lock = threading.Lock()
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        """Whether the last use of the database failed for want of a connection."""
        return self._down_since is not None

    def failed(self, error: BaseException) -> None:
        """Note a failed use; the first failure of an outage logs an alert."""
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
        if first:
            # Only the error's type: its message can quote a statement or a row.
            logger.error(
                "ALERT: the %s is unavailable (%s); young people get the holding reply "
                "and background work waits until it is back",
                self.name,
                type(error).__name__,
            )

    def succeeded(self) -> None:
        """Note a successful use; the first after an outage logs the recovery."""
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.warning(
                "The %s is available again after %.0f s", self.name, time.monotonic() - since
            )


def log_round_failure(log: logging.Logger, error: BaseException, what: str) -> None:
    """Log a failed background round: one alert per outage, or the error in full.

    Args:
        log: The caller's logger.
        error: What the round raised.
        what: What failed, for the log ("SMS delivery round failed").
    """
    if is_unavailable(error):
        database_outages().failed(error)
    else:
        log.error(what, exc_info=error)


_DATABASE_OUTAGES = OutageLog()


def database_outages() -> OutageLog:
    """The process's one :class:`OutageLog` for the project's database."""
    return _DATABASE_OUTAGES
