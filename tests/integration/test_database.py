"""The database: migrations, and the knowledge base store, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.clock import utcnow
from bot.content import load_content_files
from bot.db.migrate import upgrade
from bot.db.schema import ALL_METADATA
from bot.records import record_safety_event, record_unanswered
from bot.settings import PROJECT_ROOT
from bot.store.tables.records import unanswered_questions
from bot.store.tables.safety import safety_events
from entitlements import store
from entitlements.loader import ContentError
from entitlements.store import publish_entries, read_published

ENTRIES = len(list((PROJECT_ROOT / "entitlements" / "content").glob("*/*.yaml")))
"""How many content files the repository has (national and local)."""


def test_migrations_match_the_table_definitions(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, ALL_METADATA)
    assert diff == []


def test_migrating_twice_changes_nothing(database_url):
    upgrade(database_url)
    upgrade(database_url)


def test_rasas_own_events_table_is_adopted(database_url):
    """If Rasa created its table first, the migration adds only the index."""
    engine = sa.create_engine(database_url)
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)
    upgrade(database_url)
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("events")}
    assert "ix_events_sender_type_time" in indexes
    engine.dispose()


def test_publishing_the_content_round_trips_every_entry(engine, content):
    report = publish_entries(engine, content.entries, origin="files", now=utcnow())
    assert len(report.added) == len(content.entries) == ENTRIES
    assert report.revision == 1
    revision, entries = read_published(engine)
    assert revision == 1
    assert entries == sorted(content.entries, key=lambda e: e.id)


def test_unchanged_content_keeps_its_revision(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    again = publish_entries(engine, content.entries, origin="files", now=utcnow())
    assert not again.changed
    assert again.revision == 1
    assert len(again.unchanged) == ENTRIES


def test_a_change_is_a_new_version_and_the_old_one_is_kept(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    changed = [
        dataclasses.replace(e, summary=e.summary + " Ask your PA.") if e.id == "junior-isa" else e
        for e in content.entries
    ]
    report = publish_entries(engine, changed, origin="files", actor="test", now=utcnow())
    assert report.updated == ("junior-isa",)
    assert report.revision == 2
    with engine.connect() as conn:
        versions = (
            conn.execute(
                sa.select(store.versions_table.c.version)
                .where(store.versions_table.c.entitlement_id == "junior-isa")
                .order_by(store.versions_table.c.version)
            )
            .scalars()
            .all()
        )
    assert versions == [1, 2]
    _, entries = read_published(engine)
    assert {e.id: e for e in entries}["junior-isa"].summary.endswith("Ask your PA.")


def test_an_entry_no_longer_in_the_files_is_retired_not_deleted(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    report = publish_entries(
        engine, [e for e in content.entries if e.id != "junior-isa"], origin="files", now=utcnow()
    )
    assert report.retired == ("junior-isa",)
    _, entries = read_published(engine)
    assert "junior-isa" not in {e.id for e in entries}
    with engine.connect() as conn:
        kept = conn.execute(
            sa.select(sa.func.count())
            .select_from(store.versions_table)
            .where(store.versions_table.c.entitlement_id == "junior-isa")
        ).scalar()
    assert kept == 1


def test_a_set_with_a_bad_file_loads_nothing(engine, settings, tmp_path: Path):
    content_dir = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "entitlements" / "content", content_dir)
    good = dataclasses.replace(settings, content_dir=content_dir)
    _, first = load_content_files(engine, good)
    assert first.revision == 1

    path = content_dir / "national" / "staying-put.yaml"
    data = yaml.safe_load(path.read_text())
    data["summary"] = "You can stay with your foster carers until 21."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    bad = content_dir / "national" / "junior-isa.yaml"
    bad.write_text(bad.read_text().replace("title:", "titel:"))

    with pytest.raises(ContentError):
        load_content_files(engine, good)
    revision, entries = read_published(engine)
    assert revision == 1
    staying_put = {e.id: e for e in entries}["staying-put"]
    assert staying_put.summary != "You can stay with your foster carers until 21."


def test_unanswered_questions_and_safety_events_are_stored(engine):
    question_id = record_unanswered(
        engine,
        text="can i get a free bike",
        channel="rest",
        conversation_id="abc",
        best_guess="local-offer",
        best_score=0.1,
    )
    event_id = record_safety_event(
        engine,
        conversation_id="abc",
        channel="rest",
        categories=["suicide"],
        detected_by="pattern",
        text="i want to end it",
    )
    with engine.connect() as conn:
        question = conn.execute(sa.select(unanswered_questions)).one()
        event = conn.execute(sa.select(safety_events)).one()
    assert question.id == question_id and question.status == "new"
    assert question.conversation_key != "abc" and len(question.conversation_key) == 32
    assert event.id == event_id and event.categories == "suicide" and event.status == "open"


def test_setup_loads_the_files_until_staff_change_the_content(
    engine, settings, monkeypatch, capsys
):
    """make run (``bot setup``) must never put the files back over a console publish."""
    from bot.__main__ import main
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.delenv("DISTRICTS", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["setup"]) == 0
        _, entries = read_published(engine)
        assert len(entries) >= 20 and not store.changed_outside_files(engine)
        staying_put = {e.id: e for e in entries}["staying-put"]
        edited = dataclasses.replace(staying_put, summary="Edited in the console.")
        with engine.begin() as conn:
            store.publish_one(
                conn,
                edited,
                origin="console",
                actor="staff:1",
                note="test",
                expected_version=1,
                now=dt.datetime(2026, 11, 26, 9, 0),
            )
        assert store.changed_outside_files(engine)
        capsys.readouterr()
        assert main(["setup"]) == 0
        assert "Content files not loaded" in capsys.readouterr().out
        _, after = read_published(engine)
        assert {e.id: e for e in after}["staying-put"].summary == "Edited in the console."
    finally:
        get_settings.cache_clear()
