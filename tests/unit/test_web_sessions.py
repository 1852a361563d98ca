"""Web chat sessions (signed tokens), the Origin check, the limits and the history."""

from __future__ import annotations

import json
import time

import pytest

from bot.channels.web import limits, origins, sessions
from bot.channels.web.history import visible_messages
from bot.channels.web.requests import content_security_policy
from bot.db.rasa_events import events
from bot.settings import Settings

KEY = b"k" * 32
NOW = 1_800_000_000.0
DAY = 24 * 3600


def token_for(conversation_id: str | None = None, now: float = NOW, key: bytes = KEY) -> str:
    return sessions.issue_token(key, conversation_id or sessions.new_conversation_id(), now, DAY)


def test_a_token_gives_back_its_conversation():
    conversation_id = sessions.new_conversation_id()
    session = sessions.read_token(KEY, token_for(conversation_id), NOW + 60)
    assert session.conversation_id == conversation_id
    assert session.expires_at == int(NOW + DAY)


def test_conversation_ids_are_server_made_random_and_prefixed():
    ids = {sessions.new_conversation_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("web-") and len(i) == 28 for i in ids)


def test_a_token_cannot_be_issued_for_another_channels_conversation():
    for chosen in (
        "sms-0123456789abcdef0123456789abcdef",
        "rest-x",
        "web-short",
        "web-" + "a" * 30,
    ):
        with pytest.raises(ValueError):
            sessions.issue_token(KEY, chosen, NOW, DAY)


def test_a_token_expires():
    token = token_for()
    sessions.read_token(KEY, token, NOW + DAY - 1)
    with pytest.raises(sessions.TokenError, match="expired"):
        sessions.read_token(KEY, token, NOW + DAY)


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(sessions.TokenError, match="not valid"):
        sessions.read_token(KEY, token_for(key=b"x" * 32), NOW)


@pytest.mark.parametrize("part", ["conversation", "expiry", "signature"])
def test_a_tampered_token_is_refused(part):
    conversation_id, expiry, signature = token_for().split(".")
    if part == "conversation":
        conversation_id = sessions.new_conversation_id()
    elif part == "expiry":
        expiry = str(int(expiry) + 10 * DAY)
    else:
        signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    with pytest.raises(sessions.TokenError, match="not valid"):
        sessions.read_token(KEY, f"{conversation_id}.{expiry}.{signature}", NOW)


@pytest.mark.parametrize("odd", ["\udc90", "\x80", "é", "\U0001f600"])
def test_a_token_with_characters_outside_ascii_is_refused_not_a_crash(odd):
    # Found by the fuzz tests: a header byte such as 0x80 reaches here as a lone
    # surrogate, which str.encode() could not take, and /chat/history answered 500.
    conversation_id, expiry, signature = token_for().split(".")
    with pytest.raises(sessions.TokenError, match="not valid"):
        sessions.read_token(KEY, f"{conversation_id}.{expiry}.{signature[:-1]}{odd}", NOW)


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        42,
        ["web-x"],
        "web-aaaaaaaaaaaaaaaaaaaaaaaa",
        "web-aaaaaaaaaaaaaaaaaaaaaaaa.9999999999.",
        "sms-aaaaaaaaaaaaaaaaaaaaaaaa.9999999999.abc",
        "web-aaaaaaaaaaaaaaaaaaaaaaaa.-1.abc",
        "a.b.c.d",
        "x" * 5000,
    ],
)
def test_a_forged_or_malformed_token_is_refused_with_a_plain_reason(forged):
    with pytest.raises(sessions.TokenError) as refused:
        sessions.read_token(KEY, forged, NOW)
    assert "start a new chat" in str(refused.value)


def test_a_bearer_header_is_read_strictly():
    assert sessions.bearer("Bearer abc") == "abc"
    assert sessions.bearer("bearer  abc ") == "abc"
    assert sessions.bearer("Basic abc") is None
    assert sessions.bearer("Bearer ") is None
    assert sessions.bearer(None) is None


def test_the_default_origins_are_the_servers_own():
    settings = Settings(rasa_port=5005, public_base_url="https://chat.example.org/")
    assert settings.web_chat_allowed_origins() == {
        "http://localhost:5005",
        "http://127.0.0.1:5005",
        "https://chat.example.org",
    }
    own = Settings(web_chat_origins=("https://Chat.Example.org/",))
    assert own.web_chat_allowed_origins() == {"https://chat.example.org"}


def test_the_origin_check():
    allowed = {"http://localhost:5005"}
    assert origins.origin_allowed("http://localhost:5005", allowed, required=True)
    assert origins.origin_allowed("HTTP://LOCALHOST:5005/", allowed, required=True)
    assert not origins.origin_allowed("http://localhost:5006", allowed, required=True)
    assert not origins.origin_allowed("https://evil.example", allowed, required=False)
    assert not origins.origin_allowed("null", allowed, required=False)
    assert not origins.origin_allowed(None, allowed, required=True)
    assert origins.origin_allowed(None, allowed, required=False)


def test_the_content_security_policy_allows_only_our_own_host():
    policy = content_security_policy("127.0.0.1:5005")
    assert "default-src 'self'" in policy
    assert "connect-src 'self' ws://127.0.0.1:5005 wss://127.0.0.1:5005;" in policy
    assert "frame-ancestors 'none'" in policy
    assert "evil" not in content_security_policy("evil.example; script-src *")
    assert "connect-src 'self';" in content_security_policy("evil.example; script-src *")


def test_message_size_limit_has_a_friendly_answer():
    assert limits.message_problem("hello", 1000) is None
    assert limits.message_problem("x" * 1000, 1000) is None
    assert "too long" in limits.message_problem("x" * 1001, 1000)
    assert limits.message_problem("   ", 1000) == limits.EMPTY_MESSAGE


def _add_events(engine, sender: str, rows: list[tuple[str, float, dict]]) -> None:
    with engine.begin() as conn:
        for type_name, timestamp, data in rows:
            conn.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=timestamp,
                    data=json.dumps(data),
                )
            )


def test_the_rate_limit_counts_this_conversations_last_minute_only(engine):
    now = time.time()
    mine, other = sessions.new_conversation_id(), sessions.new_conversation_id()
    _add_events(engine, mine, [("user", now - 120, {})] * 5 + [("bot", now - 1, {})] * 30)
    _add_events(engine, mine, [("user", now - 30, {})] * 19)
    _add_events(engine, other, [("user", now - 1, {})] * 50)
    assert limits.recent_messages(engine, mine, now - 60) == 19
    assert not limits.over_rate(engine, mine, now, 20)
    _add_events(engine, mine, [("user", now - 1, {})])
    assert limits.over_rate(engine, mine, now, 20)
    assert not limits.over_rate(engine, mine, now + 61, 20)


def test_history_shows_only_this_conversations_messages_with_button_titles(engine):
    mine, other = sessions.new_conversation_id(), sessions.new_conversation_id()
    button = {"title": "Tell me more", "payload": "/ask_more"}
    _add_events(
        engine,
        mine,
        [
            ("action", 1.0, {"event": "action", "name": "action_listen"}),
            ("user", 2.0, {"event": "user", "text": "hi"}),
            ("bot", 3.0, {"event": "bot", "text": "Hello", "data": {"buttons": [button]}}),
            ("slot", 3.5, {"event": "slot", "name": "x", "value": "secret"}),
            ("user", 4.0, {"event": "user", "text": "/ask_more"}),
            ("bot", 5.0, {"event": "bot", "text": "More", "data": {}}),
        ],
    )
    _add_events(engine, other, [("user", 2.5, {"event": "user", "text": "other person"})])
    assert visible_messages(engine, mine) == [
        {"from": "user", "text": "hi"},
        {"from": "bot", "text": "Hello", "buttons": [button]},
        {"from": "user", "text": "Tell me more"},
        {"from": "bot", "text": "More", "buttons": []},
    ]
    assert visible_messages(engine, sessions.new_conversation_id()) == []
