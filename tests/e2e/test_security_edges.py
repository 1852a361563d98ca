"""End to end: every edge of the service refuses what it should, with both servers running.

- the action server takes nothing but ``/health`` without the shared secret;
- Rasa's HTTP API is off, or on only with its token;
- the REST channel is off in production without a token, and needs its token when set;
- text starting with "/" sets no intent or slot unless it is a button the bot offers,
  through REST and through signed SMS (checked in the stored tracker).
"""

from __future__ import annotations

import json
import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bot.db.engine import create_db_engine
from bot.people.identity import sms_conversation_id
from tests.support.databases import module_database
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, running_bot
from tests.support.sms_replies import replies_to
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

API_TOKEN = secrets.token_hex(32)
REST_TOKEN = secrets.token_hex(32)
PUBLIC = "https://sms.example.org"
FORGED = [
    # (what is sent, an intent it must not get, an entity and value no slot may take).
    # Every one reaches the NLU as words: its intent is the model's guess (never the 1.0
    # of an intent written out), so "/ask_for_pa" may well be read as asking for the PA,
    # as "ask for pa" would be; "inform" is no intent of ours, so the model cannot say it.
    ('/inform{"care_status":"relevant"}', "inform", ("care_status", "relevant")),
    ('/ask_more{"entitlement_id": "zz-forged"}', None, ("entitlement_id", "zz-forged")),
    ("/ask_for_pa", None, None),
    ('/tell_age{"age_question": "zz-forged"}', None, ("age_question", "zz-forged")),
]


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def guarded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningBot]:
    """Development, with Rasa's API and the REST channel behind their tokens."""
    workdir = tmp_path_factory.mktemp(f"guarded-{request.param}")
    url = module_database(request, workdir)
    with running_bot(url, workdir, rasa_api_token=API_TOKEN, rest_channel_token=REST_TOKEN) as bot:
        yield bot


@pytest.fixture(scope="module")
def production(
    tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio
) -> Iterator[RunningBot]:
    """APP_ENV=production with its secrets, no REST token and no API token, real SMS."""
    workdir = tmp_path_factory.mktemp("production")
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        app_env="production",
        conversation_id_secret=secrets.token_hex(32),
        web_chat_secret=secrets.token_hex(32),
        console_secret=secrets.token_hex(32),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number="+447700900000",
        twilio_api_url=twilio.url,
        public_base_url=PUBLIC,
        console_base_url="https://console.council.example",
    ) as bot:
        yield bot


def rest(bot: RunningBot, text: str, sender: str, token: str | None = REST_TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = requests.post(
        bot.rest_url, json={"sender": sender, "message": text}, headers=headers, timeout=30
    )
    reply.raise_for_status()
    return reply.json()


def stored_events(bot: RunningBot, conversation_id: str) -> list[dict[str, Any]]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": conversation_id},
            ).all()
    finally:
        engine.dispose()
    return [{"type": r.type_name, **json.loads(r.data)} for r in rows]


def assert_not_forged(
    events: list[dict[str, Any]], intent: str | None, forged: tuple[str, str] | None
):
    entity, value = forged or ("", "")
    users = [e for e in events if e["type"] == "user"]
    assert users, "the message was stored"
    for user in users:
        assert not user["text"].startswith("/")
        parsed = user["parse_data"]
        assert intent is None or parsed["intent"]["name"] != intent
        assert parsed["intent"].get("confidence", 0) < 1.0
        assert all(e["entity"] != entity for e in parsed.get("entities", []))
    for slot in (e for e in events if e["type"] == "slot"):
        assert slot["name"] != entity or slot["value"] != value


# ---- the action server ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/webhook", {"next_action": "action_answer_entitlement", "tracker": {}}),
        ("GET", "/actions", None),
        ("POST", "/embed", {"texts": ["uni money"]}),
    ],
)
def test_the_action_server_refuses_a_missing_or_wrong_secret(guarded, method, path, body):
    url = f"{guarded.settings.action_server_url()}{path}"
    right = guarded.settings.action_server_secret or ""
    for headers in (
        {},
        {"X-Action-Server-Secret": ""},
        {"X-Action-Server-Secret": "wrong"},
        {"X-Action-Server-Secret": right[:-1]},
        {"X-Action-Server-Secret": right + "0"},
        {"Authorization": f"Bearer {right}"},
    ):
        reply = requests.request(method, url, json=body, headers=headers, timeout=10)
        assert reply.status_code == 403, headers
        assert reply.text == "forbidden"  # nothing of the request echoed
        assert "uni money" not in reply.text and "action_answer" not in reply.text


def test_the_action_server_takes_the_right_secret_and_health_is_open(guarded):
    base = guarded.settings.action_server_url()
    assert requests.get(f"{base}/health", timeout=10).status_code == 200
    actions = requests.get(f"{base}/actions", headers=guarded.action_headers, timeout=10)
    assert actions.status_code == 200
    assert any(a["name"] == "action_answer_entitlement" for a in actions.json())
    embed = requests.post(
        f"{base}/embed", json={"texts": ["uni money"]}, headers=guarded.action_headers, timeout=10
    )
    assert embed.status_code == 200 and embed.json()["vectors"]


def test_the_action_server_answers_a_wrong_route_as_such_and_a_dropped_call_is_no_error(guarded):
    """A wrong path or method is a 4xx (not "the action failed"), saying nothing of the
    request; a caller that goes away (Rasa stops waiting for /embed after 2 s) is not
    logged as an error with a trace."""
    base = guarded.settings.action_server_url()
    missing = requests.get(f"{base}/no-such-route", headers=guarded.action_headers, timeout=10)
    assert missing.status_code == 404 and "no-such-route" not in missing.text
    assert requests.get(
        f"{base}/embed", headers=guarded.action_headers, timeout=10
    ).status_code == (405)
    log = guarded.settings.var_dir / "services.log"
    seen = len(log.read_text())
    body = json.dumps({"texts": ["can i get money for university " * 40] * 8}).encode()
    head = (
        "POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Action-Server-Secret: {guarded.settings.action_server_secret}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    for _ in range(10):
        with socket.create_connection(("127.0.0.1", guarded.settings.action_port)) as caller:
            caller.sendall(head + body)
            time.sleep(0.01)
    # One more call, waited for: /embed encodes on one thread, in turn, so once it is
    # answered every abandoned call before it has been dealt with.
    assert _embedded(guarded, body)
    went_away = "The caller went away before the answer (/embed)"
    after = wait_for(lambda: went_away in log.read_text()[seen:] and log.read_text()[seen:])
    assert "Action failed" not in after and "Traceback" not in after


def _embedded(bot: RunningBot, body: bytes) -> bool:
    reply = requests.post(
        f"{bot.settings.action_server_url()}/embed",
        data=body,
        headers={**bot.action_headers, "Content-Type": "application/json"},
        timeout=60,
    )
    return reply.status_code == 200 and bool(reply.json()["vectors"])


def test_rasa_sends_the_secret_to_the_action_server(guarded):
    """Answers from the knowledge base come from custom actions, with vectors from /embed:
    Rasa got through to the action server, and was never refused on the way."""
    log = guarded.settings.var_dir / "services.log"
    before = log.read_text().count("Refused a request")
    messages = rest(guarded, "how much is the setting up home grant", uuid.uuid4().hex)
    assert messages[0]["text"].startswith("Setting up home allowance: ")
    assert rest(guarded, "can i get the uni bursary", uuid.uuid4().hex)
    # The action server has dealt with every call Rasa made (it answers /embed in turn, and
    # a refusal is logged before it answers).
    assert _embedded(guarded, json.dumps({"texts": ["uni money"]}).encode())
    assert log.read_text().count("Refused a request") == before


# ---- Rasa's HTTP API --------------------------------------------------------------------------

API_ROUTES = [
    ("GET", "/status", None),
    ("GET", "/conversations/rest-x/tracker", None),
    ("POST", "/model/parse", {"text": "hello"}),
]


@pytest.mark.parametrize(("method", "path", "body"), API_ROUTES)
def test_rasas_api_is_off_without_a_token_setting(production, method, path, body):
    reply = requests.request(method, production.base_url + path, json=body, timeout=10)
    assert reply.status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), API_ROUTES)
def test_rasas_api_answers_only_with_its_token(guarded, method, path, body):
    url = guarded.base_url + path
    for params in ({}, {"token": "wrong"}, {"token": API_TOKEN[:-1]}):
        reply = requests.request(method, url, json=body, params=params, timeout=10)
        assert reply.status_code == 401, params
    reply = requests.request(method, url, json=body, params={"token": API_TOKEN}, timeout=30)
    assert reply.status_code == 200


# ---- the REST channel -------------------------------------------------------------------------


def test_the_rest_channel_needs_its_token_when_one_is_set(guarded):
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {REST_TOKEN[:-1]}"},
        {"Authorization": REST_TOKEN},
        {"Authorization": f"Basic {REST_TOKEN}"},
    ):
        reply = requests.post(
            guarded.rest_url,
            json={"sender": "x", "message": "hello secret words"},
            headers=headers,
            timeout=10,
        )
        assert reply.status_code == 401, headers
        assert "secret words" not in reply.text
    assert rest(guarded, "hello", uuid.uuid4().hex)


def test_the_rest_channel_is_off_in_production_without_a_token(production):
    reply = requests.post(
        production.rest_url,
        json={"sender": "x", "message": "hello"},
        headers={"Authorization": "Bearer anything"},
        timeout=10,
    )
    assert reply.status_code == 404
    assert requests.get(production.base_url + "/webhooks/rest/", timeout=10).status_code == 404
    # The other channels are still there.
    assert requests.get(production.base_url + "/webhooks/twilio/", timeout=10).status_code == 200


# ---- text starting with "/" -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "intent", "entity"), FORGED)
def test_rest_text_cannot_choose_an_intent_or_slot(guarded, text, intent, entity):
    sender = uuid.uuid4().hex
    rest(guarded, text, sender)
    assert_not_forged(stored_events(guarded, f"rest-{sender}"), intent, entity)


def test_rest_buttons_the_bot_offers_still_work(guarded):
    sender = uuid.uuid4().hex
    rest(guarded, "council tax", sender)
    how = rest(guarded, "/ask_how_to_get", sender)
    assert how[0]["text"].startswith("Council tax exemption, how to get it: ")
    chosen = rest(guarded, '/ask_entitlement{"entitlement_id": "junior-isa"}', sender)
    assert chosen[0]["text"].startswith("Junior ISA: ")
    users = [e for e in stored_events(guarded, f"rest-{sender}") if e["type"] == "user"]
    assert users[1]["parse_data"]["intent"]["name"] == "ask_how_to_get"
    assert users[2]["parse_data"]["intent"]["name"] == "ask_entitlement"


def _sign(form: dict[str, str], token: str) -> str:
    return RequestValidator(token).compute_signature(PUBLIC + "/webhooks/twilio/webhook", form)


def _text_in(bot: RunningBot, twilio: FakeTwilio, sender: str, body: str) -> list[dict]:
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": sender,
        "To": "+447700900000",
        "Body": body,
        "AccountSid": twilio.account_sid,
    }
    reply = requests.post(
        f"{bot.base_url}/webhooks/twilio/webhook",
        data=form,
        headers={"X-Twilio-Signature": _sign(form, twilio.token)},
        timeout=10,
    )
    assert reply.status_code == 200
    return replies_to(bot.settings.database_url, twilio, form)


@pytest.mark.parametrize(
    ("number", "forged"),
    [(f"+4477009009{70 + i}", case) for i, case in enumerate(FORGED)],
)
def test_signed_sms_text_cannot_choose_an_intent_or_slot(production, twilio, number, forged):
    text, intent, entity = forged
    assert _text_in(production, twilio, number, text)
    conversation = sms_conversation_id(number, production.settings.conversation_key())
    assert_not_forged(stored_events(production, conversation), intent, entity)


def test_sms_reply_words_still_choose_the_buttons(production, twilio):
    number = "+447700900980"
    first = _text_in(production, twilio, number, "council tax")
    assert first and first[-1]["Body"].endswith("\nReply WHO, HOW or MORE")
    how = _text_in(production, twilio, number, "how")
    assert how[0]["Body"].startswith("Council tax exemption, how to get it: ")
    conversation = sms_conversation_id(number, production.settings.conversation_key())
    users = [e for e in stored_events(production, conversation) if e["type"] == "user"]
    assert users[-1]["text"] == "/ask_how_to_get"
    assert users[-1]["parse_data"]["intent"]["name"] == "ask_how_to_get"


def test_typed_payloads_of_sms_buttons_are_words(production, twilio):
    """SMS shows no payloads: a typed "/ask_more" is not a pressed button, but it is an
    offered payload, so it still works (the same as pressing it in web chat)."""
    number = "+447700900981"
    _text_in(production, twilio, number, "council tax")
    more = _text_in(production, twilio, number, "/ask_more")
    assert more[0]["Body"].startswith("Council tax exemption")


# ---- request bodies ---------------------------------------------------------------------------

BODY_LIMIT = 64 * 1024
OVERSIZE_MARKER = "OVERSIZE-MARKER"
PUBLIC_POSTS = [
    "/webhooks/twilio/webhook",
    "/webhooks/twilio/status",
    "/webhooks/rest/webhook",
    "/chat/session",
    "/chat/link/start",
    "/chat/link/verify",
    "/chat/link/forget",
]


def _raw_post(bot: RunningBot, path: str, head: dict[str, str], chunks: list[bytes]) -> bytes:
    """POST with a raw socket (so a chunked body is really chunked); return the answer."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{bot.settings.rasa_port}"]
    lines.append("Connection: close")
    lines += [f"{name}: {value}" for name, value in head.items()]
    with socket.create_connection(("127.0.0.1", bot.settings.rasa_port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            for chunk in chunks:
                conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the rest: its answer is already on the way
        answer = b""
        while True:
            try:
                data = conn.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            answer += data
    return answer


@pytest.mark.parametrize("path", PUBLIC_POSTS)
def test_every_route_refuses_a_body_over_64_kb_with_a_plain_413(production, path):
    body = (OVERSIZE_MARKER * (BODY_LIMIT // len(OVERSIZE_MARKER) + 10)).encode()
    assert len(body) > BODY_LIMIT
    reply = requests.post(
        production.base_url + path,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert reply.status_code == 413
    assert reply.text == "the request body is too big: at most 64 KB"
    assert OVERSIZE_MARKER not in reply.text


@pytest.mark.parametrize(
    ("path", "status"), [("/webhooks/service/ready", 405), ("/no/such/route", 404)]
)
def test_a_big_body_to_a_route_that_takes_none_is_answered_as_before(production, path, status):
    body = (OVERSIZE_MARKER * (BODY_LIMIT // len(OVERSIZE_MARKER) + 10)).encode()
    reply = requests.post(production.base_url + path, data=body, timeout=10)
    assert reply.status_code == status
    assert OVERSIZE_MARKER not in reply.text


@pytest.mark.parametrize("path", ["/webhooks/twilio/webhook", "/webhooks/rest/webhook"])
def test_a_chunked_body_is_refused_as_soon_as_it_passes_64_kb(production, path):
    piece = OVERSIZE_MARKER.encode() * 1000
    chunks = [f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for _ in range(6)]
    answer = _raw_post(
        production,
        path,
        {"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        [*chunks, b"0\r\n\r\n"],
    )
    head, _, text = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert text == b"the request body is too big: at most 64 KB"
    # The server is as well as before.
    assert requests.get(production.base_url + "/webhooks/service/", timeout=10).ok


def test_the_sms_webhook_refuses_a_big_form_before_parsing_or_checking_it(production, twilio):
    # Not signed: before, the form was parsed to check the signature (403); now its size
    # is checked first, whatever it holds.
    form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": "+447700900982", "Body": "x" * 40_000}
    reply = requests.post(f"{production.base_url}/webhooks/twilio/webhook", data=form, timeout=10)
    assert (reply.status_code, reply.text) == (413, "the form is too big: at most 32 KB")
    signed = requests.post(
        f"{production.base_url}/webhooks/twilio/webhook",
        data=form,
        headers={"X-Twilio-Signature": _sign(form, twilio.token)},
        timeout=10,
    )
    assert (signed.status_code, signed.text) == (413, "the form is too big: at most 32 KB")


def test_twilios_largest_text_still_goes_through(production, twilio):
    """1,600 emoji: Twilio's largest text is about 19 KB as its form."""
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": "+447700900983",
        "To": "+447700900000",
        "Body": "\U0001f600" * 1600,
        "AccountSid": twilio.account_sid,
    }
    reply = requests.post(
        f"{production.base_url}/webhooks/twilio/webhook",
        data=form,
        headers={"X-Twilio-Signature": _sign(form, twilio.token)},
        timeout=10,
    )
    assert reply.status_code == 200
