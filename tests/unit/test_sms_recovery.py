"""Inbound texts a server took on but never finished are taken over, once, by another."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa

from bot.channels.sms.service import MAX_ATTEMPTS, SmsService
from bot.store.tables.sms import sms_inbound

NUMBER = "+447700900931"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _service(engine, settings, seconds: float = 60.0) -> SmsService:
    return SmsService(dataclasses.replace(settings, sms_recovery_seconds=seconds), engine)


def _row(engine, sid: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(sms_inbound).where(sms_inbound.c.message_sid == sid)).one()


def test_a_text_keeps_its_words_only_until_it_is_handled(engine, settings):
    service = _service(engine, settings)
    assert service.first_time("SM1", "sms-a", NUMBER, "where do i live")
    row = _row(engine, "SM1")
    assert (row.pending_from, row.pending_body) == (NUMBER, "where do i live")
    service.mark_handled("SM1")
    row = _row(engine, "SM1")
    assert row.handled_at is not None
    assert (row.pending_from, row.pending_body) == (None, None)


def test_a_fresh_or_handled_text_is_not_taken_over(engine, settings):
    service = _service(engine, settings)
    service.first_time("SM1", "sms-a", NUMBER, "fresh")
    service.first_time("SM2", "sms-b", NUMBER, "done")
    service.mark_handled("SM2")
    assert service.claim_unhandled(_now() + dt.timedelta(seconds=30)) == []
    # Handled ones are never taken over, however old.
    assert [c[0] for c in service.claim_unhandled(_now() + dt.timedelta(hours=1))] == ["SM1"]


def test_an_unfinished_text_is_taken_over_by_one_server_only(engine, settings):
    first, second = _service(engine, settings), _service(engine, settings)
    first.first_time("SM1", "sms-a", NUMBER, "help with rent")
    later = _now() + dt.timedelta(seconds=61)
    assert first.claim_unhandled(later) == [("SM1", "sms-a", NUMBER, "help with rent")]
    # The other server looks at the same moment: it was taken already.
    assert second.claim_unhandled(later) == []
    assert _row(engine, "SM1").attempts == 2


def test_a_text_that_keeps_failing_is_given_up_with_an_alert(engine, settings, caplog):
    service = _service(engine, settings)
    service.first_time("SM1", "sms-a", NUMBER, "poison")
    moment = _now()
    for _ in range(MAX_ATTEMPTS - 1):
        moment += dt.timedelta(seconds=61)
        assert [c[0] for c in service.claim_unhandled(moment)] == ["SM1"]
    moment += dt.timedelta(seconds=61)
    assert service.claim_unhandled(moment) == []
    row = _row(engine, "SM1")
    assert row.handled_at is not None and row.pending_body is None
    assert "could not be handled after" in caplog.text
    assert "poison" not in caplog.text


def test_a_text_its_server_still_has_in_hand_is_not_taken_over(engine, settings):
    # A long queue on a live server is not a dead server: it renews its claims.
    busy, other = _service(engine, settings), _service(engine, settings)
    busy.first_time("SM1", "sms-a", NUMBER, "waiting in a long queue")
    busy.renew_claims(["SM1"], _now() + dt.timedelta(seconds=50))
    assert other.claim_unhandled(_now() + dt.timedelta(seconds=100)) == []
    # Once it stops renewing (it died), the text is taken over.
    assert [c[0] for c in other.claim_unhandled(_now() + dt.timedelta(seconds=111))] == ["SM1"]
