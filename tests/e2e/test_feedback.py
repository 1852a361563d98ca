"""End to end: "Did that help?" through the REST channel, counted once, never after a crisis."""

from __future__ import annotations

import uuid

import pytest
import requests
import sqlalchemy as sa

from bot.db.engine import create_db_engine
from bot.store.tables.quality import answer_feedback
from tests.support.servers import RunningBot

pytestmark = pytest.mark.e2e


def ask(bot: RunningBot, text: str, sender: str) -> list[dict]:
    reply = requests.post(bot.rest_url, json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    return reply.json()


def rows(bot: RunningBot) -> list[tuple[str, bool, str]]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return [
                (r.entitlement_id, r.helpful, r.channel)
                for r in conn.execute(sa.select(answer_feedback).order_by(answer_feedback.c.id))
            ]
    finally:
        engine.dispose()


def test_an_answer_asks_did_that_help_and_a_tap_is_counted_once(bot: RunningBot):
    sender = uuid.uuid4().hex
    before = rows(bot)
    messages = ask(bot, "can i stay with my foster carers after 18", sender)
    assert messages[0]["text"].startswith("Staying put: ")
    assert messages[-1]["text"] == "Did that help?"
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        "/feedback_helpful",
        "/feedback_not_helpful",
    ]
    thanks = ask(bot, "/feedback_not_helpful", sender)
    assert thanks[0]["text"].startswith("Thanks for telling me. Sorry it didn't help.")
    assert rows(bot)[len(before) :] == [("staying-put", False, "rest")]
    ask(bot, "/feedback_helpful", sender)  # a second tap on the same answer
    assert rows(bot)[len(before) :] == [("staying-put", False, "rest")]
    # Once a conversation: the next answer is one message, with no question after it.
    again = ask(bot, "how much is the setting up home grant", sender)
    assert [m["text"][:26] for m in again] == ["Setting up home allowance:"]
    ask(bot, "/feedback_helpful", sender)  # not asked, so not counted
    assert rows(bot)[len(before) :] == [("staying-put", False, "rest")]


def test_a_crisis_reply_is_never_followed_by_did_that_help(bot: RunningBot):
    sender = uuid.uuid4().hex
    ask(bot, "can i stay with my foster carers after 18", sender)
    replies = ask(bot, "i took all my tablets and i feel really weird", sender)
    assert "999" in replies[0]["text"]
    assert all(m.get("text") != "Did that help?" for m in replies)
