"""The oversight round: late cases and unacknowledged alerts reach the team manager once."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.cases import conversation, service
from bot.jobs import scheduler
from bot.people.demo import seed_demo
from bot.people.identity import care_leaver_by_mobile
from bot.records import record_safety_event
from tests.support.outbox import texts_to

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
NORTH_MANAGER = "+447700900004"  # Chris Example-Manager


@pytest.fixture
def people(engine, settings):
    seed_demo(engine, settings)
    return engine


def test_a_case_past_its_due_date_reaches_the_manager_once(people, settings):
    taylor = care_leaver_by_mobile(people, "+447700900105")
    conversation.plan_query(
        people,
        settings,
        taylor,
        "i never got a copy of my plan",
        conversation_id="sms-taylor",
        channel="sms",
        now=WEDNESDAY_10AM,
    )
    [case] = service.case_status_for(people, taylor.id)
    on_time = scheduler.run_round(people, settings, case.acknowledge_due - dt.timedelta(minutes=1))
    assert on_time == scheduler.RoundResult(cases=0, alerts=0, texts=0)
    late = scheduler.run_round(people, settings, case.acknowledge_due + dt.timedelta(minutes=1))
    assert (late.cases, late.texts) == (1, 1)
    [text] = texts_to(people, NORTH_MANAGER)
    assert text.startswith(f"Overdue: pathway-plan query {case.reference} (North) was due to be ")
    again = scheduler.run_round(people, settings, case.acknowledge_due + dt.timedelta(minutes=2))
    assert again.cases == 0 and len(texts_to(people, NORTH_MANAGER)) == 1
    overdue = service.overdue(people, case.acknowledge_due + dt.timedelta(minutes=2), "North")
    assert [o.case.reference for o in overdue] == [case.reference]  # still on the manager view


def test_an_alert_nobody_acknowledged_in_15_minutes_reaches_the_manager(people, settings):
    taylor = care_leaver_by_mobile(people, "+447700900105")
    event_id = record_safety_event(
        people,
        conversation_id="sms-taylor",
        channel="sms",
        categories=("suicide",),
        detected_by="pattern",
        text="fake crisis text",
    )
    conversation.alert_staff(
        people,
        settings,
        safety_event_id=event_id,
        conversation_id="sms-taylor",
        person=taylor,
        now=WEDNESDAY_10AM,
    )
    early = scheduler.run_round(people, settings, WEDNESDAY_10AM + dt.timedelta(minutes=14))
    assert early.alerts == 0
    late = scheduler.run_round(people, settings, WEDNESDAY_10AM + dt.timedelta(minutes=15))
    assert (late.alerts, late.texts) == (1, 1)
    [text] = texts_to(people, NORTH_MANAGER)
    assert text.startswith("URGENT: safety alert ") and "not been acknowledged" in text


def test_the_loop_runs_rounds_until_stopped_and_survives_a_failed_round(people, settings):
    calls: list[dt.datetime] = []

    def clock() -> dt.datetime:
        calls.append(WEDNESDAY_10AM)
        if len(calls) == 1:
            raise RuntimeError("a database blip")
        return WEDNESDAY_10AM

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            scheduler.run_forever(people, settings, stop, interval=0.01, clock=clock)
        )
        for _ in range(500):  # a bounded wait: at most about 5 s
            if len(calls) >= 3:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(go())
    assert len(calls) >= 3


def test_serve_runs_rounds_at_the_configured_interval_until_stopped(people, settings, monkeypatch):
    import dataclasses

    quick = dataclasses.replace(settings, case_scheduler_seconds=0.05)  # demo mode: the outbox
    taylor = care_leaver_by_mobile(people, "+447700900105")
    case = service.open_case(
        people,
        care_leaver=taylor,
        category="copy_of_plan",
        words="fake words",
        conversation_id="sms-taylor",
        channel="sms",
        now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=21),
        settings=quick,
    )

    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(scheduler.serve(people, quick, stop))
        for _ in range(200):
            if texts_to(people, NORTH_MANAGER):
                break
            await asyncio.sleep(0.05)
        # Three more whole rounds, counted as each finishes: none texts the manager again.
        finished: list[object] = []
        real_round = scheduler.run_round
        monkeypatch.setattr(scheduler, "run_round", lambda *a: finished.append(real_round(*a)))
        for _ in range(200):
            if len(finished) >= 3:
                break
            await asyncio.sleep(0.05)
        assert len(finished) >= 3
        stop.set()
        await asyncio.wait_for(task, 5)

    asyncio.run(go())
    [text] = texts_to(people, NORTH_MANAGER)
    assert text.startswith(f"Overdue: pathway-plan query {case.reference} (North)")
