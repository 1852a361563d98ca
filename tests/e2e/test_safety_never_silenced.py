"""The safety net's reply is never silenced and never kept waiting, in every channel.

Both servers really run, with the twilio library sending to a local fake of Twilio's
API. Each test sends a crisis message while something tries to hold it back: messages
built to jam pattern matching, a hung action server (stopped with SIGSTOP: it takes the
connection and never answers), STOP, Twilio refusing the number, a message too long
or too fast for the web chat. The crisis reply must come within 2 seconds (the bound
issue 14 sets; the requests time out then, so nothing here times a figure).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
import sqlalchemy as sa
import websockets
from twilio.request_validator import RequestValidator

from bot.channels.rest import conversation_id as rest_conversation
from bot.db.engine import create_db_engine
from bot.safety import replies
from bot.store.tables.cases import safety_alert_events, safety_alerts
from bot.store.tables.notify import sms_opt_outs, sms_outbound
from bot.store.tables.safety import safety_events
from scripts.evaluation import entry_titles
from tests.support import adversarial
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, running_bot
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

PUBLIC = "https://sms.example.org"
WEBHOOK = "/webhooks/twilio/webhook"
REPLY_WITHIN = 2.0
CRISIS = "i want to kill myself tonight"
SAID = replies.load()
SUICIDE_REPLY_START = SAID.for_crisis(("suicide",))[:40]
JAMS = [
    "he " + "now " * 30 + "x",
    *adversarial.known_jams(adversarial.SMS_LONGEST),
]
PA_KIM, DUTY_MAX, MANAGER_SOL = "+447700900003", "+447700900007", "+447700900006"
CASEY = "+447700900103"  # Central: PA Kim, duty worker Max, manager Sol


@pytest.fixture(scope="module")
def safe_bot(twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    workdir: Path = tmp_path_factory.mktemp("safety-bot")
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        demo_people=True,
    ) as running:
        yield running


@contextmanager
def action_server_hung(bot: RunningBot) -> Iterator[None]:
    """The action server stops answering (it still takes connections) until the end."""
    pid = bot.group.processes["actions"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def sms(sender: str, body: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": sender,
        "To": "+447700900000",
        "Body": body,
        "AccountSid": "ACfake00000000000000000000000000",
    }


def post_sms(bot: RunningBot, twilio: FakeTwilio, form: dict[str, str]) -> None:
    signature = RequestValidator(twilio.token).compute_signature(PUBLIC + WEBHOOK, form)
    reply = requests.post(
        f"{bot.base_url}{WEBHOOK}",
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=REPLY_WITHIN,
    )
    assert reply.status_code == 200


def fresh_number() -> str:
    return f"+447700900{uuid.uuid4().int % 300 + 600}"


async def _rest(session: aiohttp.ClientSession, bot: RunningBot, sender: str, text: str) -> Any:
    async with session.post(bot.rest_url, json={"sender": sender, "message": text}) as reply:
        return reply.status, await reply.json()


async def _rest_crisis_while_jamming(bot: RunningBot) -> list[str]:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        jams = [
            asyncio.ensure_future(_rest(session, bot, f"jam-{uuid.uuid4().hex}", text))
            for text in JAMS
        ]
        await asyncio.sleep(0)
        status, body = await asyncio.wait_for(
            _rest(session, bot, f"crisis-{uuid.uuid4().hex}", CRISIS), REPLY_WITHIN
        )
        await asyncio.gather(*jams)
    assert status == 200
    return [m.get("text", "") for m in body]


def test_rest_the_crisis_reply_comes_within_2_s_while_others_jam(safe_bot):
    texts = asyncio.run(_rest_crisis_while_jamming(safe_bot))
    assert texts[0].startswith(SUICIDE_REPLY_START)


def test_rest_the_crisis_reply_comes_within_2_s_with_the_action_server_hung(safe_bot):
    with action_server_hung(safe_bot):
        reply = requests.post(
            safe_bot.rest_url,
            json={"sender": f"hung-{uuid.uuid4().hex}", "message": "ive taken all my pills"},
            timeout=REPLY_WITHIN,
        )
    assert reply.status_code == 200
    assert reply.json()[0]["text"] == SAID.for_crisis(("overdose",))


def test_rest_a_message_too_long_to_take_still_gets_the_safety_reply(safe_bot):
    text = "can i get help with my council tax " * 50 + CRISIS
    reply = requests.post(
        safe_bot.rest_url,
        json={"sender": f"long-{uuid.uuid4().hex}", "message": text},
        timeout=REPLY_WITHIN,
    )
    assert reply.status_code == 200
    assert reply.json()[0]["text"].startswith(SUICIDE_REPLY_START)


def new_token(bot: RunningBot) -> str:
    reply = requests.post(f"{bot.base_url}/chat/session", timeout=10)
    assert reply.status_code == 201
    return str(reply.json()["token"])


def socket_url(bot: RunningBot) -> str:
    return bot.base_url.replace("http://", "ws://") + "/chat/socket"


async def _chat_until_safety(
    bot: RunningBot, token: str, texts: list[str], within: float = REPLY_WITHIN
) -> dict[str, Any]:
    """Send each text at once; return the first ``safety`` frame (within ``within`` s)."""
    async with websockets.connect(
        socket_url(bot), origin=bot.base_url, open_timeout=10, max_size=2**20
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ready["type"] == "ready"
        for text in texts:
            await ws.send(json.dumps({"type": "message", "text": text}))

        async def first_safety() -> dict[str, Any]:
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "safety":
                    return dict(frame)

        return await asyncio.wait_for(first_safety(), within)


def test_web_chat_the_crisis_reply_comes_within_2_s_after_jamming_messages(safe_bot):
    token = new_token(safe_bot)
    frame = asyncio.run(_chat_until_safety(safe_bot, token, [*JAMS[:4], CRISIS]))
    assert frame["messages"][0]["text"].startswith(SUICIDE_REPLY_START)


def test_web_chat_the_crisis_reply_comes_within_2_s_with_the_action_server_hung(safe_bot):
    token = new_token(safe_bot)
    with action_server_hung(safe_bot):
        frame = asyncio.run(
            _chat_until_safety(safe_bot, token, ["how much is the bursary", CRISIS])
        )
    assert frame["messages"][0]["text"].startswith(SUICIDE_REPLY_START)


def test_web_chat_a_message_too_long_still_gets_the_safety_reply(safe_bot):
    token = new_token(safe_bot)
    text = "x " * safe_bot.settings.web_chat_max_message + CRISIS
    frame = asyncio.run(_chat_until_safety(safe_bot, token, [text]))
    assert frame["messages"][0]["text"].startswith(SUICIDE_REPLY_START)


def test_web_chat_a_message_over_the_rate_limit_still_gets_the_reply_and_an_alert(safe_bot):
    token = new_token(safe_bot)
    limit = safe_bot.settings.web_chat_messages_per_minute
    ordinary = [f"hello {i}" for i in range(limit + 2)]
    # One chat's messages are read in turn, so the crisis waits for the flood before it in
    # its own chat (never another chat's): this test is about the limit, not the wait.
    frame = asyncio.run(_chat_until_safety(safe_bot, token, [*ordinary, CRISIS], within=60))
    assert frame["messages"][0]["text"].startswith(SUICIDE_REPLY_START)
    conversation = token.split(".")[0]
    assert wait_for(lambda: _events(safe_bot, conversation), timeout=10)


def _events(bot: RunningBot, conversation_id: str) -> list[Any]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(safety_events).where(
                        safety_events.c.conversation_id == conversation_id
                    )
                ).all()
            )
    finally:
        engine.dispose()


def _queued_to(bot: RunningBot, number: str) -> list[Any]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(sms_outbound).where(sms_outbound.c.to_number == number)
                ).all()
            )
    finally:
        engine.dispose()


def test_sms_the_crisis_reply_reaches_twilio_within_2_s_with_the_action_server_hung(
    safe_bot, twilio
):
    sender = fresh_number()
    with action_server_hung(safe_bot):
        for jam in JAMS[:3]:
            post_sms(safe_bot, twilio, sms(fresh_number(), jam[:1600]))
        post_sms(safe_bot, twilio, sms(sender, CRISIS))
        sent = wait_for(
            lambda: [m for m in twilio.to(sender) if m["Body"].startswith("I'm really glad")],
            timeout=REPLY_WITHIN,
        )
    assert sent


def _opted_out(bot: RunningBot, number: str) -> bool:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.select(sms_opt_outs.c.number).where(sms_opt_outs.c.number == number)
            ).first()
    finally:
        engine.dispose()
    return found is not None


def test_sms_after_stop_a_crisis_text_still_gets_the_reply(safe_bot, twilio):
    sender = fresh_number()
    post_sms(safe_bot, twilio, sms(sender, "STOP"))  # Twilio answers it: we record it
    assert wait_for(lambda: _opted_out(safe_bot, sender))
    post_sms(safe_bot, twilio, sms(sender, CRISIS))
    assert wait_for(
        lambda: [m for m in twilio.to(sender) if m["Body"].startswith("I'm really glad")],
        timeout=REPLY_WITHIN,
    )
    # Everything else stays stopped.
    post_sms(safe_bot, twilio, sms(sender, "how much is the setting up home allowance"))
    assert wait_for(
        lambda: [r for r in _queued_to(safe_bot, sender) if r.status == "suppressed"], timeout=30
    )


def test_sms_a_crisis_reply_twilio_refuses_tells_everyone_at_once(safe_bot, twilio):
    twilio.unsubscribed.add(CASEY)
    try:
        post_sms(safe_bot, twilio, sms(CASEY, "im going to overdose tonight"))
        assert wait_for(lambda: [m for m in twilio.refused if m["To"] == CASEY], timeout=10)

        def undelivered_alert() -> list[Any]:
            return [m for m in twilio.to(MANAGER_SOL) if "could NOT be delivered" in m["Body"]]

        assert wait_for(undelivered_alert, timeout=30)
        assert [m for m in twilio.to(PA_KIM) if "could NOT be delivered" in m["Body"]]
        assert [m for m in twilio.to(DUTY_MAX) if "could NOT be delivered" in m["Body"]]
    finally:
        twilio.unsubscribed.discard(CASEY)
    engine = create_db_engine(safe_bot.settings.database_url)
    try:
        with engine.connect() as conn:
            priorities = set(conn.execute(sa.select(safety_alerts.c.priority)).scalars())
    finally:
        engine.dispose()
    assert "undelivered" in priorities


MANAGER_CHRIS = (
    "+447700900004"  # North's team manager: North (the duty district) has no duty worker
)


def _handled_flood(bot: RunningBot, conversations: list[str]) -> int:
    """How many of these chats' safety events have become an alert or been added to one."""
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            raised = conn.execute(
                sa.select(sa.func.count())
                .select_from(safety_alerts)
                .where(safety_alerts.c.conversation_id.in_(conversations))
            ).scalar_one()
            details = conn.execute(
                sa.select(safety_alert_events.c.detail).where(
                    safety_alert_events.c.action == "message added"
                )
            ).scalars()
            added = sum(1 for d in details if any(c in d for c in conversations))
    finally:
        engine.dispose()
    return int(raised) + added


def test_web_chat_a_flood_from_one_address_gets_every_reply_and_texts_staff_three_times(
    safe_bot,
):
    """Without Redis: many new chats from one address, each with a crisis message."""
    before = len(_queued_to(safe_bot, MANAGER_CHRIS))
    tokens = [new_token(safe_bot) for _ in range(6)]

    async def flood() -> list[dict[str, Any]]:
        return list(
            await asyncio.gather(*(_chat_until_safety(safe_bot, t, [CRISIS]) for t in tokens))
        )

    frames = asyncio.run(flood())
    assert all(f["messages"][0]["text"].startswith(SUICIDE_REPLY_START) for f in frames)
    conversations = [t.split(".")[0] for t in tokens]
    assert wait_for(lambda: _handled_flood(safe_bot, conversations) == 6, timeout=30)
    assert all(_events(safe_bot, c) for c in conversations)
    texts = [r.body for r in _queued_to(safe_bot, MANAGER_CHRIS)[before:]]
    # At most 3 an hour from one address (earlier tests here may have used some).
    assert len([t for t in texts if "URGENT safety alert" in t]) <= 3


# -- what may follow a crisis reply ------------------------------------------------------


def test_rest_nowhere_to_sleep_tonight_gets_the_crisis_reply_then_the_entry(safe_bot):
    conversation = f"tonight-{uuid.uuid4().hex}"
    reply = requests.post(
        safe_bot.rest_url,
        json={"sender": conversation, "message": "i got nowhere to sleep tonight"},
        timeout=30,
    )
    assert reply.status_code == 200
    texts = [m["text"] for m in reply.json() if m.get("text")]
    assert texts[0].startswith(SAID.for_crisis(("nowhere_safe_tonight",))[:30])
    answers = [t for t in texts if not SAID.is_own(t)]
    assert answers, texts
    assert answers[0].startswith(entry_titles()["homeless-tonight"] + ":")
    assert "Did that help?" not in texts
    # The alert is still raised: the entry follows the crisis reply, it does not replace it.
    assert wait_for(lambda: _events(safe_bot, rest_conversation(conversation)), timeout=10)


def test_rest_a_risk_to_life_with_nowhere_to_sleep_gets_no_entry(safe_bot):
    reply = requests.post(
        safe_bot.rest_url,
        json={
            "sender": f"tonight-{uuid.uuid4().hex}",
            "message": "nowhere to sleep tonight and i want to kill myself",
        },
        timeout=30,
    )
    assert reply.status_code == 200
    texts = [m["text"] for m in reply.json() if m.get("text")]
    assert texts[0].startswith(SUICIDE_REPLY_START)
    assert all(SAID.is_own(t) or t.startswith("I'm worried about you") for t in texts), texts
