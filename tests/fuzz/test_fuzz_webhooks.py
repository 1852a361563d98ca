"""Fuzz: the Rasa server's public routes, really started, with hypothesis-made requests.

The Rasa and action servers run as ``make run`` runs them (demo mode, the demo people,
an SQLite file). Every request below is something a stranger on the internet could
send; each answer must be a plain refusal or a normal answer: never a 5xx, never a
stack trace, never the request's own words (:func:`tests.support.fuzz.assert_sound`).

- ``POST /webhooks/twilio/webhook``: unsigned or wrongly signed forms get 403 and leave
  no row; correctly signed forms with odd, missing, huge or extra fields get 200 or a
  plain 4xx; raw bodies in odd encodings under any Content-Type are refused cleanly;
- ``POST /webhooks/twilio/status``: the same, for delivery reports;
- ``POST /webhooks/rest/webhook``: any JSON value, and bodies that are not JSON;
- the web chat's HTTP routes (``/chat/session``, ``/chat/history``, ``/chat/link/*``)
  with made-up or damaged tokens and any body;
- ``GET /pack/<token>`` with any token, and the demo SMS simulator's two routes.

At the end the servers' log must show no failure while handling what was sent.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from bot.db.engine import create_db_engine
from bot.store.tables.notify import sms_outbound
from bot.store.tables.sms import sms_inbound
from tests.support.fuzz import (
    JSON_VALUES,
    MARK,
    assert_sound,
    fake_mobile,
    fuzz_settings,
    huge_text,
    odd_text,
)
from tests.support.servers import RunningBot, running_bot

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/twilio/webhook"
STATUS = "/webhooks/twilio/status"
SERVICE_NUMBER = "+447700900000"
ACCOUNT_SID = "ACfake00000000000000000000000000"

CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=nonsense",
        "multipart/form-data",
        "multipart/form-data; boundary=zz",
        "application/json",
        "application/json; charset=utf-32",
        "text/plain",
        "text/xml",
        "application/octet-stream",
        "",
        "*/*",
        "x" * 300,
    ]
)

RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"From=%FF%FE&Body=%C3%28&MessageSid=SM%00",
            b"Body=caf\xe9&From=%2B447700900321&MessageSid=SMx",
            b"From&Body&MessageSid",
            b"=&==&&&=",
            b"%",
            b"a=%zz",
            b"\xff\xfe\x00B\x00o\x00d\x00y",
            b'{"From": "+447700900321", "Body": "hi"}',
            b'--zz\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi\r\n--zz--\r\n',
            b'--zz\r\nContent-Disposition: form-data; name="Body"\r\n\r\nhi',
            b"[" * 5000 + b"]" * 5000,
        ]
    ),
    st.text(max_size=200).map(lambda t: (MARK + t).encode("utf-8")),
)

HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=120,
)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    workdir: Path = tmp_path_factory.mktemp("fuzz-bot")
    # Every request comes from 127.0.0.1: the per-address limits (which apply without
    # Redis too) are set out of reach, so that the fuzzing is of the routes, not the limits.
    with running_bot(
        f"sqlite:///{workdir / 'bot.db'}",
        workdir,
        log_name="fuzz-services.log",
        demo_people=True,
        web_chat_address_sessions_per_hour=1_000_000,
        web_chat_address_messages_per_minute=1_000_000,
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def _still_running(bot: RunningBot) -> None:
    """A clear failure if a server has stopped (its log says why)."""
    stopped = bot.group.exited()
    assert stopped is None, f"the {stopped} server has stopped: see fuzz-services.log"


def sign(bot: RunningBot, path: str, form: dict[str, str]) -> str:
    url = bot.settings.public_base_url.rstrip("/") + path
    return str(RequestValidator(bot.settings.signing_token()).compute_signature(url, form))


def inbound_rows(bot: RunningBot) -> int:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(sms_inbound)).scalar())
    finally:
        engine.dispose()


# ---- strategies for Twilio's forms ---------------------------------------------------------


def field_value(normal: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """A field as Twilio sends it, odd, huge, or missing (None)."""
    return st.one_of(normal, normal, odd_text(), huge_text(3000), st.none())


@st.composite
def sms_forms(draw: st.DrawFn) -> dict[str, str]:
    """An inbound SMS form: each field normal, odd, huge or missing, plus made-up fields."""
    fields = {
        "MessageSid": field_value(st.just("SM").map(lambda s: s + uuid.uuid4().hex)),
        "From": field_value(fake_mobile()),
        "To": field_value(st.just(SERVICE_NUMBER)),
        "Body": field_value(odd_text(160)),
        "AccountSid": field_value(st.just(ACCOUNT_SID)),
        "NumMedia": field_value(st.sampled_from(["0", "1", "-1", "x"])),
        "SmsSid": field_value(st.just("SM").map(lambda s: s + uuid.uuid4().hex)),
    }
    form = {name: value for name, strategy in fields.items() if (value := draw(strategy))}
    extra = draw(st.dictionaries(odd_text(20).filter(bool), odd_text(), max_size=3))
    return {**extra, **form}


@st.composite
def status_forms(draw: st.DrawFn) -> dict[str, str]:
    fields = {
        "MessageSid": field_value(st.just("SM").map(lambda s: s + uuid.uuid4().hex)),
        "MessageStatus": field_value(
            st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read"])
        ),
        "ErrorCode": field_value(st.sampled_from(["30003", "30005", "0", ""])),
        "AccountSid": field_value(st.just(ACCOUNT_SID)),
        "To": field_value(fake_mobile()),
    }
    form = {name: value for name, strategy in fields.items() if (value := draw(strategy))}
    extra = draw(st.dictionaries(odd_text(20).filter(bool), odd_text(), max_size=3))
    return {**extra, **form}


# ---- the SMS webhook -----------------------------------------------------------------------


@fuzz_settings(30)
@given(
    form=sms_forms(),
    signature=st.one_of(st.none(), HEADER_TEXT, st.just("bm90IGEgc2lnbmF0dXJl")),
    path=st.sampled_from([WEBHOOK, STATUS]),
)
def test_an_unsigned_or_forged_request_gets_403_and_leaves_no_row(
    bot: RunningBot, form: dict[str, str], signature: str | None, path: str
) -> None:
    before = inbound_rows(bot)
    headers = {} if signature is None else {"X-Twilio-Signature": header_safe(signature)}
    reply = requests.post(bot.base_url + path, data=form, headers=headers, timeout=30)
    assert_sound(reply)
    assert reply.status_code == 403, reply.text[:300]
    assert inbound_rows(bot) == before


@fuzz_settings(40)
@given(form=sms_forms(), query=st.one_of(st.just(""), st.just("x=1"), odd_text(20)))
def test_a_signed_sms_with_odd_fields_gets_200_or_a_plain_4xx(
    bot: RunningBot, form: dict[str, str], query: str
) -> None:
    path = WEBHOOK + (f"?{urllib.parse.quote(query, safe='=&')}" if query else "")
    reply = requests.post(
        bot.base_url + path,
        data=form,
        headers={"X-Twilio-Signature": sign(bot, path, form)},
        timeout=30,
    )
    assert_sound(reply)
    assert reply.status_code in (200, 400, 403, 413), reply.text[:300]
    if reply.status_code == 200:
        assert reply.text.startswith("<?xml") and "<Response></Response>" in reply.text


def test_a_real_twilio_form_with_blank_fields_is_taken(bot: RunningBot) -> None:
    """Regression (found by the fuzzing): Twilio signs blank fields such as ``FromCity=``.

    Sanic's ``request.form`` drops them, so the signature did not match and every real
    text from a UK number got 403.
    """
    sid = f"SM{uuid.uuid4().hex}"
    form = {
        "ToCountry": "GB",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": "what is staying put",
        "FromCountry": "GB",
        "To": SERVICE_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": "+447700900555",
        "ApiVersion": "2010-04-01",
    }
    before = inbound_rows(bot)
    reply = requests.post(
        bot.base_url + WEBHOOK,
        data=form,
        headers={"X-Twilio-Signature": sign(bot, WEBHOOK, form)},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert inbound_rows(bot) == before + 1
    report = {"MessageSid": sid, "MessageStatus": "delivered", "ErrorCode": ""}
    reply = requests.post(
        bot.base_url + STATUS,
        data=report,
        headers={"X-Twilio-Signature": sign(bot, STATUS, report)},
        timeout=30,
    )
    assert reply.status_code == 204, reply.text


@pytest.mark.parametrize("body", ["", "   "])
def test_an_sms_with_an_empty_body_is_answered(bot: RunningBot, body: str) -> None:
    """Regression (found by the fuzzing): Rasa strips an SMS of only spaces to "", which
    had no sentence vector, so the classifier failed and the sender got nothing."""
    sender = "+447700900556" if body else "+447700900557"
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": sender,
        "To": SERVICE_NUMBER,
        "Body": body,
        "AccountSid": ACCOUNT_SID,
    }
    reply = requests.post(
        bot.base_url + WEBHOOK,
        data=form,
        headers={"X-Twilio-Signature": sign(bot, WEBHOOK, form)},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    engine = create_db_engine(bot.settings.database_url)
    try:
        deadline = time.monotonic() + 60
        sent: list[str] = []
        while not sent and time.monotonic() < deadline:
            time.sleep(0.5)
            with engine.connect() as conn:
                sent = list(
                    conn.execute(
                        sa.select(sms_outbound.c.body).where(sms_outbound.c.to_number == sender)
                    ).scalars()
                )
    finally:
        engine.dispose()
    assert sent, "no answer to an empty SMS"


@fuzz_settings(25)
@given(form=status_forms())
def test_a_signed_delivery_report_with_odd_fields_gets_204_or_400(
    bot: RunningBot, form: dict[str, str]
) -> None:
    reply = requests.post(
        bot.base_url + STATUS,
        data=form,
        headers={"X-Twilio-Signature": sign(bot, STATUS, form)},
        timeout=30,
    )
    assert_sound(reply)
    assert reply.status_code in (204, 400), reply.text[:300]


@fuzz_settings(40)
@given(
    body=RAW_BODIES,
    content_type=CONTENT_TYPES,
    path=st.sampled_from([WEBHOOK, STATUS]),
    signed=st.booleans(),
)
def test_raw_bodies_in_odd_encodings_are_refused_cleanly(
    bot: RunningBot, body: bytes, content_type: str, path: str, signed: bool
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    if signed:
        # Signed over what a lenient parser makes of the body: often not what the server
        # makes of it, and then a 403 is the right answer.
        parsed = urllib.parse.parse_qs(body.decode("latin-1"), keep_blank_values=True)
        headers["X-Twilio-Signature"] = sign(bot, path, {k: v[0] for k, v in parsed.items()})
    reply = requests.post(bot.base_url + path, data=body, headers=headers, timeout=30)
    assert_sound(reply)


@pytest.mark.parametrize("size", [200_000, 2_000_000])
def test_a_huge_form_is_refused_cleanly(bot: RunningBot, size: int) -> None:
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": "+447700900777",
        "To": SERVICE_NUMBER,
        "Body": MARK + "x" * size,
    }
    for path in (WEBHOOK, STATUS):
        reply = requests.post(
            bot.base_url + path,
            data=form,
            headers={"X-Twilio-Signature": sign(bot, path, form)},
            timeout=60,
        )
        assert_sound(reply)
        assert reply.status_code in (400, 413), reply.text[:300]


# ---- the REST channel ----------------------------------------------------------------------


@st.composite
def rest_bodies(draw: st.DrawFn) -> Any:
    """A body for the REST webhook: sometimes nearly right, often not."""
    return draw(
        st.one_of(
            JSON_VALUES,
            st.fixed_dictionaries(
                {},
                optional={
                    "sender": st.one_of(odd_text(), JSON_VALUES, huge_text(200)),
                    "message": st.one_of(odd_text(), JSON_VALUES, huge_text(2000)),
                    "metadata": JSON_VALUES,
                },
            ),
        )
    )


@fuzz_settings(30)
@given(body=rest_bodies(), content_type=st.one_of(st.none(), CONTENT_TYPES))
def test_the_rest_webhook_takes_any_json_without_a_5xx(
    bot: RunningBot, body: Any, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type or "application/json"}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    reply = requests.post(bot.rest_url, data=data, headers=headers, timeout=60)
    # Rasa's REST contract answers with recipient_id, the sender (as rest-<sender>).
    assert_sound(reply, echo_checked=reply.status_code != 200)
    assert reply.status_code in (200, 400), reply.text[:300]
    if reply.status_code == 200:
        for message in reply.json():
            said = {k: v for k, v in message.items() if k != "recipient_id"}
            assert MARK not in json.dumps(said, ensure_ascii=False), said


@fuzz_settings(25)
@given(body=RAW_BODIES, content_type=CONTENT_TYPES)
def test_the_rest_webhook_refuses_bodies_that_are_not_json(
    bot: RunningBot, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    reply = requests.post(bot.rest_url, data=body, headers=headers, timeout=60)
    assert_sound(reply)


# ---- the web chat's HTTP routes ------------------------------------------------------------


def new_token(bot: RunningBot) -> str:
    reply = requests.post(f"{bot.base_url}/chat/session", timeout=10)
    assert reply.status_code == 201
    return str(reply.json()["token"])


@st.composite
def damaged_tokens(draw: st.DrawFn, good: str) -> str:
    """A token made up, or a real one with a part changed, cut or added to."""
    conversation, expiry, signature = good.split(".")
    token: str = draw(
        st.one_of(
            odd_text(),
            HEADER_TEXT,
            st.just(good[:-1]),
            st.just(good + "A"),
            st.just(f"{conversation}.{expiry}"),
            st.just(f"{conversation}.{int(expiry) + 1}.{signature}"),
            st.just(f"{conversation}.{'9' * 400}.{signature}"),
            st.just(f"web-{'0' * 32}.{expiry}.{signature}"),
            st.just(f"{conversation}.{expiry}.{signature}.{signature}"),
            st.just(f"{conversation}.-1.{signature}"),
            HEADER_TEXT.map(lambda t: f"{conversation}.{expiry}.{t}"),
        )
    )
    return token


def header_safe(text: str) -> str:
    """``text`` as a header value requests can send (latin-1, one line, no leading space)."""
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\r", "").replace("\n", "").strip()


@fuzz_settings(25)
@given(data=st.data())
def test_web_chat_history_with_any_token_is_a_clean_401_or_200(
    bot: RunningBot, data: st.DataObject
) -> None:
    token = data.draw(damaged_tokens(new_token(bot)))
    scheme = data.draw(st.sampled_from(["Bearer ", "bearer ", "Basic ", "", "Bearer  "]))
    reply = requests.get(
        f"{bot.base_url}/chat/history",
        headers={"Authorization": header_safe(scheme + token)},
        timeout=10,
    )
    assert_sound(reply)
    assert reply.status_code in (200, 401), reply.text[:300]


@st.composite
def link_bodies(draw: st.DrawFn) -> bytes:
    value = st.one_of(fake_mobile(), odd_text(), JSON_VALUES, huge_text(100))
    code = st.one_of(st.integers(0, 999_999).map(lambda n: f"{n:06d}"), odd_text(), JSON_VALUES)
    body = draw(
        st.one_of(
            st.fixed_dictionaries({}, optional={"mobile": value, "code": code, "x": JSON_VALUES}),
            JSON_VALUES,
        )
    )
    text = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return draw(st.one_of(st.just(text), RAW_BODIES, st.just(text + b"x" * 3000)))


@fuzz_settings(40)
@given(
    what=st.sampled_from(["start", "verify", "forget"]),
    body=link_bodies(),
    content_type=st.one_of(st.just("application/json"), CONTENT_TYPES),
    with_token=st.booleans(),
)
def test_web_chat_linking_takes_any_body_without_a_5xx(
    bot: RunningBot, what: str, body: bytes, content_type: str, with_token: bool
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    if with_token:
        headers["Authorization"] = f"Bearer {new_token(bot)}"
    reply = requests.post(
        f"{bot.base_url}/chat/link/{what}", data=body, headers=headers, timeout=10
    )
    assert_sound(reply)
    assert reply.status_code in (200, 400, 401, 413, 429), reply.text[:300]


@fuzz_settings(25)
@given(
    body=RAW_BODIES,
    origin=st.one_of(st.none(), HEADER_TEXT, st.just("https://evil.example")),
    host=st.one_of(st.none(), st.sampled_from(["evil.example", "a b", "x" * 300, "[::1]:99999"])),
    path=st.sampled_from(["/chat/session", "/chat/", "/chat/link/nothing", "/chat/history"]),
)
def test_web_chat_routes_with_odd_origins_and_hosts_answer_cleanly(
    bot: RunningBot, body: bytes, origin: str | None, host: str | None, path: str
) -> None:
    headers = {}
    if origin is not None:
        headers["Origin"] = header_safe(origin)
    if host is not None:
        headers["Host"] = host
    method = "GET" if path in ("/chat/", "/chat/history") else "POST"
    reply = requests.request(method, bot.base_url + path, data=body, headers=headers, timeout=10)
    assert_sound(reply)


# ---- the pack page and the SMS simulator ---------------------------------------------------


@fuzz_settings(30)
@given(
    token=st.one_of(
        odd_text(),
        st.from_regex(r"[A-Za-z0-9_-]{43,86}", fullmatch=True),
        huge_text(300),
        st.sampled_from(["%2e%2e", "pack.css/x", "\x00", " ", "favicon.svg."]),
    ).filter(lambda t: t.strip(".") != ""),  # "/pack/.." is "/" to any client
    query=st.one_of(st.just(""), odd_text(30)),
)
def test_the_pack_page_with_any_token_is_a_plain_404(
    bot: RunningBot, token: str, query: str
) -> None:
    path = "/pack/" + urllib.parse.quote(token, safe="")
    if query:
        path += "?" + urllib.parse.quote(query, safe="=&")
    reply = requests.get(bot.base_url + path, timeout=10, allow_redirects=False)
    assert_sound(reply)
    assert reply.status_code in (404, 400, 414), reply.text[:300]


@fuzz_settings(15)
@given(
    number=st.one_of(fake_mobile(), odd_text(30), st.just("+441234567890")),
    other=st.one_of(st.none(), fake_mobile(), odd_text(30)),
    body=st.one_of(odd_text(), huge_text(2000)),
)
def test_the_demo_simulator_takes_any_form_without_a_5xx(
    bot: RunningBot, number: str, other: str | None, body: str
) -> None:
    form = {"number": number, "body": body, **({"other": other} if other is not None else {})}
    sent = requests.post(
        f"{bot.base_url}/webhooks/twilio/simulator/send",
        data=form,
        timeout=30,
        allow_redirects=False,
    )
    assert_sound(sent)
    assert sent.status_code in (302, 303, 400, 413), sent.text[:300]
    page = requests.get(
        f"{bot.base_url}/webhooks/twilio/simulator",
        params={"number": number},
        timeout=30,
    )
    assert_sound(page)


def test_nothing_failed_while_handling_what_was_sent(bot: RunningBot) -> None:
    """Last: the messages handled after their answer (SMS) must not have failed either."""
    log = (bot.settings.var_dir / "fuzz-services.log").read_text(errors="replace")
    assert "Traceback" not in log, log[log.index("Traceback") - 2000 :][:6000]
    for failure in ("Handling an inbound SMS failed", "Handling a REST message failed"):
        assert failure not in log, failure
    assert MARK not in log, "a fuzzed value reached the servers' log"
