"""Retention, subject access and erasure on a real database (SQLite file and PostgreSQL).

Times are passed in (the clock is the test's): nothing sleeps. Two young people are put
in with canary values (invented names, numbers, words) so that each test can check
that one person's data never reach the other's export, and that erasure removes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import stat

import pytest
import sqlalchemy as sa

from bot.__main__ import main as cli
from bot.cases import alerts, handoffs, service
from bot.cases.model import Actor
from bot.db.rasa_events import events
from bot.jobs import scheduler
from bot.people.demo import seed_demo
from bot.people.identity import sms_conversation_id
from bot.people.importer import import_care_leavers
from bot.privacy import access, erasure, retention
from bot.privacy.holdings import PersonNotFoundError
from bot.records import conversation_key, record_safety_event, record_unanswered
from bot.settings import PROJECT_ROOT, get_settings
from bot.store.tables.cases import case_events, cases, safety_alerts
from bot.store.tables.cases import handoffs as handoffs_table
from bot.store.tables.console import audit_log
from bot.store.tables.notify import sms_opt_outs, sms_outbound
from bot.store.tables.people import care_leavers, conversation_identities, link_codes, staff
from bot.store.tables.records import unanswered_questions
from bot.store.tables.safety import safety_events
from bot.store.tables.sms import sms_contacts, sms_inbound

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 6, 15, 9, 0, tzinfo=UTC)
OLD = NOW - dt.timedelta(days=400)  # well over 12 months
RECENT = NOW - dt.timedelta(days=10)
PAT = "pat.example-adviser@example.org"

# Canaries: each person's values, which must never be found in the other's export.
A = {
    "ref": "DEMO-CL-01",
    "name": "Zephyrine Canaryone",
    "mobile": "+447700900901",
    "sms_words": "my canary-a radiator is broken",
    "web_words": "canary-a web question about bursaries",
    "case_words": "canary-a never got my pathway plan",
    "crisis": "canary-a i want to end it all",
    "question": "canary-a can i get a moped grant",
    "outbound": "canary-a reply from the bot",
    "handoff": "canary-a wants to talk about moving out",
}
B = {
    "ref": "DEMO-CL-02",
    "name": "Quillon Canarytwo",
    "mobile": "+447700900902",
    "sms_words": "canary-b the boiler at my flat",
    "web_words": "canary-b web question about council tax",
    "case_words": "canary-b plan review date wrong",
    "crisis": "canary-b nowhere safe to sleep tonight",
    "question": "canary-b can i get a gym pass",
    "outbound": "canary-b reply from the bot",
    "handoff": "canary-b wants to talk about college",
}


def add_events(engine, sender_id, rows):
    """Store events as Rasa does: (type, unix time, text or None) each."""
    with engine.begin() as conn:
        for type_name, at, text in rows:
            data = {"event": type_name, "timestamp": at}
            if text is not None:
                data["text"] = text
            conn.execute(
                events.insert().values(
                    sender_id=sender_id,
                    type_name=type_name,
                    timestamp=at,
                    data=json.dumps(data),
                )
            )


def conversation(engine, sender_id, when, user_text, bot_text="ok"):
    t = when.timestamp()
    add_events(
        engine,
        sender_id,
        [
            ("action", t, None),
            ("session_started", t, None),
            ("user", t + 1, user_text),
            ("bot", t + 2, bot_text),
        ],
    )


def naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def people(engine, settings):
    """The demo people, with persons A and B given canary names and numbers."""
    seed_demo(engine, settings)
    with engine.begin() as conn:
        for person in (A, B):
            conn.execute(
                care_leavers.update()
                .where(care_leavers.c.external_ref == person["ref"])
                .values(preferred_name=person["name"], mobile=person["mobile"])
            )
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(staff))})
    return ids


def put_person(engine, settings, person, person_id, when):
    """Everything the service would hold for one young person, at ``when``."""
    sms_id = sms_conversation_id(person["mobile"], settings.conversation_key())
    web_id = f"web-{person['ref'].lower()}-conversation-xx"
    conversation(engine, sms_id, when, person["sms_words"], person["outbound"])
    conversation(engine, web_id, when, person["web_words"])
    add_events(engine, sms_id, [("user", when.timestamp() + 5, person["crisis"])])
    wall = naive(when)
    with engine.begin() as conn:
        conn.execute(
            conversation_identities.insert().values(
                conversation_id=web_id, care_leaver_id=person_id, method="code", verified_at=wall
            )
        )
        conn.execute(
            sms_contacts.insert().values(
                conversation_id=sms_id, number=person["mobile"], updated_at=wall
            )
        )
        conn.execute(
            sms_inbound.insert().values(
                message_sid=f"SM{person['ref']}", conversation_id=sms_id, received_at=wall
            )
        )
        conn.execute(
            sms_outbound.insert().values(
                dedupe_key=f"reply:{person['ref']}",
                conversation_id=sms_id,
                to_number=person["mobile"],
                body=person["outbound"],
                status="sent",
                created_at=wall,
                updated_at=wall,
            )
        )
        conn.execute(
            link_codes.insert().values(
                conversation_id=web_id,
                care_leaver_id=person_id,
                code_hash=f"hash-{person['ref']}-secret",
                created_at=wall,
                expires_at=wall + dt.timedelta(minutes=10),
                used_at=wall,
            )
        )
    case = service.open_case(
        engine,
        care_leaver=person_id,
        category="copy_of_plan",
        words=person["case_words"],
        conversation_id=sms_id,
        channel="sms",
        now=when,
        settings=settings,
    )
    event_id = record_safety_event(
        engine,
        conversation_id=sms_id,
        channel="sms",
        categories=["suicide"],
        detected_by="pattern",
        text=person["crisis"],
    )
    raised = alerts.raise_alert(
        engine,
        conversation_id=sms_id,
        now=when,
        safety_event_id=event_id,
        care_leaver_id=person_id,
    )
    started = handoffs.start_handoff(
        engine,
        conversation_id=sms_id,
        care_leaver_id=person_id,
        channel="sms",
        summary=person["handoff"],
        now=when,
    )
    record_unanswered(
        engine,
        text=person["question"],
        channel="web",
        conversation_id=web_id,
        best_guess=None,
        best_score=None,
    )
    with engine.begin() as conn:  # both are stamped with the real clock: put them at ``when``
        conn.execute(
            unanswered_questions.update()
            .where(unanswered_questions.c.conversation_key == conversation_key(web_id))
            .values(asked_at=wall)
        )
        conn.execute(
            safety_events.update().where(safety_events.c.id == event_id).values(created_at=wall)
        )
    return {
        "sms": sms_id,
        "web": web_id,
        "case": case,
        "alert": raised.alert.id,
        "event": event_id,
        "handoff": started.handoff.id,
    }


def count(engine, table, where=None):
    query = sa.select(sa.func.count()).select_from(table)
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def audit_rows(engine, action):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.id)
        ).all()


# Retention


def test_months_before_counts_calendar_months():
    assert retention.months_before(dt.datetime(2027, 6, 15, 9), 12) == dt.datetime(2026, 6, 15, 9)
    assert retention.months_before(dt.datetime(2027, 3, 31), 1) == dt.datetime(2027, 2, 28)
    assert retention.months_before(dt.datetime(2028, 3, 31), 1) == dt.datetime(2028, 2, 29)
    assert retention.months_before(dt.datetime(2027, 1, 10), 13) == dt.datetime(2025, 12, 10)


def test_retention_deletes_old_transcripts_and_keeps_recent_ones_and_case_records(
    engine, settings, people
):
    old = put_person(engine, settings, A, people[A["ref"]], OLD)
    recent = put_person(engine, settings, B, people[B["ref"]], RECENT)
    # A conversation that is still going: an old session, then a new one this week.
    conversation(engine, "rest-live", OLD, "old words in a live conversation")
    conversation(engine, "rest-live", RECENT, "new words in a live conversation")
    # A session that began before the cutoff and is still open: kept whole.
    conversation(engine, "rest-long", OLD, "a session spanning the cutoff")
    add_events(engine, "rest-long", [("user", RECENT.timestamp(), "still talking")])
    with engine.begin() as conn:  # an old text still waiting to go keeps its words
        conn.execute(
            sms_outbound.insert().values(
                dedupe_key="waiting",
                conversation_id="sms-waiting",
                to_number="+447700900950",
                body="still to send",
                status="queued",
                created_at=naive(OLD),
                updated_at=naive(OLD),
            )
        )
    kept_before = {
        table.name: count(engine, table)
        for table in (cases, case_events, handoffs_table, safety_alerts, safety_events)
    }

    report = retention.run(engine, settings, NOW)

    assert count(engine, events, events.c.sender_id.in_([old["sms"], old["web"]])) == 0
    assert count(engine, events, events.c.sender_id.in_([recent["sms"], recent["web"]])) == 9
    with engine.connect() as conn:
        live = conn.execute(
            sa.select(events.c.data).where(events.c.sender_id == "rest-live")
        ).scalars()
        live_text = " ".join(live)
        long_count = conn.execute(
            sa.select(sa.func.count()).where(events.c.sender_id == "rest-long")
        ).scalar_one()
        bodies = dict(conn.execute(sa.select(sms_outbound.c.dedupe_key, sms_outbound.c.body)).all())
        questions = dict(
            conn.execute(
                sa.select(unanswered_questions.c.conversation_key, unanswered_questions.c.text)
            ).all()
        )
        contacts = set(conn.execute(sa.select(sms_contacts.c.conversation_id)).scalars())
        codes = set(conn.execute(sa.select(link_codes.c.conversation_id)).scalars())
    assert "old words" not in live_text and "new words" in live_text
    assert long_count == 5
    assert bodies[f"reply:{A['ref']}"] == ""
    assert bodies[f"reply:{B['ref']}"] == B["outbound"]
    assert bodies["waiting"] == "still to send"
    assert questions[conversation_key(old["web"])] == retention.REMOVED
    assert questions[conversation_key(recent["web"])] == B["question"]
    assert contacts == {recent["sms"]}
    assert codes == {recent["web"]}
    kept_after = {
        table.name: count(engine, table)
        for table in (cases, case_events, handoffs_table, safety_alerts, safety_events)
    }
    assert kept_after == kept_before
    assert report.events == 4 + 4 + 1 + 4 and report.sms_texts == 1
    assert report.sms_contacts == 1 and report.link_codes == 1
    [row] = audit_rows(engine, retention.ACTION)
    assert row.staff_id is None and row.detail.startswith("system (daily retention job)")
    assert A["name"] not in row.detail and A["mobile"] not in row.detail


def test_a_second_run_finds_nothing(engine, settings, people):
    put_person(engine, settings, A, people[A["ref"]], OLD)
    first = retention.run(engine, settings, NOW)
    second = retention.run(engine, settings, NOW)
    assert first.events > 0
    assert dataclasses.astuple(second)[2:] == (0, 0, 0, 0, 0, 0, True)
    assert len(audit_rows(engine, retention.ACTION)) == 2


def test_a_dry_run_counts_and_changes_nothing(engine, settings, people):
    put_person(engine, settings, A, people[A["ref"]], OLD)
    before = count(engine, events)
    dry = retention.run(engine, settings, NOW, dry_run=True)
    assert count(engine, events) == before
    assert audit_rows(engine, retention.ACTION) == []
    real = retention.run(engine, settings, NOW)
    assert dataclasses.astuple(dry)[2:] == dataclasses.astuple(real)[2:]
    assert "would delete" in dry.lines()[0]


def test_retention_works_in_batches_and_reports_progress(engine, settings, people):
    for n in range(7):
        conversation(engine, f"rest-old-{n}", OLD, f"old message {n}")
    lines: list[str] = []
    report = retention.run(engine, settings, NOW, batch_size=5, progress=lines.append)
    assert report.events == 28
    assert [line for line in lines if line.startswith("events")] == [
        f"events: {n} so far" for n in (5, 10, 15, 20, 25, 28)
    ]
    assert count(engine, events) == 0


def test_the_retention_period_is_a_setting(engine, settings, people):
    conversation(engine, "rest-two-months", NOW - dt.timedelta(days=70), "two months ago")
    assert retention.run(engine, settings, NOW).events == 0
    short = dataclasses.replace(settings, retention_months=2)
    assert retention.run(engine, short, NOW).events == 4


def test_retention_runs_once_a_day_from_the_scheduler_round(engine, settings, people):
    conversation(engine, "rest-old", OLD, "old message")
    result = scheduler.run_round(engine, settings, NOW)
    assert result.cases == 0
    assert count(engine, events) == 0
    conversation(engine, "rest-old-2", OLD, "another old message")
    assert retention.run_if_due(engine, settings, NOW + dt.timedelta(hours=1)) is None
    assert count(engine, events) == 4
    later = retention.run_if_due(engine, settings, NOW + dt.timedelta(hours=24))
    assert later is not None and later.events == 4
    assert len(audit_rows(engine, retention.ACTION)) == 2


def test_a_scheduler_round_does_a_bounded_share_and_the_next_rounds_carry_on(
    engine, settings, people, monkeypatch
):
    for n in range(7):
        conversation(engine, f"rest-old-{n}", OLD, f"old message {n}")
    monkeypatch.setattr(retention, "BATCH", 5)
    monkeypatch.setattr(retention, "ROUND_BATCHES", 2)
    first = retention.run_if_due(engine, settings, NOW)
    assert first is not None and not first.complete and first.events == 10
    assert "more to do" in first.summary()
    assert [row.action for row in audit_rows(engine, retention.PARTIAL)] == [retention.PARTIAL]
    second = retention.run_if_due(engine, settings, NOW + dt.timedelta(seconds=30))
    third = retention.run_if_due(engine, settings, NOW + dt.timedelta(seconds=60))
    assert second is not None and not second.complete and second.events == 10
    assert third is not None and third.complete and third.events == 8
    assert count(engine, events) == 0
    assert len(audit_rows(engine, retention.ACTION)) == 1
    assert retention.run_if_due(engine, settings, NOW + dt.timedelta(seconds=90)) is None


# Subject access


def test_subject_access_holds_everything_about_them_and_nothing_of_anyone_else(
    engine, settings, people, tmp_path
):
    held = put_person(engine, settings, A, people[A["ref"]], RECENT)
    put_person(engine, settings, B, people[B["ref"]], RECENT)
    service.acknowledge(engine, held["case"].id, actor=Actor.staff(people["DEMO-ST-04"]), now=NOW)
    add_events(engine, held["web"], [("user", NOW.timestamp(), "<script>alert(1)</script>")])
    out = tmp_path / "export.html"

    summary = access.export(engine, settings, A["ref"], out, by_email=PAT, now=NOW)

    page = out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # theirs to send, nobody else's to read
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("export")] == ["export.html"]
    for key, value in A.items():
        assert value in page, key
    for value in B.values():
        assert value not in page, value
    assert "Pat Example-Adviser" in page and "personal adviser" in page
    # Chris acknowledged the case: in its history, and among the staff who handled them.
    assert "<td>Chris Example-Manager</td><td>team manager</td>" in page
    assert held["case"].reference in page
    assert f"hash-{A['ref']}" not in page  # link codes without their hashes
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<script" not in page.lower() and "http" not in page.lower()  # self-contained
    assert summary.cases == 1 and summary.alerts == 1 and summary.handoffs == 1
    assert summary.messages == 6
    [row] = audit_rows(engine, access.ACTION)
    assert row.staff_id == people["DEMO-ST-01"]
    assert row.target == f"care_leaver:{people[A['ref']]}"
    assert A["name"] not in row.detail and "export.html" not in row.detail


def test_subject_access_for_an_unknown_reference_writes_nothing(engine, settings, people, tmp_path):
    out = tmp_path / "nobody.html"
    with pytest.raises(PersonNotFoundError):
        access.export(engine, settings, "NOBODY-1", out, by_email=PAT, now=NOW)
    with pytest.raises(access.AccessError):
        access.export(engine, settings, A["ref"], out, by_email="who@example.org", now=NOW)
    assert not out.exists()
    assert audit_rows(engine, access.ACTION) == []


# Erasure


def snapshot(engine):
    with engine.connect() as conn:
        return {
            table.name: sorted(map(tuple, conn.execute(sa.select(table)).all()), key=repr)
            for table in (
                events,
                care_leavers,
                conversation_identities,
                link_codes,
                sms_outbound,
                sms_contacts,
                unanswered_questions,
                audit_log,
            )
        }


def test_erase_without_yes_shows_the_plan_and_changes_nothing(engine, settings, people):
    put_person(engine, settings, A, people[A["ref"]], RECENT)
    before = snapshot(engine)
    plan = erasure.erase(
        engine, settings, A["ref"], reason="request", by_email=PAT, now=NOW, confirm=False
    )
    assert snapshot(engine) == before
    assert plan.events == 9 and plan.sms_texts == 1 and plan.identities == 1
    assert any(line.startswith("cases and their histories: PP-") for line in plan.kept)


def test_erase_removes_their_personal_data_and_keeps_and_lists_the_required_records(
    engine, settings, people, tmp_path
):
    held = put_person(engine, settings, A, people[A["ref"]], RECENT)
    other = put_person(engine, settings, B, people[B["ref"]], RECENT)
    with engine.begin() as conn:
        conn.execute(sms_opt_outs.insert().values(number=A["mobile"], opted_out_at=naive(NOW)))
    other_events = count(engine, events, events.c.sender_id.in_([other["sms"], other["web"]]))

    plan = erasure.erase(
        engine,
        settings,
        A["ref"],
        reason="young person asked by email on 1 June",
        by_email=PAT,
        now=NOW,
        confirm=True,
    )

    person_id = people[A["ref"]]
    with engine.connect() as conn:
        record = conn.execute(sa.select(care_leavers).where(care_leavers.c.id == person_id)).one()
        texts = conn.execute(
            sa.select(sms_outbound.c.body, sms_outbound.c.to_number).where(
                sms_outbound.c.conversation_id == held["sms"]
            )
        ).all()
        question = conn.execute(
            sa.select(unanswered_questions.c.text).where(
                unanswered_questions.c.conversation_key == conversation_key(held["web"])
            )
        ).scalar_one()
    assert record.preferred_name == erasure.ERASED_NAME
    assert record.mobile is None and record.date_of_birth is None
    assert record.erased_at == NOW
    assert count(engine, events, events.c.sender_id.in_([held["sms"], held["web"]])) == 0
    assert texts == [("", "")]
    assert question == erasure.ERASED_TEXT
    assert (
        count(
            engine, conversation_identities, conversation_identities.c.care_leaver_id == person_id
        )
        == 0
    )
    assert count(engine, link_codes, link_codes.c.care_leaver_id == person_id) == 0
    assert count(engine, sms_contacts, sms_contacts.c.number == A["mobile"]) == 0
    # Kept: the case, the alert, the safety event, the handoff, the opt-out; and listed.
    assert service.get_case(engine, held["case"].id).words == A["case_words"]
    assert count(engine, safety_events, safety_events.c.id == held["event"]) == 1
    assert count(engine, safety_alerts, safety_alerts.c.id == held["alert"]) == 1
    assert count(engine, sms_opt_outs) == 1
    assert f"cases and their histories: {held['case'].reference}" in plan.kept
    assert f"safety alerts and their histories: {held['alert']}" in plan.kept
    assert f"safety events: {held['event']}" in plan.kept
    assert f"handoffs and their histories: {held['handoff']}" in plan.kept
    assert "an SMS opt-out (STOP) for their number" in plan.kept
    # The other young person is untouched.
    assert (
        count(engine, events, events.c.sender_id.in_([other["sms"], other["web"]])) == other_events
    )
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(care_leavers.c.preferred_name).where(
                    care_leavers.c.external_ref == B["ref"]
                )
            ).scalar_one()
            == B["name"]
        )
    [row] = audit_rows(engine, erasure.ACTION)
    assert row.staff_id == people["DEMO-ST-01"] and row.target == f"care_leaver:{person_id}"
    assert "reason: young person asked by email on 1 June" in row.detail
    assert held["case"].reference in row.detail and f"safety events: {held['event']}" in row.detail
    assert A["name"] not in row.detail and A["mobile"] not in row.detail
    # A subject access request afterwards shows what was kept, and no name or number.
    out = tmp_path / "after.html"
    access.export(engine, settings, A["ref"], out, by_email=PAT, now=NOW)
    page = out.read_text(encoding="utf-8")
    assert A["name"] not in page and A["mobile"] not in page and A["sms_words"] not in page
    assert A["case_words"] in page and A["crisis"] in page and A["handoff"] in page


def test_erasure_is_one_transaction(engine, settings, people, monkeypatch):
    put_person(engine, settings, A, people[A["ref"]], RECENT)
    before = snapshot(engine)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the audit log is unreachable")

    monkeypatch.setattr(erasure.audit, "record", broken)
    with pytest.raises(RuntimeError):
        erasure.erase(
            engine, settings, A["ref"], reason="request", by_email=PAT, now=NOW, confirm=True
        )
    assert snapshot(engine) == before


def test_erasure_needs_a_reason_and_a_known_member_of_staff(engine, settings, people):
    with pytest.raises(erasure.ErasureError):
        erasure.erase(engine, settings, A["ref"], reason="  ", by_email=PAT, now=NOW, confirm=True)
    with pytest.raises(erasure.ErasureError):
        erasure.erase(
            engine, settings, A["ref"], reason="r", by_email="x@example.org", now=NOW, confirm=True
        )
    with pytest.raises(PersonNotFoundError):
        erasure.erase(engine, settings, "NOBODY", reason="r", by_email=PAT, now=NOW, confirm=True)


# The commands


@pytest.fixture
def command_env(monkeypatch, settings):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_commands(engine, settings, people, command_env, capsys, tmp_path):
    held = put_person(engine, settings, A, people[A["ref"]], RECENT)
    conversation(engine, "rest-ancient", dt.datetime.now(UTC) - dt.timedelta(days=800), "old")

    assert cli(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out and "would delete 4 conversation events" in out
    assert cli(["retention"]) == 0
    assert "deleted 4 conversation events" in capsys.readouterr().out

    export = tmp_path / "sar.html"
    assert cli(["subject-access", A["ref"], "--out", str(export), "--by", PAT]) == 0
    assert f"Wrote {export}" in capsys.readouterr().out
    assert A["name"] in export.read_text(encoding="utf-8")
    assert cli(["subject-access", "NOBODY", "--out", str(tmp_path / "x.html"), "--by", PAT]) == 1
    assert "No care leaver has the reference 'NOBODY'" in capsys.readouterr().err

    assert cli(["erase", A["ref"], "--reason", "asked in person", "--by", PAT]) == 0
    shown = capsys.readouterr().out
    assert "Would erase (nothing has changed; add --yes to erase):" in shown
    assert held["case"].reference in shown
    assert count(engine, conversation_identities) == 1
    assert cli(["erase", A["ref"], "--reason", "asked in person", "--by", PAT, "--yes"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Erased:") and "Kept, because the law requires it" in shown
    assert held["case"].reference in shown
    assert count(engine, conversation_identities) == 0


def test_an_import_never_brings_an_erased_record_back(engine, settings, people, tmp_path):
    erasure.erase(engine, settings, A["ref"], reason="request", by_email=PAT, now=NOW, confirm=True)
    demo = (PROJECT_ROOT / "bot" / "people" / "demo" / "care_leavers.csv").read_text()
    header, *rows = demo.splitlines()
    again = tmp_path / "again.csv"
    again.write_text("\n".join([header, *(r for r in rows if r.startswith(A["ref"]))]) + "\n")

    report = import_care_leavers(engine, again, settings=settings, only_good_rows=False)

    assert report.written and report.kept_erased == 1 and report.updated == 0
    assert "1 erased on request and left erased" in report.summary()
    with engine.connect() as conn:
        record = conn.execute(
            sa.select(care_leavers).where(care_leavers.c.external_ref == A["ref"])
        ).one()
    assert record.preferred_name == erasure.ERASED_NAME and record.mobile is None
    assert record.date_of_birth is None


def test_someone_with_nothing_but_a_record_can_be_exported_and_erased(
    engine, settings, people, tmp_path
):
    with engine.begin() as conn:
        conn.execute(
            care_leavers.update()
            .where(care_leavers.c.external_ref == "DEMO-CL-03")
            .values(mobile=None)
        )
    out = tmp_path / "casey.html"
    summary = access.export(engine, settings, "DEMO-CL-03", out, by_email=PAT, now=NOW)
    assert summary.messages == 0 and "No conversation messages are held." in out.read_text()
    plan = erasure.erase(
        engine, settings, "DEMO-CL-03", reason="request", by_email=PAT, now=NOW, confirm=True
    )
    assert plan.events == 0 and plan.kept == [
        f"the pseudonymised record care_leaver:{people['DEMO-CL-03']}"
    ]
