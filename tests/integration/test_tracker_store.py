"""The windowed SQL tracker store, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.migrate import upgrade
from bot.rasa_plugins.tracker_store import WINDOW_METADATA_KEY, WindowedSQLTrackerStore
from bot.settings import PROJECT_ROOT

WINDOW = 4


@pytest.fixture
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def store(database_url: str, domain: Domain):
    upgrade(database_url)
    store = WindowedSQLTrackerStore(domain=domain, url=database_url, window_turns=WINDOW)
    yield store
    store.engine.dispose()


async def _say(store, sender: str, text: str, reply: str = "ok") -> DialogueStateTracker:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, {"name": "ask_entitlement", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer_entitlement"))
    tracker.update(BotUttered(reply))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    return tracker


async def test_conversation_is_stored_and_retrieved(store):
    await _say(store, "amy", "hello")
    tracker = await store.retrieve("amy")
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello"]


async def test_a_full_window_starts_a_new_one_and_keeps_the_slots(store):
    tracker = await store.get_or_create_tracker("ben")
    tracker.update(SlotSet("entitlement_id", "staying-put"))
    await store.save(tracker)
    for n in range(WINDOW):
        await _say(store, "ben", f"question {n}")
    tracker = await store.retrieve("ben")
    assert tracker is not None
    assert isinstance(tracker.events[0], SessionStarted)
    assert tracker.events[0].metadata == {WINDOW_METADATA_KEY: True}
    assert not any(isinstance(e, UserUttered) for e in tracker.events)
    assert tracker.get_slot("entitlement_id") == "staying-put"
    assert tracker.latest_action_name == "action_listen"

    # The next turn is saved into the new window, and nothing stored is lost.
    await _say(store, "ben", "question after the window")
    tracker = await store.retrieve("ben")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "question after the window"
    ]
    full = await store.retrieve_full_tracker("ben")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [
        *(f"question {n}" for n in range(WINDOW)),
        "question after the window",
    ]


async def test_windows_keep_what_is_loaded_bounded(store):
    for n in range(WINDOW * 5):
        await _say(store, "cal", f"q{n}")
    tracker = await store.retrieve("cal")
    turns = sum(isinstance(e, UserUttered) for e in tracker.events)
    assert turns < WINDOW
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = 'cal' AND type_name = 'user'")
        ).scalar()
    assert stored == WINDOW * 5


async def test_a_quiet_conversation_is_left_for_rasa_to_expire(store, domain, monkeypatch):
    for n in range(WINDOW):
        await _say(store, "dee", f"q{n}")
    later = time.time() + (domain.session_config.session_expiration_time + 5) * 60
    monkeypatch.setattr(time, "time", lambda: later)
    tracker = await store.retrieve("dee")
    assert sum(isinstance(e, UserUttered) for e in tracker.events) == WINDOW


async def test_the_sentence_vector_is_not_stored(store):
    tracker = await store.get_or_create_tracker("eve")
    parse_data = {
        "intent": {"name": "ask_entitlement", "confidence": 1.0},
        "entities": [],
        "text": "uni money",
        "sentence_vector": [0.1] * 384,
    }
    tracker.update(UserUttered("uni money", parse_data["intent"], [], parse_data))
    await store.save(tracker)
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = 'eve' AND type_name = 'user'")
        ).scalar()
    assert "sentence_vector" not in stored
    assert '"uni money"' in stored
