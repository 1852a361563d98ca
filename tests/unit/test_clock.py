"""The one clock (bot/clock.py): aware UTC always, and a manual clock for tests."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.channels.sms.service import SmsService
from bot.clock import (
    SYSTEM_CLOCK,
    FixedClock,
    ManualClock,
    as_utc,
    utcnow,
)
from bot.store.tables.sms import sms_inbound

pytestmark = pytest.mark.timeout(120)

UTC = dt.timezone.utc
NOON = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
BST = dt.timezone(dt.timedelta(hours=1))


def test_the_system_clock_is_aware_utc_and_moves():
    first = SYSTEM_CLOCK.now()
    assert first.tzinfo is UTC
    assert abs(first - dt.datetime.now(UTC)) < dt.timedelta(minutes=1)
    assert utcnow().tzinfo is UTC


def test_a_manual_clock_moves_only_when_told():
    clock = ManualClock(NOON.astimezone(BST))
    assert clock.now() == NOON and clock.now().tzinfo is UTC
    assert clock.advance(dt.timedelta(minutes=5)) == NOON + dt.timedelta(minutes=5)
    clock.set(NOON + dt.timedelta(days=1))
    assert utcnow(clock) == NOON + dt.timedelta(days=1)


def test_a_fixed_clock_does_not_move_and_no_clock_starts_naive():
    with pytest.raises(TypeError, match="does not move"):
        FixedClock(NOON).advance(dt.timedelta(seconds=1))
    with pytest.raises(ValueError, match="time zone"):
        ManualClock(dt.datetime(2026, 7, 1, 12, 0))


def test_as_utc_takes_naive_as_utc_and_aware_in_any_zone():
    at_one_bst = dt.datetime(2026, 7, 1, 13, 0, tzinfo=BST)
    assert as_utc(at_one_bst) == NOON and as_utc(at_one_bst).tzinfo is UTC
    assert as_utc(dt.datetime(2026, 7, 1, 12, 0)) == NOON


def test_the_sms_channel_takes_its_time_from_the_clock_it_is_given(engine, settings):
    clock = ManualClock(NOON)
    service = SmsService(dataclasses.replace(settings, sms_recovery_seconds=60.0), engine, clock)
    assert service.first_time("SM1", "sms-a", "+447700900931", "where do i live")
    clock.advance(dt.timedelta(minutes=3))
    service.mark_handled("SM1")
    with engine.connect() as conn:
        row = conn.execute(sa.select(sms_inbound).where(sms_inbound.c.message_sid == "SM1")).one()
    assert row.received_at == NOON
    assert row.handled_at == NOON + dt.timedelta(minutes=3)


def test_the_consoles_local_time_shows_one_moment_the_same_however_it_comes(settings):
    from bot.console.web import templates

    local_time = templates(settings).filters["local_time"]
    shown = {
        local_time(NOON),
        local_time(NOON.astimezone(BST)),
        local_time(dt.datetime(2026, 7, 1, 12, 0)),
    }
    assert shown == {"01 Jul 2026, 13:00"}
    assert local_time(None) == ""


def test_unix_seconds_become_aware_utc_in_one_place():
    from bot.clock import from_timestamp

    assert from_timestamp(NOON.timestamp()) == NOON
    assert from_timestamp(NOON.timestamp()).tzinfo is UTC
