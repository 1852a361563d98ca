"""Per-address limits without Redis: counted in the project's database (issue 15, item 3).

One machine (``make run``) has no Redis; anyone could start new web chats, and link code
requests, without end. Real SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from bot.address_limits import DatabaseAddressLimits
from bot.channels.web.service import WebChatService
from bot.store.tables.limits import address_counts

SECRET = b"test-secret"
ADDRESS = "203.0.113.7"  # TEST-NET-3: an address that belongs to nobody
NOW = 1_000_020.0  # the same minute throughout


def test_one_address_is_counted_across_everything_it_sends(engine):
    limits = DatabaseAddressLimits(engine, SECRET)
    assert [limits.over("message", ADDRESS, 3, 60, NOW) for _ in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert not limits.over("message", "203.0.113.8", 3, 60, NOW)
    assert not limits.over("session", ADDRESS, 3, 60, NOW)
    assert not limits.over("message", ADDRESS, 3, 60, NOW + 60)


def test_counts_made_at_once_are_all_counted(engine):
    limits = DatabaseAddressLimits(engine, SECRET)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: limits.over("session", ADDRESS, 10, 3600, NOW), range(30))
        )
    assert results.count(False) == 10


def test_the_address_is_never_stored_and_counts_expire(engine):
    limits = DatabaseAddressLimits(engine, SECRET)
    limits.over("session", ADDRESS, 10, 3600, NOW)
    with engine.connect() as conn:
        (row,) = conn.execute(sa.select(address_counts)).all()
    assert ADDRESS not in str(tuple(row)) and ADDRESS.replace(".", "") not in str(tuple(row))
    limits.over("session", "198.51.100.1", 10, 3600, NOW + 3 * 3600)
    with engine.connect() as conn:
        assert len(conn.execute(sa.select(address_counts)).all()) == 1  # the old one went


def test_when_the_database_fails_nothing_is_refused_and_one_alert_is_logged(caplog):
    broken = sa.create_engine("postgresql://nobody@127.0.0.1:9/none", pool_pre_ping=False)
    limits = DatabaseAddressLimits(broken, SECRET)
    assert [limits.over("session", ADDRESS, 1, 3600, NOW) for _ in range(3)] == [False] * 3
    assert caplog.text.count("ALERT: per-address limits could not be counted") == 1
    assert ADDRESS not in caplog.text


def test_without_redis_new_web_chats_from_one_address_are_limited(engine, settings):
    service = WebChatService(
        dataclasses.replace(settings, redis_url="", web_chat_address_sessions_per_hour=3),
        engine,
        clock=lambda: NOW,
    )

    async def sessions() -> list[bool]:
        return [await service.over_address_limit("session", ADDRESS) for _ in range(5)]

    assert asyncio.run(sessions()) == [False, False, False, True, True]


def test_a_counters_expiry_is_stored_as_before_and_read_as_aware_utc(engine):
    import datetime as dt

    DatabaseAddressLimits(engine, SECRET).over("message", ADDRESS, 3, 60, NOW)
    expected = dt.datetime(1970, 1, 12, 13, 49)  # (the minute's bucket + 2) * 60 seconds, UTC
    with engine.connect() as conn:
        plain = sa.select(sa.column("expires_at", sa.DateTime)).select_from(
            sa.table("address_counts")
        )
        stored = conn.execute(plain).scalar_one()
        read = conn.execute(sa.select(address_counts.c.expires_at)).scalar_one()
    assert stored == expected  # the same naive UTC the table always held
    assert read == expected.replace(tzinfo=dt.timezone.utc) and read.tzinfo is dt.timezone.utc
