"""The content workflow (:mod:`entitlements.workflow`) and the editor's form, on a real
SQLite file and a real PostgreSQL server, each test with a freshly migrated database."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import threading
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from bot.clock import utcnow
from bot.console import content_form as cf
from bot.db.migrate import alembic_config
from bot.settings import PROJECT_ROOT
from entitlements import workflow as wf
from entitlements.loader import load_topics
from entitlements.store import (
    current_revision,
    drafts_table,
    publish_entries,
    read_published,
    versions_table,
)
from tests.support.content_forms import as_form

NOW = dt.datetime(2026, 12, 7, 10, 0)
TODAY = NOW.date()
EDITOR, OTHER_EDITOR, APPROVER, SECOND_APPROVER = 101, 102, 201, 202
HOME = "setting-up-home-allowance"
NEW_SUMMARY = (
    "Money to help you set up your first home, for things like a bed, sofa, cooker or "
    "fridge. From 2027 the government says councils should give at least £3,500. Ask your PA."
)


@pytest.fixture
def loaded(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    return engine


def home_document(content) -> dict[str, Any]:
    return wf.editable(content.by_id()[HOME].to_document())


def raised_document(content) -> dict[str, Any]:
    document = home_document(content)
    document["summary"] = NEW_SUMMARY
    document["amounts"] = [
        {
            "label": "Government's recommended minimum from 2027",
            "amount": "3500",
            "period": "one_off",
            "applies_from": "2027-04-01",
            "source": "https://example.org/guidance-2027",
        },
        *document["amounts"],
    ]
    return document


def new_entry_document() -> dict[str, Any]:
    return {
        "id": "free-bus-pass",
        "title": "Free bus pass",
        "summary": "If you are a care leaver living here, you can get a free bus pass until "
        "you are 21. Ask your PA for the form.",
        "details": "The pass works on every bus in the council's area, at any time of day.",
        "eligibility": {
            "explanation": "Care leavers aged 16 to 20 who live in the council's area.",
            "rules": [
                {"statuses": ["relevant", "former_relevant"], "min_age": 16, "below_age": 21}
            ],
        },
        "amounts": [],
        "how_to_get": "Ask your PA for the form, fill it in with them and send a photo.",
        "legal_basis": "A local scheme of the council, not a law.",
        "varies_locally": {"varies": True, "note": "Only this council runs this scheme."},
        "sources": ["https://example.org/local-offer/bus-pass"],
        "last_reviewed": "2026-11-20",
        "review_due": "2027-05-20",
        "examples": [
            "can i get a free bus pass",
            "bus fares r too much help",
            "do care leavers get free buses",
            "how do i get a travel pass",
            "free travel 4 care leavers",
            "cant afford the bus to college",
            "is there a bus card for me",
            "bus pass for care leavers",
        ],
        "synonyms": ["council bus pass", "travel card", "free buses"],
    }


@functools.cache
def topics_file() -> dict[str, str]:
    return load_topics(PROJECT_ROOT / "entitlements" / "topics.yaml")


def start(conn, content, document=None, actor=EDITOR, entitlement_id=HOME, note="2027 rise"):
    return wf.start_draft(
        conn,
        document if document is not None else raised_document(content),
        actor=actor,
        now=NOW,
        topics=topics_file(),
        today=TODAY,
        entitlement_id=entitlement_id,
        note=note,
    )


def through_approval(engine, content, document=None, entitlement_id=HOME) -> int:
    with engine.begin() as conn:
        draft = start(conn, content, document, entitlement_id=entitlement_id)
        wf.submit(conn, draft.id, actor=EDITOR, now=NOW, topics=topics_file(), today=TODAY)
        wf.approve(conn, draft.id, actor=APPROVER, now=NOW)
    return draft.id


def publish(conn, draft_id, actor=APPROVER):
    return wf.publish(conn, draft_id, actor=actor, now=NOW, topics=topics_file(), today=TODAY)


# ---- the path to publishing ----------------------------------------------------------------


def test_an_edit_is_published_as_a_new_version_and_the_bot_sees_a_new_revision(loaded, content):
    revision = current_revision(loaded)
    draft_id = through_approval(loaded, content)
    with loaded.begin() as conn:
        draft, new_revision = publish(conn, draft_id)
    assert draft.state == wf.PUBLISHED and draft.published_version == 2
    assert new_revision == revision + 1 == current_revision(loaded)
    _, entries = read_published(loaded)
    home = {e.id: e for e in entries}[HOME]
    assert home.summary == NEW_SUMMARY
    with loaded.connect() as conn:
        history = wf.versions(conn, HOME)
        steps = [s.action for s in wf.draft_events(conn, draft_id)]
    assert [(v.version, v.origin) for v in history] == [(2, "console"), (1, "files")]
    assert history[0].created_by == "staff:201" and history[0].actor_id == APPROVER
    assert history[0].note == "2027 rise"
    assert steps == ["created", "submitted", "approved", "published"]


def test_nobody_who_wrote_a_draft_may_approve_review_or_publish_it(loaded, content):
    with loaded.begin() as conn:
        draft = start(conn, content)
        wf.update_draft(
            conn,
            draft.id,
            raised_document(content),
            actor=OTHER_EDITOR,
            now=NOW,
            topics=topics_file(),
            today=TODAY,
        )
        wf.submit(conn, draft.id, actor=EDITOR, now=NOW, topics=topics_file(), today=TODAY)
    for who in (EDITOR, OTHER_EDITOR):
        with pytest.raises(wf.OwnWorkError), loaded.begin() as conn:
            wf.approve(conn, draft.id, actor=who, now=NOW)
        with pytest.raises(wf.OwnWorkError), loaded.begin() as conn:
            wf.request_changes(conn, draft.id, actor=who, comment="fine by me", now=NOW)
    with loaded.begin() as conn:
        wf.approve(conn, draft.id, actor=APPROVER, now=NOW)
    with pytest.raises(wf.OwnWorkError), loaded.begin() as conn:
        publish(conn, draft.id, actor=EDITOR)
    with loaded.connect() as conn:
        assert wf.get_draft(conn, draft.id).state == wf.APPROVED
        assert wf.published_version(conn, HOME) == 1


def test_a_document_with_problems_is_refused_with_field_paths_and_nothing_is_written(
    loaded, content
):
    document = raised_document(content)
    document["summary"] = "Now £9,999 for everyone. " * 20
    document["amounts"][0]["amount"] = "lots"
    document["examples"] = document["examples"][:3]
    with pytest.raises(wf.InvalidDocumentError) as refused, loaded.begin() as conn:
        start(conn, content, document)
    fields = {p.field for p in refused.value.problems}
    assert {"summary", "amounts[1].amount", "examples"} <= fields
    with loaded.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(drafts_table)).scalar() == 0


def test_steps_only_happen_from_the_right_state(loaded, content):
    with loaded.begin() as conn:
        draft = start(conn, content)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        wf.approve(conn, draft.id, actor=APPROVER, now=NOW)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        publish(conn, draft.id)
    draft_id = draft.id
    with loaded.begin() as conn:
        wf.submit(conn, draft_id, actor=EDITOR, now=NOW, topics=topics_file(), today=TODAY)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        wf.update_draft(
            conn,
            draft_id,
            raised_document(content),
            actor=EDITOR,
            now=NOW,
            topics=topics_file(),
            today=TODAY,
        )
    with loaded.begin() as conn:
        wf.approve(conn, draft_id, actor=APPROVER, now=NOW)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        wf.approve(conn, draft_id, actor=SECOND_APPROVER, now=NOW)
    with loaded.begin() as conn:
        publish(conn, draft_id)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        publish(conn, draft_id, actor=SECOND_APPROVER)
    with pytest.raises(wf.NotFoundError), loaded.begin() as conn:
        wf.approve(conn, 9999, actor=APPROVER, now=NOW)


def test_an_entry_has_one_open_draft_at_a_time(loaded, content):
    with loaded.begin() as conn:
        first = start(conn, content)
    with pytest.raises(wf.StateError), loaded.begin() as conn:
        start(conn, content, actor=OTHER_EDITOR)
    with loaded.begin() as conn:
        wf.discard(conn, first.id, actor=EDITOR, now=NOW)
        again = start(conn, content, actor=OTHER_EDITOR)
    assert again.id != first.id and again.state == wf.DRAFT


def test_two_approvers_at_once_one_succeeds(loaded, content):
    with loaded.begin() as conn:
        draft = start(conn, content)
        wf.submit(conn, draft.id, actor=EDITOR, now=NOW, topics=topics_file(), today=TODAY)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(who: int) -> None:
        barrier.wait()
        try:
            with loaded.begin() as conn:
                wf.approve(conn, draft.id, actor=who, now=NOW)
            outcomes.append("approved")
        except wf.StateError:
            outcomes.append("refused")

    threads = [threading.Thread(target=approve, args=(who,)) for who in (APPROVER, SECOND_APPROVER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["approved", "refused"]
    with loaded.connect() as conn:
        steps = [s.action for s in wf.draft_events(conn, draft.id)]
    assert steps.count("approved") == 1


def test_two_publishes_at_once_make_one_version(loaded, content):
    draft_id = through_approval(loaded, content)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def go(who: int) -> None:
        barrier.wait()
        try:
            with loaded.begin() as conn:
                publish(conn, draft_id, actor=who)
            outcomes.append("published")
        except (wf.StateError, sa.exc.IntegrityError):
            outcomes.append("refused")

    threads = [threading.Thread(target=go, args=(who,)) for who in (APPROVER, SECOND_APPROVER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["published", "refused"]
    with loaded.connect() as conn:
        assert [v.version for v in wf.versions(conn, HOME)] == [2, 1]


def test_asking_for_changes_needs_a_comment_and_sends_it_back(loaded, content):
    draft_id = through_approval(loaded, content)
    with pytest.raises(wf.WorkflowError), loaded.begin() as conn:
        wf.request_changes(conn, draft_id, actor=APPROVER, comment="  ", now=NOW)
    with loaded.begin() as conn:
        draft = wf.request_changes(
            conn, draft_id, actor=APPROVER, comment="Give the source of £3,500", now=NOW
        )
    assert draft.state == wf.DRAFT and draft.approved_by is None
    assert draft.comment == "Give the source of £3,500"
    with loaded.begin() as conn:
        wf.update_draft(
            conn,
            draft_id,
            raised_document(content),
            actor=EDITOR,
            now=NOW,
            topics=topics_file(),
            today=TODAY,
        )
        wf.submit(conn, draft_id, actor=EDITOR, now=NOW, topics=topics_file(), today=TODAY)
        wf.approve(conn, draft_id, actor=APPROVER, now=NOW)
        draft, _ = publish(conn, draft_id)
    assert draft.state == wf.PUBLISHED


# ---- rollback, stale drafts, new entries ---------------------------------------------------


def test_rollback_is_a_new_version_with_who_and_why_and_a_draft_from_before_goes_stale(
    loaded, content
):
    draft_id = through_approval(loaded, content)
    with loaded.begin() as conn:
        publish(conn, draft_id)
    with loaded.begin() as conn:
        waiting = start(conn, content, actor=OTHER_EDITOR)
        wf.submit(conn, waiting.id, actor=OTHER_EDITOR, now=NOW, topics=topics_file(), today=TODAY)
        wf.approve(conn, waiting.id, actor=APPROVER, now=NOW)
    with pytest.raises(wf.WorkflowError), loaded.begin() as conn:
        wf.rollback(
            conn, HOME, 1, actor=APPROVER, reason="", now=NOW, topics=topics_file(), today=TODAY
        )
    with loaded.begin() as conn:
        version, _ = wf.rollback(
            conn,
            HOME,
            1,
            actor=SECOND_APPROVER,
            reason="The rise is not confirmed",
            now=NOW,
            topics=topics_file(),
            today=TODAY,
        )
    assert version == 3
    _, entries = read_published(loaded)
    assert {e.id: e for e in entries}[HOME] == content.by_id()[HOME]
    with loaded.connect() as conn:
        newest = wf.versions(conn, HOME)[0]
    assert newest.origin == "rollback" and newest.actor_id == SECOND_APPROVER
    assert newest.note == "Rolled back to version 1: The rise is not confirmed"
    with pytest.raises(wf.StaleDraftError), loaded.begin() as conn:
        publish(conn, waiting.id)
    with pytest.raises(wf.WorkflowError), loaded.begin() as conn:
        wf.rollback(
            conn,
            HOME,
            3,
            actor=APPROVER,
            reason="again",
            now=NOW,
            topics=topics_file(),
            today=TODAY,
        )


def test_a_new_entry_is_published_as_local_and_its_examples_must_be_its_own(loaded, content):
    document = new_entry_document()
    document["examples"] = [*document["examples"], "how much is the setting up home grant"]
    with pytest.raises(wf.InvalidDocumentError) as refused, loaded.begin() as conn:
        start(conn, content, document, entitlement_id=None)
    assert [p.field for p in refused.value.problems] == ["examples[9]"]
    taken = new_entry_document()
    taken["id"] = HOME
    with pytest.raises((wf.StateError, wf.InvalidDocumentError)), loaded.begin() as conn:
        start(conn, content, taken, entitlement_id=None)
    draft_id = through_approval(loaded, content, new_entry_document(), entitlement_id=None)
    with loaded.begin() as conn:
        draft, _ = publish(conn, draft_id)
    assert draft.is_new and draft.published_version == 1
    _, entries = read_published(loaded)
    bus = {e.id: e for e in entries}["free-bus-pass"]
    assert bus.scope == "local" and "council bus pass" in bus.synonyms
    with loaded.connect() as conn:
        rows = wf.entries(conn)
    assert any(r.id == "free-bus-pass" and r.published_version == 1 for r in rows)


def test_compare_shows_each_field_side_by_side(content):
    old = content.by_id()[HOME].to_document()
    new = copy.deepcopy(old)
    new["summary"] = "Shorter."
    new["amounts"][0]["amount"] = "3500"
    new["examples"].append("a new question")
    rows = {r.field: r for r in wf.compare(old, new)}
    changed = sorted(field for field, row in rows.items() if row.changed)
    assert changed == ["amounts[1].amount", "examples", "summary"]
    assert rows["amounts[1].amount"].old == "3000" and rows["amounts[1].amount"].new == "3500"
    assert "scope" not in rows
    assert rows["varies_locally.varies"].new == "yes"


def test_due_for_review_lists_past_and_near_dates_with_the_last_publisher(loaded, content):
    document = raised_document(content)
    document["last_reviewed"] = "2026-05-01"
    document["review_due"] = (TODAY + dt.timedelta(days=14)).isoformat()
    draft_id = through_approval(loaded, content, document)
    with loaded.begin() as conn:
        publish(conn, draft_id, actor=SECOND_APPROVER)
        due = wf.due_for_review(conn, TODAY)
    home = [d for d in due if d.id == HOME]
    assert home and home[0].days_left == 14 and home[0].owner_id == SECOND_APPROVER
    assert all(d.review_due <= TODAY + dt.timedelta(days=30) for d in due)
    with loaded.begin() as conn:
        later = wf.due_for_review(conn, TODAY + dt.timedelta(days=24))
    assert next(d for d in later if d.id == HOME).overdue


def test_migration_0007_goes_down_and_up(database_url):
    from alembic import command

    config = alembic_config(database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "0006")
    engine = sa.create_engine(database_url)
    try:
        assert "kb_drafts" not in sa.inspect(engine).get_table_names()
        assert "note" not in {c["name"] for c in sa.inspect(engine).get_columns("kb_versions")}
    finally:
        engine.dispose()
    command.upgrade(config, "head")
    engine = sa.create_engine(database_url)
    try:
        assert "kb_drafts" in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            conn.execute(sa.select(versions_table.c.note)).all()
    finally:
        engine.dispose()


# ---- the editor's form ---------------------------------------------------------------------


def test_every_entry_survives_the_form_unchanged(content, topics):
    from entitlements.validation import parse_entry

    for entry in content.entries:
        document = wf.editable(entry.to_document())
        data = cf.document_from_form(as_form(cf.form_values(document, "why")))
        parsed, problems = parse_entry(
            data.document, file="x", scope=entry.scope, topics=topics, today=TODAY
        )
        assert problems == [] and parsed == entry, entry.id
        assert data.note == "why"


def test_form_problems_point_at_their_fields(content, topics):
    from entitlements.validation import parse_entry

    values = cf.form_values(home_document(content))
    values["amounts"].insert(0, {p: "" for p in cf.AMOUNT_PARTS})  # a blank row 1 is skipped
    values["amounts"][1]["amount"] = "three grand"
    values["rules"][0]["min_age"] = "sixteen"
    values["varies"] = ""
    data = cf.document_from_form(as_form(values))
    _, problems = parse_entry(data.document, file="x", scope="national", topics=topics, today=TODAY)
    summary, by_field = cf.problems_by_anchor(problems, data.rule_rows, data.amount_rows)
    # The summary's £3,000 has no valid amount left either, as the loader says.
    assert set(by_field) == {"f-amount-2-amount", "f-rule-1-min_age", "f-varies", "f-summary"}
    assert summary[0]["href"].startswith("#f-")
    assert cf.anchor("examples[4]") == "f-examples"
    assert cf.anchor("eligibility.rules[1].statuses", (3,)) == "f-rule-3-statuses"


def test_the_answer_buttons_are_the_domains(content):
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    buttons = domain["responses"]["utter_entitlement_answer"][0]["buttons"]
    assert tuple((b["title"], b["payload"]) for b in buttons) == cf.ANSWER_BUTTONS


def test_counts_and_previews_follow_the_sms_channel(content):
    entry = content.by_id()[HOME]
    count = cf.summary_count(entry.title, entry.summary)
    assert count.characters == len(entry.summary)
    assert count.first_reply_characters == len(f"{entry.title}: {entry.summary}")
    assert count.encoding == "GSM-7" and count.segments == 2
    parts = cf.sms_preview(entry)
    assert len(parts) == 1 and parts[0].segments == 2  # one text, its reply words included
    assert parts[0].body.startswith("Setting up home allowance: Money to help")
    assert parts[0].body.endswith("\nReply WHO, HOW or MORE")
    assert cf.summary_count("Title", "Emoji 🙂 here").encoding == "UCS-2"
    web = cf.web_preview(entry)
    assert web["text"].startswith("Setting up home allowance: ") and len(web["buttons"]) == 3
    hard = cf.reading_ages(
        {
            "summary": "Notwithstanding the aforementioned considerations, eligibility "
            "determinations necessitate comprehensive individualised assessments."
        }
    )
    assert hard["summary"] > cf.READING_AGE_LIMIT
