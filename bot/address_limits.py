"""Limits per internet address: in Redis when there is one, else in the database.

A web chat session's own messages are counted in the database (see
:mod:`bot.channels.web.limits`), but anyone can start a new session. These limits
count per address instead, across every server: new chat sessions an hour, and
messages a minute. They are set high, because many young people can share one
address (a college, a hostel, a mobile network).

With ``REDIS_URL`` (several servers: ``make cluster``), :class:`AddressLimits` keeps
the counters in Redis. Without it (one machine, ``make run``),
:class:`DatabaseAddressLimits` keeps them in the project's database
(``address_counts``), so the limits hold there too. Either way a counter lives at most
two windows and is keyed by a keyed hash of the address (:func:`address_digest`: an
address is personal data; the hash cannot be turned back into it without the
service's secret). When the store is down or slow, the limits are not applied — a
young person in crisis must never be refused because a counter could not be read —
and one alert is logged per outage; a Redis call waits at most ``TIMEOUT_SECONDS``.
The safety alerts' own limit per address (:mod:`bot.cases.alerts`) counts in the same
table, in the alert's own transaction (:func:`count_hit`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.clock import from_timestamp
from bot.store.tables.limits import address_counts

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 0.25
RETRY_AFTER_FAILURE_SECONDS = 5.0


def address_digest(secret: bytes, address: str) -> str:
    """A keyed hash of an internet address: stable, and no use without the secret."""
    return hmac.new(secret, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def count_hit(
    conn: Connection, kind: str, digest: str, window_seconds: int, now: float
) -> tuple[int, int | None]:
    """Count one more ``kind`` event from an address in the current window.

    One statement, so events counted at once by several workers are all counted.
    Counters whose window is over are deleted first (nothing is kept longer than two
    windows).

    Args:
        conn: A connection in a transaction (the caller's).
        kind: What is counted (``session``, ``message``, ``alert``).
        digest: :func:`address_digest` of the address.
        window_seconds: The window's length.
        now: The time (Unix seconds).

    Returns:
        How many there have been in this window, this one included, and the alert
        recorded for the window (``alert`` counters; else None).
    """
    conn.execute(address_counts.delete().where(address_counts.c.expires_at < from_timestamp(now)))
    bucket = int(now // window_seconds)
    key = {"kind": kind, "digest": digest, "bucket": bucket}
    values = {**key, "hits": 1, "expires_at": from_timestamp((bucket + 2) * window_seconds)}
    name = conn.dialect.name
    if name in ("postgresql", "sqlite"):
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(
            insert(address_counts)
            .values(**values)
            .on_conflict_do_update(
                index_elements=list(key), set_={"hits": address_counts.c.hits + 1}
            )
        )
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        try:
            with conn.begin_nested():
                conn.execute(address_counts.insert().values(**values))
        except IntegrityError:
            conn.execute(
                address_counts.update()
                .where(*(address_counts.c[k] == v for k, v in key.items()))
                .values(hits=address_counts.c.hits + 1)
            )
    row = conn.execute(
        sa.select(address_counts.c.hits, address_counts.c.alert_id).where(
            *(address_counts.c[k] == v for k, v in key.items())
        )
    ).one()
    return int(row.hits), row.alert_id


def remember_alert(
    conn: Connection, digest: str, window_seconds: int, now: float, alert_id: int
) -> None:
    """Note the alert later events from the address in this window are added to."""
    conn.execute(
        address_counts.update()
        .where(
            address_counts.c.kind == "alert",
            address_counts.c.digest == digest,
            address_counts.c.bucket == int(now // window_seconds),
        )
        .values(alert_id=alert_id)
    )


class DatabaseAddressLimits:
    """Fixed-window counters per address in the project's database; fail open.

    For one machine without Redis: the same limits as :class:`AddressLimits`, counted in
    ``address_counts`` (:func:`count_hit`).
    """

    def __init__(self, engine: Engine, secret: bytes) -> None:
        self._engine = engine
        self._secret = secret
        self._lock = threading.Lock()
        self._down = False

    def over(self, kind: str, address: str, limit: int, window_seconds: int, now: float) -> bool:
        """Count one more ``kind`` event from ``address``; True if it is over ``limit``.

        Returns:
            Whether this one is over the limit. False whenever the database cannot be used.
        """
        if not address or limit <= 0:
            return False
        digest = address_digest(self._secret, address)
        try:
            with self._engine.begin() as conn:
                hits, _ = count_hit(conn, kind, digest, window_seconds, now)
        except Exception as error:  # fail open: never refuse because a counter failed
            with self._lock:
                first, self._down = not self._down, True
            if first:
                logger.error(
                    "ALERT: per-address limits could not be counted (%s); they are off "
                    "until the database answers",
                    type(error).__name__,
                )
            return False
        with self._lock:
            if self._down:
                self._down = False
                logger.warning("Per-address limits are counted again")
        return hits > limit


class AddressLimits:
    """Fixed-window counters per address in Redis; fail open."""

    def __init__(self, redis_url: str, secret: bytes, client: Any | None = None) -> None:
        self._secret = secret
        self._client = client
        self._redis_url = redis_url
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._skip_until = 0.0

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(
                self._redis_url,
                socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS,
                health_check_interval=30,
            )
        return self._client

    def _key(self, kind: str, address: str, window: int) -> str:
        digest = address_digest(self._secret, address)
        return f"careleavers:limit:{kind}:{digest}:{window}"

    def over(self, kind: str, address: str, limit: int, window_seconds: int, now: float) -> bool:
        """Count one more ``kind`` event from ``address``; True if it is over ``limit``.

        Args:
            kind: What is counted (``session``, ``message``).
            address: The client's internet address.
            limit: How many are allowed in one window.
            window_seconds: The window's length.
            now: The time (Unix seconds).

        Returns:
            Whether this one is over the limit. False whenever Redis cannot be used.
        """
        if not address or limit <= 0:
            return False
        if time.monotonic() < self._skip_until:
            return False  # Redis failed a moment ago: do not make every message wait
        window = int(now // window_seconds)
        key = self._key(kind, address, window)
        try:
            pipe = self._redis().pipeline()
            pipe.incr(key)
            pipe.expire(key, window_seconds * 2)
            count = int(pipe.execute()[0])
        except Exception as error:  # any Redis failure: fail open, say so once
            self._failed(error)
            return False
        self._succeeded()
        return count > limit

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
            self._skip_until = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS
        if first:
            logger.error(
                "ALERT: Redis is unavailable (%s); per-address limits are off until it is back",
                type(error).__name__,
            )

    def _succeeded(self) -> None:
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            logger.warning(
                "Redis is available again after %.0f s; per-address limits are back",
                time.monotonic() - since,
            )
