"""Staff messages for the web chat: the store, the history and the pusher.

On a real database (SQLite file and PostgreSQL), with the demo people. Times are
passed in. The pusher runs its real loop against the real database; its "sockets"
are small recorders of what was sent (a socket that fails raises, as a closed one does).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import time

import pytest
import sqlalchemy as sa

from bot.cases import handoffs
from bot.channels.web import sessions, staff_messages
from bot.channels.web.history import visible_messages
from bot.channels.web.staff_push import StaffMessagePusher
from bot.db.rasa_events import events
from bot.people import identity
from bot.people.demo import seed_demo
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.web import web_chat_messages

NOW = dt.datetime(2027, 5, 5, 10, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def people(engine, settings):
    """The demo people's ids by their references (DEMO-CL-05 is Taylor, PA DEMO-ST-01 Pat)."""
    seed_demo(engine, settings)
    with engine.connect() as conn:
        ids = {row.external_ref: row.id for row in conn.execute(sa.select(staff))}
        ids.update({row.external_ref: row.id for row in conn.execute(sa.select(care_leavers))})
    return ids


@pytest.fixture
def chat(engine, people):
    """A web chat conversation of Demo Taylor's, handed over to their PA."""
    conversation_id = sessions.new_conversation_id()
    handoffs.start_handoff(
        engine,
        conversation_id=conversation_id,
        care_leaver_id=people["DEMO-CL-05"],
        channel="web",
        summary="Taylor asked for Pat.",
        now=NOW,
    )
    return conversation_id


def put(engine, conversation_id, text, staff_id, key, now=NOW):
    return staff_messages.enqueue(
        engine,
        conversation_id=conversation_id,
        text=text,
        staff_id=staff_id,
        dedupe_key=key,
        now=now,
    )


def rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(web_chat_messages).order_by(web_chat_messages.c.id)).all()


# ---- the store -----------------------------------------------------------------------------


def test_a_message_waits_until_it_is_marked_delivered(engine, people, chat):
    done = put(engine, chat, "  Hi Taylor, it's Pat. How can I help?  ", people["DEMO-ST-01"], "k1")
    assert done.new
    message = done.message
    assert message.text == "Hi Taylor, it's Pat. How can I help?"
    assert message.sender == "Pat (your personal adviser)"
    assert message.created_at == NOW and message.delivered_at is None
    assert staff_messages.pending(engine, [chat]) == {chat: [message]}
    later = NOW + dt.timedelta(seconds=3)
    assert staff_messages.mark_delivered(engine, [message.id], later) == 1
    assert staff_messages.pending(engine, [chat]) == {}
    assert staff_messages.mark_delivered(engine, [message.id], later + dt.timedelta(hours=1)) == 0
    kept = rows(engine)
    assert len(kept) == 1 and kept[0].delivered_at == later
    visible = message.visible()
    assert visible == {
        "ref": message.ref,
        "text": message.text,
        "sender": "Pat (your personal adviser)",
        "at": "2027-05-05T10:30:00Z",
    }
    assert len(message.ref) >= 20 and str(message.id) != message.ref


def test_the_same_dedupe_key_is_one_message(engine, people, chat):
    first = put(engine, chat, "First words", people["DEMO-ST-01"], "case-reply:PP-1001:answered")
    again = put(
        engine,
        chat,
        "Other words",
        people["DEMO-ST-01"],
        "case-reply:PP-1001:answered",
        now=NOW + dt.timedelta(hours=2),
    )
    assert first.new and not again.new
    assert again.message == first.message
    assert len(rows(engine)) == 1


def test_the_same_words_posted_again_at_once_are_one_message(engine, people, chat):
    pat = people["DEMO-ST-01"]
    first = put(engine, chat, "See you at 3", pat, "handoff-reply:1:10")
    retried = put(
        engine, chat, "See you at 3", pat, "handoff-reply:1:11", now=NOW + dt.timedelta(seconds=90)
    )
    assert first.new and not retried.new and retried.message == first.message
    # Later, the same words are a new message; other words at once are new too.
    later = put(
        engine, chat, "See you at 3", pat, "handoff-reply:1:12", now=NOW + dt.timedelta(minutes=3)
    )
    other = put(
        engine, chat, "Or at 4", pat, "handoff-reply:1:13", now=NOW + dt.timedelta(minutes=3)
    )
    assert later.new and other.new
    assert [r.text for r in rows(engine)] == ["See you at 3", "See you at 3", "Or at 4"]


def test_two_identical_posts_at_the_same_moment_write_one_row(engine, people, chat):
    pat = people["DEMO-ST-01"]

    def post(n: int) -> staff_messages.Enqueued:
        return put(engine, chat, "Double click", pat, f"handoff-reply:1:{n}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(post, range(4)))
    assert sum(r.new for r in results) == 1
    assert len({r.message.ref for r in results}) == 1
    assert len(rows(engine)) == 1


def test_another_member_of_staff_is_named_with_the_team_not_as_their_pa(engine, people, chat):
    chris = put(engine, chat, "Chris here, covering for Pat", people["DEMO-ST-04"], "k-chris")
    assert chris.message.sender == "Chris (leaving care team)"


def test_the_pa_is_known_from_a_linked_chat_too(engine, people):
    conversation_id = sessions.new_conversation_id()
    identity.link(engine, conversation_id, people["DEMO-CL-05"], method="web_code")
    done = put(engine, conversation_id, "Hello", people["DEMO-ST-01"], "k-linked")
    assert done.message.sender == "Pat (your personal adviser)"
    stranger = sessions.new_conversation_id()
    assert put(engine, stranger, "Hi", people["DEMO-ST-01"], "k-x").message.sender == (
        "Pat (leaving care team)"
    )


def test_a_staff_record_without_a_name_is_shown_as_the_role(engine, people, chat):
    with engine.begin() as conn:
        conn.execute(staff.update().where(staff.c.id == people["DEMO-ST-01"]).values(name=" "))
    done = put(engine, chat, "Hello", people["DEMO-ST-01"], "k-noname")
    assert done.message.sender == "Your personal adviser"


@pytest.mark.parametrize(
    ("conversation_id", "text", "key", "problem"),
    [
        ("sms-abc", "Hello", "k", "not a web chat conversation"),
        ("rest-abc", "Hello", "k", "not a web chat conversation"),
        (None, "   ", "k", "empty"),
        (None, "x" * (staff_messages.MAX_TEXT + 1), "k", "longer than"),
        (None, "Hello", "", "dedupe key"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    engine, people, chat, conversation_id, text, key, problem
):
    with pytest.raises(ValueError, match=problem):
        put(engine, conversation_id or chat, text, people["DEMO-ST-01"], key)
    assert rows(engine) == []


def test_an_unknown_member_of_staff_is_refused(engine, people, chat):
    with pytest.raises(ValueError, match="no member of staff"):
        put(engine, chat, "Hello", 999_999, "k")
    assert rows(engine) == []


def test_pending_is_per_conversation_and_in_order(engine, people, chat):
    other = sessions.new_conversation_id()
    pat = people["DEMO-ST-01"]
    a = put(engine, chat, "one", pat, "a").message
    b = put(engine, other, "for someone else", pat, "b").message
    c = put(engine, chat, "two", pat, "c", now=NOW + dt.timedelta(seconds=1)).message
    assert staff_messages.pending(engine, [chat]) == {chat: [a, c]}
    assert staff_messages.pending(engine, [other, chat]) == {chat: [a, c], other: [b]}
    assert staff_messages.pending(engine, []) == {}
    assert staff_messages.pending(engine, [sessions.new_conversation_id()]) == {}


# ---- the history -------------------------------------------------------------------------


def _event(engine, conversation_id, kind, text, at):
    with engine.begin() as conn:
        conn.execute(
            events.insert().values(
                sender_id=conversation_id,
                type_name=kind,
                timestamp=at.timestamp(),
                data=json.dumps({"event": kind, "text": text}),
            )
        )


def test_history_places_staff_messages_among_the_bots_by_time(engine, people, chat):
    pat = people["DEMO-ST-01"]
    _event(engine, chat, "user", "can I talk to my PA", NOW)
    _event(engine, chat, "bot", "I've asked Pat to reply.", NOW + dt.timedelta(seconds=1))
    put(engine, chat, "Hi, Pat here", pat, "k1", now=NOW + dt.timedelta(seconds=30))
    _event(engine, chat, "user", "thanks", NOW + dt.timedelta(seconds=60))
    waiting = put(engine, chat, "Anytime", pat, "k2", now=NOW + dt.timedelta(seconds=90))
    shown = visible_messages(engine, chat)
    assert [(m["from"], m["text"]) for m in shown] == [
        ("user", "can I talk to my PA"),
        ("bot", "I've asked Pat to reply."),
        ("staff", "Hi, Pat here"),
        ("user", "thanks"),
        ("staff", "Anytime"),
    ]
    assert shown[-1] == {"from": "staff", **waiting.message.visible()}
    # Another conversation's history has none of them.
    assert visible_messages(engine, sessions.new_conversation_id()) == []


# ---- the pusher ----------------------------------------------------------------------------


class Recorder:
    """Stands in for an open socket: keeps each frame sent, or fails like a closed one."""

    def __init__(self, fail: bool = False) -> None:
        self.frames: list[dict] = []
        self.fail = fail
        self.tries = 0

    async def send(self, data: str) -> None:
        self.tries += 1
        if self.fail:
            raise ConnectionError("closed")
        self.frames.append(json.loads(data))


class Rounds:
    """The pusher's database, counting its rounds: each round with a socket open asks for it
    once, before it looks, so ``n`` calls mean ``n - 1`` rounds have finished."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.engine

    async def more(self, rounds: int) -> None:
        """Wait until ``rounds`` more whole rounds have run than had started now."""
        wanted = self.calls + rounds + 1
        await _until(lambda: self.calls >= wanted)


def test_the_pusher_sends_waiting_messages_once_and_marks_them(engine, people, chat):
    pat = people["DEMO-ST-01"]
    first = put(engine, chat, "Hi Taylor", pat, "k1").message
    other = sessions.new_conversation_id()
    put(engine, other, "Not for Taylor", pat, "k-other")

    async def scenario() -> tuple[Recorder, Recorder]:
        rounds = Rounds(engine)
        pusher = StaffMessagePusher(rounds, interval=0.05)
        mine, closed = Recorder(), Recorder(fail=True)
        pusher.register(chat, closed)
        pusher.register(chat, mine)
        await _until(lambda: len(mine.frames) == 1)
        # Written while the socket is open: it arrives within a poll.
        put(engine, chat, "Are you free at 3?", pat, "k2", now=NOW + dt.timedelta(seconds=5))
        await _until(lambda: len(mine.frames) == 2)
        await rounds.more(3)  # three more whole rounds: nothing is sent twice
        pusher.unregister(chat, mine)
        pusher.unregister(chat, closed)
        assert pusher.open_conversations == 0
        await pusher.stop()
        return mine, closed

    mine, closed = asyncio.run(scenario())
    assert mine.frames[0] == {"type": "staff", "messages": [first.visible()]}
    assert [m["text"] for f in mine.frames for m in f["messages"]] == [
        "Hi Taylor",
        "Are you free at 3?",
    ]
    assert closed.frames == []
    assert staff_messages.pending(engine, [chat]) == {}
    assert [m.text for m in staff_messages.pending(engine, [other])[other]] == ["Not for Taylor"]


def test_a_message_for_a_closed_socket_waits_for_the_next_one(engine, people, chat):
    put(engine, chat, "Still there?", people["DEMO-ST-01"], "k1")

    async def scenario() -> Recorder:
        pusher = StaffMessagePusher(lambda: engine, interval=0.05)
        closed = Recorder(fail=True)
        pusher.register(chat, closed)
        await _until(lambda: closed.tries >= 2)  # offered, failed, and offered again
        pusher.unregister(chat, closed)
        assert staff_messages.pending(engine, [chat])[chat][0].delivered_at is None
        again = Recorder()
        pusher.register(chat, again)
        await _until(lambda: bool(again.frames))
        await pusher.stop()
        return again

    again = asyncio.run(scenario())
    assert [m["text"] for m in again.frames[0]["messages"]] == ["Still there?"]
    assert staff_messages.pending(engine, [chat]) == {}


def test_with_no_socket_open_the_pusher_asks_nothing(engine):
    pusher = StaffMessagePusher(lambda: pytest.fail("no socket: no database"))  # type: ignore[arg-type,return-value]
    assert asyncio.run(pusher.push_once()) == 0


async def _until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)
