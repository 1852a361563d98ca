"""The cluster under faults: real PostgreSQL, nginx, two Rasa and two action servers.

One cluster (``bot.cluster.layout.Cluster``, what ``make cluster`` starts) on free ports
for the module; each test breaks one part of it for real (SIGKILL, SIGSTOP, PostgreSQL
stopped) and puts it back. Only Twilio, outside this machine, is a local fake.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import json
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
import websockets
from twilio.request_validator import RequestValidator

from bot.channels.web import limits
from bot.cluster.layout import Cluster
from bot.db.engine import create_db_engine
from bot.launcher import model_path
from bot.people.identity import sms_conversation_id
from bot.safety import replies as safety_replies
from bot.settings import Settings
from bot.store.tables.notify import sms_outbound
from bot.store.tables.safety import safety_events
from bot.store.tables.sms import sms_inbound
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import free_cluster_ports
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.cluster]

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


def _response_text(name: str) -> str:
    """A fixed response's text, as domain.yml has it."""
    import yaml

    return str(yaml.safe_load(DOMAIN.read_text())["responses"][name][0]["text"])


HOLDING = _response_text("utter_service_unavailable")
TRY_AGAIN = _response_text("utter_try_again_shortly")
# The safety net's reply to a suicide message (bot/safety/data/replies.yml), sent by the
# channel before the message reaches Rasa or the action servers.
CRISIS = safety_replies.load().for_crisis(("suicide",))
GREETING = _response_text("utter_greet")

# Each conversation asks about one entitlement, then follow-ups that only make sense with
# that context ("who can get it" names the entitlement asked about before).
QUESTIONS = {
    "Setting up home allowance": "how much is the setting up home grant",
    "Council tax exemption": "do care leavers have to pay council tax",
    "Higher education bursary": "can i get the uni bursary",
}
FOLLOW_UPS = ("who can get it", "how do i get it", "who can get it", "how do i get it")


ADDRESS_LIMIT = 4  # web chat messages a minute from one address, across every session


@pytest.fixture(scope="module")
def cluster(
    twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cluster, Path]]:
    folder = tmp_path_factory.mktemp("cluster")
    ports = free_cluster_ports()
    settings = dataclasses.replace(
        Settings(),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        case_scheduler_seconds=2.0,
        sms_recovery_seconds=10.0,
        web_chat_address_messages_per_minute=ADDRESS_LIMIT,
    )
    model = model_path(settings)
    if not model.exists():
        pytest.fail(f"no trained model at {model}: `make test` trains it first")
    log_path = folder / "cluster.log"
    # Outside pytest's private temporary folder: PostgreSQL runs as its own user.
    postgres_folder = Path(tempfile.mkdtemp(prefix="careleavers-cluster-pg-"))
    postgres_folder.chmod(0o755)
    with log_path.open("w") as log:
        running = Cluster(
            settings, folder, model, ports=ports, log=log, postgres_folder=postgres_folder
        )
        try:
            running.start()
            yield running, log_path
        finally:
            running.stop()
            shutil.rmtree(postgres_folder, ignore_errors=True)


@pytest.fixture
def engine(cluster: tuple[Cluster, Path]) -> Iterator[sa.engine.Engine]:
    engine = create_db_engine(cluster[0].settings.database_url)
    yield engine
    engine.dispose()


class Conversation:
    """A REST client that gives every message an id and sends it again after a failure."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = f"cluster-{uuid.uuid4().hex[:12]}"
        self.sent: list[str] = []
        self.retries = 0

    def say(self, text: str, attempts: int = 20) -> list[dict[str, object]]:
        message_id = uuid.uuid4().hex
        self.sent.append(message_id)
        body = {"sender": self.sender, "message": text, "message_id": message_id}
        for attempt in range(attempts):
            try:
                reply = requests.post(self.url, json=body, timeout=90)
                if reply.status_code == 200:
                    return list(reply.json())
            except requests.RequestException:
                pass
            self.retries += 1
            time.sleep(min(0.25 * (attempt + 1), 2.0))
        raise AssertionError(f"no answer after {attempts} attempts")

    def texts(self, text: str) -> list[str]:
        return [str(m.get("text") or "") for m in self.say(text)]


def stored_message_ids(engine: sa.engine.Engine, conversation_id: str) -> list[str]:
    """The ids of the user messages stored for a conversation, in order."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
            ),
            {"s": conversation_id},
        ).all()
    return [json.loads(row.data).get("message_id") for row in rows]


def ready(url: str) -> dict[str, object] | None:
    try:
        reply = requests.get(f"{url}/webhooks/service/ready", timeout=5)
    except requests.RequestException:
        return None
    return dict(reply.json()) if reply.status_code == 200 else None


def test_the_layout_is_up(cluster):
    running, _log = cluster
    assert set(running.group.processes) >= {
        "rasa-1",
        "rasa-2",
        "actions-1",
        "actions-2",
        "nginx",
        "redis",
        "console",
        "scheduler",
    }
    assert running.postgres.running()
    for index in (1, 2):
        assert ready(running.rasa_url(index)) == {"status": "ready", "database": "ok"}
    # Readiness is for operators and the load balancer, not the public side.
    public = requests.get(f"{running.public_url}/webhooks/service/ready", timeout=5)
    assert public.status_code == 404


def test_a_repeated_message_id_is_answered_again_but_handled_once(cluster, engine):
    running, _log = cluster
    chat = Conversation(running.public_url)
    first = chat.say(QUESTIONS["Setting up home allowance"])
    body = {"sender": chat.sender, "message": "something else", "message_id": chat.sent[0]}
    again = requests.post(chat.url, json=body, timeout=30).json()
    assert [m["text"] for m in again] == [m["text"] for m in first]
    assert stored_message_ids(engine, f"rest-{chat.sender}") == chat.sent


def test_killing_a_rasa_server_under_load_loses_nothing(cluster, engine):
    running, _log = cluster
    conversations = [
        (title, Conversation(running.public_url)) for title in list(QUESTIONS) * 6
    ]  # 18 conversations at once
    answered = threading.Semaphore(0)
    failures: list[str] = []

    def talk(title: str, chat: Conversation) -> None:
        try:
            texts = chat.texts(QUESTIONS[title])
            assert texts and texts[0].startswith(title), (title, texts)
            answered.release()
            for follow_up in FOLLOW_UPS:
                texts = chat.texts(follow_up)
                # The follow-up is answered about the same entitlement: the context went on.
                assert texts and texts[0].startswith(title), (title, follow_up, texts)
                answered.release()
        except AssertionError as error:
            failures.append(str(error))

    with concurrent.futures.ThreadPoolExecutor(len(conversations)) as pool:
        futures = [pool.submit(talk, title, chat) for title, chat in conversations]
        for _ in range(len(conversations)):  # about a fifth of the messages answered
            assert answered.acquire(timeout=180)
        running.kill("rasa-1", signal.SIGKILL)
        concurrent.futures.wait(futures, timeout=600)
    assert not failures, failures[:3]
    for _title, chat in conversations:
        # Every message is in its conversation exactly once, in the order it was sent.
        assert stored_message_ids(engine, f"rest-{chat.sender}") == chat.sent
    assert ready(running.rasa_url(2)) is not None
    running.restart("rasa-1")
    assert ready(running.rasa_url(1)) is not None


def test_postgres_down_gives_the_holding_reply_and_the_service_recovers(cluster, engine):
    running, log_path = cluster
    chat = Conversation(running.public_url)
    assert chat.texts(QUESTIONS["Council tax exemption"])[0].startswith("Council tax exemption")
    running.postgres.stop("fast")
    try:
        during = chat.texts("who can get it")
        assert during == [HOLDING]
        assert "999" in HOLDING and "116 123" in HOLDING
        assert GREETING not in during
        sms = _signed_sms(running, "+447700900951", "how much is the setting up home grant")
        assert sms.status_code == 200
        assert "<Message>" in sms.text and "999" in sms.text and "116 123" in sms.text
        (web,) = asyncio.run(_chat(running, ["who can get it"]))
        assert web["type"] == "reply" and [m["text"] for m in web["messages"]] == [HOLDING]
        assert wait_for(lambda: "ALERT: the database is unavailable" in log_path.read_text(), 10)
        assert ready(running.rasa_url(1)) == {"status": "ready", "database": "unavailable"}
    finally:
        running.postgres.start()
    assert wait_for(lambda: ready(running.rasa_url(1)) == {"status": "ready", "database": "ok"}, 60)
    after = chat.texts("who can get it")
    # The conversation is remembered: "it" is still council tax, no fresh greeting.
    assert after[0].startswith("Council tax exemption, who can get it")
    assert wait_for(lambda: "available again" in log_path.read_text(), 10)
    # Nothing was kept anywhere in the database's place: the message during the outage
    # was never handled; the two around it were, once each.
    stored = stored_message_ids(engine, f"rest-{chat.sender}")
    assert stored == [chat.sent[0], chat.sent[2]]


def test_with_the_action_servers_down_a_crisis_still_gets_signposting_and_an_alert(cluster, engine):
    running, _log = cluster
    for name in ("actions-1", "actions-2"):
        running.kill(name, signal.SIGKILL)
    try:
        chat = Conversation(running.public_url)
        assert chat.texts("i want to kill myself tonight")[0] == CRISIS
        with engine.connect() as connection:
            recorded = connection.execute(
                sa.select(sa.func.count()).where(
                    safety_events.c.conversation_id == f"rest-{chat.sender}"
                )
            ).scalar()
        assert recorded == 1  # recorded (and staff alerted) by the Rasa server itself
        other = Conversation(running.public_url)
        assert other.texts(QUESTIONS["Setting up home allowance"]) == [TRY_AGAIN]
    finally:
        for name in ("actions-1", "actions-2"):
            running.restart(name)
    assert other.texts(QUESTIONS["Setting up home allowance"])[0].startswith(
        "Setting up home allowance"
    )


def test_a_stalled_action_server_means_try_again_not_a_hang(cluster):
    running, _log = cluster
    for name in ("actions-1", "actions-2"):
        running.kill(name, signal.SIGSTOP)
    try:
        chat = Conversation(running.public_url)
        started = time.monotonic()
        assert chat.texts(QUESTIONS["Higher education bursary"]) == [TRY_AGAIN]
        assert time.monotonic() - started < 45
    finally:
        for name in ("actions-1", "actions-2"):
            running.kill(name, signal.SIGCONT)
    assert chat.texts(QUESTIONS["Higher education bursary"])[0].startswith(
        "Higher education bursary"
    )


def test_texts_wait_while_twilio_is_unreachable_and_go_once(cluster, twilio, engine):
    running, _log = cluster
    number = "+447700900952"
    twilio.stop()
    try:
        reply = _signed_sms(running, number, "how much is the setting up home grant")
        assert reply.status_code == 200
        conversation = sms_conversation_id(number, running.settings.conversation_key())

        def failed_once() -> bool:
            with engine.connect() as connection:
                row = connection.execute(
                    sa.select(sms_outbound.c.attempts).where(
                        sms_outbound.c.conversation_id == conversation
                    )
                ).first()
            return row is not None and row.attempts >= 1

        assert wait_for(failed_once, 60)
        assert twilio.to(number) == []
    finally:
        twilio.start()
    with engine.connect() as connection:
        queued = connection.execute(
            sa.select(sms_outbound.c.body)
            .where(sms_outbound.c.conversation_id == conversation)
            .order_by(sms_outbound.c.id)
        ).all()
    assert queued  # the reply (in one or more texts) waited in the queue
    assert wait_for(lambda: len(twilio.to(number)) >= len(queued), 120)
    time.sleep(5)  # two Rasa servers and the scheduler all send queued texts
    # Each queued text reached Twilio once: none lost, none twice.
    assert sorted(m["Body"] for m in twilio.to(number)) == sorted(row.body for row in queued)
    assert any(m["Body"].startswith("Setting up home allowance") for m in twilio.to(number))


def _sent_once(engine: sa.engine.Engine, twilio: FakeTwilio, conversation: str, number: str):
    """True once every text queued for the conversation reached Twilio; fails on a repeat."""
    with engine.connect() as connection:
        queued = sorted(
            row.body
            for row in connection.execute(
                sa.select(sms_outbound.c.body).where(sms_outbound.c.conversation_id == conversation)
            )
        )
    sent = sorted(m["Body"] for m in twilio.to(number))
    assert len(sent) == len(set(sent)), f"a text went twice: {sent}"
    return bool(queued) and sent == queued


def test_a_text_a_dead_server_took_on_is_answered_by_another(cluster, twilio, engine):
    running, log_path = cluster
    number = "+447700900953"
    conversation = sms_conversation_id(number, running.settings.conversation_key())
    long_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=5)
    # What a server leaves behind when it dies between Twilio's answer and the reply.
    with engine.begin() as connection:
        connection.execute(
            sms_inbound.insert().values(
                message_sid=f"SM{uuid.uuid4().hex}",
                conversation_id=conversation,
                received_at=long_ago,
                claimed_at=long_ago,
                pending_from=number,
                pending_body=QUESTIONS["Council tax exemption"],
            )
        )
    assert wait_for(lambda: _sent_once(engine, twilio, conversation, number), 90)
    assert any(m["Body"].startswith("Council tax exemption") for m in twilio.to(number))
    assert "Taking over an inbound SMS" in log_path.read_text()
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(sms_inbound).where(sms_inbound.c.conversation_id == conversation)
        ).one()
    assert row.handled_at is not None and row.pending_body is None and row.attempts == 2


def test_killing_a_rasa_server_under_sms_load_loses_no_text_and_doubles_none(
    cluster, twilio, engine
):
    running, _log = cluster
    numbers = [f"+4477009009{n:02d}" for n in range(60, 84)]
    with concurrent.futures.ThreadPoolExecutor(len(numbers)) as pool:
        replies = list(
            pool.map(
                lambda n: _signed_sms(running, n, QUESTIONS["Higher education bursary"]), numbers
            )
        )
    running.kill("rasa-2", signal.SIGKILL)  # as Twilio got its answers: some still in hand
    try:
        assert [r.status_code for r in replies] == [200] * len(numbers)
        key = running.settings.conversation_key()
        for number in numbers:
            conversation = sms_conversation_id(number, key)
            assert wait_for(
                lambda c=conversation, n=number: _sent_once(engine, twilio, c, n), 120
            ), number
            assert any(m["Body"].startswith("Higher education bursary") for m in twilio.to(number))
        time.sleep(5)
        for number in numbers:  # still once each, after every sender had its chance
            assert _sent_once(engine, twilio, sms_conversation_id(number, key), number)
    finally:
        running.restart("rasa-2")


def _signed_sms(running: Cluster, number: str, body: str) -> requests.Response:
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": number,
        "To": "+447700900000",
        "Body": body,
        "AccountSid": running.settings.twilio_account_sid,
    }
    path = "/webhooks/twilio/webhook"
    token = running.settings.twilio_auth_token
    signature = RequestValidator(token).compute_signature(
        running.settings.public_base_url.rstrip("/") + path, form
    )
    return requests.post(
        f"{running.public_url}{path}",
        data=form,
        headers={"X-Twilio-Signature": signature},
        timeout=30,
    )


def test_nothing_personal_is_in_nginx_temporary_files(cluster):
    running, _log = cluster
    leftovers = [p for p in (running.folder / "nginx" / "tmp").rglob("*") if p.is_file()]
    assert leftovers == []
    assert re.search(r"access_log off;", (running.folder / "nginx" / "nginx.conf").read_text())


async def _chat(running: Cluster, texts: list[str]) -> list[dict[str, object]]:
    """One new web chat session through nginx; the answer to each text."""
    reply = requests.post(
        f"{running.public_url}/chat/session",
        headers={"Origin": running.settings.public_base_url},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    token = reply.json()["token"]
    socket_url = running.public_url.replace("http://", "ws://") + "/chat/socket"
    answers = []
    async with websockets.connect(
        socket_url, origin=running.settings.public_base_url, open_timeout=10
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "ready"
        for text in texts:
            await ws.send(json.dumps({"type": "message", "text": text}))
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
    return answers


def _kinds(answers: list[dict[str, object]]) -> list[str]:
    return [
        "too_fast"
        if a.get("type") == "notice" and a.get("text") == limits.TOO_FAST
        else str(a.get("type"))
        for a in answers
    ]


def _fresh_minute() -> None:
    """Wait for a new minute if this one is nearly over (the limits count per minute)."""
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)


def test_redis_down_or_stalled_never_stops_replies_and_limits_come_back(cluster, engine):
    running, log_path = cluster
    question = QUESTIONS["Setting up home allowance"]
    _fresh_minute()
    # Redis up: the address limit holds across sessions (two sessions, one address).
    first = asyncio.run(_chat(running, [question] * 2))
    second = asyncio.run(_chat(running, [question] * 3))
    assert _kinds(first + second) == ["reply"] * ADDRESS_LIMIT + ["too_fast"]
    running.kill("redis", signal.SIGKILL)
    try:
        # Redis down: young people are answered (the limit is not applied), each once.
        answers = asyncio.run(_chat(running, [question] * 3))
        assert _kinds(answers) == ["reply"] * 3
        assert wait_for(lambda: "ALERT: Redis is unavailable" in log_path.read_text(), 10)
    finally:
        running.restart("redis")
    running.kill("redis", signal.SIGSTOP)
    try:
        # Redis stalled: each message waits at most a short timeout, then is answered.
        started = time.monotonic()
        answers = asyncio.run(_chat(running, [question] * 2))
        assert _kinds(answers) == ["reply"] * 2
        assert time.monotonic() - started < 15
    finally:
        running.kill("redis", signal.SIGCONT)
    # Redis back: after the short pause that follows a failure, the limit holds again.
    time.sleep(6)
    _fresh_minute()
    answers = asyncio.run(_chat(running, [question] * (ADDRESS_LIMIT + 1)))
    assert _kinds(answers) == ["reply"] * ADDRESS_LIMIT + ["too_fast"]
    assert wait_for(lambda: "Redis is available again" in log_path.read_text(), 10)
