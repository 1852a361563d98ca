"""Per-address limits against a real Redis server (Debian's, started by the test)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from bot.address_limits import AddressLimits
from tests.support.servers import free_port

SECRET = b"test-secret"
ADDRESS = "203.0.113.7"  # TEST-NET-3: an address that belongs to nobody


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: run `make system-packages`")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def server() -> Iterator[RedisServer]:
    running = RedisServer()
    running.start()
    yield running
    running.stop()


def test_one_address_is_counted_across_everything_it_sends(server):
    limits = AddressLimits(server.url, SECRET)
    now = 1_000_020.0  # the same minute throughout
    assert [limits.over("message", ADDRESS, 3, 60, now) for _ in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    # Another address, and another kind of count, have their own.
    assert not limits.over("message", "203.0.113.8", 3, 60, now)
    assert not limits.over("session", ADDRESS, 3, 60, now)
    # The next window starts again.
    assert not limits.over("message", ADDRESS, 3, 60, now + 60)


def test_the_address_is_never_stored_and_counts_expire(server):
    limits = AddressLimits(server.url, SECRET)
    limits.over("session", ADDRESS, 10, 3600, 1_000_000.0)
    client = redis.Redis.from_url(server.url)
    keys = [k.decode() for k in client.keys("*")]
    assert len(keys) == 1
    assert ADDRESS not in keys[0] and ADDRESS.replace(".", "") not in keys[0]
    assert 0 < client.ttl(keys[0]) <= 7200


class CountingRedis(redis.Redis):
    """The real client, counting how often it is asked to talk to Redis."""

    asked = 0

    def pipeline(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.asked += 1
        return super().pipeline(*args, **kwargs)


def test_while_redis_is_down_nothing_is_refused_and_one_alert_is_logged(
    server, caplog, monkeypatch
):
    # However slow the machine, the pause after a failure lasts the whole test.
    monkeypatch.setattr("bot.address_limits.RETRY_AFTER_FAILURE_SECONDS", 3600.0)
    client = CountingRedis.from_url(server.url, socket_timeout=0.25, socket_connect_timeout=0.25)
    limits = AddressLimits(server.url, SECRET, client=client)
    now = 1_000_020.0
    assert not limits.over("message", ADDRESS, 1, 60, now)
    assert limits.over("message", ADDRESS, 1, 60, now)
    server.stop()
    asked = client.asked
    assert [limits.over("message", ADDRESS, 1, 60, now) for _ in range(200)] == [False] * 200
    # One try (one short timeout), then Redis is not asked again: no message waits on it.
    assert client.asked == asked + 1
    assert caplog.text.count("ALERT: Redis is unavailable") == 1
    assert ADDRESS not in caplog.text


def test_limits_come_back_with_redis(server, caplog, monkeypatch):
    limits = AddressLimits(server.url, SECRET)
    server.stop()
    assert not limits.over("message", ADDRESS, 1, 60, 1_000_020.0)
    server.start()
    monkeypatch.setattr("bot.address_limits.RETRY_AFTER_FAILURE_SECONDS", 0.0)
    limits._skip_until = 0.0  # the pause after a failure is over
    assert not limits.over("message", ADDRESS, 1, 60, 1_000_020.0)
    assert limits.over("message", ADDRESS, 1, 60, 1_000_020.0)
    assert "Redis is available again" in caplog.text


def test_no_address_or_no_limit_is_never_over(server):
    limits = AddressLimits(server.url, SECRET)
    assert not limits.over("message", "", 1, 60, 0.0)
    assert not limits.over("message", ADDRESS, 0, 60, 0.0)
