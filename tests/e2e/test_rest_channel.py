"""End to end: both servers running, questions asked through Rasa's REST channel."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from bot.clock import utcnow
from bot.db.engine import create_db_engine
from bot.safety import replies as safety_replies
from bot.store.tables.records import unanswered_questions
from bot.store.tables.safety import safety_events
from tests.support.servers import RunningBot

pytestmark = pytest.mark.e2e


def ask(bot: RunningBot, text: str, sender: str | None = None) -> list[dict]:
    reply = requests.post(
        bot.rest_url, json={"sender": sender or uuid.uuid4().hex, "message": text}, timeout=30
    )
    reply.raise_for_status()
    return reply.json()


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if "text" in m]


def test_the_done_when_question(bot: RunningBot):
    messages = ask(bot, "how much is the setting up home grant", sender="x")
    first = messages[0]["text"]
    assert first.startswith("Setting up home allowance: ")
    assert "£3,000" in first
    assert len(first) <= 320
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/ask_who_can_get",
        "/ask_how_to_get",
        "/ask_more",
    ]


def test_follow_ups_use_the_entitlement_of_the_conversation(bot: RunningBot):
    sender = uuid.uuid4().hex
    assert texts(ask(bot, "can i stay with my foster carers after 18", sender))[0].startswith(
        "Staying put: "
    )
    more = texts(ask(bot, "more", sender))
    assert more[0].startswith("Staying put: ")
    how = texts(ask(bot, "how do i get it", sender))
    assert how[0].startswith("Staying put, how to get it: ")
    who = texts(ask(bot, "who can get it", sender))
    assert who[0].startswith("Staying put, who can get it: ")
    where = texts(ask(bot, "where does it say that", sender))
    assert where[0].startswith("Staying put, where it comes from: ")
    assert "legislation.gov.uk" in where[0] or "http" in where[0]


def test_buttons_payloads_work(bot: RunningBot):
    sender = uuid.uuid4().hex
    ask(bot, "council tax", sender)
    how = texts(ask(bot, "/ask_how_to_get", sender))
    assert how[0].startswith("Council tax exemption, how to get it: ")
    chosen = texts(ask(bot, '/ask_entitlement{"entitlement_id": "junior-isa"}', sender))
    assert chosen[0].startswith("Junior ISA: ")


NOT_IDENTIFIED = "I can't see who your PA is in this chat."


def test_a_request_for_a_person_the_patterns_miss_gets_the_route_first(bot: RunningBot):
    # Found by the meaning-based layer (bot/person_request/semantic.py) alone.
    said = texts(ask(bot, "would a member of the team be able to phone me"))
    assert said[0].startswith(NOT_IDENTIFIED)


def test_a_request_about_the_pa_gets_the_route_not_what_a_pa_is(bot: RunningBot):
    said = texts(ask(bot, "my personal adviser hasnt answered me in weeks"))
    assert said[0].startswith(NOT_IDENTIFIED)
    assert not any(t.startswith("Personal adviser: ") for t in said)


def test_a_request_naming_an_entitlement_gets_its_answer_then_the_route(bot: RunningBot):
    said = texts(ask(bot, "i need someone to call me about the setting up home allowance"))
    assert said[0].startswith("Setting up home allowance: ")
    assert any(t.startswith(NOT_IDENTIFIED) for t in said[1:])


def test_a_question_about_what_a_pa_does_is_answered(bot: RunningBot):
    said = texts(ask(bot, "what does a personal adviser do for someone leaving care"))
    assert said[0].startswith("Personal adviser: ")
    assert not any(t.startswith(NOT_IDENTIFIED) for t in said)


def test_crisis_gets_signposting_and_is_recorded(bot: RunningBot):
    sender = uuid.uuid4().hex
    replies = texts(ask(bot, "i took all my tablets and i feel really weird", sender))
    # The reply for an overdose: 999 now, not waiting for symptoms (bot/safety/data).
    assert replies[0] == safety_replies.load().for_crisis(("overdose",))
    assert "999 now" in replies[0] and "116 123" in replies[0]
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(safety_events).where(safety_events.c.conversation_id == f"rest-{sender}")
            ).one()
    finally:
        engine.dispose()
    assert "overdose" in row.categories
    assert row.channel == "rest"


def test_crisis_in_the_middle_of_a_conversation_comes_first(bot: RunningBot):
    sender = uuid.uuid4().hex
    ask(bot, "uni bursary", sender)
    replies = texts(ask(bot, "nobody cares, i'm going to end it tonight", sender))
    assert "999" in replies[0] and "116 123" in replies[0] and "85258" in replies[0]


def test_figure_of_speech_is_not_a_crisis(bot: RunningBot):
    replies = texts(ask(bot, "this form is killing me, how do i apply for the uni bursary"))
    assert not any("116 123" in t for t in replies)


def test_out_of_scope_is_refused_politely(bot: RunningBot):
    replies = texts(ask(bot, "who won the football last night"))
    assert replies[0].startswith("Sorry, I can only help with what care leavers can get")


def test_unknown_question_is_admitted_and_stored(bot: RunningBot):
    sender = uuid.uuid4().hex
    question = "will they buy me a playstation"
    replies = texts(ask(bot, question, sender))
    # The model may call it a question it cannot answer, or (unsure) out of scope:
    # either way the bot says it cannot help, and staff see the question.
    assert replies[0].startswith(("Sorry, I don't know that one.", "Sorry, I can only help"))
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.select(unanswered_questions.c.text).where(
                    unanswered_questions.c.text == question
                )
            ).all()
    finally:
        engine.dispose()
    assert len(stored) == 1


def test_conversations_are_in_the_sql_tracker_store(bot: RunningBot):
    sender = uuid.uuid4().hex
    ask(bot, "hello", sender)
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": f"rest-{sender}"},
            ).all()
    finally:
        engine.dispose()
    types = [r.type_name for r in rows]
    assert "user" in types and "bot" in types
    user = next(json.loads(r.data) for r in rows if r.type_name == "user")
    assert user["text"] == "hello"
    assert "sentence_vector" not in user["parse_data"]


def test_a_long_conversation_keeps_its_context(bot: RunningBot):
    """Past the history window, the bot still knows what the conversation is about."""
    sender = uuid.uuid4().hex
    ask(bot, "what is staying close", sender)
    for _ in range(bot.settings.history_window_turns + 3):
        ask(bot, "thanks", sender)
    assert texts(ask(bot, "how do i get it", sender))[0].startswith("Staying close, how to get it")


def test_published_content_changes_answers_without_a_restart(bot: RunningBot, content):
    import dataclasses

    from entitlements.store import publish_entries

    entry = content.by_id()["junior-isa"]
    changed = dataclasses.replace(entry, summary="A changed summary for this test. Ask your PA.")
    engine = create_db_engine(bot.settings.database_url)
    try:
        publish_entries(
            engine,
            [changed if e.id == "junior-isa" else e for e in content.entries],
            origin="test",
            now=utcnow(),
        )
        deadline = time.monotonic() + 10
        while True:
            first = texts(ask(bot, "junior isa"))[0]
            if "A changed summary for this test" in first or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert first == "Junior ISA: A changed summary for this test. Ask your PA."
    finally:
        publish_entries(engine, content.entries, origin="test", now=utcnow())
        engine.dispose()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not valid JSON"),
        ('{"message": "hi"}', "sender is missing"),
        ('{"sender": "x"}', "message is missing"),
        ('{"sender": "x", "message": ""}', "message is missing"),
        ('{"sender": "x", "message": "' + "a" * 1601 + '"}', "message is too long"),
        ('["sender", "message"]', "must be a JSON object"),
    ],
)
def test_malformed_requests_get_a_400_with_a_plain_reason(bot: RunningBot, body, reason):
    reply = requests.post(
        bot.rest_url, data=body, timeout=10, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 400
    assert reason in reply.json()["error"]
    assert "aaaa" not in reply.text


def test_the_action_server_encodes_for_the_nlu_pipeline(bot: RunningBot, encoder):
    url = f"http://127.0.0.1:{bot.settings.action_port}/embed"
    reply = requests.post(
        url, json={"texts": ["uni money"]}, headers=bot.action_headers, timeout=10
    )
    assert reply.status_code == 200
    vector = reply.json()["vectors"][0]
    import numpy as np

    assert np.allclose(vector, encoder.encode(["uni money"])[0], atol=1e-6)


@pytest.mark.parametrize("body", [{}, {"texts": []}, {"texts": ["x" * 1601]}, {"texts": [3]}])
def test_the_embed_route_refuses_bad_requests(bot: RunningBot, body):
    url = f"http://127.0.0.1:{bot.settings.action_port}/embed"
    reply = requests.post(url, json=body, headers=bot.action_headers, timeout=10)
    assert reply.status_code == 400
    assert "texts" in reply.json()["error"]
