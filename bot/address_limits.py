"""Limits per internet address, shared by every Rasa server through Redis.

A web chat session's own messages are counted in the database (see
:mod:`bot.channels.web.limits`), but anyone can start a new session. These limits
count per address instead, across every server: new chat sessions an hour, and
messages a minute. They are set high, because many young people can share one
address (a college, a hostel, a mobile network).

Redis only holds counters that expire within two windows, keyed by a keyed hash of
the address (an address is personal data; the hash cannot be turned back into it
without the service's secret). When Redis is down or slow, the limits are not
applied — a young person in crisis must never be refused because a counter could not
be read — and one alert is logged per outage; each call waits at most
``TIMEOUT_SECONDS``. With no ``REDIS_URL`` (one machine, ``make run``) there are no
per-address limits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 0.25
RETRY_AFTER_FAILURE_SECONDS = 5.0


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
        digest = hmac.new(self._secret, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
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
